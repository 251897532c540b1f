/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "secure.h"
#include "text.h"

#define HOSTS_FILE "hosts.json"
#define SECRETS_FILE "secrets.json"
#define LOCK_FILE "lock"
#define STORE_TIMEOUT_US (5 * G_USEC_PER_SEC)

static const SecretSchema credentials_schema = {
  "org.bkt-auth.Credentials",
  SECRET_SCHEMA_NONE, /* match our schema name too: never touch another program's items */
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

BktHostEntry *
bkt_host_entry_new(void)
{
  return g_new0(BktHostEntry, 1);
}

void
bkt_host_entry_free(BktHostEntry *e)
{
  if (e == NULL)
    return;
  g_free(e->key);
  g_free(e->base_url);
  g_free(e->username);
  g_free(e->display_name);
  g_free(e->auth);
  g_free(e->login);
  g_free(e->client_id);
  g_free(e->redirect_uri);
  g_free(e->scopes);
  g_free(e->storage);
  g_free(e->ca_file);
  g_free(e);
}

BktHostEntry *
bkt_host_entry_copy(const BktHostEntry *e)
{
  BktHostEntry *c = bkt_host_entry_new();
  c->key = g_strdup(e->key);
  c->kind = e->kind;
  c->base_url = g_strdup(e->base_url);
  c->username = g_strdup(e->username);
  c->display_name = g_strdup(e->display_name);
  c->auth = g_strdup(e->auth);
  c->login = g_strdup(e->login);
  c->client_id = g_strdup(e->client_id);
  c->redirect_uri = g_strdup(e->redirect_uri);
  c->scopes = g_strdup(e->scopes);
  c->storage = g_strdup(e->storage);
  c->ca_file = g_strdup(e->ca_file);
  c->expires_at = e->expires_at;
  return c;
}

char *
bkt_config_dir(GError **error)
{
  const char *env = g_getenv("BKT_AUTH_CONFIG_DIR");
  char *dir = env != NULL && *env != '\0' ? g_strdup(env)
                                          : g_build_filename(g_get_user_config_dir(),
                                                             "bkt-auth", NULL);
  if (g_mkdir_with_parents(dir, 0700) < 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("cannot create the configuration directory '%s': %s; set "
                  "BKT_AUTH_CONFIG_DIR to a directory you can write"), dir, g_strerror(e));
    g_free(dir);
    return NULL;
  }
  return dir;
}

static char *
config_path(const char *name, GError **error)
{
  g_autofree char *dir = bkt_config_dir(error);
  return dir != NULL ? g_build_filename(dir, name, NULL) : NULL;
}

/* Temporary files are ".hosts.json.bkt-new-XXXXXX": hidden, and plainly ours. */
#define TEMP_INFIX ".bkt-new-"

/*
 * Remove what writes killed half-way left behind: beside secrets.json they hold tokens that a
 * logout would never reach. Only those older than a few seconds, so that a write in progress
 * in another process keeps its own.
 */
static void
remove_leftovers(const char *dir, const char *prefix)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_prefix(name, prefix))
      continue;
    g_autofree char *full = g_build_filename(dir, name, NULL);
    GStatBuf st;
    if (g_lstat(full, &st) == 0 && S_ISREG(st.st_mode) && now - (gint64)st.st_mtime > 10)
      g_unlink(full);
  }
  g_dir_close(d);
}

/* Write a file atomically with mode 0600: a temporary file, fsync, rename, fsync the folder. */
static gboolean
write_private(const char *path, const char *text, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *prefix = g_strconcat(".", base, TEMP_INFIX, NULL);
  remove_leftovers(dir, prefix);
  g_autofree char *tmp = g_strconcat(dir, G_DIR_SEPARATOR_S, prefix, "XXXXXX", NULL);
  int err = 0;
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = errno;
  } else {
    size_t len = strlen(text), off = 0;
    while (off < len && err == 0) {
      ssize_t n = write(fd, text + off, len - off);
      if (n < 0 && errno != EINTR)
        err = errno;
      else if (n > 0)
        off += (size_t)n;
    }
    if (err == 0 && fsync(fd) < 0)
      err = errno;
    if (close(fd) < 0 && err == 0)
      err = errno;
    if (err == 0 && rename(tmp, path) < 0)
      err = errno;
    if (err != 0)
      g_unlink(tmp);
  }
  if (err != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot write '%s': %s"), path,
                g_strerror(err));
    return FALSE;
  }
  /* The rename survives a power cut once the folder is on disk too. */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)fsync(dfd);
    close(dfd);
  }
  return TRUE;
}

