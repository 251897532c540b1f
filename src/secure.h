/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>

/* Overwrite n bytes at p in a way the compiler may not elide. */
void bkt_wipe(void *p, size_t n);

/* Wipe a NUL-terminated secret and free it; NULL is fine. */
void bkt_secret_free(char *secret);

/* Replace *slot with a copy of value, wiping the old secret. */
void bkt_secret_set(char **slot, const char *value);

/* Fill buf with n bytes from getrandom(2). */
gboolean bkt_random_bytes(void *buf, size_t n, GError **error);

/* base64url without padding (RFC 4648 section 5); newly allocated. */
char *bkt_base64url_encode(const guint8 *data, size_t len);

/* n random bytes as base64url text; newly allocated. */
char *bkt_random_urlsafe(size_t nbytes, GError **error);

/* Compare two strings in time that depends only on their lengths. NULL equals nothing. */
gboolean bkt_str_equal_ct(const char *a, const char *b);
