/* SPDX-License-Identifier: MIT */
/*
 * The login state machine in process: canned answers from a socket on 127.0.0.1 stand in for
 * Bitbucket Cloud, a pasted redirect for the browser, and the 0600 file for the store.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "canned.h"
#include "error.h"
#include "files.h"
#include "login.h"
#include "store.h"

#define TOKENS "{\"access_token\":\"at-%s\",\"refresh_token\":\"rt-%s\",\"expires_in\":7200," \
               "\"token_type\":\"bearer\",\"scopes\":\"account repository\"}"

static Canned *server;
static char *dir;

typedef struct {
  GArray *stages;
  const char *switch_user_to; /* the confirmation sees another user */
} Seen;

static void
on_progress(BktLogin *login, BktLoginStage stage, gpointer user_data)
{
  Seen *seen = user_data;
  g_array_append_val(seen->stages, stage);
  if (stage == BKT_LOGIN_STORING && seen->switch_user_to != NULL) {
    g_autofree char *who = g_strdup_printf("{\"username\":\"%s\"}", seen->switch_user_to);
    canned_set(server, "/2.0/user", 200, NULL, who);
  }
}

static gboolean
finished(BktLogin *login)
{
  BktLoginStage s = bkt_login_stage(login);
  return s == BKT_LOGIN_DONE || s == BKT_LOGIN_FAILED;
}

/* One turn of a front end's loop: poll what the login hands out, then dispatch. */
static void
turn(BktLogin *login)
{
  struct pollfd fds[64];
  int n = bkt_login_pollfds(login, fds, G_N_ELEMENTS(fds));
  int timeout = bkt_login_timeout_ms(login);
  poll(fds, (nfds_t)n, timeout < 0 || timeout > 1000 ? 1000 : timeout);
  bkt_login_dispatch(login, fds, n);
}

static void
run_until(BktLogin *login, BktLoginStage stage)
{
  gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  while (bkt_login_stage(login) != stage && !finished(login)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    turn(login);
  }
}

static BktLogin *
start(Seen *seen, int timeout_s)
{
  seen->stages = g_array_new(FALSE, FALSE, sizeof(BktLoginStage));
  BktLoginOptions opts = { .storage = BKT_STORAGE_FILE, .timeout_s = timeout_s };
  g_autoptr(GError) error = NULL;
  BktLogin *login = bkt_login_new(&opts, on_progress, seen, &error);
  g_assert_no_error(error);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_STARTING);
  run_until(login, BKT_LOGIN_WAITING);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_WAITING);
  return login;
}

/* What the browser would bring back: the redirect with the login's own state. */
static void
paste_code(BktLogin *login, const char *code)
{
  g_autoptr(GUri) uri = g_uri_parse(bkt_login_authorize_url(login), G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) q = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE,
                                               NULL);
  g_autofree char *redirect = g_strdup_printf("%s?code=%s&state=%s",
                                              bkt_login_redirect_uri(login), code,
                                              (char *)g_hash_table_lookup(q, "state"));
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_login_paste(login, redirect, &error));
  g_assert_no_error(error);
}

static void
expect_stages(Seen *seen, const BktLoginStage *want, guint n)
{
  g_assert_cmpuint(seen->stages->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint(g_array_index(seen->stages, BktLoginStage, i), ==, want[i]);
  g_array_unref(seen->stages);
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
reset(void)
{
  g_autofree char *hosts = g_build_filename(dir, "hosts.json", NULL);
  g_autofree char *secrets = g_build_filename(dir, "secrets.json", NULL);
  g_unlink(hosts);
  g_unlink(secrets);
  g_autofree char *tokens = g_strdup_printf(TOKENS, "one", "one");
  canned_set(server, "/site/oauth2/access_token", 200, NULL, tokens);
  canned_set(server, "/2.0/user", 200, "x-oauth-scopes: account, repository",
             "{\"username\":\"alice\",\"display_name\":\"Alice\"}");
}

static void
test_happy_path(void)
{
  reset();
  Seen seen = { 0 };
  BktLogin *login = start(&seen, 0);
  /* The clock starts when the browser opens or the address is shown, not before. */
  g_assert_cmpint(bkt_login_deadline(login), ==, 0);
  bkt_login_start_clock(login);
  g_assert_cmpint(bkt_login_deadline(login), >, g_get_monotonic_time());
  int exchanges = canned_count(server, "/site/oauth2/access_token");
  paste_code(login, "the-code");
  run_until(login, BKT_LOGIN_DONE);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_DONE);
  const BktLoginStage want[] = { BKT_LOGIN_WAITING, BKT_LOGIN_EXCHANGING, BKT_LOGIN_VERIFYING,
                                 BKT_LOGIN_STORING, BKT_LOGIN_CONFIRMING, BKT_LOGIN_DONE };
  expect_stages(&seen, want, G_N_ELEMENTS(want));

  /* The code and the verifier went to the token endpoint, once. */
  g_assert_cmpint(canned_count(server, "/site/oauth2/access_token"), ==, exchanges + 1);
  g_autofree char *form = canned_last_body(server, "/site/oauth2/access_token");
  g_assert_nonnull(strstr(form, "code=the-code"));
  g_assert_nonnull(strstr(form, "code_verifier="));

  const BktHostEntry *e = bkt_login_result(login);
  g_assert_cmpstr(e->username, ==, "alice");
  g_assert_cmpstr(e->storage, ==, BKT_STORAGE_FILE);
  g_assert_cmpstr(e->scopes, ==, "account repository");
  g_autofree char *secrets = file_text("secrets.json");
  g_assert_nonnull(strstr(secrets, "at-one"));
  bkt_login_free(login);
}

static void
test_refused_code(void)
{
  reset();
  canned_set(server, "/site/oauth2/access_token", 400, NULL,
             "{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}");
  Seen seen = { 0 };
  BktLogin *login = start(&seen, 0);
  paste_code(login, "old-code");
  run_until(login, BKT_LOGIN_DONE);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_FAILED);
  const GError *error = bkt_login_error(login);
  g_assert_nonnull(strstr(error->message, "code expired"));
  const BktLoginStage want[] = { BKT_LOGIN_WAITING, BKT_LOGIN_EXCHANGING, BKT_LOGIN_FAILED };
  expect_stages(&seen, want, G_N_ELEMENTS(want));
  g_autofree char *hosts = file_text("hosts.json");
  g_assert_null(hosts);
  bkt_login_free(login);
}