/* Read a whole file; *text NULL when it does not exist. */
static gboolean
read_optional(const char *path, char **text, size_t *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize n = 0;
  *text = NULL;
  if (!g_file_get_contents(path, text, &n, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot read '%s': %s"), path,
                local->message);
    return FALSE;
  }
  *len = n;
  return TRUE;
}

static gint64
json_int(const cJSON *obj, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsNumber(item) && item->valuedouble > 0 && item->valuedouble < 1e15
           ? (gint64)item->valuedouble
           : 0;
}

static void
add_string(cJSON *obj, const char *name, const char *value)
{
  if (value != NULL)
    cJSON_AddStringToObject(obj, name, value);
}

gboolean
bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, GError **error)
{
  /* cJSON takes a NUL for white space: a file with one is damaged, not shorter. */
  cJSON *json = memchr(text, '\0', len) == NULL ? cJSON_ParseWithLength(text, len) : NULL;
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "hosts");
  if (!cJSON_IsObject(json) || (list != NULL && !cJSON_IsArray(list))) {
    cJSON_Delete(json);
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE,
                        _("the list of hosts is damaged"));
    return FALSE;
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, list) {
    const char *key = bkt_json_string(item, "host");
    BktKind kind = bkt_kind_from_string(bkt_json_string(item, "kind"));
    if (key == NULL || *key == '\0' || kind == BKT_KIND_UNKNOWN)
      continue;
    BktHostEntry *e = bkt_host_entry_new();
    e->key = g_strdup(key);
    e->kind = kind;
    e->base_url = g_strdup(bkt_json_string(item, "base_url"));
    e->username = g_strdup(bkt_json_string(item, "username"));
    e->display_name = g_strdup(bkt_json_string(item, "display_name"));
    e->auth = g_strdup(bkt_json_string(item, "auth"));
    e->login = g_strdup(bkt_json_string(item, "login"));
    e->client_id = g_strdup(bkt_json_string(item, "client_id"));
    e->redirect_uri = g_strdup(bkt_json_string(item, "redirect_uri"));
    e->scopes = g_strdup(bkt_json_string(item, "scopes"));
    const char *storage = bkt_json_string(item, "storage");
    e->storage = g_strdup(g_strcmp0(storage, BKT_STORAGE_FILE) == 0 ? BKT_STORAGE_FILE
                                                                    : BKT_STORAGE_SECRET_SERVICE);
    e->ca_file = g_strdup(bkt_json_string(item, "ca_file"));
    e->expires_at = json_int(item, "expires_at");
    bkt_hosts_put(hosts, e);
  }
  cJSON_Delete(json);
  return TRUE;
}

GPtrArray *
bkt_hosts_load(GError **error)
{
  g_autofree char *path = config_path(HOSTS_FILE, error);
  if (path == NULL)
    return NULL;
  char *text;
  size_t len = 0;
  if (!read_optional(path, &text, &len, error))
    return NULL;
  GPtrArray *hosts = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);
  if (text != NULL) {
    g_autoptr(GError) local = NULL;
    gboolean ok = bkt_hosts_parse(text, len, hosts, &local);
    g_free(text);
    if (!ok) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("'%s' is damaged and cannot be read: move it aside and log in again"),
                  path);
      g_ptr_array_unref(hosts);
      return NULL;
    }
  }
  return hosts;
}

