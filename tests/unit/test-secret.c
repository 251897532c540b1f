/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "secret.h"

static void
test_grow_and_cap(void)
{
  g_autoptr(BktSecret) s = bkt_secret_new(300);
  g_assert_true(bkt_secret_empty(s));
  g_assert_cmpstr(bkt_secret_str(s), ==, "");
  /* Past the first block several times, up to the cap exactly. */
  for (int i = 0; i < 300; i++)
    g_assert_true(bkt_secret_append_c(s, (char)('a' + i % 26)));
  g_assert_cmpuint(bkt_secret_len(s), ==, 300);
  g_assert_cmpuint(strlen(bkt_secret_str(s)), ==, 300);
  g_assert_cmpint(bkt_secret_str(s)[299], ==, 'a' + 299 % 26);
  /* One byte more is refused, and nothing of it is added. */
  g_assert_false(bkt_secret_append_c(s, 'x'));
  g_assert_false(bkt_secret_append(s, "xy", 2));
  g_assert_cmpuint(bkt_secret_len(s), ==, 300);
  g_assert_null(bkt_secret_new_len("x", BKT_SECRET_MAX + 1));
}

static void
test_edit(void)
{
  g_autoptr(BktSecret) s = bkt_secret_new_from("hello world");
  g_assert_true(bkt_secret_insert(s, 5, ",", 1));
  g_assert_cmpstr(bkt_secret_str(s), ==, "hello, world");
  bkt_secret_erase(s, 0, 7);
  g_assert_cmpstr(bkt_secret_str(s), ==, "world");
  bkt_secret_erase(s, 3, 100);
  g_assert_cmpstr(bkt_secret_str(s), ==, "wor");
  g_assert_false(bkt_secret_insert(s, 4, "x", 1)); /* past the end */
  bkt_secret_truncate(s, 1);
  g_assert_cmpstr(bkt_secret_str(s), ==, "w");

  g_autoptr(BktSecret) t = bkt_secret_new_from(" \t token\r\n");
  bkt_secret_strip(t);
  g_assert_cmpstr(bkt_secret_str(t), ==, "token");
  g_autoptr(BktSecret) blank = bkt_secret_new_from("  \n");
  bkt_secret_strip(blank);
  g_assert_true(bkt_secret_empty(blank));

  g_autoptr(BktSecret) c = bkt_secret_dup(t);
  g_assert_true(c != t);
  g_assert_cmpstr(bkt_secret_str(c), ==, "token");
  g_assert_null(bkt_secret_dup(NULL));
  g_assert_null(bkt_secret_new_from(NULL));
}

static void
test_equal(void)
{
  g_autoptr(BktSecret) a = bkt_secret_new_from("abc");
  g_autoptr(BktSecret) b = bkt_secret_new_from("abc");
  g_autoptr(BktSecret) d = bkt_secret_new_from("abd");
  g_autoptr(BktSecret) e = bkt_secret_new(10);
  g_autoptr(BktSecret) f = bkt_secret_new(10);
  g_assert_true(bkt_secret_equal(a, b));
  g_assert_false(bkt_secret_equal(a, d));
  g_assert_false(bkt_secret_equal(e, f)); /* empty is nobody's secret */
  g_assert_false(bkt_secret_equal(a, NULL));
  g_assert_true(bkt_secret_equal_str(a, "abc"));
  g_assert_false(bkt_secret_equal_str(a, "abcd"));
  g_assert_false(bkt_secret_equal_str(a, "ab"));
  g_assert_false(bkt_secret_equal_str(NULL, "a"));
  g_assert_false(bkt_secret_equal_str(a, NULL));
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
  g_test_add_func("/secret/grow-and-cap", test_grow_and_cap);
  g_test_add_func("/secret/edit", test_edit);
  g_test_add_func("/secret/equal", test_equal);
  g_test_add_func("/secret/wipe", test_wipe);
  return g_test_run();
}
