/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "secure.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "error.h"

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
bkt_secret_free(char *secret)
{
  if (secret == NULL)
    return;
  bkt_wipe(secret, strlen(secret));
  g_free(secret);
}

void
bkt_secret_set(char **slot, const char *value)
{
  bkt_secret_free(*slot);
  *slot = g_strdup(value);
}

gboolean
bkt_random_bytes(void *buf, size_t n, GError **error)
{
  guint8 *p = buf;
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                  "getrandom: %s", g_strerror(errno));
      return FALSE;
    }
    p += got;
    n -= (size_t)got;
  }
  return TRUE;
}

char *
bkt_base64url_encode(const guint8 *data, size_t len)
{
  char *s = g_base64_encode(data, len);
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r == '=')
      break;
    *w++ = *r == '+' ? '-' : *r == '/' ? '_' : *r;
  }
  *w = '\0';
  return s;
}

char *
bkt_random_urlsafe(size_t nbytes, GError **error)
{
  guint8 buf[64];
  g_return_val_if_fail(nbytes <= sizeof buf, NULL);
  if (!bkt_random_bytes(buf, nbytes, error))
    return NULL;
  char *s = bkt_base64url_encode(buf, nbytes);
  bkt_wipe(buf, sizeof buf);
  return s;
}

gboolean
bkt_str_equal_ct(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  size_t la = strlen(a), lb = strlen(b);
  unsigned char diff = la != lb;
  for (size_t i = 0; i < la; i++)
    diff |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
  return diff == 0 && lb != 0;
}
