/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"

/*
 * Where the browser comes back to: the redirect URI a login listens on, and what the
 * provider's side (a Data Center's application link, a Cloud consumer) must hold for the
 * browser to be sent there.
 */

/*
 * What to listen on for the redirect URI uri: the host to bind (lower case), the port (80
 * when the URI names none) and the path (newly allocated). FALSE with a sentence when
 * bkt-auth cannot listen there: not http, not a loopback name, a query or a fragment, port 0.
 */
gboolean bkt_redirect_parse(const char *uri, char **bind_host, guint16 *port, char **path,
                            GError **error);

/* The redirect to register when none is given: a Cloud consumer's callback
 * "http://127.0.0.1", a Data Center's "http://localhost:PORT/callback". Newly allocated. */
char *bkt_redirect_default(BktKind kind);

/*
 * What the provider's side must hold for the redirect uri to be accepted, said for the time
 * the browser is away: "If the browser shows an error about the redirect, ...". A whole
 * sentence, newly allocated.
 */
char *bkt_redirect_advice(BktKind kind, const char *uri);

/*
 * The sentence for an address of host's own sign-in page pasted back: the browser stays there
 * when the redirect is refused. Lower case, to follow "bkt-auth: "; newly allocated.
 */
char *bkt_redirect_refused(BktKind kind, const char *host, const char *uri);
