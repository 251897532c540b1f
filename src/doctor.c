/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "doctor.h"
#include "doctor-private.h"

#include <cjson/cJSON.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "backend.h"
#include "browser.h"
#include "error.h"
#include "files.h"
#include "host.h"
#include "http.h"
#include "identity.h"
#include "probe.h"
#include "store.h"
#include "tame.h"
#include "timefmt.h"

const char *const bkt_check_ids[] = {
  "secret-service", "kernel-keyring", "config-dir", "config-file", "env-token", "login",
  "storage", "browser", "session", "reachable", "tls", "bitbucket", "clock", "token", NULL,
};

void
bkt_check_free(BktCheck *c)
{
  if (c == NULL)
    return;
  g_free(c->host);
  g_free(c->summary);
  g_free(c->fix);
  g_free(c->daemon);
  g_free(c->path);
  g_free(c->version);
  g_free(c);
}

const char *
bkt_check_status_to_string(BktCheckStatus status)
{
  switch (status) {
  case BKT_CHECK_OK: return "ok";
  case BKT_CHECK_INFO: return "info";
  case BKT_CHECK_WARN: return "warn";
  case BKT_CHECK_FAIL: return "fail";
  }
  return "fail";
}

BktCheck *
doctor_check(const char *id, const char *host, BktCheckStatus status, char *summary, char *fix)
{
  BktCheck *c = g_new0(BktCheck, 1);
  c->id = id;
  c->host = g_strdup(host);
  c->status = status;
  c->summary = summary;
  c->fix = fix;
  return c;
}

void
doctor_emit(Run *run, BktCheck *c)
{
  run->report(c, run->user_data);
  bkt_check_free(c);
}

/* ---- the configuration ---- */

static void
check_config_dir(Run *run, const char *dir)
{
  struct stat st;
  BktCheck *c;
  g_autoptr(GError) untrusted = NULL;
  if (g_stat(dir, &st) < 0) {
    c = doctor_check("config-dir", NULL, BKT_CHECK_INFO,
                  g_strdup_printf(_("the configuration directory %s does not exist yet: the "
                                    "first login creates it"), dir),
                  NULL);
    c->path = g_strdup(dir);
    doctor_emit(run, c);
    return;
  }
  unsigned mode = st.st_mode & 07777;
  if (!S_ISDIR(st.st_mode))
    c = doctor_check("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is not a directory"), dir),
                  g_strdup(_("move it aside, or set BKT_AUTH_CONFIG_DIR to a directory of "
                             "your own")));
  else if (st.st_uid != geteuid())
    c = doctor_check("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s belongs to another user"), dir),
                  g_strdup_printf(_("take it back with 'chown -R %s %s', or set "
                                    "BKT_AUTH_CONFIG_DIR to a directory of your own"),
                                  g_get_user_name(), dir));
  else if ((mode & 077) != 0)
    c = doctor_check("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is open to other users (mode %04o)"), dir, mode),
                  g_strdup_printf(_("make it private: chmod 700 %s"), dir));
  else if (access(dir, W_OK | X_OK) < 0)
    c = doctor_check("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s cannot be written (mode %04o)"), dir, mode),
                  g_strdup_printf(_("chmod 700 %s"), dir));
  else if (!bkt_config_dir_check(dir, &untrusted))
    c = doctor_check("config-dir", NULL, BKT_CHECK_FAIL, g_strdup(untrusted->message), NULL);
  else
    c = doctor_check("config-dir", NULL, BKT_CHECK_OK,
                  g_strdup_printf(_("%s is private (mode %04o)"), dir, mode), NULL);
  c->path = g_strdup(dir);
  doctor_emit(run, c);
}

