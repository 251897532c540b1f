/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "choose.h"
#include "clientlookup.h"
#include "error.h"
#include "files.h"
#include "signals.h"
#include "store.h"

static char *dir;

static BktHostEntry *
account(const char *key, BktKind kind, const char *user)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(key);
  e->kind = kind;
  e->base_url = g_strconcat("https://", key, NULL);
  e->account = g_strconcat("id-", user, NULL);
  e->username = g_strdup(user);
  e->auth = BKT_AUTH_OAUTH;
  e->client_id = g_strdup("cid");
  g_free(e->storage);
  e->storage = g_strdup(BKT_STORAGE_FILE);
  e->expires_at = 1800000000;
  return e;
}

static BktHostEntry *
entry(const char *key, BktKind kind)
{
  return account(key, kind, "alice");
}

static char *
file_text(const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  g_file_get_contents(path, &text, NULL, NULL);
  return text;
}

static void
write_file(const char *name, const char *text)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_chmod(path, 0600);
}

static void
remove_file(const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_unlink(path);
}

static void
test_hosts_roundtrip(void)
{
  GPtrArray *hosts = bkt_hosts_load(NULL);
  g_assert_cmpuint(hosts->len, ==, 0);
  bkt_hosts_put(hosts, entry("bitbucket.org", BKT_KIND_CLOUD));
  BktHostEntry *dc = entry("git.example.com/bb", BKT_KIND_DC);
  dc->auth = BKT_AUTH_TOKEN;
  dc->login = g_strdup("a@example.com");
  dc->display_name = g_strdup("Alice \"A\" Example");
  dc->ca_file = g_strdup("/etc/ssl/ca.pem");
  bkt_hosts_put(hosts, dc);
  g_assert_cmpint(dc->last_used, >, 0); /* an active entry put is the one used last */
  BktHostEntry *dc_copy = bkt_host_entry_copy(dc);
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
  BktHostEntry *e = bkt_choose_login(hosts, "https://git.example.com/bb/", NULL, TRUE, &error);
  g_assert_no_error(error);
  /* Every field comes back as it went. */
  g_assert_true(bkt_host_entry_equal(e, dc_copy));
  g_assert_false(bkt_host_entry_equal(e, bkt_hosts_active(hosts, "bitbucket.org")));
  bkt_host_entry_free(dc_copy);

  /* Two hosts put within one second keep their order... */
  g_assert_cmpstr(bkt_hosts_last_used(hosts), ==, "bitbucket.org");
  /* ...and with none used last (as a version 1 file leaves them), outside a repository,
   * leaving HOST out says which are stored. */
  for (guint i = 0; i < hosts->len; i++)
    ((BktHostEntry *)g_ptr_array_index(hosts, i))->last_used = 0;
  g_assert_null(bkt_choose_login(hosts, NULL, NULL, TRUE, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
  g_assert_nonnull(strstr(error->message, "git.example.com/bb"));
  g_clear_error(&error);
  g_assert_null(bkt_choose_login(hosts, "other.example.com", NULL, TRUE, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN);
  g_clear_error(&error);
  /* The host used last decides, when there is one. */
  bkt_hosts_set_active(hosts, bkt_hosts_active(hosts, "bitbucket.org"));
  g_assert_cmpstr(bkt_choose_login(hosts, NULL, NULL, TRUE, NULL)->key, ==, "bitbucket.org");
  g_assert_null(bkt_choose_login(hosts, NULL, NULL, FALSE, NULL));

  g_assert_true(bkt_hosts_remove(hosts, "bitbucket.org", "id-alice"));
  g_assert_true(bkt_choose_login(hosts, NULL, NULL, TRUE, NULL) == g_ptr_array_index(hosts, 0));
  g_ptr_array_unref(hosts);
  remove_file("hosts.json");
}

/* hosts.json is read whole or not at all: anything it cannot read makes it damaged. */
/* A list read once is not read again until the file changes: replaced, or changed in place. */
static void
test_hosts_read_again_when_changed(void)
{
  const char *one = "{\"version\":2,\"hosts\":{\"a.example.com\":{\"kind\":\"dc\","
                    "\"active\":\"1\",\"accounts\":{\"1\":{\"username\":\"al\"}}}}}";
  const char *two = "{\"version\":2,\"hosts\":{\"b.example.com\":{\"kind\":\"dc\","
                    "\"active\":\"1\",\"accounts\":{\"1\":{\"username\":\"al\"}}}}}";
  write_file("hosts.json", one);
  g_autoptr(GPtrArray) first = bkt_hosts_load(NULL);
  g_assert_nonnull(bkt_hosts_active(first, "a.example.com"));
  /* The copy handed out is the caller's: changing it changes nothing read later. */
  bkt_host_entry_free(g_ptr_array_steal_index(first, 0));
  g_autoptr(GPtrArray) again = bkt_hosts_load(NULL);
  g_assert_nonnull(bkt_hosts_active(again, "a.example.com"));
  /* Replaced, as every write replaces it. */
  write_file("hosts.json", two);
  g_autoptr(GPtrArray) replaced = bkt_hosts_load(NULL);
  g_assert_nonnull(bkt_hosts_active(replaced, "b.example.com"));
  /* Changed in place, by hand: the same size, another time. */
  g_autofree char *path = g_build_filename(dir, "hosts.json", NULL);
  FILE *f = fopen(path, "r+");
  g_assert_nonnull(f);
  g_assert_cmpint(fputs(one, f), >=, 0);
  fclose(f);
  struct timespec later[2] = { { 0, UTIME_OMIT }, { 2000000000, 0 } };
  g_assert_cmpint(utimensat(AT_FDCWD, path, later, 0), ==, 0);
  g_autoptr(GPtrArray) edited = bkt_hosts_load(NULL);
  g_assert_nonnull(bkt_hosts_active(edited, "a.example.com"));
  remove_file("hosts.json");
  g_autoptr(GPtrArray) gone = bkt_hosts_load(NULL);
  g_assert_cmpuint(gone->len, ==, 0);
}

static void
test_hosts_damaged(void)
{
  write_file("hosts.json", "{\"hosts\": [");
  g_autoptr(GError) error = NULL;
  g_assert_null(bkt_hosts_load(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "hosts.json"));
  remove_file("hosts.json");

  static const char *const damaged[] = {
    "{\"hosts\":[{\"host\":\"a\",\"kind\":\"weird\"}]}",                 /* unknown kind */
    "{\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\",\"last_used\":5}]}",    /* not in v1 */
    "{\"version\":2,\"hosts\":[]}",                                       /* v2, a list */
    "{\"version\":2,\"hosts\":{\"b\":{\"kind\":\"dc\",\"active\":\"x\","
    "\"accounts\":{\"y\":{}}}}}",                                             /* active none */
    "{\"version\":2,\"hosts\":{\"b\":{\"kind\":\"dc\",\"active\":\"x\","
    "\"accounts\":{\"x\":{\"kind\":\"dc\"}}}}}",                             /* host field */
    "{\"version\":2,\"hosts\":{\"b\":{\"active\":\"x\",\"accounts\":{\"x\":{}}}}}", /* kind */
    "{\"version\":2,\"hosts\":{\"b\":{\"kind\":\"dc\",\"active\":\"x\","
    "\"accounts\":{}}}}",                                                    /* no accounts */
    "{\"hosts\":[{\"kind\":\"dc\"}]}",                                    /* no host */
    "{\"hosts\":[5]}",                                                    /* not an entry */
    "{\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\",\"expires_at\":\"x\"}]}", /* wrong type */
    "{\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\",\"storage\":\"usb\"}]}",  /* unknown store */
    "{\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\",\"colour\":\"red\"}]}",   /* unknown field */
    "{\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\"},{\"host\":\"b\",\"kind\":\"dc\"}]}", /* twice */
    "{\"version\":7,\"hosts\":[]}",                                       /* newer */
    "{\"version\":3e123,\"hosts\":{}}",                                  /* no int */
    "{\"version\":-1e123,\"hosts\":{}}",
    "{\"version\":1.5,\"hosts\":[]}",                                    /* not whole */
    "{\"hosts\":{}}",
    "[]",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(damaged); i++) {
    g_autoptr(GPtrArray) hosts = bkt_hosts_new();
    g_autoptr(GError) e = NULL;
    g_test_message("%s", damaged[i]);
    g_assert_false(bkt_hosts_parse(damaged[i], strlen(damaged[i]), hosts, NULL, &e));
    g_assert_error(e, BKT_ERROR, BKT_ERROR_STORE);
    g_assert_cmpuint(hosts->len, ==, 0);
  }
  g_autoptr(GPtrArray) hosts = bkt_hosts_new();
  int version = 0;
  const char *v1 = "{\"version\":1,\"hosts\":[{\"host\":\"b\",\"kind\":\"dc\","
                   "\"username\":\"al\"}]}";
  g_assert_true(bkt_hosts_parse(v1, strlen(v1), hosts, &version, NULL));
  g_assert_cmpint(version, ==, 1);
  g_assert_cmpuint(hosts->len, ==, 1);
  BktHostEntry *legacy = g_ptr_array_index(hosts, 0);
  g_assert_true(legacy->legacy && legacy->active);
  g_assert_cmpstr(legacy->account, ==, "al");
  g_ptr_array_set_size(hosts, 0);
  const char *v2 = "{\"version\":2,\"hosts\":{\"b\":{\"kind\":\"dc\",\"active\":\"2\","
                   "\"accounts\":{\"1\":{\"username\":\"al\"},\"2\":{\"username\":\"bo\","
                   "\"last_used\":7}}}}}";
  g_assert_true(bkt_hosts_parse(v2, strlen(v2), hosts, &version, NULL));
  g_assert_cmpint(version, ==, 2);
  g_assert_cmpuint(hosts->len, ==, 2);
  g_assert_cmpstr(bkt_hosts_active(hosts, "b")->username, ==, "bo");
  g_assert_cmpstr(bkt_hosts_find_user(hosts, "b", "al")->account, ==, "1");
  g_assert_cmpint(bkt_hosts_find_user(hosts, "b", "bo")->last_used, ==, 7);
  /* A newer format is refused with its own sentence. */
  g_autoptr(GError) newer = NULL;
  const char *v9 = "{\"version\":9,\"hosts\":{}}";
  g_assert_false(bkt_hosts_parse(v9, strlen(v9), hosts, &version, &newer));
  g_assert_cmpint(version, ==, 9);
  g_assert_nonnull(strstr(newer->message, "newer"));
}

static BktSecrets
secrets_of(const char *access, const char *refresh, const char *client_secret, gint64 expires)
{
  return (BktSecrets){ bkt_secret_new_from(access), bkt_secret_new_from(refresh),
                       bkt_secret_new_from(client_secret), expires, 0 };
}

static void
test_file_secrets(void)
{
  g_autoptr(BktHostEntry) e = entry("bitbucket.org", BKT_KIND_CLOUD);
  BktSecrets s = { 0 };
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_secrets_load(e, &s, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN);
  g_clear_error(&error);

  BktSecrets in = secrets_of("AT", "RT", "CS", 1800000000);
  g_assert_true(bkt_secrets_save(e, &in, NULL));
  g_autoptr(BktHostEntry) other = entry("git.example.com", BKT_KIND_DC);
  BktSecrets in2 = secrets_of("AT2", NULL, NULL, 0);
  g_assert_true(bkt_secrets_save(other, &in2, NULL));

  g_assert_true(bkt_secrets_load(e, &s, NULL));
  g_assert_cmpstr(bkt_secret_str(s.access_token), ==, "AT");
  g_assert_cmpstr(bkt_secret_str(s.refresh_token), ==, "RT");
  g_assert_cmpstr(bkt_secret_str(s.client_secret), ==, "CS");
  g_assert_cmpint(s.expires_at, ==, 1800000000);
  g_assert_true(bkt_secrets_refreshable(e, &s));
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
  g_assert_cmpstr(bkt_secret_str(s.access_token), ==, "AT2");
  g_assert_false(bkt_secrets_refreshable(other, &s));
  bkt_secrets_clear(&s);
  bkt_secrets_clear(&in);
  bkt_secrets_clear(&in2);
  remove_file("secrets.json");
}

/* Several accounts on one host: one active; the active one's going makes the most recently
 * used other one active. */
static void
test_accounts(void)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_new();
  BktHostEntry *alice = account("git.example.com", BKT_KIND_DC, "alice");
  alice->last_used = 100;
  bkt_hosts_put(hosts, alice);
  BktHostEntry *bob = account("git.example.com", BKT_KIND_DC, "bob");
  bob->last_used = 300;
  bkt_hosts_put(hosts, bob); /* the newest login is active */
  BktHostEntry *carol = account("git.example.com", BKT_KIND_DC, "carol");
  carol->last_used = 200;
  bkt_hosts_put(hosts, carol);
  bkt_hosts_put(hosts, account("bitbucket.org", BKT_KIND_CLOUD, "alice"));
  g_assert_cmpuint(bkt_hosts_count(hosts, "git.example.com"), ==, 3);
  g_assert_true(bkt_hosts_active(hosts, "git.example.com") == carol);
  g_assert_false(alice->active || bob->active);
  /* Logging in again as the same person replaces that account, keeps the others. */
  BktHostEntry *bob_again = account("git.example.com", BKT_KIND_DC, "bob");
  bkt_hosts_put(hosts, bob_again);
  g_assert_cmpuint(bkt_hosts_count(hosts, "git.example.com"), ==, 3);
  g_assert_true(bkt_hosts_active(hosts, "git.example.com") == bob_again);
  g_assert_cmpint(bob_again->last_used, >, carol->last_used);
  bkt_hosts_set_active(hosts, alice);
  g_assert_true(alice->active && !bob_again->active && !carol->active);
  g_assert_cmpint(alice->last_used, >, bob_again->last_used);
  g_assert_cmpstr(bkt_hosts_last_used(hosts), ==, "git.example.com");

  /* Round trip: each account and which is active. */
  g_autofree char *text = bkt_hosts_print(hosts);
  g_autoptr(GPtrArray) back = bkt_hosts_new();
  g_assert_true(bkt_hosts_parse(text, strlen(text), back, NULL, NULL));
  g_assert_cmpuint(back->len, ==, hosts->len);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    g_assert_true(bkt_host_entry_equal(bkt_hosts_find(back, e->key, e->account), e));
  }

  g_assert_true(bkt_hosts_remove(hosts, "git.example.com", "id-alice"));
  g_assert_true(bkt_hosts_active(hosts, "git.example.com") == bob_again);
  g_assert_false(bkt_hosts_remove(hosts, "git.example.com", "id-alice"));
  g_assert_null(bkt_hosts_find_user(hosts, "git.example.com", "alice"));
  g_assert_true(bkt_hosts_find_user(hosts, "git.example.com", "id-carol") == carol);
  /* The account a person names. */
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_choose_login(hosts, "git.example.com", "carol", TRUE, NULL) == carol);
  g_assert_null(bkt_choose_login(hosts, "git.example.com", "dave", TRUE, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN);
  g_assert_nonnull(strstr(error->message, "carol"));
  /* As logout removes it: by the active entry's own strings, freed with it. */
  g_assert_true(bkt_hosts_active(hosts, "git.example.com") == bob_again);
  g_assert_true(bkt_hosts_remove(hosts, bob_again->key, bob_again->account));
  g_assert_true(carol->active);
}

/* Run a client lookup from a poll loop, as a front end does. */
static gboolean
client_lookup(GPtrArray *hosts, const char *key, char **id, BktSecret **secret, GError **error)
{
  g_autoptr(BktClientLookup) lookup = bkt_client_lookup_new(hosts, key);
  while (!bkt_client_lookup_dispatch(lookup)) {
    struct pollfd fds[32];
    int n = bkt_client_lookup_pollfds(lookup, fds, (int)G_N_ELEMENTS(fds));
    g_assert_cmpint(poll(fds, (nfds_t)n, bkt_client_lookup_timeout_ms(lookup)), >=, 0);
  }
  return bkt_client_lookup_finish(lookup, id, secret, error);
}

/* Another account on a stored host: the client ID and secret its logins use, found among the
 * secrets of its accounts; the active one's first. */
static void
test_client_lookup(void)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_new();
  BktHostEntry *alice = account("git.example.com", BKT_KIND_DC, "alice");
  BktHostEntry *bob = account("git.example.com", BKT_KIND_DC, "bob");
  BktHostEntry *carol = account("git.example.com", BKT_KIND_DC, "carol");
  BktHostEntry *token = account("tokens.example.com", BKT_KIND_DC, "dave");
  g_free(carol->client_id);
  carol->client_id = g_strdup("other-cid");
  carol->last_used = 50;
  token->auth = BKT_AUTH_TOKEN;
  g_clear_pointer(&token->client_id, g_free);
  alice->last_used = 100;
  bkt_hosts_put(hosts, alice);
  bkt_hosts_put(hosts, carol);
  bkt_hosts_put(hosts, bob); /* active, and its secrets hold no client secret */
  bkt_hosts_put(hosts, token);
  BktSecrets with = secrets_of("AT-A", "RT-A", "CS-A", 0);
  BktSecrets without = secrets_of("AT-B", "RT-B", NULL, 0);
  BktSecrets other = secrets_of("AT-C", "RT-C", "CS-C", 0);
  g_assert_true(bkt_secrets_save(alice, &with, NULL));
  g_assert_true(bkt_secrets_save(bob, &without, NULL));
  g_assert_true(bkt_secrets_save(carol, &other, NULL));
  g_assert_true(bkt_secrets_save(token, &without, NULL));

  /* bob's client ID; its secret from alice, who used the same one (not carol's). */
  g_autofree char *id = NULL;
  g_autoptr(BktSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(client_lookup(hosts, "git.example.com", &id, &secret, &error));
  g_assert_cmpstr(id, ==, "cid");
  g_assert_cmpstr(bkt_secret_str(secret), ==, "CS-A");
  /* A token login has no client to reuse; a host not stored neither. */
  g_clear_pointer(&id, g_free);
  g_clear_pointer(&secret, bkt_secret_free);
  g_assert_false(client_lookup(hosts, "tokens.example.com", &id, &secret, &error));
  g_assert_no_error(error);
  g_assert_false(client_lookup(hosts, "nowhere.example.com", &id, &secret, &error));
  g_assert_no_error(error);
  g_assert_null(id);
  g_assert_null(secret);
  /* Freed while it reads: cancelled, nothing left behind. */
  bkt_client_lookup_free(bkt_client_lookup_new(hosts, "git.example.com"));
  bkt_secrets_clear(&with);
  bkt_secrets_clear(&without);
  bkt_secrets_clear(&other);
  remove_file("secrets.json");
}

/* What the release before accounts stored: hosts.json version 1 and secrets under the host
 * alone; the upgrade moves both, keeps the old list beside it, and loses nothing. */
static void
test_upgrade(void)
{
  write_file("hosts.json",
             "{\"version\":1,\"hosts\":[{\"host\":\"bitbucket.org\",\"kind\":\"cloud\","
             "\"base_url\":\"https://bitbucket.org\",\"username\":\"alice\",\"auth\":\"oauth\","
             "\"storage\":\"file\",\"expires_at\":1800000000}]}\n");
  write_file("secrets.json", "{\"bitbucket.org\":{\"access_token\":\"AT\","
                             "\"refresh_token\":\"RT\",\"expires_at\":1800000000}}");
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_store_upgrade(&error));
  g_assert_no_error(error);
  g_autofree char *old = file_text("hosts.json.v1");
  g_assert_nonnull(strstr(old, "\"version\":1"));
  g_autofree char *now = file_text("hosts.json");
  g_assert_nonnull(strstr(now, "\"version\":\t2"));
  g_autofree char *secrets = file_text("secrets.json");
  g_assert_nonnull(strstr(secrets, "bitbucket.org#alice"));
  g_assert_null(strstr(secrets, "\"bitbucket.org\":"));
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  BktHostEntry *e = g_ptr_array_index(hosts, 0);
  g_assert_false(e->legacy);
  BktSecrets s;
  g_assert_true(bkt_secrets_load(e, &s, NULL));
  g_assert_cmpstr(bkt_secret_str(s.refresh_token), ==, "RT");
  bkt_secrets_clear(&s);
  /* Once is enough: a second run changes nothing. */
  g_assert_true(bkt_store_upgrade(NULL));
  g_autofree char *again = file_text("hosts.json");
  g_assert_cmpstr(again, ==, now);
  remove_file("hosts.json");
  remove_file("hosts.json.v1");
  remove_file("secrets.json");
}