/* The stored token answers for someone else: the login before it comes back, byte for byte. */
static void
test_confirmation_puts_back(void)
{
  reset();
  Seen first = { 0 };
  BktLogin *login = start(&first, 0);
  paste_code(login, "c1");
  run_until(login, BKT_LOGIN_DONE);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_DONE);
  bkt_login_free(login);
  g_array_unref(first.stages);
  g_autofree char *hosts_before = file_text("hosts.json");
  g_autofree char *secrets_before = file_text("secrets.json");

  g_autofree char *tokens = g_strdup_printf(TOKENS, "two", "two");
  canned_set(server, "/site/oauth2/access_token", 200, NULL, tokens);
  Seen seen = { .switch_user_to = "mallory" };
  login = start(&seen, 0);
  paste_code(login, "c2");
  run_until(login, BKT_LOGIN_DONE);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_FAILED);
  g_assert_nonnull(strstr(bkt_login_error(login)->message, "mallory"));
  const BktLoginStage want[] = { BKT_LOGIN_WAITING, BKT_LOGIN_EXCHANGING, BKT_LOGIN_VERIFYING,
                                 BKT_LOGIN_STORING, BKT_LOGIN_CONFIRMING, BKT_LOGIN_FAILED };
  expect_stages(&seen, want, G_N_ELEMENTS(want));
  g_autofree char *hosts_after = file_text("hosts.json");
  g_autofree char *secrets_after = file_text("secrets.json");
  g_assert_cmpstr(hosts_after, ==, hosts_before);
  g_assert_cmpstr(secrets_after, ==, secrets_before);
  bkt_login_free(login);
}

/* Another process holds the store's lock: the login waits on its timer, says since when, and
 * a cancel ends it at once with nothing written. */
static void
test_cancel_while_the_lock_is_held(void)
{
  reset();
  gboolean busy;
  BktLock *held = bkt_lock_try(&busy, NULL);
  g_assert_nonnull(held);
  Seen seen = { 0 };
  BktLogin *login = start(&seen, 0);
  paste_code(login, "c3");
  run_until(login, BKT_LOGIN_STORING);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_STORING);
  while (bkt_login_lock_waiting_since(login) == 0)
    turn(login);
  /* Still waiting after several turns: the loop keeps going, nothing blocks. */
  for (int i = 0; i < 3; i++)
    turn(login);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_STORING);
  bkt_login_cancel(login);
  g_assert_cmpint(bkt_login_stage(login), ==, BKT_LOGIN_FAILED);
  g_assert_error(bkt_login_error(login), BKT_ERROR, BKT_ERROR_CANCELLED);
  bkt_lock_release(held);
  g_autofree char *hosts = file_text("hosts.json");
  g_assert_null(hosts);
  bkt_login_free(login);
  g_array_unref(seen.stages);
}

static void
test_timeout(void)
{
  reset();
  Seen seen = { 0 };
  BktLogin *login = start(&seen, 1);
  bkt_login_start_clock(login);
  run_until(login, BKT_LOGIN_DONE);
  g_assert_error(bkt_login_error(login), BKT_ERROR, BKT_ERROR_TIMEOUT);
  bkt_login_free(login);
  g_array_unref(seen.stages);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autofree char *top = g_dir_make_tmp("bkt-login-XXXXXX", NULL);
  dir = g_build_filename(top, "config", NULL);
  server = canned_start();
  g_setenv("BKT_AUTH_CONFIG_DIR", dir, TRUE);
  g_setenv("BKT_CLOUD_URL", canned_url(server), TRUE);
  g_setenv("BKT_CLOUD_API_URL", canned_url(server), TRUE);
  g_setenv("BKT_OAUTH_CLIENT_ID", "cid", TRUE);
  g_setenv("BKT_OAUTH_CLIENT_SECRET", "csecret", TRUE);
  /* No Secret Service: the login goes to the 0600 file. */
  g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_unsetenv("BKT_TOKEN");
  g_test_add_func("/login/happy-path", test_happy_path);
  g_test_add_func("/login/refused-code", test_refused_code);
  g_test_add_func("/login/confirmation-puts-back", test_confirmation_puts_back);
  g_test_add_func("/login/cancel-while-the-lock-is-held", test_cancel_while_the_lock_is_held);
  g_test_add_func("/login/timeout", test_timeout);
  int rc = g_test_run();
  canned_stop(server);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", top);
  (void)!system(cmd);
  g_free(dir);
  return rc;
}
