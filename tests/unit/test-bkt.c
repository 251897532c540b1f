/* SPDX-License-Identifier: MIT */
/* bkt's config.yml kept whole, bkt's command line read, and its base URLs matched. */
#include <string.h>

#include "bkt-args.h"
#include "bkt-config.h"
#include "bkt-keyring.h"
#include "error.h"

static const char sample[] =
  "version: 1\n"
  "active_context: work\n"
  "contexts:\n"
  "    work:\n"
  "        host: git.example.com\n"
  "        project_key: ABC\n"
  "        future_key: [1, 2]\n"
  "hosts:\n"
  "    git.example.com:\n"
  "        kind: dc\n"
  "        base_url: https://git.example.com\n"
  "        username: alice\n"
  "        auth_method: basic\n"
  "        allow_insecure_store: true\n"
  "telemetry:\n"
  "    enabled: false\n"
  "    note: \"0123\"\n";

static BktBktConfig *
parse(const char *text)
{
  g_autoptr(GError) error = NULL;
  BktBktConfig *c = bkt_bkt_config_parse(text, text != NULL ? strlen(text) : 0, "/x/config.yml",
                                         &error);
  g_assert_no_error(error);
  return c;
}

static char *
print(BktBktConfig *c)
{
  g_autoptr(GError) error = NULL;
  char *text = bkt_bkt_config_print(c, &error);
  g_assert_no_error(error);
  return text;
}

static void
test_keeps_what_it_does_not_know(void)
{
  g_autoptr(BktBktConfig) c = parse(sample);
  BktBktHost h = { "cloud", "https://api.bitbucket.org/2.0", "bob", "bearer" };
  bkt_bkt_config_set_host(c, "api.bitbucket.org", &h);
  bkt_bkt_config_set_context(c, "bitbucket.org", "api.bitbucket.org");
  g_autofree char *text = print(c);
  /* Read back: what was there is there, and ours is added. */
  g_autoptr(BktBktConfig) again = parse(text);
  g_autofree char *active = bkt_bkt_config_active(again);
  g_assert_cmpstr(active, ==, "work");
  g_autofree char *work = bkt_bkt_config_context_host(again, "work");
  g_assert_cmpstr(work, ==, "git.example.com");
  g_autofree char *method = bkt_bkt_config_host_field(again, "git.example.com", "auth_method");
  g_assert_cmpstr(method, ==, "basic");
  g_autofree char *ours = bkt_bkt_config_host_field(again, "api.bitbucket.org", "base_url");
  g_assert_cmpstr(ours, ==, "https://api.bitbucket.org/2.0");
  g_assert_nonnull(strstr(text, "project_key: ABC"));
  g_assert_nonnull(strstr(text, "allow_insecure_store: true"));
  g_assert_nonnull(strstr(text, "telemetry:"));
  g_assert_nonnull(strstr(text, "enabled: false"));
  g_assert_true(strstr(text, "'0123'") != NULL || strstr(text, "\"0123\"") != NULL);
  g_assert_nonnull(strstr(text, "future_key:"));
  g_assert_nonnull(strstr(text, "version: 1\n"));
  /* Printing twice gives the same text: the document survives being written. */
  g_autofree char *twice = print(c);
  g_assert_cmpstr(text, ==, twice);
}

static void
test_host_written_whole(void)
{
  g_autoptr(BktBktConfig) c = parse(sample);
  BktBktHost h = { "dc", "https://git.example.com", NULL, "bearer" };
  bkt_bkt_config_set_host(c, "git.example.com", &h);
  g_autofree char *text = print(c);
  g_assert_null(strstr(text, "allow_insecure_store"));
  g_assert_null(strstr(text, "username: alice"));
  g_autofree char *method = bkt_bkt_config_host_field(c, "git.example.com", "auth_method");
  g_assert_cmpstr(method, ==, "bearer");
  /* Values a YAML reader would take for numbers or booleans stay strings. */
  BktBktHost odd = { "dc", "https://h:1", "1234", "bearer" };
  bkt_bkt_config_set_host(c, "h:1", &odd);
  g_free(text);
  text = print(c);
  g_assert_nonnull(strstr(text, "\"1234\""));
  g_autoptr(BktBktConfig) again = parse(text);
  g_autofree char *user = bkt_bkt_config_host_field(again, "h:1", "username");
  g_assert_cmpstr(user, ==, "1234");
}

