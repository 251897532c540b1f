/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "secret.h"

#include <string.h>

struct BktSecret {
  char *buf;    /* alloc bytes, NUL-terminated at len */
  size_t len;
  size_t alloc;
  size_t max;   /* len never passes it */
};

#define FIRST_ALLOC 64

void
bkt_wipe(void *p, size_t n)
{
  if (p == NULL || n == 0)
    return;
#if HAVE_EXPLICIT_BZERO
  explicit_bzero(p, n);
#else
  volatile unsigned char *v = p;
  while (n--)
    *v++ = 0;
#endif
}

void
bkt_wipe_free(char *text)
{
  if (text == NULL)
    return;
  bkt_wipe(text, strlen(text));
  g_free(text);
}

BktSecret *
bkt_secret_new(size_t max)
{
  BktSecret *s = g_new0(BktSecret, 1);
  s->max = max;
  s->alloc = MIN(max, (size_t)FIRST_ALLOC) + 1;
  s->buf = g_malloc0(s->alloc);
  return s;
}

BktSecret *
bkt_secret_new_len(const char *data, size_t len)
{
  if (len > BKT_SECRET_MAX)
    return NULL;
  BktSecret *s = bkt_secret_new(BKT_SECRET_MAX);
  bkt_secret_append(s, data, len);
  return s;
}

BktSecret *
bkt_secret_new_from(const char *text)
{
  return text != NULL ? bkt_secret_new_len(text, strlen(text)) : NULL;
}

BktSecret *
bkt_secret_dup(const BktSecret *s)
{
  if (s == NULL)
    return NULL;
  BktSecret *c = bkt_secret_new(s->max);
  bkt_secret_append(c, s->buf, s->len);
  return c;
}

void
bkt_secret_free(BktSecret *s)
{
  if (s == NULL)
    return;
  bkt_wipe(s->buf, s->alloc);
  g_free(s->buf);
  g_free(s);
}

/* Room for need bytes and the NUL: a new block, the old one wiped and freed. */
static gboolean
reserve(BktSecret *s, size_t need)
{
  if (need > s->max)
    return FALSE;
  if (need + 1 <= s->alloc)
    return TRUE;
  size_t alloc = s->alloc;
  while (alloc < need + 1)
    alloc = alloc > (s->max + 1) / 2 ? s->max + 1 : alloc * 2;
  char *bigger = g_malloc0(alloc);
  memcpy(bigger, s->buf, s->len);
  bkt_wipe(s->buf, s->alloc);
  g_free(s->buf);
  s->buf = bigger;
  s->alloc = alloc;
  return TRUE;
}

gboolean
bkt_secret_insert(BktSecret *s, size_t at, const char *data, size_t len)
{
  if (at > s->len || len > s->max || !reserve(s, s->len + len))
    return FALSE;
  memmove(s->buf + at + len, s->buf + at, s->len - at);
  memcpy(s->buf + at, data, len);
  s->len += len;
  s->buf[s->len] = '\0';
  return TRUE;
}

gboolean
bkt_secret_append(BktSecret *s, const char *data, size_t len)
{
  return bkt_secret_insert(s, s->len, data, len);
}

gboolean
bkt_secret_append_c(BktSecret *s, char c)
{
  return bkt_secret_insert(s, s->len, &c, 1);
}

void
bkt_secret_erase(BktSecret *s, size_t at, size_t len)
{
  if (at >= s->len)
    return;
  len = MIN(len, s->len - at);
  memmove(s->buf + at, s->buf + at + len, s->len - at - len);
  bkt_wipe(s->buf + s->len - len, len);
  s->len -= len;
  s->buf[s->len] = '\0';
}

void
bkt_secret_truncate(BktSecret *s, size_t len)
{
  if (len < s->len)
    bkt_secret_erase(s, len, s->len - len);
}

void
bkt_secret_strip(BktSecret *s)
{
  size_t start = 0, end = s->len;
  while (start < end && g_ascii_isspace(s->buf[start]))
    start++;
  while (end > start && g_ascii_isspace(s->buf[end - 1]))
    end--;
  bkt_secret_truncate(s, end);
  bkt_secret_erase(s, 0, start);
}

const char *
bkt_secret_str(const BktSecret *s)
{
  return s != NULL ? s->buf : "";
}

size_t
bkt_secret_len(const BktSecret *s)
{
  return s != NULL ? s->len : 0;
}

gboolean
bkt_secret_empty(const BktSecret *s)
{
  return s == NULL || s->len == 0;
}

static gboolean
equal_ct(const char *a, size_t la, const char *b, size_t lb)
{
  unsigned char diff = la != lb;
  for (size_t i = 0; i < la; i++)
    diff |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
  return diff == 0 && lb != 0;
}

gboolean
bkt_secret_equal(const BktSecret *a, const BktSecret *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  return equal_ct(a->buf, a->len, b->buf, b->len);
}

gboolean
bkt_secret_equal_str(const BktSecret *a, const char *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  return equal_ct(a->buf, a->len, b, strlen(b));
}

gboolean
bkt_str_equal_ct(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  return equal_ct(a, strlen(a), b, strlen(b));
}

void
bkt_secret_replace(BktSecret **slot, BktSecret *s)
{
  if (*slot != s)
    bkt_secret_free(*slot);
  *slot = s;
}
