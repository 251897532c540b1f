/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "doctor.h"

#include <cjson/cJSON.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browser.h"
#include "error.h"
#include "host.h"
#include "http.h"
#include "identity.h"
#include "probe.h"
#include "secure.h"
#include "session.h"
#include "store.h"
#include "text.h"

/* Clock differences beyond these many seconds are worth a warning, and then a failure. */
#define SKEW_WARN 60
#define SKEW_FAIL 300

const char *const bkt_check_ids[] = {
  "secret-service", "config-dir", "config-file", "env-token", "login", "browser", "session",
  "reachable", "tls", "bitbucket", "clock", "token", NULL,
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

typedef struct {
  BktCheckFunc report;
  gpointer user_data;
} Run;

/* A new check; takes summary and fix. */
static BktCheck *
check_new(const char *id, const char *host, BktCheckStatus status, char *summary, char *fix)
{
  BktCheck *c = g_new0(BktCheck, 1);
  c->id = id;
  c->host = g_strdup(host);
  c->status = status;
  c->summary = summary;
  c->fix = fix;
  return c;
}

static void
emit(Run *run, BktCheck *c)
{
  run->report(c, run->user_data);
  bkt_check_free(c);
}

/* ---- HTTP dates ---- */

static int
month_number(const char *name)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  for (int i = 0; i < 12; i++)
    if (g_ascii_strcasecmp(name, months[i]) == 0)
      return i + 1;
  return 0;
}

gboolean
bkt_http_date_parse(const char *text, gint64 *unix_seconds)
{
  if (text == NULL)
    return FALSE;
  char wday[16], mon[4];
  int day, year, hour, min, sec, used = 0;
  /* "Sun, 06 Nov 1994 08:49:37 GMT" */
  if (sscanf(text, "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", wday, &day, mon, &year, &hour,
             &min, &sec, &used) == 7 && used > 0) {
  /* "Sunday, 06-Nov-94 08:49:37 GMT" */
  } else if (sscanf(text, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wday, &day, mon, &year,
                    &hour, &min, &sec, &used) == 7 && used > 0) {
    year += year < 70 ? 2000 : 1900;
  /* "Sun Nov  6 08:49:37 1994" */
  } else if (sscanf(text, "%15[A-Za-z] %3s %2d %2d:%2d:%2d %4d%n", wday, mon, &day, &hour, &min,
                    &sec, &year, &used) == 7 && used > 0) {
  } else {
    return FALSE;
  }
  int month = month_number(mon);
  if (month == 0 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 || year < 1970)
    return FALSE;
  GDateTime *t = g_date_time_new_utc(year, month, day, hour, min, sec);
  if (t == NULL)
    return FALSE;
  *unix_seconds = g_date_time_to_unix(t);
  g_date_time_unref(t);
  return TRUE;
}

/* ---- the Secret Service ---- */

static gboolean
session_bus_present(void)
{
  const char *address = g_getenv("DBUS_SESSION_BUS_ADDRESS");
  if (address != NULL && *address != '\0')
    return TRUE;
  g_autofree char *socket = g_build_filename(g_get_user_runtime_dir(), "bus", NULL);
  return g_file_test(socket, G_FILE_TEST_EXISTS);
}

