/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "error.h"
#include "gitcred.h"

static BktHostEntry *
entry(const char *key, BktKind kind, const char *base_url, const char *username)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(key);
  e->kind = kind;
  e->base_url = g_strdup(base_url);
  e->username = g_strdup(username);
  e->auth = BKT_AUTH_OAUTH;
  return e;
}

static GPtrArray *
stored(void)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);
  g_ptr_array_add(hosts, entry("bitbucket.org", BKT_KIND_CLOUD, "https://bitbucket.org", "al"));
  g_ptr_array_add(hosts, entry("git.example.com", BKT_KIND_DC, "https://git.example.com", "bo"));
  g_ptr_array_add(hosts, entry("git.example.com/bitbucket", BKT_KIND_DC,
                               "https://git.example.com/bitbucket", "cy"));
  g_ptr_array_add(hosts, entry("code.example.com:8443/bb", BKT_KIND_DC,
                               "https://code.example.com:8443/bb", "di"));
  g_ptr_array_add(hosts, entry("127.0.0.1:7990", BKT_KIND_DC, "http://127.0.0.1:7990", NULL));
  g_ptr_array_add(hosts, entry("two.example.com/a", BKT_KIND_DC, "https://two.example.com/a",
                               "ea"));
  g_ptr_array_add(hosts, entry("two.example.com/b", BKT_KIND_DC, "https://two.example.com/b",
                               "eb"));
  return hosts;
}

static void
test_parse(void)
{
  const char text[] = "protocol=https\nhost=git.example.com:8443\npath=scm/p/r.git\n"
                      "username=alice\npassword=s3cret=with=equals\nwwwauth[]=Basic x\n"
                      "\nhost=after.blank.line\n";
  BktGitRequest req;
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_git_request_parse(text, strlen(text), &req, &error));
  g_assert_cmpstr(req.protocol, ==, "https");
  g_assert_cmpstr(req.host, ==, "git.example.com:8443");
  g_assert_cmpstr(req.path, ==, "scm/p/r.git");
  g_assert_cmpstr(req.username, ==, "alice");
  g_assert_cmpstr(bkt_secret_str(req.password), ==, "s3cret=with=equals");
  bkt_git_request_clear(&req);

  const char crlf[] = "protocol=https\r\nhost=bitbucket.org\r\n";
  g_assert_true(bkt_git_request_parse(crlf, strlen(crlf), &req, &error));
  g_assert_cmpstr(req.host, ==, "bitbucket.org");
  g_assert_null(req.path);
  bkt_git_request_clear(&req);

  const char url[] = "url=https://git.example.com/bitbucket/scm/p/r.git\n";
  g_assert_true(bkt_git_request_parse(url, strlen(url), &req, &error));
  g_assert_cmpstr(req.protocol, ==, "https");
  g_assert_cmpstr(req.host, ==, "git.example.com");
  g_assert_cmpstr(req.path, ==, "bitbucket/scm/p/r.git");
  bkt_git_request_clear(&req);

  const char bad[] = "protocol=https\nno equals sign\n";
  g_assert_false(bkt_git_request_parse(bad, strlen(bad), &req, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
  g_assert_null(req.protocol);
}

typedef struct {
  const char *protocol, *host, *path;
  const char *want;     /* key, or NULL */
  gboolean ambiguous;
} Case;

static const Case cases[] = {
  { "https", "bitbucket.org", NULL, "bitbucket.org", FALSE },
  { "https", "BitBucket.org", "ws/repo.git", "bitbucket.org", FALSE },
  { "https", "bitbucket.org:443", NULL, "bitbucket.org", FALSE },
  { "http", "bitbucket.org", NULL, NULL, FALSE },
  { "https", "api.bitbucket.org", NULL, NULL, FALSE },
  { "https", "github.com", NULL, NULL, FALSE },
  /* Several on one address: the path decides; without one, the bare host wins. */
  { "https", "git.example.com", NULL, "git.example.com", FALSE },
  { "https", "git.example.com", "scm/p/r.git", "git.example.com", FALSE },
  { "https", "git.example.com", "bitbucket/scm/p/r.git", "git.example.com/bitbucket", FALSE },
  { "https", "git.example.com", "/bitbucket/scm/p/r.git", "git.example.com/bitbucket", FALSE },
  { "https", "git.example.com", "bitbucketx/scm/p/r.git", "git.example.com", FALSE },
  /* A lone Data Center under a context path answers with or without the path. */
  { "https", "code.example.com:8443", NULL, "code.example.com:8443/bb", FALSE },
  { "https", "code.example.com:8443", "bb/scm/p/r.git", "code.example.com:8443/bb", FALSE },
  { "https", "code.example.com:8443", "other/scm/p/r.git", NULL, FALSE },
  { "https", "code.example.com", NULL, NULL, FALSE },
  { "http", "127.0.0.1:7990", "scm/p/r.git", "127.0.0.1:7990", FALSE },
  { "https", "127.0.0.1:7990", NULL, NULL, FALSE },
  { "https", "two.example.com", NULL, NULL, TRUE },
  { "https", "two.example.com", "b/scm/p/r.git", "two.example.com/b", FALSE },
  { "ssh", "bitbucket.org", NULL, NULL, FALSE },
  { NULL, "bitbucket.org", NULL, NULL, FALSE },
  { "https", NULL, NULL, NULL, FALSE },
  { "https", "", NULL, NULL, FALSE },
  { "https", "evil.example@bitbucket.org", NULL, NULL, FALSE },
  { "https", "evil.example/bitbucket.org", NULL, NULL, FALSE },
  { "https", "bitbucket.org#x", NULL, NULL, FALSE },
};

static void
test_match(void)
{
  g_autoptr(GPtrArray) hosts = stored();
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const Case *c = &cases[i];
    g_test_message("%s://%s/%s", c->protocol ? c->protocol : "-", c->host ? c->host : "-",
                   c->path ? c->path : "");
    BktGitRequest req = { (char *)c->protocol, (char *)c->host, (char *)c->path, NULL, NULL };
    gboolean ambiguous = !c->ambiguous;
    BktHostEntry *e = bkt_git_match(hosts, &req, &ambiguous);
    g_assert_cmpstr(e != NULL ? e->key : NULL, ==, c->want);
    g_assert_cmpint(ambiguous, ==, c->ambiguous);
  }
}

