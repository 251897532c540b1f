/* SPDX-License-Identifier: MIT */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "store.h"

static char *dir;

static BktHostEntry *
entry(const char *key, BktKind kind)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(key);
  e->kind = kind;
  e->base_url = g_strconcat("https://", key, NULL);
  e->username = g_strdup("alice");
  e->auth = g_strdup("oauth");
  e->client_id = g_strdup("cid");
  e->storage = g_strdup(BKT_STORAGE_FILE);
  e->expires_at = 1800000000;
  return e;
}

static void
test_hosts_roundtrip(void)
{
  GPtrArray *hosts = bkt_hosts_load(NULL);
  g_assert_cmpuint(hosts->len, ==, 0);
  bkt_hosts_put(hosts, entry("bitbucket.org", BKT_KIND_CLOUD));
  bkt_hosts_put(hosts, entry("git.example.com/bb", BKT_KIND_DC));
  bkt_hosts_put(hosts, entry("bitbucket.org", BKT_KIND_CLOUD)); /* replaces */
  g_assert_cmpuint(hosts->len, ==, 2);
  g_assert_true(bkt_hosts_save(hosts, NULL));
  g_ptr_array_unref(hosts);

  g_autofree char *path = g_build_filename(dir, "hosts.json", NULL);
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  hosts = bkt_hosts_load(NULL);
  g_assert_cmpuint(hosts->len, ==, 2);
  g_autoptr(GError) error = NULL;
  BktHostEntry *e = bkt_hosts_lookup(hosts, "https://git.example.com/bb/", &error);
  g_assert_no_error(error);
  g_assert_cmpint(e->kind, ==, BKT_KIND_DC);
  g_assert_cmpint(e->expires_at, ==, 1800000000);
  g_assert_cmpstr(e->client_id, ==, "cid");

  /* Two hosts: leaving HOST out is ambiguous, and says which are stored. */
  g_assert_null(bkt_hosts_lookup(hosts, NULL, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
  g_assert_nonnull(strstr(error->message, "git.example.com/bb"));
  g_clear_error(&error);
  g_assert_null(bkt_hosts_lookup(hosts, "other.example.com", &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN);
  g_clear_error(&error);

  g_assert_true(bkt_hosts_remove(hosts, "bitbucket.org"));
  g_assert_true(bkt_hosts_lookup(hosts, NULL, NULL) == g_ptr_array_index(hosts, 0));
  g_ptr_array_unref(hosts);
}

static void
test_hosts_damaged(void)
{
  g_autofree char *path = g_build_filename(dir, "hosts.json", NULL);
  g_assert_true(g_file_set_contents(path, "{\"hosts\": [", -1, NULL));
  g_autoptr(GError) error = NULL;
  g_assert_null(bkt_hosts_load(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "hosts.json"));
  g_unlink(path);

  /* Entries that make no sense are skipped, the rest kept. */
  GPtrArray *hosts = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);
  const char *text = "{\"hosts\":[{\"host\":\"a\",\"kind\":\"weird\"},{\"kind\":\"dc\"},5,"
                     "{\"host\":\"b.example\",\"kind\":\"dc\",\"expires_at\":\"x\"}]}";
  g_assert_true(bkt_hosts_parse(text, strlen(text), hosts, NULL));
  g_assert_cmpuint(hosts->len, ==, 1);
  g_assert_cmpint(((BktHostEntry *)g_ptr_array_index(hosts, 0))->expires_at, ==, 0);
  g_ptr_array_unref(hosts);
}

static void
test_file_secrets(void)
{
  BktHostEntry *e = entry("bitbucket.org", BKT_KIND_CLOUD);
  BktSecrets s = { 0 };
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_secrets_load(e, &s, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN);
  g_clear_error(&error);

  BktSecrets in = { (char *)"AT", (char *)"RT", (char *)"CS", 1800000000 };
  g_assert_true(bkt_secrets_save(e, &in, NULL));
  BktHostEntry *other = entry("git.example.com", BKT_KIND_DC);
  BktSecrets in2 = { (char *)"AT2", NULL, NULL, 0 };
  g_assert_true(bkt_secrets_save(other, &in2, NULL));

  g_assert_true(bkt_secrets_load(e, &s, NULL));
  g_assert_cmpstr(s.access_token, ==, "AT");
  g_assert_cmpstr(s.refresh_token, ==, "RT");
  g_assert_cmpstr(s.client_secret, ==, "CS");
  g_assert_cmpint(s.expires_at, ==, 1800000000);
  bkt_secrets_clear(&s);

  g_autofree char *path = g_build_filename(dir, "secrets.json", NULL);
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_assert_cmpint(g_stat(dir, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0700);

  g_assert_true(bkt_secrets_delete(e, NULL));
  g_assert_false(bkt_secrets_load(e, &s, NULL));
  g_assert_true(bkt_secrets_load(other, &s, NULL));
  g_assert_cmpstr(s.access_token, ==, "AT2");
  bkt_secrets_clear(&s);
  bkt_host_entry_free(e);
  bkt_host_entry_free(other);
}

static void
test_lock(void)
{
  int fd = bkt_store_lock(NULL);
  g_assert_cmpint(fd, >=, 0);
  bkt_store_unlock(fd);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autofree char *top = g_dir_make_tmp("bkt-store-XXXXXX", NULL);
  dir = g_build_filename(top, "config", NULL);
  g_setenv("BKT_AUTH_CONFIG_DIR", dir, TRUE);
  g_test_add_func("/store/hosts-roundtrip", test_hosts_roundtrip);
  g_test_add_func("/store/hosts-damaged", test_hosts_damaged);
  g_test_add_func("/store/file-secrets", test_file_secrets);
  g_test_add_func("/store/lock", test_lock);
  int rc = g_test_run();
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", top);
  (void)!system(cmd);
  g_free(dir);
  return rc;
}