static void
check_config_file(Run *run, const char *dir, const char *name, const GError *load_error)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  struct stat st;
  if (g_lstat(path, &st) < 0)
    return;
  unsigned mode = st.st_mode & 07777;
  BktCheck *c;
  if (!S_ISREG(st.st_mode))
    c = doctor_check("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is not a plain file"), path),
                  g_strdup(_("move it aside and log in again")));
  else if (st.st_uid != geteuid())
    c = doctor_check("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s belongs to another user"), path),
                  g_strdup_printf(_("take it back with 'chown %s %s'"), g_get_user_name(), path));
  else if ((mode & 077) != 0)
    c = doctor_check("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is open to other users (mode %04o)"), path, mode),
                  g_strdup_printf(_("make it private: chmod 600 %s"), path));
  else if (load_error != NULL)
    c = doctor_check("config-file", NULL, BKT_CHECK_FAIL, g_strdup(load_error->message),
                  g_strdup(_("move it aside and log in again")));
  else
    c = doctor_check("config-file", NULL, BKT_CHECK_OK,
                  g_strdup_printf(_("%s is private (mode %04o)"), path, mode), NULL);
  c->path = g_steal_pointer(&path);
  doctor_emit(run, c);
}

/* ---- the stored logins ---- */

/* Checks one login; returns its access token when it can be tried on the server. */
static BktSecret *
check_login(Run *run, const BktHostEntry *e)
{
  BktSecrets s;
  g_autoptr(GError) error = NULL;
  if (!bkt_secrets_load(e, &s, &error)) {
    if (g_error_matches(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN))
      doctor_emit(run, doctor_check("login", e->key, BKT_CHECK_FAIL,
                          g_strcmp0(e->storage, BKT_STORAGE_KERNEL_KEYRING) == 0
                            ? g_strdup(error->message)
                            : g_strdup_printf(_("no token is stored for %s: the secret store "
                                                "may have been cleared or replaced"), e->key),
                          g_strdup_printf(_("log in again: bkt-auth login %s"), e->key)));
    else
      doctor_emit(run, doctor_check("login", e->key, BKT_CHECK_FAIL,
                          g_strdup_printf(_("cannot read the token for %s: %s"), e->key,
                                          error->message),
                          g_strdup(_("make the secret store answer (see above), then try "
                                     "again"))));
    return NULL;
  }
  gint64 now = bkt_now();
  gboolean refreshable = bkt_secrets_refreshable(e, &s);
  gboolean expired = s.expires_at != 0 && s.expires_at <= now;
  const char *who = e->username != NULL ? e->username : "?";
  g_autofree char *when = bkt_describe_expiry(s.expires_at);
  BktCheck *c;
  if (expired && !refreshable)
    c = doctor_check("login", e->key, BKT_CHECK_FAIL,
                  g_strdup_printf(_("logged in to %s as %s, but the token %s"), e->key, who, when),
                  g_strdup_printf(_("log in again: bkt-auth login %s"), e->key));
  else if (refreshable)
    c = doctor_check("login", e->key, BKT_CHECK_OK,
                  g_strdup_printf(_("logged in to %s as %s; the access token %s and is "
                                    "refreshed by itself"), e->key, who, when),
                  NULL);
  else
    c = doctor_check("login", e->key, BKT_CHECK_OK,
                  g_strdup_printf(_("logged in to %s as %s; the token %s"), e->key, who, when),
                  NULL);
  c->expires_at = s.expires_at;
  doctor_emit(run, c);
  BktSecret *token = expired ? NULL : g_steal_pointer(&s.access_token);
  bkt_secrets_clear(&s);
  return token;
}

/* ---- this machine ---- */

static void
check_browser(Run *run)
{
  const char *why_not = bkt_browser_unavailable_reason();
  if (why_not == NULL) {
    const char *browser = g_getenv("BROWSER");
    g_autofree char *how = browser != NULL && *browser != '\0' ? bkt_text_tame(browser)
                                                               : g_strdup("xdg-open");
    doctor_emit(run, doctor_check("browser", NULL, BKT_CHECK_OK,
                        g_strdup_printf(_("a browser can be opened (with %s)"), how), NULL));
    return;
  }
  doctor_emit(run, doctor_check("browser", NULL, BKT_CHECK_WARN,
                      g_strdup_printf(_("no browser can be opened here: %s"), why_not),
                      g_strdup(_("logins still work: bkt-auth shows the address to open on "
                                 "any machine and takes the address the browser ends on when "
                                 "you paste it; or set BROWSER to a program that opens URLs"))));
}