/* The name of process pid: its argv[0] without the directory, else its comm. */
static char *
process_name(guint32 pid)
{
  g_autofree char *cmdline_path = g_strdup_printf("/proc/%u/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;
  if (g_file_get_contents(cmdline_path, &cmdline, &len, NULL) && len > 0 && cmdline[0]) {
    g_autofree char *base = g_path_get_basename(cmdline);
    return bkt_text_tame(base);
  }
  g_autofree char *comm_path = g_strdup_printf("/proc/%u/comm", pid);
  g_autofree char *comm = NULL;
  if (g_file_get_contents(comm_path, &comm, NULL, NULL))
    return bkt_text_tame(g_strstrip(comm));
  /* TRANSLATORS: a program known only by its process ID */
  return g_strdup_printf(_("process %u"), pid);
}

/* -1 without a session bus, 0 when nobody owns org.freedesktop.secrets, 1 with *name set. */
static int
secret_owner(char **name)
{
  *name = NULL;
  if (!session_bus_present())
    return -1;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return -1;
  GVariant *reply = g_dbus_connection_call_sync(
    bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "GetConnectionUnixProcessID", g_variant_new("(s)", "org.freedesktop.secrets"),
    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 3000, NULL, NULL);
  g_object_unref(bus);
  if (reply == NULL)
    return 0;
  guint32 pid = 0;
  g_variant_get(reply, "(u)", &pid);
  g_variant_unref(reply);
  *name = process_name(pid);
  return 1;
}

static void
check_secret_service(Run *run, GPtrArray *hosts)
{
  gboolean needed = hosts == NULL || hosts->len == 0;
  for (guint i = 0; hosts != NULL && i < hosts->len; i++)
    if (g_strcmp0(((BktHostEntry *)g_ptr_array_index(hosts, i))->storage,
                  BKT_STORAGE_SECRET_SERVICE) == 0)
      needed = TRUE;
  BktCheckStatus bad = needed ? BKT_CHECK_FAIL : BKT_CHECK_WARN;
  const char *fallback = _("or log in with --insecure-storage to keep tokens in a file only "
                           "you can read");
  if (!session_bus_present()) {
    emit(run, check_new("secret-service", NULL, bad,
                        g_strdup(_("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is "
                                   "not set), so there is no Secret Service to keep tokens")),
                        g_strdup_printf(_("run bkt-auth in a desktop session, or start a bus "
                                          "and a keyring (dbus-run-session, "
                                          "gnome-keyring-daemon --unlock); %s"), fallback)));
    return;
  }
  g_autoptr(GError) error = NULL;
  gboolean ok = bkt_secret_service_check(&error);
  char *daemon = NULL;
  int owner = secret_owner(&daemon);
  BktCheck *c;
  if (ok) {
    c = check_new("secret-service", NULL, BKT_CHECK_OK,
                  daemon != NULL
                    ? g_strdup_printf(_("the Secret Service answers: %s keeps the tokens"), daemon)
                    : g_strdup(_("the Secret Service answers")),
                  NULL);
  } else if (owner <= 0) {
    c = check_new("secret-service", NULL, bad,
                  g_strdup(_("nothing provides the Secret Service on the session bus")),
                  g_strdup_printf(_("start a keyring that speaks it (GNOME Keyring, KWallet, or "
                                    "KeePassXC with Secret Service integration on), %s"),
                                  fallback));
  } else {
    c = check_new("secret-service", NULL, bad, g_strdup(error->message),
                  g_strdup_printf(_("unlock the keyring kept by %s, %s"), daemon, fallback));
  }
  c->daemon = daemon;
  emit(run, c);
}

/* ---- the configuration ---- */

static char *
config_dir_path(void)
{
  const char *env = g_getenv("BKT_AUTH_CONFIG_DIR");
  if (env != NULL && *env != '\0')
    return g_strdup(env);
  return g_build_filename(g_get_user_config_dir(), "bkt-auth", NULL);
}

static void
check_config_dir(Run *run, const char *dir)
{
  struct stat st;
  BktCheck *c;
  if (g_stat(dir, &st) < 0) {
    c = check_new("config-dir", NULL, BKT_CHECK_INFO,
                  g_strdup_printf(_("the configuration directory %s does not exist yet: the "
                                    "first login creates it"), dir),
                  NULL);
    c->path = g_strdup(dir);
    emit(run, c);
    return;
  }
  unsigned mode = st.st_mode & 07777;
  if (!S_ISDIR(st.st_mode))
    c = check_new("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is not a directory"), dir),
                  g_strdup(_("move it aside, or set BKT_AUTH_CONFIG_DIR to a directory of "
                             "your own")));
  else if (st.st_uid != geteuid())
    c = check_new("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s belongs to another user"), dir),
                  g_strdup_printf(_("take it back with 'chown -R %s %s', or set "
                                    "BKT_AUTH_CONFIG_DIR to a directory of your own"),
                                  g_get_user_name(), dir));
  else if ((mode & 077) != 0)
    c = check_new("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is open to other users (mode %04o)"), dir, mode),
                  g_strdup_printf(_("make it private: chmod 700 %s"), dir));
  else if (access(dir, W_OK | X_OK) < 0)
    c = check_new("config-dir", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s cannot be written (mode %04o)"), dir, mode),
                  g_strdup_printf(_("chmod 700 %s"), dir));
  else
    c = check_new("config-dir", NULL, BKT_CHECK_OK,
                  g_strdup_printf(_("%s is private (mode %04o)"), dir, mode), NULL);
  c->path = g_strdup(dir);
  emit(run, c);
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
    c = check_new("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is not a plain file"), path),
                  g_strdup(_("move it aside and log in again")));
  else if (st.st_uid != geteuid())
    c = check_new("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s belongs to another user"), path),
                  g_strdup_printf(_("take it back with 'chown %s %s'"), g_get_user_name(), path));
  else if ((mode & 077) != 0)
    c = check_new("config-file", NULL, BKT_CHECK_FAIL,
                  g_strdup_printf(_("%s is open to other users (mode %04o)"), path, mode),
                  g_strdup_printf(_("make it private: chmod 600 %s"), path));
  else if (load_error != NULL)
    c = check_new("config-file", NULL, BKT_CHECK_FAIL, g_strdup(load_error->message),
                  g_strdup(_("move it aside and log in again")));
  else
    c = check_new("config-file", NULL, BKT_CHECK_OK,
                  g_strdup_printf(_("%s is private (mode %04o)"), path, mode), NULL);
  c->path = g_steal_pointer(&path);
  emit(run, c);
}