gboolean
bkt_hosts_save(GPtrArray *hosts, GError **error)
{
  g_autofree char *path = config_path(HOSTS_FILE, error);
  if (path == NULL)
    return FALSE;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "version", 1);
  cJSON *list = cJSON_AddArrayToObject(root, "hosts");
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    cJSON *o = cJSON_CreateObject();
    add_string(o, "host", e->key);
    add_string(o, "kind", bkt_kind_to_string(e->kind));
    add_string(o, "base_url", e->base_url);
    add_string(o, "username", e->username);
    add_string(o, "display_name", e->display_name);
    add_string(o, "auth", e->auth);
    add_string(o, "login", e->login);
    add_string(o, "client_id", e->client_id);
    add_string(o, "redirect_uri", e->redirect_uri);
    add_string(o, "scopes", e->scopes);
    add_string(o, "storage", e->storage);
    add_string(o, "ca_file", e->ca_file);
    if (e->expires_at > 0)
      cJSON_AddNumberToObject(o, "expires_at", (double)e->expires_at);
    cJSON_AddItemToArray(list, o);
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  g_autofree char *with_nl = g_strconcat(text, "\n", NULL);
  cJSON_free(text);
  return write_private(path, with_nl, error);
}

BktHostEntry *
bkt_hosts_lookup(GPtrArray *hosts, const char *input, GError **error)
{
  if (input == NULL) {
    if (hosts->len == 1)
      return g_ptr_array_index(hosts, 0);
    if (hosts->len == 0) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                          _("not logged in to any Bitbucket: run 'bkt-auth login'"));
      return NULL;
    }
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < hosts->len; i++)
      g_string_append_printf(names, "%s%s", i ? ", " : "",
                             ((BktHostEntry *)g_ptr_array_index(hosts, i))->key);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("logged in to several hosts (%s): name the one you mean"), names->str);
    g_string_free(names, TRUE);
    return NULL;
  }
  g_autofree char *key = bkt_host_key_for_input(input);
  for (guint i = 0; key != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0)
      return e;
  }
  /* Echoed: the name may come from a repository's remote, escapes and all. */
  g_autofree char *shown = bkt_text_tame(input);
  g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
              _("not logged in to '%s': run 'bkt-auth login %s'"), shown, shown);
  return NULL;
}

GPtrArray *
bkt_hosts_load_selected(const char *input, GError **error)
{
  GPtrArray *hosts = bkt_hosts_load(error);
  if (hosts == NULL || input == NULL)
    return hosts;
  BktHostEntry *only = bkt_hosts_lookup(hosts, input, error);
  if (only == NULL) {
    g_ptr_array_unref(hosts);
    return NULL;
  }
  BktHostEntry *copy = bkt_host_entry_copy(only);
  g_ptr_array_set_size(hosts, 0);
  g_ptr_array_add(hosts, copy);
  return hosts;
}

void
bkt_hosts_put(GPtrArray *hosts, BktHostEntry *entry)
{
  bkt_hosts_remove(hosts, entry->key);
  g_ptr_array_add(hosts, entry);
}

gboolean
bkt_hosts_remove(GPtrArray *hosts, const char *key)
{
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0) {
      g_ptr_array_remove_index(hosts, i);
      return TRUE;
    }
  }
  return FALSE;
}

void
bkt_secrets_clear(BktSecrets *s)
{
  bkt_secret_free(s->access_token);
  bkt_secret_free(s->refresh_token);
  bkt_secret_free(s->client_secret);
  memset(s, 0, sizeof *s);
}

/* The secrets of one host as a JSON object (caller deletes, wiping with secrets_json_free). */
static cJSON *
secrets_to_json(const BktSecrets *s)
{
  cJSON *o = cJSON_CreateObject();
  add_string(o, "access_token", s->access_token);
  add_string(o, "refresh_token", s->refresh_token);
  add_string(o, "client_secret", s->client_secret);
  if (s->expires_at > 0)
    cJSON_AddNumberToObject(o, "expires_at", (double)s->expires_at);
  if (s->issued_at > 0)
    cJSON_AddNumberToObject(o, "issued_at", (double)s->issued_at);
  return o;
}

static void
secrets_from_json(const cJSON *o, BktSecrets *s)
{
  memset(s, 0, sizeof *s);
  s->access_token = g_strdup(bkt_json_string(o, "access_token"));
  s->refresh_token = g_strdup(bkt_json_string(o, "refresh_token"));
  s->client_secret = g_strdup(bkt_json_string(o, "client_secret"));
  s->expires_at = json_int(o, "expires_at");
  s->issued_at = json_int(o, "issued_at");
}

