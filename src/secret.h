/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>

/*
 * The one home of every secret: tokens, client secrets, the authorization code, a typed or
 * pasted secret, git's password, a token endpoint's answer. Its most is fixed when it is made;
 * it grows by allocating anew, copying and wiping the old block (never realloc, which would
 * leave copies behind), and it is wiped when freed. Functions that take a BktSecret accept
 * NULL where they read, as an empty secret.
 */
typedef struct BktSecret BktSecret;

/* The most a token or a client secret may take; refresh tokens run to kilobytes. */
#define BKT_SECRET_MAX (64 * 1024)

/* An empty secret of at most max bytes. */
BktSecret *bkt_secret_new(size_t max);
/* A copy of the text (NULL: NULL), at most BKT_SECRET_MAX bytes, else NULL. */
BktSecret *bkt_secret_new_from(const char *text);
/* A copy of len bytes; NULL when len is over BKT_SECRET_MAX. */
BktSecret *bkt_secret_new_len(const char *data, size_t len);
BktSecret *bkt_secret_dup(const BktSecret *s);
void bkt_secret_free(BktSecret *s);

/* Add bytes at the end; FALSE (and nothing added) when the secret would pass its most. */
gboolean bkt_secret_append(BktSecret *s, const char *data, size_t len);
gboolean bkt_secret_append_c(BktSecret *s, char c);
/* Insert at a byte offset; FALSE when it would pass its most. */
gboolean bkt_secret_insert(BktSecret *s, size_t at, const char *data, size_t len);
/* Remove len bytes at a byte offset, wiping what moved out. */
void bkt_secret_erase(BktSecret *s, size_t at, size_t len);
/* Keep the first len bytes; the rest is wiped. */
void bkt_secret_truncate(BktSecret *s, size_t len);
/* Cut white space off both ends, in place. */
void bkt_secret_strip(BktSecret *s);

/* The text, NUL-terminated; valid until the secret changes. "" for NULL. */
const char *bkt_secret_str(const BktSecret *s);
size_t bkt_secret_len(const BktSecret *s);
gboolean bkt_secret_empty(const BktSecret *s);

/* Equal, in time that depends only on the lengths. Two empty secrets are not equal. */
gboolean bkt_secret_equal(const BktSecret *a, const BktSecret *b);
gboolean bkt_secret_equal_str(const BktSecret *a, const char *b);

/* Two strings equal, in time that depends only on their lengths; NULL and "" equal nothing. */
gboolean bkt_str_equal_ct(const char *a, const char *b);

/* Replace *slot with s (taking it), freeing the old one. */
void bkt_secret_replace(BktSecret **slot, BktSecret *s);

/* Overwrite n bytes at p in a way the compiler may not elide: for memory a secret passed
 * through on its way into a BktSecret (a read buffer, a library's copy). */
void bkt_wipe(void *p, size_t n);

/* Wipe a library's NUL-terminated copy of a secret and g_free it; NULL is fine. */
void bkt_wipe_free(char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktSecret, bkt_secret_free)