static void
test_cloud_override(void)
{
  g_setenv("BKT_CLOUD_URL", "http://127.0.0.1:8080", TRUE);
  BktGitRequest req = { (char *)"http", (char *)"127.0.0.1:8080", NULL, NULL, NULL };
  g_assert_true(bkt_git_is_cloud(&req));
  req.protocol = (char *)"https";
  g_assert_false(bkt_git_is_cloud(&req));
  g_unsetenv("BKT_CLOUD_URL");
  BktGitRequest plain = { (char *)"https", (char *)"bitbucket.org", NULL, NULL, NULL };
  g_assert_true(bkt_git_is_cloud(&plain));
}

static void
test_username_and_url(void)
{
  g_autoptr(GPtrArray) hosts = stored();
  BktHostEntry *cloud = g_ptr_array_index(hosts, 0);
  g_assert_cmpstr(bkt_git_username(cloud), ==, "x-token-auth");
  cloud->auth = BKT_AUTH_TOKEN;
  g_assert_cmpstr(bkt_git_username(cloud), ==, "x-token-auth");
  cloud->login = g_strdup("alice@example.com");
  g_assert_cmpstr(bkt_git_username(cloud), ==, "x-bitbucket-api-token-auth");
  g_assert_cmpstr(bkt_git_username(g_ptr_array_index(hosts, 2)), ==, "cy");
  g_assert_cmpstr(bkt_git_username(g_ptr_array_index(hosts, 4)), ==, "x-token-auth");

  g_autofree char *a = bkt_git_config_url(cloud);
  g_assert_cmpstr(a, ==, "https://bitbucket.org");
  g_autofree char *b = bkt_git_config_url(g_ptr_array_index(hosts, 3));
  g_assert_cmpstr(b, ==, "https://code.example.com:8443/bb");
  g_assert_false(bkt_git_needs_path(cloud));
  g_assert_false(bkt_git_needs_path(g_ptr_array_index(hosts, 1)));
  g_assert_true(bkt_git_needs_path(g_ptr_array_index(hosts, 2)));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_unsetenv("BKT_CLOUD_URL");
  g_unsetenv("BKT_CLOUD_API_URL");
  g_test_add_func("/gitcred/parse", test_parse);
  g_test_add_func("/gitcred/match", test_match);
  g_test_add_func("/gitcred/cloud-override", test_cloud_override);
  g_test_add_func("/gitcred/username-and-url", test_username_and_url);
  return g_test_run();
}