/*
 * JSON text of a tree that holds secrets (free with bkt_secret_free). Printed into a buffer of
 * our own: cJSON's printer grows its buffer with realloc, which leaves copies of the secrets
 * behind in freed memory.
 */
static char *
json_print_secret(cJSON *json)
{
  for (int size = 4096;; size *= 2) {
    char *buf = g_malloc(size);
    if (cJSON_PrintPreallocated(json, buf, size, FALSE))
      return buf;
    bkt_wipe(buf, size);
    g_free(buf);
  }
}

/* ---- the 0600 file, by --insecure-storage ---- */

static cJSON *
file_load(char **path_out, GError **error)
{
  char *path = config_path(SECRETS_FILE, error);
  if (path == NULL)
    return NULL;
  char *text;
  size_t len = 0;
  if (!read_optional(path, &text, &len, error)) {
    g_free(path);
    return NULL;
  }
  cJSON *json = text != NULL ? cJSON_ParseWithLength(text, len) : cJSON_CreateObject();
  if (text != NULL) {
    bkt_wipe(text, len);
    g_free(text);
  }
  if (!cJSON_IsObject(json)) {
    cJSON_Delete(json);
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("'%s' is damaged and cannot be read: move it aside and log in again"), path);
    g_free(path);
    return NULL;
  }
  *path_out = path;
  return json;
}

static gboolean
file_save(const char *path, cJSON *json, GError **error)
{
  char *text = json_print_secret(json);
  gboolean ok = write_private(path, text, error);
  bkt_secret_free(text);
  return ok;
}

/* ---- the Secret Service, with a deadline ---- */

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Waiter *)user_data)->result = g_object_ref(result);
}

static gboolean
on_tick(gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Run the context until w has a result; cancel after the deadline. TRUE when in time. */
static gboolean
wait_for(GMainContext *ctx, Waiter *w, GCancellable *cancel)
{
  gint64 deadline = g_get_monotonic_time() + STORE_TIMEOUT_US;
  gboolean in_time = TRUE;
  GSource *tick = g_timeout_source_new(100);
  g_source_set_callback(tick, on_tick, NULL, NULL);
  g_source_attach(tick, ctx);
  while (w->result == NULL) {
    if (in_time && g_get_monotonic_time() > deadline) {
      in_time = FALSE;
      g_cancellable_cancel(cancel);
    }
    g_main_context_iteration(ctx, TRUE);
  }
  g_source_destroy(tick);
  g_source_unref(tick);
  return in_time;
}

static void
store_error(GError **error, gboolean in_time, const GError *cause)
{
  if (!in_time)
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE,
                        _("the Secret Service (your desktop keyring) did not answer within "
                          "5 seconds, it may be locked: unlock it and try again, or log in "
                          "with --insecure-storage to keep tokens in a file only you can read"));
  else
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("cannot use the Secret Service (your desktop keyring): %s; start or unlock "
                  "it, or log in with --insecure-storage to keep tokens in a file only you "
                  "can read"), cause != NULL ? cause->message : _("unknown error"));
}

typedef enum { SS_LOOKUP, SS_STORE, SS_CLEAR, SS_CONNECT } SsOp;

/* Set once the Secret Service let a call run out of time: later calls fail at once rather
 * than wait again, so a command that tries several stays within one deadline. */
static gboolean ss_unresponsive;