/* ---- the lock, contended ---- */

static void
test_lock(void)
{
  gboolean busy = TRUE;
  BktLock *held = bkt_lock_try(&busy, NULL);
  g_assert_nonnull(held);
  g_assert_false(busy);
  /* Another open of the lock (another process would be the same) finds it taken. */
  g_assert_null(bkt_lock_try(&busy, NULL));
  g_assert_true(busy);

  /* Waiting ends at the deadline with a sentence that names the lock. */
  g_setenv("BKT_AUTH_LOCK_TIMEOUT", "1", TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_null(bkt_lock_take(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "lock"));
  g_assert_nonnull(strstr(error->message, "BKT_AUTH_LOCK_TIMEOUT"));
  g_clear_error(&error);

  /* SIGINT ends the wait at once. */
  g_setenv("BKT_AUTH_LOCK_TIMEOUT", "60", TRUE);
  int fd = bkt_signals_open();
  g_assert_cmpint(fd, >=, 0);
  raise(SIGINT);
  g_assert_null(bkt_lock_take(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_CANCELLED);
  g_clear_error(&error);
  bkt_signals_close();

  bkt_lock_release(held);
  BktLock *again = bkt_lock_take(&error);
  g_assert_no_error(error);
  g_assert_nonnull(again);
  bkt_lock_release(again);
  g_unsetenv("BKT_AUTH_LOCK_TIMEOUT");
}

/* ---- saving a login, and putting it back ---- */

static gboolean
save(const BktHostEntry *e, const BktSecrets *s, BktStoreUndo **undo, GError **error)
{
  BktStoreOp *op = bkt_store_save_login(e, s, NULL, NULL);
  bkt_store_op_wait(op);
  g_autoptr(BktSecret) back = NULL;
  gboolean ok = bkt_store_save_login_finish(op, undo, &back, error);
  if (ok)
    g_assert_true(bkt_secret_equal(back, s->access_token));
  bkt_store_op_free(op);
  return ok;
}

static void
undo(BktStoreUndo *u)
{
  BktStoreOp *op = bkt_store_undo(u, NULL, NULL);
  bkt_store_op_wait(op);
  g_assert_true(bkt_store_undo_finish(op, NULL));
  bkt_store_op_free(op);
}

static void
test_save_and_undo(void)
{
  g_autoptr(BktHostEntry) first = entry("bitbucket.org", BKT_KIND_CLOUD);
  BktSecrets s1 = secrets_of("AT1", "RT1", NULL, 1800000000);
  BktStoreUndo *u = NULL;
  g_assert_true(save(first, &s1, &u, NULL));
  g_assert_nonnull(u);
  bkt_store_undo_free(u);
  g_autofree char *hosts_before = file_text("hosts.json");
  g_autofree char *secrets_before = file_text("secrets.json");

  /* A second login of the host, taken back: the first is there again, byte for byte. */
  g_autoptr(BktHostEntry) second = entry("bitbucket.org", BKT_KIND_CLOUD);
  g_free(second->username);
  second->username = g_strdup("bob");
  BktSecrets s2 = secrets_of("AT2", "RT2", NULL, 1900000000);
  g_assert_true(save(second, &s2, &u, NULL));
  g_autofree char *hosts_during = file_text("hosts.json");
  g_assert_nonnull(strstr(hosts_during, "bob"));
  undo(u);
  g_autofree char *hosts_after = file_text("hosts.json");
  g_autofree char *secrets_after = file_text("secrets.json");
  g_assert_cmpstr(hosts_after, ==, hosts_before);
  g_assert_cmpstr(secrets_after, ==, secrets_before);

  /* A new host taken back leaves nothing of it. */
  g_autoptr(BktHostEntry) dc = entry("git.example.com", BKT_KIND_DC);
  g_assert_true(save(dc, &s2, &u, NULL));
  undo(u);
  g_autofree char *hosts_final = file_text("hosts.json");
  g_autofree char *secrets_final = file_text("secrets.json");
  g_assert_cmpstr(hosts_final, ==, hosts_before);
  g_assert_null(strstr(secrets_final, "git.example.com"));

  bkt_secrets_clear(&s1);
  bkt_secrets_clear(&s2);
  remove_file("hosts.json");
  remove_file("secrets.json");
}

/* Taking a login back leaves what another bkt-auth did to the host's other accounts since. */
static void
test_undo_keeps_other_accounts(void)
{
  g_autoptr(BktHostEntry) alice = entry("git.example.com", BKT_KIND_DC);
  BktSecrets s1 = secrets_of("AT1", "RT1", NULL, 1800000000);
  g_assert_true(save(alice, &s1, NULL, NULL));

  /* bob's login is saved and still being confirmed... */
  g_autoptr(BktHostEntry) bob = account("git.example.com", BKT_KIND_DC, "bob");
  BktSecrets s2 = secrets_of("AT2", "RT2", NULL, 1900000000);
  BktStoreUndo *u = NULL;
  g_assert_true(save(bob, &s2, &u, NULL));
  /* ... when carol logs in to the same host from another terminal ... */
  g_autoptr(BktHostEntry) carol = account("git.example.com", BKT_KIND_DC, "carol");
  BktSecrets s3 = secrets_of("AT3", "RT3", NULL, 1900000000);
  g_assert_true(save(carol, &s3, NULL, NULL));
  /* ... and then bob's fails, and is taken back: carol's login stays, and active. */
  undo(u);
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  g_assert_nonnull(hosts);
  g_assert_null(bkt_hosts_find(hosts, "git.example.com", "id-bob"));
  g_assert_nonnull(bkt_hosts_find(hosts, "git.example.com", "id-alice"));
  BktHostEntry *c = bkt_hosts_find(hosts, "git.example.com", "id-carol");
  g_assert_nonnull(c);
  g_assert_true(c->active);
  g_autofree char *secrets = file_text("secrets.json");
  g_assert_nonnull(strstr(secrets, "AT3"));
  g_assert_null(strstr(secrets, "AT2"));

  /* bob saved again and taken back with nobody in between: alice's mark returns to carol. */
  g_assert_true(save(bob, &s2, &u, NULL));
  undo(u);
  g_clear_pointer(&hosts, g_ptr_array_unref);
  hosts = bkt_hosts_load(NULL);
  g_assert_true(bkt_hosts_find(hosts, "git.example.com", "id-carol")->active);
  g_assert_false(bkt_hosts_find(hosts, "git.example.com", "id-alice")->active);

  bkt_secrets_clear(&s1);
  bkt_secrets_clear(&s2);
  bkt_secrets_clear(&s3);
  remove_file("hosts.json");
  remove_file("secrets.json");
}

/* A login that fails to store never removes the login that was there. */
static void
test_failed_save_keeps_the_old_login(void)
{
  g_autoptr(BktHostEntry) first = entry("bitbucket.org", BKT_KIND_CLOUD);
  BktSecrets s1 = secrets_of("AT1", "RT1", NULL, 1800000000);
  g_assert_true(save(first, &s1, NULL, NULL));
  g_autofree char *hosts_before = file_text("hosts.json");
  /* The secrets file is cut short, as a full disk or a crash of another program leaves it. */
  write_file("secrets.json", "{\"bitbucket.org\": {\"access_tok");

  BktSecrets s2 = secrets_of("AT2", "RT2", NULL, 1900000000);
  g_autoptr(GError) error = NULL;
  g_assert_false(save(first, &s2, NULL, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_autofree char *hosts_after = file_text("hosts.json");
  g_assert_cmpstr(hosts_after, ==, hosts_before);
  g_autofree char *secrets_after = file_text("secrets.json");
  g_assert_cmpstr(secrets_after, ==, "{\"bitbucket.org\": {\"access_tok");

  bkt_secrets_clear(&s1);
  bkt_secrets_clear(&s2);
  remove_file("hosts.json");
  remove_file("secrets.json");
}

/* Cancelled while another process holds the lock: it ends at once, nothing written. */
static void
test_cancel_while_locked(void)
{
  gboolean busy;
  BktLock *held = bkt_lock_try(&busy, NULL);
  g_assert_nonnull(held);
  g_autoptr(BktHostEntry) e = entry("bitbucket.org", BKT_KIND_CLOUD);
  BktSecrets s = secrets_of("AT", NULL, NULL, 0);
  BktStoreOp *op = bkt_store_save_login(e, &s, NULL, NULL);
  /* It waits on a timer, not in a call that blocks. */
  GMainContext *ctx = g_main_context_get_thread_default();
  while (bkt_store_op_waiting_since(op) == 0)
    g_main_context_iteration(ctx, TRUE);
  bkt_store_op_cancel(op);
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_store_save_login_finish(op, NULL, NULL, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_CANCELLED);
  bkt_store_op_free(op);
  bkt_lock_release(held);
  g_autofree char *hosts = file_text("hosts.json");
  g_assert_null(hosts);
  bkt_secrets_clear(&s);
}

/* The folder is checked before it is trusted, as ssh checks ~/.ssh. */
static void
test_untrusted_folder(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ok = bkt_config_dir(&error);
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(dir, 0777), ==, 0);
  g_assert_null(bkt_config_dir(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "chmod 700"));
  g_assert_nonnull(strstr(error->message, dir));
  g_clear_error(&error);
  g_assert_null(bkt_hosts_load(&error));
  g_clear_error(&error);
  g_assert_cmpint(g_chmod(dir, 0700), ==, 0);

  write_file("hosts.json", "{\"hosts\":[]}");
  g_autofree char *path = g_build_filename(dir, "hosts.json", NULL);
  g_assert_cmpint(g_chmod(path, 0666), ==, 0);
  g_assert_null(bkt_hosts_load(&error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "chmod 600"));
  g_clear_error(&error);
  remove_file("hosts.json");

  /* A folder above that anyone may change, without the sticky bit. */
  g_autofree char *parent = g_path_get_dirname(dir);
  g_assert_cmpint(g_chmod(parent, 0777), ==, 0);
  g_assert_null(bkt_config_dir(&error));
  g_assert_nonnull(strstr(error->message, "chmod go-w"));
  g_clear_error(&error);
  g_assert_cmpint(g_chmod(parent, 01777), ==, 0);
  g_autofree char *sticky = bkt_config_dir(&error);
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(parent, 0700), ==, 0);
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
  g_test_add_func("/store/hosts-read-again", test_hosts_read_again_when_changed);
  g_test_add_func("/store/file-secrets", test_file_secrets);
  g_test_add_func("/store/accounts", test_accounts);
  g_test_add_func("/store/client-lookup", test_client_lookup);
  g_test_add_func("/store/upgrade", test_upgrade);
  g_test_add_func("/store/lock", test_lock);
  g_test_add_func("/store/save-and-undo", test_save_and_undo);
  g_test_add_func("/store/undo-keeps-other-accounts", test_undo_keeps_other_accounts);
  g_test_add_func("/store/failed-save-keeps-the-old-login", test_failed_save_keeps_the_old_login);
  g_test_add_func("/store/cancel-while-locked", test_cancel_while_locked);
  g_test_add_func("/store/untrusted-folder", test_untrusted_folder);
  int rc = g_test_run();
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", top);
  (void)!system(cmd);
  g_free(dir);
  return rc;
}