/* ---- the stored logins ---- */

/* Checks one login; returns its access token (a secret) when it can be tried on the server. */
static char *
check_login(Run *run, const BktHostEntry *e)
{
  BktSecrets s;
  g_autoptr(GError) error = NULL;
  if (!bkt_secrets_load(e, &s, &error)) {
    if (g_error_matches(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN))
      emit(run, check_new("login", e->key, BKT_CHECK_FAIL,
                          g_strdup_printf(_("no token is stored for %s: the secret store may "
                                            "have been cleared or replaced"), e->key),
                          g_strdup_printf(_("log in again: bkt-auth login %s"), e->key)));
    else
      emit(run, check_new("login", e->key, BKT_CHECK_FAIL,
                          g_strdup_printf(_("cannot read the token for %s: %s"), e->key,
                                          error->message),
                          g_strdup(_("make the secret store answer (see above), then try "
                                     "again"))));
    return NULL;
  }
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gboolean refreshable = s.refresh_token != NULL && g_strcmp0(e->auth, "oauth") == 0;
  gboolean expired = s.expires_at != 0 && s.expires_at <= now;
  const char *who = e->username != NULL ? e->username : "?";
  g_autofree char *when = bkt_describe_expiry(s.expires_at);
  BktCheck *c;
  if (expired && !refreshable)
    c = check_new("login", e->key, BKT_CHECK_FAIL,
                  g_strdup_printf(_("logged in to %s as %s, but the token %s"), e->key, who, when),
                  g_strdup_printf(_("log in again: bkt-auth login %s"), e->key));
  else if (refreshable)
    c = check_new("login", e->key, BKT_CHECK_OK,
                  g_strdup_printf(_("logged in to %s as %s; the access token %s and is "
                                    "refreshed by itself"), e->key, who, when),
                  NULL);
  else
    c = check_new("login", e->key, BKT_CHECK_OK,
                  g_strdup_printf(_("logged in to %s as %s; the token %s"), e->key, who, when),
                  NULL);
  c->expires_at = s.expires_at;
  emit(run, c);
  char *token = expired ? NULL : g_steal_pointer(&s.access_token);
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
    emit(run, check_new("browser", NULL, BKT_CHECK_OK,
                        g_strdup_printf(_("a browser can be opened (with %s)"), how), NULL));
    return;
  }
  emit(run, check_new("browser", NULL, BKT_CHECK_WARN,
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
    emit(run, check_new("session", NULL, BKT_CHECK_INFO,
                        g_strdup(_("this is an SSH session: a login prints the address to open "
                                   "on your own machine and the 'ssh -L' line that lets its "
                                   "browser reach the redirect here")),
                        NULL));
  } else if (!has_display) {
    emit(run, check_new("session", NULL, BKT_CHECK_INFO,
                        g_strdup(_("there is no graphical display (neither DISPLAY nor "
                                   "WAYLAND_DISPLAY is set)")),
                        NULL));
  } else {
    g_autofree char *shown = bkt_text_tame(display);
    emit(run, check_new("session", NULL, BKT_CHECK_OK,
                        g_strdup_printf(_("a graphical display is available (%s)"), shown),
                        NULL));
  }
}