/* One Secret Service call with a deadline. For SS_LOOKUP *value receives the secret. */
static gboolean
ss_call(SsOp op, const char *key, const char *label, const char *value_in, char **value_out,
        GError **error)
{
  if (ss_unresponsive) {
    store_error(error, FALSE, NULL);
    return FALSE;
  }
  GMainContext *ctx = g_main_context_new();
  g_main_context_push_thread_default(ctx);
  GCancellable *cancel = g_cancellable_new();
  Waiter w = { NULL };
  switch (op) {
  case SS_LOOKUP:
    secret_password_lookup(&credentials_schema, cancel, on_done, &w, "host", key, NULL);
    break;
  case SS_STORE:
    secret_password_store(&credentials_schema, SECRET_COLLECTION_DEFAULT, label, value_in,
                          cancel, on_done, &w, "host", key, NULL);
    break;
  case SS_CLEAR:
    secret_password_clear(&credentials_schema, cancel, on_done, &w, "host", key, NULL);
    break;
  case SS_CONNECT:
    secret_service_get(SECRET_SERVICE_OPEN_SESSION, cancel, on_done, &w);
    break;
  }
  gboolean in_time = wait_for(ctx, &w, cancel);
  g_autoptr(GError) local = NULL;
  gboolean ok = FALSE;
  switch (op) {
  case SS_LOOKUP: {
    char *v = secret_password_lookup_finish(w.result, &local);
    ok = local == NULL;
    if (value_out != NULL)
      *value_out = v;
    else
      secret_password_free(v);
    break;
  }
  case SS_STORE:
    ok = secret_password_store_finish(w.result, &local);
    break;
  case SS_CLEAR:
    secret_password_clear_finish(w.result, &local);
    ok = local == NULL;
    break;
  case SS_CONNECT: {
    SecretService *svc = secret_service_get_finish(w.result, &local);
    ok = svc != NULL;
    if (svc != NULL)
      g_object_unref(svc);
    break;
  }
  }
  g_object_unref(w.result);
  g_object_unref(cancel);
  /* Let libsecret finish what it scheduled on this context before we drop it. */
  while (g_main_context_iteration(ctx, FALSE))
    ;
  g_main_context_pop_thread_default(ctx);
  g_main_context_unref(ctx);
  ss_unresponsive = !in_time;
  if (!ok || !in_time) {
    if (value_out != NULL && *value_out != NULL)
      g_clear_pointer(value_out, secret_password_free);
    store_error(error, in_time, local);
    return FALSE;
  }
  return TRUE;
}

/*
 * Whether an item of ours for key exists but sits in a locked collection: a lookup then finds
 * nothing once the unlock prompt fails or is dismissed, which is not "nothing stored".
 */
static gboolean
ss_item_locked(const char *key)
{
  GMainContext *ctx = g_main_context_new();
  g_main_context_push_thread_default(ctx);
  GCancellable *cancel = g_cancellable_new();
  Waiter w = { NULL };
  GHashTable *attrs = secret_attributes_build(&credentials_schema, "host", key, NULL);
  secret_service_search(NULL, &credentials_schema, attrs, SECRET_SEARCH_ALL, cancel, on_done,
                        &w);
  ss_unresponsive = !wait_for(ctx, &w, cancel);
  GList *items = secret_service_search_finish(NULL, w.result, NULL);
  gboolean locked = FALSE;
  for (GList *l = items; l != NULL; l = l->next)
    locked = locked || secret_item_get_locked(l->data);
  g_list_free_full(items, g_object_unref);
  g_hash_table_unref(attrs);
  g_object_unref(w.result);
  g_object_unref(cancel);
  while (g_main_context_iteration(ctx, FALSE))
    ;
  g_main_context_pop_thread_default(ctx);
  g_main_context_unref(ctx);
  return locked;
}

static void
set_locked_error(GError **error, const char *key)
{
  g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
              _("the keyring that holds the token for '%s' is locked and could not be unlocked "
                "here: unlock it (log in to the desktop session, or open your keyring manager) "
                "and try again"), key);
}

gboolean
bkt_secret_service_check(GError **error)
{
  return ss_call(SS_CONNECT, NULL, NULL, NULL, NULL, error);
}

/* ---- the two back ends behind one face ---- */

static gboolean
uses_file(const BktHostEntry *entry)
{
  return g_strcmp0(entry->storage, BKT_STORAGE_FILE) == 0;
}