static void
test_remove(void)
{
  g_autoptr(BktBktConfig) c = parse(sample);
  g_assert_true(bkt_bkt_config_remove_host(c, "git.example.com"));
  g_assert_false(bkt_bkt_config_remove_host(c, "git.example.com"));
  g_assert_true(bkt_bkt_config_remove_context(c, "work"));
  bkt_bkt_config_set_active(c, NULL);
  g_autofree char *text = print(c);
  g_assert_null(strstr(text, "git.example.com"));
  g_assert_null(strstr(text, "active_context"));
  g_assert_nonnull(strstr(text, "telemetry:"));
  g_autoptr(BktBktConfig) again = parse(text);
  g_assert_false(bkt_bkt_config_has_host(again, "git.example.com"));
}

static void
test_new_and_empty(void)
{
  for (int i = 0; i < 2; i++) {
    g_autoptr(BktBktConfig) c = parse(i == 0 ? NULL : "");
    BktBktHost h = { "dc", "http://127.0.0.1:7990/bb", "alice", "bearer" };
    bkt_bkt_config_set_host(c, "127.0.0.1:7990", &h);
    bkt_bkt_config_set_context(c, "127.0.0.1-7990-bb", "127.0.0.1:7990");
    bkt_bkt_config_set_active(c, "127.0.0.1-7990-bb");
    g_autofree char *text = print(c);
    g_assert_true(g_str_has_prefix(text, "version: 1\n"));
    g_autoptr(BktBktConfig) again = parse(text);
    g_autofree char *host = bkt_bkt_config_context_host(again, "127.0.0.1-7990-bb");
    g_assert_cmpstr(host, ==, "127.0.0.1:7990");
  }
}

static void
test_refuses(void)
{
  const char *bad[] = {
    "- a\n- b\n",                       /* not a mapping */
    "hosts: [a, b]\n",                  /* hosts not a mapping */
    "version: 2\nhosts: {}\n",          /* a newer layout */
    "hosts: {a: [\n",                   /* not YAML */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    BktBktConfig *c = bkt_bkt_config_parse(bad[i], strlen(bad[i]), "/x/config.yml", &error);
    g_assert_null(c);
    g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
    g_assert_nonnull(strstr(error->message, "/x/config.yml"));
  }
}

static void
check_args(const char *line, const char *context, const char *host, const char *url)
{
  g_auto(GStrv) argv = g_strsplit(line, " ", -1);
  BktBktArgs a;
  bkt_bkt_args_parse(argv, &a);
  g_assert_cmpstr(a.context, ==, context);
  g_assert_cmpstr(a.host, ==, host);
  g_assert_cmpstr(a.urls != NULL ? (char *)g_ptr_array_index(a.urls, 0) : NULL, ==, url);
  bkt_bkt_args_clear(&a);
}

static void
test_args(void)
{
  check_args("pr list", NULL, NULL, NULL);
  check_args("-c other pr list", "other", NULL, NULL);
  check_args("pr list -cother", "other", NULL, NULL);
  check_args("pr list -c=other", "other", NULL, NULL);
  check_args("pr list --context other", "other", NULL, NULL);
  check_args("--context=other pr list", "other", NULL, NULL);
  check_args("pr create -y -c other", "other", NULL, NULL);
  check_args("pr list -R team/cool", NULL, NULL, NULL);
  check_args("pr list -Rteam/cool", NULL, NULL, NULL);
  check_args("project list --host git.other.com", NULL, "git.other.com", NULL);
  check_args("project list --host=https://git.other.com", NULL, "https://git.other.com", NULL);
  check_args("api /rest/api/1.0/projects", NULL, NULL, NULL);
  check_args("api https://evil.example.com/x", NULL, NULL, "https://evil.example.com/x");
  check_args("--jq .a api -X GET HTTP://evil.example.com/x", NULL, NULL,
             "HTTP://evil.example.com/x");
  check_args("api -- https://evil.example.com/x", NULL, NULL, "https://evil.example.com/x");
  check_args("pr create --body https://evil.example.com/x", NULL, NULL, NULL);
  check_args("pr create -- -c other", NULL, NULL, NULL);
}

static BktHostEntry *
entry(const char *key, BktKind kind, const char *base_url)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(key);
  e->kind = kind;
  e->base_url = g_strdup(base_url);
  e->account = g_strdup("1");
  e->active = TRUE;
  return e;
}

