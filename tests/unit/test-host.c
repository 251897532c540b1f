/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "error.h"
#include "host.h"

typedef struct {
  const char *input;
  BktKind hint;
  gboolean allow_http;
  BktKind kind;
  const char *key;
  const char *base;
} Good;

static const Good good[] = {
  { "bitbucket.org", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
  { "https://bitbucket.org/", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
  { "api.bitbucket.org", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
  { "BitBucket.ORG", BKT_KIND_CLOUD, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
  { "https://bitbucket.org/workspace/repo", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
  { "git.example.com", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com", "https://git.example.com" },
  { "https://git.example.com/bitbucket/", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com/bitbucket", "https://git.example.com/bitbucket" },
  { "  https://Git.Example.com:8443/bitbucket  ", BKT_KIND_DC, FALSE, BKT_KIND_DC, "git.example.com:8443/bitbucket", "https://git.example.com:8443/bitbucket" },
  { "https://git.example.com:443", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com", "https://git.example.com" },
  { "https://git.example.com/bitbucket/projects/ABC/repos/x/browse", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com/bitbucket", "https://git.example.com/bitbucket" },
  { "https://git.example.com/scm/abc/x.git", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com", "https://git.example.com" },
  { "http://127.0.0.1:7990", BKT_KIND_UNKNOWN, TRUE, BKT_KIND_DC, "127.0.0.1:7990", "http://127.0.0.1:7990" },
  { "https://[::1]:7990/", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "[::1]:7990", "https://[::1]:7990" },
  /* An encoded path stays encoded: decoded, %3F would start a query in every request. */
  { "https://git.example.com/a%20b/%3Fx", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_DC, "git.example.com/a%20b/%3Fx", "https://git.example.com/a%20b/%3Fx" },
  { "https://bitbucket.org/a%FFb", BKT_KIND_UNKNOWN, FALSE, BKT_KIND_CLOUD, "bitbucket.org", "https://bitbucket.org" },
};

typedef struct {
  const char *input;
  BktKind hint;
  const char *needle; /* a word the message must contain */
} Bad;

static const Bad bad[] = {
  { "", BKT_KIND_UNKNOWN, "no host" },
  { "   ", BKT_KIND_UNKNOWN, "no host" },
  { "http://git.example.com", BKT_KIND_UNKNOWN, "--allow-http" },
  { "https://user:pw@git.example.com", BKT_KIND_UNKNOWN, "password" },
  { "https://git.example.com/#frag", BKT_KIND_UNKNOWN, "#" },
  { "https://git.example.com/?x=1", BKT_KIND_UNKNOWN, "?" },
  { "ftp://git.example.com", BKT_KIND_UNKNOWN, "https://" },
  { "git example com", BKT_KIND_UNKNOWN, "space" },
  { "https://", BKT_KIND_UNKNOWN, "not a host" },
  { "bitbucket.org", BKT_KIND_DC, "Cloud" },
  { "git.example.com", BKT_KIND_CLOUD, "--kind dc" },
  { "git.example.com\x01", BKT_KIND_UNKNOWN, "character" },
  /* Escapes in the name decode to what no host name holds. */
  { "https://ex%40ample.com/", BKT_KIND_UNKNOWN, "character" },
  { "https://evil.example%2fbitbucket.org/", BKT_KIND_UNKNOWN, "character" },
  { "https://a%1b[31m.example/", BKT_KIND_UNKNOWN, "character" },
};

static void
test_good(void)
{
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
    BktHost h;
    g_autoptr(GError) error = NULL;
    g_test_message("input %s", good[i].input);
    g_assert_true(bkt_host_parse(good[i].input, good[i].hint, good[i].allow_http, &h, &error));
    g_assert_no_error(error);
    g_assert_cmpint(h.kind, ==, good[i].kind);
    g_assert_cmpstr(h.key, ==, good[i].key);
    g_assert_cmpstr(h.base_url, ==, good[i].base);
    bkt_host_clear(&h);
  }
}

static void
test_bad(void)
{
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    BktHost h;
    g_autoptr(GError) error = NULL;
    g_test_message("input '%s'", bad[i].input);
    g_assert_false(bkt_host_parse(bad[i].input, bad[i].hint, FALSE, &h, &error));
    g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
    g_assert_nonnull(strstr(error->message, bad[i].needle));
    g_assert_null(h.key);
  }
}

static void
test_message_is_tame(void)
{
  /* A name from a repository's remote is echoed without its terminal escapes. */
  BktHost h;
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_host_parse("ftp://x\xc2\x9b" "31m", BKT_KIND_UNKNOWN, FALSE, &h, &error));
  g_assert_null(strstr(error->message, "\xc2\x9b"));
  g_assert_true(g_utf8_validate(error->message, -1, NULL));
}

static void
test_cloud_override(void)
{
  g_setenv("BKT_CLOUD_URL", "http://127.0.0.1:9999", TRUE);
  g_setenv("BKT_CLOUD_API_URL", "http://127.0.0.1:9999/", TRUE);
  BktHost h;
  g_assert_true(bkt_host_parse("http://127.0.0.1:9999", BKT_KIND_UNKNOWN, FALSE, &h, NULL));
  g_assert_cmpint(h.kind, ==, BKT_KIND_CLOUD);
  g_assert_cmpstr(h.key, ==, "bitbucket.org");
  g_assert_cmpstr(h.base_url, ==, "http://127.0.0.1:9999");
  bkt_host_clear(&h);

  /* A path on the same server is a Data Center's context path; --kind dc wins without one. */
  g_assert_true(bkt_host_parse("http://127.0.0.1:9999/bitbucket", BKT_KIND_UNKNOWN, TRUE, &h, NULL));
  g_assert_cmpint(h.kind, ==, BKT_KIND_DC);
  g_assert_cmpstr(h.key, ==, "127.0.0.1:9999/bitbucket");
  bkt_host_clear(&h);
  g_assert_true(bkt_host_parse("http://127.0.0.1:9999", BKT_KIND_DC, TRUE, &h, NULL));
  g_assert_cmpint(h.kind, ==, BKT_KIND_DC);
  g_assert_cmpstr(h.key, ==, "127.0.0.1:9999");
  bkt_host_clear(&h);
  g_autofree char *key = bkt_host_key_for_input("127.0.0.1:9999/bitbucket");
  g_assert_cmpstr(key, ==, "127.0.0.1:9999/bitbucket");

  /* http:// is only acceptable for Cloud when it stays on this machine. */
  g_setenv("BKT_CLOUD_URL", "http://proxy.example.com", TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_host_parse("bitbucket.org", BKT_KIND_UNKNOWN, FALSE, &h, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
  g_clear_error(&error);

  /* "127." as a name prefix is no loopback address; the API URL is checked too. */
  g_setenv("BKT_CLOUD_URL", "http://127.example.invalid", TRUE);
  g_assert_false(bkt_host_parse("bitbucket.org", BKT_KIND_UNKNOWN, FALSE, &h, &error));
  g_clear_error(&error);
  g_setenv("BKT_CLOUD_URL", "https://bitbucket.org", TRUE);
  g_setenv("BKT_CLOUD_API_URL", "http://api.example.invalid", TRUE);
  g_assert_false(bkt_host_parse("bitbucket.org", BKT_KIND_UNKNOWN, FALSE, &h, &error));
  g_assert_nonnull(strstr(error->message, "BKT_CLOUD_API_URL"));
  g_unsetenv("BKT_CLOUD_URL");
  g_unsetenv("BKT_CLOUD_API_URL");
}

static void
test_key_for_input(void)
{
  g_autofree char *a = bkt_host_key_for_input("https://git.example.com/bitbucket/");
  g_autofree char *b = bkt_host_key_for_input("git.example.com/bitbucket");
  g_assert_cmpstr(a, ==, b);
  g_autofree char *c = bkt_host_key_for_input("https://bitbucket.org");
  g_assert_cmpstr(c, ==, "bitbucket.org");
  g_assert_null(bkt_host_key_for_input("https://u:p@x"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_unsetenv("BKT_CLOUD_URL");
  g_unsetenv("BKT_CLOUD_API_URL");
  g_test_add_func("/host/good", test_good);
  g_test_add_func("/host/bad", test_bad);
  g_test_add_func("/host/message-is-tame", test_message_is_tame);
  g_test_add_func("/host/cloud-override", test_cloud_override);
  g_test_add_func("/host/key-for-input", test_key_for_input);
  return g_test_run();
}
