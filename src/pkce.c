/* SPDX-License-Identifier: MIT */
#include "pkce.h"

#include <string.h>

#include "secure.h"

char *
bkt_pkce_verifier_new(GError **error)
{
  return bkt_random_urlsafe(32, error);
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