/* ---- the server ---- */

static void
check_clock(Run *run, const char *key, const BktHttpResponse *resp, gint64 asked_at)
{
  gint64 server;
  if (!bkt_http_date_parse(bkt_http_response_header(resp, "date"), &server)) {
    emit(run, check_new("clock", key, BKT_CHECK_INFO,
                        g_strdup_printf(_("%s sent no Date: the clocks cannot be compared"), key),
                        NULL));
    return;
  }
  /* The server stamped its answer between our question and now. */
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gint64 skew = 0;
  if (server < asked_at - 1)
    skew = server - asked_at;
  else if (server > now + 1)
    skew = server - now;
  gint64 off = skew < 0 ? -skew : skew;
  BktCheck *c;
  if (off <= SKEW_WARN) {
    c = check_new("clock", key, BKT_CHECK_OK,
                  g_strdup_printf(_("the clock here agrees with %s"), key), NULL);
  } else {
    int minutes = (int)((off + 59) / 60);
    g_autofree char *span =
      minutes < 120
        ? g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes),
                          minutes)
        : g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d hour", "%d hours", minutes / 60),
                          minutes / 60);
    /* TRANSLATORS: %s is a span such as "5 minutes", then the host */
    char *summary = skew > 0 ? g_strdup_printf(_("the clock here is %s behind %s"), span, key)
                             : g_strdup_printf(_("the clock here is %s ahead of %s"), span, key);
    c = check_new("clock", key, off > SKEW_FAIL ? BKT_CHECK_FAIL : BKT_CHECK_WARN, summary,
                  g_strdup(_("turn on time synchronisation (for example 'timedatectl set-ntp "
                             "true') or set the clock: certificates and token lifetimes depend "
                             "on it")));
  }
  c->has_skew = TRUE;
  c->skew_seconds = skew;
  emit(run, c);
}

/* Whether a Cloud API answer looks like Bitbucket's: JSON with a "type" field. */
static gboolean
looks_like_cloud_api(const BktHttpResponse *resp)
{
  cJSON *json = resp->body != NULL ? cJSON_ParseWithLength(resp->body->str, resp->body->len)
                                   : NULL;
  gboolean ok = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "type"));
  cJSON_Delete(json);
  return ok;
}

