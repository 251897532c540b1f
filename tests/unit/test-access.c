/* SPDX-License-Identifier: MIT */
/*
 * Handing out a token: refreshed when stale, with the lifetime the server gave or the one it
 * had, and under contention the refresh another process made while this one waited is taken
 * instead of a second one. Canned answers from 127.0.0.1 stand in for Bitbucket Cloud.
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "canned.h"
#include "error.h"
#include "files.h"
#include "store.h"

static Canned *server;
static char *dir;

static gint64
now(void)
{
  return g_get_real_time() / G_USEC_PER_SEC;
}

/* A stored Cloud login whose token expired, in the 0600 file. */
static void
store_stale_login(void)
{
  g_autofree char *hosts = g_build_filename(dir, "hosts.json", NULL);
  g_autofree char *secrets = g_build_filename(dir, "secrets.json", NULL);
  g_unlink(hosts);
  g_unlink(secrets);
  g_autoptr(BktHostEntry) e = bkt_host_entry_new();
  e->key = g_strdup("bitbucket.org");
  e->kind = BKT_KIND_CLOUD;
  e->base_url = g_strdup(canned_url(server));
  e->account = g_strdup("557058:1111");
  e->username = g_strdup("alice");
  e->client_id = g_strdup("cid");
  g_free(e->storage);
  e->storage = g_strdup(BKT_STORAGE_FILE);
  e->expires_at = now() - 10;
  g_autoptr(GPtrArray) list = bkt_hosts_new();
  bkt_hosts_put(list, bkt_host_entry_copy(e));
  g_assert_true(bkt_hosts_save(list, NULL));
  BktSecrets s = { bkt_secret_new_from("at-old"), bkt_secret_new_from("rt-old"),
                   bkt_secret_new_from("csecret"), now() - 10, now() - 10 - 1800 };
  g_assert_true(bkt_secrets_save(e, &s, NULL));
  bkt_secrets_clear(&s);
}

static BktSecrets
stored(void)
{
  g_autoptr(GPtrArray) list = bkt_hosts_load(NULL);
  BktSecrets s;
  g_assert_true(bkt_secrets_load(g_ptr_array_index(list, 0), &s, NULL));
  return s;
}

static void
test_refresh_when_stale(void)
{
  store_stale_login();
  canned_set(server, "/site/oauth2/access_token", 200, NULL,
             "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"expires_in\":7200}");
  int before = canned_count(server, "/site/oauth2/access_token");
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_access_token(NULL, NULL, FALSE, &token, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(bkt_secret_str(token), ==, "at-new");
  g_assert_cmpint(canned_count(server, "/site/oauth2/access_token"), ==, before + 1);
  g_autofree char *form = canned_last_body(server, "/site/oauth2/access_token");
  g_assert_nonnull(strstr(form, "refresh_token=rt-old"));
  BktSecrets s = stored();
  g_assert_cmpstr(bkt_secret_str(s.refresh_token), ==, "rt-new");
  g_assert_cmpint(s.expires_at - s.issued_at, ==, 7200);
  bkt_secrets_clear(&s);

  /* Fresh now: handed out without asking the server. */
  g_autoptr(BktSecret) again = NULL;
  g_assert_true(bkt_access_token(NULL, NULL, FALSE, &again, NULL, NULL));
  g_assert_cmpint(canned_count(server, "/site/oauth2/access_token"), ==, before + 1);
}

/* An answer without a lifetime keeps the one the token had, not "never expires". */
static void
test_lifetime_kept(void)
{
  store_stale_login();
  canned_set(server, "/site/oauth2/access_token", 200, NULL,
             "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\"}");
  g_autoptr(BktSecret) token = NULL;
  g_assert_true(bkt_access_token(NULL, NULL, FALSE, &token, NULL, NULL));
  BktSecrets s = stored();
  g_assert_cmpint(s.expires_at - s.issued_at, ==, 1800);
  bkt_secrets_clear(&s);
}

/*
 * Another process holds the lock, sees this one read the stale token (inotify), refreshes in
 * its stead and lets go: this one takes that token instead of spending the refresh token
 * again.
 */
static void
other_process(int ready_fd)
{
  g_autofree char *lock = g_build_filename(dir, "lock", NULL);
  g_autofree char *secrets = g_build_filename(dir, "secrets.json", NULL);
  int lfd = open(lock, O_RDWR | O_CREAT, 0600);
  flock(lfd, LOCK_EX);
  int in = inotify_init1(IN_CLOEXEC);
  inotify_add_watch(in, secrets, IN_ACCESS | IN_OPEN);
  (void)!write(ready_fd, "x", 1);
  char event[4096];
  (void)!read(in, event, sizeof event); /* the other one read the stale token */
  g_autofree char *text = g_strdup_printf(
    "{\"bitbucket.org#557058:1111\":{\"access_token\":\"at-other\",\"refresh_token\":\"rt-other\","
    "\"client_secret\":\"csecret\",\"expires_at\":%" G_GINT64_FORMAT ",\"issued_at\":%"
    G_GINT64_FORMAT "}}", now() + 3600, now());
  g_autofree char *tmp = g_strconcat(secrets, ".other", NULL);
  g_file_set_contents(tmp, text, -1, NULL);
  g_chmod(tmp, 0600);
  g_rename(tmp, secrets);
  close(lfd);
  _exit(0);
}

static void
test_contention(void)
{
  store_stale_login();
  canned_set(server, "/site/oauth2/access_token", 200, NULL,
             "{\"access_token\":\"at-twice\",\"refresh_token\":\"rt-twice\"}");
  int before = canned_count(server, "/site/oauth2/access_token");
  int ready[2];
  g_assert_cmpint(pipe(ready), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0)
    other_process(ready[1]);
  char c;
  g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_access_token(NULL, NULL, FALSE, &token, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(bkt_secret_str(token), ==, "at-other");
  g_assert_cmpint(canned_count(server, "/site/oauth2/access_token"), ==, before);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  close(ready[0]);
  close(ready[1]);
}

/* The lock held past the deadline: a sentence that names it, and the token is not handed
 * out as if refreshed. */
static void
test_lock_deadline(void)
{
  store_stale_login();
  gboolean busy;
  BktLock *held = bkt_lock_try(&busy, NULL);
  g_setenv("BKT_AUTH_LOCK_TIMEOUT", "1", TRUE);
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false(bkt_access_token(NULL, NULL, FALSE, &token, NULL, &error));
  g_assert_error(error, BKT_ERROR, BKT_ERROR_STORE);
  g_assert_nonnull(strstr(error->message, "lock"));
  g_unsetenv("BKT_AUTH_LOCK_TIMEOUT");
  bkt_lock_release(held);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autofree char *top = g_dir_make_tmp("bkt-access-XXXXXX", NULL);
  dir = g_build_filename(top, "config", NULL);
  server = canned_start();
  g_setenv("BKT_AUTH_CONFIG_DIR", dir, TRUE);
  g_setenv("BKT_CLOUD_URL", canned_url(server), TRUE);
  g_setenv("BKT_CLOUD_API_URL", canned_url(server), TRUE);
  g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_test_add_func("/access/refresh-when-stale", test_refresh_when_stale);
  g_test_add_func("/access/lifetime-kept", test_lifetime_kept);
  g_test_add_func("/access/contention", test_contention);
  g_test_add_func("/access/lock-deadline", test_lock_deadline);
  int rc = g_test_run();
  canned_stop(server);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", top);
  (void)!system(cmd);
  g_free(dir);
  return rc;
}
