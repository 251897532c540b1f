/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "secret.h"

/* What the browser brought back to the redirect URI. */
typedef struct {
  BktSecret *code;
  char *state;
  char *error;             /* the provider's error=, e.g. "access_denied" (tamed) */
  char *error_description; /* the provider's text (tamed: printable, valid UTF-8) */
  gboolean owner_unknown;  /* it came over a connection whose owner could not be found */
} BktCallback;

void bkt_callback_clear(BktCallback *cb);

/*
 * Parse the query of a redirect ("code=...&state=..."). Fails when a parameter appears twice,
 * when it is not valid percent-encoding, or when neither code nor error is present.
 */
gboolean bkt_callback_parse_query(const char *query, BktCallback *out);

/*
 * Parse a pasted redirect URL against the redirect URI in use: the path must match, the host
 * must be a loopback name. A bare query ("?code=...&state=...") is accepted too.
 */
gboolean bkt_callback_parse_url(const char *text, const char *redirect_uri, BktCallback *out,
                                GError **error);

/* What a pasted address is checked against: the attempt it should belong to. */
typedef struct {
  const char *redirect_uri;  /* where the browser should have come back to */
  const char *authorize_url; /* where the browser was sent */
  const char *state;         /* the attempt's state */
  const char *refused;       /* the sentence for the provider's own sign-in page pasted back,
                                where the browser stays when it refuses the redirect */
} BktPasteCheck;

/*
 * Take what the person pasted: the address the browser ended on. Besides what
 * bkt_callback_parse_url refuses, it tells apart what people paste by mistake, each with its
 * own sentence: the code alone, the provider's sign-in page (check->refused), an address cut
 * off before or inside the state, and the redirect of another attempt (a whole state that
 * differs, compared in constant time).
 */
gboolean bkt_callback_parse_paste(const char *text, const BktPasteCheck *check, BktCallback *out,
                                  GError **error);

