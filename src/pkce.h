/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "secret.h"

/* Unguessable values for OAuth: randomness from getrandom(2), never from g_random_* or rand. */

/* Fill buf with n bytes from getrandom(2). */
gboolean bkt_random_bytes(void *buf, size_t n, GError **error);

/* base64url without padding (RFC 4648 section 5); newly allocated. */
char *bkt_base64url_encode(const guint8 *data, size_t len);

/* n (at most 64) random bytes as base64url text; newly allocated. */
char *bkt_random_urlsafe(size_t nbytes, GError **error);

/* A PKCE code verifier (RFC 7636 section 4.1): 43 characters from 32 random bytes. */
BktSecret *bkt_pkce_verifier_new(GError **error);

/* The S256 code challenge for a verifier: base64url(SHA-256(verifier)). Newly allocated. */
char *bkt_pkce_challenge_s256(const char *verifier);

/* An unguessable OAuth state value (32 random bytes, base64url). Newly allocated. */
char *bkt_state_new(GError **error);
