/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "pkce.h"
#include "secure.h"

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
  g_autofree char *a = bkt_pkce_verifier_new(NULL);
  g_autofree char *b = bkt_pkce_verifier_new(NULL);
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

static void
test_equal_ct(void)
{
  g_assert_true(bkt_str_equal_ct("abc", "abc"));
  g_assert_false(bkt_str_equal_ct("abc", "abd"));
  g_assert_false(bkt_str_equal_ct("abc", "abcd"));
  g_assert_false(bkt_str_equal_ct("abcd", "abc"));
  g_assert_false(bkt_str_equal_ct("", ""));
  g_assert_false(bkt_str_equal_ct(NULL, "a"));
  g_assert_false(bkt_str_equal_ct("a", NULL));
}

static void
test_wipe(void)
{
  char buf[] = "secret";
  bkt_wipe(buf, sizeof buf - 1);
  for (size_t i = 0; i < sizeof buf - 1; i++)
    g_assert_cmpint(buf[i], ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pkce/rfc7636-appendix-b", test_appendix_b);
  g_test_add_func("/pkce/verifier-shape", test_verifier_shape);
  g_test_add_func("/pkce/state-unique", test_state_unique);
  g_test_add_func("/secure/base64url", test_base64url);
  g_test_add_func("/secure/equal-ct", test_equal_ct);
  g_test_add_func("/secure/wipe", test_wipe);
  return g_test_run();
}
