/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "pkce.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "error.h"

gboolean
bkt_random_bytes(void *buf, size_t n, GError **error)
{
  guint8 *p = buf;
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, "getrandom: %s", g_strerror(errno));
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

BktSecret *
bkt_pkce_verifier_new(GError **error)
{
  char *text = bkt_random_urlsafe(32, error);
  BktSecret *v = bkt_secret_new_from(text);
  bkt_wipe_free(text);
  return v;
}

char *
bkt_pkce_challenge_s256(const char *verifier)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, (const guchar *)verifier, (gssize)strlen(verifier));
  g_checksum_get_digest(sum, digest, &len);
  g_checksum_free(sum);
  return bkt_base64url_encode(digest, len);
}

char *
bkt_state_new(GError **error)
{
  return bkt_random_urlsafe(32, error);
}