static void
check_token(Run *run, BktHttp *http, const BktHost *host, const BktHostEntry *e,
            const char *token)
{
  BktCredential cred = { token, e->login };
  BktIdentity id = { 0 };
  g_autoptr(GError) error = NULL;
  if (bkt_identity_fetch(http, host, &cred, &id, &error)) {
    emit(run, check_new("token", e->key, BKT_CHECK_OK,
                        g_strdup_printf(_("%s accepts the stored token (it belongs to %s)"),
                                        e->key, id.username != NULL ? id.username : "?"),
                        NULL));
  } else {
    gboolean refreshable = g_strcmp0(e->auth, "oauth") == 0;
    emit(run, check_new("token", e->key, BKT_CHECK_FAIL,
                        g_strdup_printf(_("the stored token does not work: %s"), error->message),
                        refreshable
                          ? g_strdup_printf(_("get a new one with 'bkt-auth refresh %s'; if "
                                              "that fails, log in again with 'bkt-auth login "
                                              "%s'"), e->key, e->key)
                          : g_strdup_printf(_("log in again with 'bkt-auth login %s'"),
                                            e->key)));
  }
  bkt_identity_clear(&id);
}

/* Reach a host: the connection, TLS, what answers, the clock, and the stored token. */
static void
check_server(Run *run, const BktHost *host, const char *ca_file, const BktHostEntry *entry,
             const char *token)
{
  const char *key = host->key;
  g_autoptr(GError) error = NULL;
  BktHttp *http = bkt_http_new(ca_file, &error);
  if (http == NULL) {
    emit(run, check_new("reachable", key, BKT_CHECK_FAIL, g_strdup(error->message),
                        g_strdup(_("install libcurl (the libcurl4 package)"))));
    return;
  }
  g_autofree char *url = NULL;
  BktHttpRequest req;
  if (host->kind == BKT_KIND_DC) {
    bkt_probe_request(host, &req, &url);
  } else {
    url = g_strconcat(bkt_cloud_api_url(), "/2.0/user", NULL);
    req = (BktHttpRequest){ .method = "GET", .url = url };
  }
  gboolean https = g_str_has_prefix(url, "https://");
  gint64 asked_at = g_get_real_time() / G_USEC_PER_SEC;
  BktHttpResponse resp;
  if (!bkt_http_perform(http, &req, &resp, &error)) {
    if (bkt_http_failed_on_tls(http))
      emit(run, check_new("tls", key, BKT_CHECK_FAIL, g_strdup(error->message),
                          g_strdup(_("if it uses a private certificate authority, log in with "
                                     "--ca-file FILE or set SSL_CERT_FILE; a wrong clock makes "
                                     "certificates look invalid too"))));
    else
      emit(run, check_new("reachable", key, BKT_CHECK_FAIL, g_strdup(error->message),
                          g_strdup(_("check the address, your network and any proxy "
                                     "(https_proxy, no_proxy)"))));
    bkt_http_free(http);
    return;
  }
  BktCheck *c = check_new("reachable", key, BKT_CHECK_OK,
                          g_strdup_printf(_("%s answers"), key), NULL);
  c->http_status = resp.status;
  emit(run, c);
  if (https)
    emit(run, check_new("tls", key, BKT_CHECK_OK,
                        ca_file != NULL
                          ? g_strdup_printf(_("the certificate of %s is trusted, with the CA "
                                              "file %s"), key, ca_file)
                          : g_strdup_printf(_("the certificate of %s is trusted"), key),
                        NULL));
  else
    emit(run, check_new("tls", key, BKT_CHECK_INFO,
                        g_strdup_printf(_("%s is reached over plain http, without TLS: fit "
                                          "only for a test instance"), key),
                        NULL));

  gboolean is_bitbucket = TRUE;
  if (host->kind == BKT_KIND_DC) {
    g_autofree char *version = NULL;
    g_autoptr(GError) probe_error = NULL;
    if (bkt_probe_take(host, &resp, &version, &probe_error)) {
      c = check_new("bitbucket", key, BKT_CHECK_OK,
                    g_strdup_printf(_("%s runs Bitbucket Data Center %s"), key, version), NULL);
      c->version = g_steal_pointer(&version);
      emit(run, c);
    } else {
      is_bitbucket = FALSE;
      emit(run, check_new("bitbucket", key, BKT_CHECK_FAIL, g_strdup(probe_error->message),
                          g_strdup(_("check the address with your admin, including any "
                                     "context path such as /bitbucket"))));
    }
  } else if (looks_like_cloud_api(&resp)) {
    emit(run, check_new("bitbucket", key, BKT_CHECK_OK,
                        g_strdup_printf(_("%s answers like the Bitbucket Cloud API"), key), NULL));
  } else {
    is_bitbucket = FALSE;
    emit(run, check_new("bitbucket", key, BKT_CHECK_WARN,
                        g_strdup_printf(_("%s answers, but not like the Bitbucket Cloud API "
                                          "(HTTP %ld)"), key, resp.status),
                        g_strdup(_("check BKT_CLOUD_API_URL and any proxy in between"))));
  }
  check_clock(run, key, &resp, asked_at);
  bkt_http_response_clear(&resp);

  if (entry != NULL && is_bitbucket) {
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    if (token != NULL)
      check_token(run, http, host, entry, token);
    else if (entry->expires_at != 0 && entry->expires_at <= now &&
             g_strcmp0(entry->auth, "oauth") == 0)
      emit(run, check_new("token", key, BKT_CHECK_INFO,
                          g_strdup(_("the access token has expired, so it was not tried: the "
                                     "next use refreshes it")),
                          NULL));
  }
  bkt_http_free(http);
}