static void
test_urls(void)
{
  g_unsetenv("BKT_CLOUD_API_URL");
  g_autoptr(BktHostEntry) cloud = entry("bitbucket.org", BKT_KIND_CLOUD, "https://bitbucket.org");
  g_autoptr(BktHostEntry) dc = entry("git.example.com/bb", BKT_KIND_DC,
                                     "https://git.example.com/bb");
  g_autofree char *cloud_base = bkt_bkt_base_url(cloud);
  g_assert_cmpstr(cloud_base, ==, "https://api.bitbucket.org/2.0");
  g_autofree char *key = bkt_bkt_host_key(cloud_base);
  g_assert_cmpstr(key, ==, "api.bitbucket.org");
  g_autofree char *dc_key = bkt_bkt_host_key("https://git.example.com:8443/bb");
  g_assert_cmpstr(dc_key, ==, "git.example.com:8443");
  g_assert_true(bkt_bkt_url_is("https://api.bitbucket.org/2.0", cloud, FALSE));
  g_assert_false(bkt_bkt_url_is("http://api.bitbucket.org/2.0", cloud, FALSE));
  g_assert_false(bkt_bkt_url_is("https://api.bitbucket.org.evil.com/2.0", cloud, FALSE));
  g_assert_true(bkt_bkt_url_is("https://git.example.com/bb", dc, FALSE));
  g_assert_true(bkt_bkt_url_is("https://GIT.example.com:443/bb/", dc, FALSE));
  g_assert_false(bkt_bkt_url_is("https://git.example.com", dc, FALSE));
  g_assert_false(bkt_bkt_url_is("https://git.example.com/bb", cloud, FALSE));
  g_assert_true(bkt_bkt_url_is("https://git.example.com/bb/rest/api/1.0/x", dc, TRUE));
  g_assert_false(bkt_bkt_url_is("https://git.example.com/bbx/rest", dc, TRUE));
  g_assert_false(bkt_bkt_url_is("http://git.example.com/bb/rest", dc, TRUE));
  g_assert_false(bkt_bkt_url_is("https://api.bitbucket.org/2.0", dc, TRUE));
  /* Cloud through a stand-in address: its API, not a Data Center's path on the same server. */
  g_setenv("BKT_CLOUD_API_URL", "http://127.0.0.1:7990", TRUE);
  g_assert_true(bkt_bkt_url_is("http://127.0.0.1:7990/2.0", cloud, FALSE));
  g_assert_false(bkt_bkt_url_is("http://127.0.0.1:7990/bitbucket", cloud, FALSE));
  g_unsetenv("BKT_CLOUD_API_URL");
  /* --host as bkt reads it. */
  g_autofree char *u1 = bkt_bkt_host_url("bitbucket.org", NULL);
  g_assert_cmpstr(u1, ==, "https://api.bitbucket.org/2.0");
  g_autofree char *u2 = bkt_bkt_host_url("git.example.com/bb/", NULL);
  g_assert_cmpstr(u2, ==, "https://git.example.com/bb");
  g_autoptr(GError) error = NULL;
  const char conf[] = "hosts:\n  git.example.com:\n    base_url: https://git.example.com/bb\n";
  g_autoptr(BktBktConfig) c = bkt_bkt_config_parse(conf, strlen(conf), "/x", &error);
  g_assert_no_error(error);
  g_autofree char *u3 = bkt_bkt_host_url("git.example.com", c);
  g_assert_cmpstr(u3, ==, "https://git.example.com/bb");
  g_autofree char *u4 = bkt_bkt_host_url("https://git.example.com", c);
  g_assert_cmpstr(u4, ==, "https://git.example.com/bb");
}

static void
test_keyring_value(void)
{
  g_autoptr(BktSecret) token = bkt_secret_new_from("at-1234");
  g_autoptr(BktSecret) value = bkt_bkt_keyring_value("api.bitbucket.org", token);
  g_assert_cmpstr(bkt_secret_str(value), ==,
                  "{\"Key\":\"host/api.bitbucket.org/token\",\"Data\":\"YXQtMTIzNA==\","
                  "\"Label\":\"bkt host/api.bitbucket.org/token\",\"Description\":\"\","
                  "\"KeychainNotTrustApplication\":false,\"KeychainNotSynchronizable\":false}");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bkt/config/keeps-unknown", test_keeps_what_it_does_not_know);
  g_test_add_func("/bkt/config/host-whole", test_host_written_whole);
  g_test_add_func("/bkt/config/remove", test_remove);
  g_test_add_func("/bkt/config/new", test_new_and_empty);
  g_test_add_func("/bkt/config/refuses", test_refuses);
  g_test_add_func("/bkt/args", test_args);
  g_test_add_func("/bkt/urls", test_urls);
  g_test_add_func("/bkt/keyring-value", test_keyring_value);
  return g_test_run();
}
