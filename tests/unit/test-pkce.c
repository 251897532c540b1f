/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "pkce.h"

/* RFC 7636 Appendix B. */
static void
test_appendix_b(void)
{
  g_autofree char *challenge = bkt_pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  g_assert_cmpstr(challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_verifier_shape(void)
{
  g_autoptr(BktSecret) va = bkt_pkce_verifier_new(NULL);
  g_autoptr(BktSecret) vb = bkt_pkce_verifier_new(NULL);
  const char *a = bkt_secret_str(va), *b = bkt_secret_str(vb);
  g_assert_cmpuint(strlen(a), >=, 43);
  g_assert_cmpuint(strlen(a), <=, 128);
  g_assert_cmpstr(a, !=, b);
  for (const char *c = a; *c; c++)
    g_assert_true(g_ascii_isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '~');
}

static void
test_state_unique(void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 1000; i++) {
    char *s = bkt_state_new(NULL);
    g_assert_cmpuint(strlen(s), ==, 43);
    g_assert_false(g_hash_table_contains(seen, s));
    g_hash_table_add(seen, s);
  }
}

static void
test_base64url(void)
{
  const guint8 data[] = { 0xfb, 0xff, 0xfe };
  g_autofree char *s = bkt_base64url_encode(data, sizeof data);
  g_assert_cmpstr(s, ==, "-__-");
  const guint8 one[] = { 'a' };
  g_autofree char *t = bkt_base64url_encode(one, 1);
  g_assert_cmpstr(t, ==, "YQ");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pkce/rfc7636-appendix-b", test_appendix_b);
  g_test_add_func("/pkce/verifier-shape", test_verifier_shape);
  g_test_add_func("/pkce/state-unique", test_state_unique);
  g_test_add_func("/pkce/base64url", test_base64url);
  return g_test_run();
}