gboolean
bkt_secrets_load(const BktHostEntry *entry, BktSecrets *out, GError **error)
{
  memset(out, 0, sizeof *out);
  cJSON *json = NULL;
  if (uses_file(entry)) {
    g_autofree char *path = NULL;
    cJSON *all = file_load(&path, error);
    if (all == NULL)
      return FALSE;
    cJSON *mine = cJSON_GetObjectItemCaseSensitive(all, entry->key);
    if (cJSON_IsObject(mine))
      secrets_from_json(mine, out);
    bkt_json_wipe_delete(all);
  } else {
    char *value = NULL;
    if (!ss_call(SS_LOOKUP, entry->key, NULL, NULL, &value, error))
      return FALSE;
    if (value == NULL && ss_item_locked(entry->key)) {
      set_locked_error(error, entry->key);
      return FALSE;
    }
    if (value != NULL) {
      json = cJSON_Parse(value);
      secret_password_free(value);
      if (cJSON_IsObject(json))
        secrets_from_json(json, out);
      bkt_json_wipe_delete(json);
    }
  }
  if (out->access_token == NULL) {
    bkt_secrets_clear(out);
    g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                _("no token is stored for '%s': run 'bkt-auth login %s'"), entry->key,
                entry->key);
    return FALSE;
  }
  return TRUE;
}

gboolean
bkt_secrets_save(const BktHostEntry *entry, const BktSecrets *secrets, GError **error)
{
  if (uses_file(entry)) {
    g_autofree char *path = NULL;
    cJSON *all = file_load(&path, error);
    if (all == NULL)
      return FALSE;
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(all, entry->key);
    bkt_json_wipe_delete(old);
    cJSON_AddItemToObject(all, entry->key, secrets_to_json(secrets));
    gboolean ok = file_save(path, all, error);
    bkt_json_wipe_delete(all);
    return ok;
  }
  cJSON *json = secrets_to_json(secrets);
  char *value = json_print_secret(json);
  bkt_json_wipe_delete(json);
  g_autofree char *label = g_strdup_printf("bkt-auth: %s", entry->key);
  gboolean ok = ss_call(SS_STORE, entry->key, label, value, NULL, error);
  bkt_secret_free(value);
  return ok;
}

gboolean
bkt_secrets_delete(const BktHostEntry *entry, GError **error)
{
  if (uses_file(entry)) {
    g_autofree char *path = NULL;
    cJSON *all = file_load(&path, error);
    if (all == NULL)
      return FALSE;
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(all, entry->key);
    gboolean ok = TRUE;
    if (old != NULL) {
      bkt_json_wipe_delete(old);
      ok = file_save(path, all, error);
    }
    bkt_json_wipe_delete(all);
    return ok;
  }
  if (!ss_call(SS_CLEAR, entry->key, NULL, NULL, NULL, error))
    return FALSE;
  /* A locked item survives the clear without an error: never claim it is gone. */
  if (ss_item_locked(entry->key)) {
    set_locked_error(error, entry->key);
    return FALSE;
  }
  return TRUE;
}

void
bkt_secrets_delete_elsewhere(const BktHostEntry *entry)
{
  BktHostEntry other = *entry;
  other.storage = (char *)(uses_file(entry) ? BKT_STORAGE_SECRET_SERVICE : BKT_STORAGE_FILE);
  /* Only ask the Secret Service when it is there: never wait on an absent one. */
  if (!uses_file(&other) || g_getenv("DBUS_SESSION_BUS_ADDRESS") != NULL)
    bkt_secrets_delete(&other, NULL);
}

char *
bkt_storage_describe(const char *storage)
{
  if (g_strcmp0(storage, BKT_STORAGE_FILE) == 0) {
    g_autofree char *path = config_path(SECRETS_FILE, NULL);
    return g_strdup_printf(_("the file %s (readable only by you, by --insecure-storage)"),
                           path != NULL ? path : SECRETS_FILE);
  }
  return g_strdup(_("the Secret Service (your desktop keyring)"));
}

int
bkt_store_lock(GError **error)
{
  g_autofree char *path = config_path(LOCK_FILE, error);
  if (path == NULL)
    return -1;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot open the lock file '%s': %s"),
                path, g_strerror(e));
    return -1;
  }
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      int e = errno;
      close(fd);
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot lock '%s': %s"), path,
                  g_strerror(e));
      return -1;
    }
  }
  return fd;
}

void
bkt_store_unlock(int fd)
{
  if (fd >= 0)
    close(fd);
}