static void
check_session(Run *run)
{
  const char *display = g_getenv("WAYLAND_DISPLAY");
  if (display == NULL || *display == '\0')
    display = g_getenv("DISPLAY");
  gboolean has_display = display != NULL && *display != '\0';
  if (bkt_env_is_ssh()) {
    doctor_emit(run, doctor_check("session", NULL, BKT_CHECK_INFO,
                        g_strdup(_("this is an SSH session: a login prints the address to open "
                                   "on your own machine and the 'ssh -L' line that lets its "
                                   "browser reach the redirect here")),
                        NULL));
  } else if (!has_display) {
    doctor_emit(run, doctor_check("session", NULL, BKT_CHECK_INFO,
                        g_strdup(_("there is no graphical display (neither DISPLAY nor "
                                   "WAYLAND_DISPLAY is set)")),
                        NULL));
  } else {
    g_autofree char *shown = bkt_text_tame(display);
    doctor_emit(run, doctor_check("session", NULL, BKT_CHECK_OK,
                        g_strdup_printf(_("a graphical display is available (%s)"), shown),
                        NULL));
  }
}

/* ---- all together ---- */

gboolean
bkt_doctor_run(const char *host_input, BktCheckFunc report, gpointer user_data, GError **error)
{
  Run run = { report, user_data };
  g_autofree char *dir = bkt_config_dir_path();
  gboolean have_dir = g_file_test(dir, G_FILE_TEST_IS_DIR);
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GPtrArray) hosts = have_dir ? bkt_hosts_load(&load_error) : NULL;
  if (hosts == NULL)
    hosts = bkt_hosts_new();

  /* Only the host named, when one is: stored, or any address to try. */
  BktHost target = { 0 };
  const BktHostEntry *named = NULL;
  if (host_input != NULL) {
    g_autofree char *key = bkt_host_key_for_input(host_input);
    for (guint i = 0; key != NULL && i < hosts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (strcmp(e->key, key) == 0)
        named = e;
    }
    if (named == NULL && !bkt_host_parse(host_input, BKT_KIND_UNKNOWN, TRUE, &target, error))
      return FALSE;
  }

  doctor_check_stores(&run, hosts);
  check_config_dir(&run, dir);
  if (have_dir) {
    check_config_file(&run, dir, "hosts.json", load_error);
    check_config_file(&run, dir, "secrets.json", NULL);
    check_config_file(&run, dir, "lock", NULL);
  }
  if (bkt_env_token_set())
    doctor_emit(&run, doctor_check("env-token", NULL, BKT_CHECK_INFO,
                         g_strdup(_("BKT_TOKEN is set: 'bkt-auth token' and git use it instead "
                                    "of the stored logins")),
                         g_strdup(_("unset BKT_TOKEN to use the stored logins"))));
  if (hosts->len == 0 && load_error == NULL)
    doctor_emit(&run, doctor_check("login", NULL, BKT_CHECK_INFO,
                         g_strdup(_("not logged in to any Bitbucket")),
                         g_strdup(_("log in with 'bkt-auth login'"))));

  GPtrArray *tokens = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_secret_free);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    g_ptr_array_add(tokens, named == NULL || named == e ? check_login(&run, e) : NULL);
  }
  doctor_check_file_logins(&run, hosts, named);
  check_browser(&run);
  check_session(&run);

  if (host_input != NULL && named == NULL) {
    doctor_check_server(&run, &target, NULL, NULL, NULL);
  } else {
    for (guint i = 0; i < hosts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (named != NULL && named != e)
        continue;
      BktHost host = { e->kind, e->key, e->base_url };
      doctor_check_server(&run, &host, e->ca_file, e, g_ptr_array_index(tokens, i));
    }
    if (hosts->len == 0)
      doctor_emit(&run, doctor_check("reachable", NULL, BKT_CHECK_INFO,
                           g_strdup(_("no stored host to reach: name one to check it, as in "
                                      "'bkt-auth doctor git.example.com'")),
                           NULL));
  }
  g_ptr_array_unref(tokens);
  bkt_host_clear(&target);
  return TRUE;
}
