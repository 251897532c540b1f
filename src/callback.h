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