/* ---- all together ---- */

gboolean
bkt_doctor_run(const char *host_input, BktCheckFunc report, gpointer user_data, GError **error)
{
  Run run = { report, user_data };
  g_autofree char *dir = config_dir_path();
  gboolean have_dir = g_file_test(dir, G_FILE_TEST_IS_DIR);
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GPtrArray) hosts = have_dir ? bkt_hosts_load(&load_error) : NULL;
  if (hosts == NULL)
    hosts = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);

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

  check_secret_service(&run, hosts);
  check_config_dir(&run, dir);
  if (have_dir) {
    check_config_file(&run, dir, "hosts.json", load_error);
    check_config_file(&run, dir, "secrets.json", NULL);
    check_config_file(&run, dir, "lock", NULL);
  }
  if (bkt_env_token() != NULL)
    emit(&run, check_new("env-token", NULL, BKT_CHECK_INFO,
                         g_strdup(_("BKT_TOKEN is set: 'bkt-auth token' and git use it instead "
                                    "of the stored logins")),
                         g_strdup(_("unset BKT_TOKEN to use the stored logins"))));
  if (hosts->len == 0 && load_error == NULL)
    emit(&run, check_new("login", NULL, BKT_CHECK_INFO,
                         g_strdup(_("not logged in to any Bitbucket")),
                         g_strdup(_("log in with 'bkt-auth login'"))));

  GPtrArray *tokens = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_secret_free);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    g_ptr_array_add(tokens, named == NULL || named == e ? check_login(&run, e) : NULL);
  }
  check_browser(&run);
  check_session(&run);

  if (host_input != NULL && named == NULL) {
    check_server(&run, &target, NULL, NULL, NULL);
  } else {
    for (guint i = 0; i < hosts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (named != NULL && named != e)
        continue;
      BktHost host = { e->kind, e->key, e->base_url };
      check_server(&run, &host, e->ca_file, e, g_ptr_array_index(tokens, i));
    }
    if (hosts->len == 0)
      emit(&run, check_new("reachable", NULL, BKT_CHECK_INFO,
                           g_strdup(_("no stored host to reach: name one to check it, as in "
                                      "'bkt-auth doctor git.example.com'")),
                           NULL));
  }
  g_ptr_array_unref(tokens);
  bkt_host_clear(&target);
  return TRUE;
}
