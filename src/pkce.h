/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* A PKCE code verifier (RFC 7636 section 4.1): 43 characters from 32 random bytes. */
char *bkt_pkce_verifier_new(GError **error);

/* The S256 code challenge for a verifier: base64url(SHA-256(verifier)). Newly allocated. */
char *bkt_pkce_challenge_s256(const char *verifier);

/* An unguessable OAuth state value (32 random bytes, base64url). Newly allocated. */
char *bkt_state_new(GError **error);
