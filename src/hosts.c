/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "hosts.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stddef.h>
#include <string.h>

#include "error.h"
#include "files.h"
#include "tame.h"

#define HOSTS_FILE "hosts.json"
#define HOSTS_VERSION 1

const char *
bkt_auth_to_string(BktAuth auth)
{
  return auth == BKT_AUTH_TOKEN ? "token" : "oauth";
}

static gboolean
auth_from_string(const char *s, int *out)
{
  if (g_strcmp0(s, "oauth") == 0)
    *out = BKT_AUTH_OAUTH;
  else if (g_strcmp0(s, "token") == 0)
    *out = BKT_AUTH_TOKEN;
  else
    return FALSE;
  return TRUE;
}

static gboolean
kind_from_string(const char *s, int *out)
{
  *out = bkt_kind_from_string(s);
  return *out != BKT_KIND_UNKNOWN && strcmp(s, bkt_kind_to_string(*out)) == 0;
}

static gboolean
storage_known(const char *s)
{
  return strcmp(s, BKT_STORAGE_SECRET_SERVICE) == 0 || strcmp(s, BKT_STORAGE_FILE) == 0;
}

/* ---- the fields, once ---- */

typedef enum {
  F_STRING,   /* char *, omitted when NULL */
  F_KIND,     /* BktKind as "cloud" / "dc" */
  F_AUTH,     /* BktAuth as "oauth" / "token" */
  F_STORAGE,  /* char *, one of BKT_STORAGE_* */
  F_TIME,     /* gint64 unix seconds, omitted when 0 */
} FieldType;

typedef struct {
  const char *name;   /* in hosts.json */
  FieldType type;
  size_t offset;
  gboolean required;
} Field;

#define FIELD(name, member, type, required) \
  { name, type, offsetof(BktHostEntry, member), required }

static const Field fields[] = {
  FIELD("host", key, F_STRING, TRUE),
  FIELD("kind", kind, F_KIND, TRUE),
  FIELD("base_url", base_url, F_STRING, FALSE),
  FIELD("username", username, F_STRING, FALSE),
  FIELD("display_name", display_name, F_STRING, FALSE),
  FIELD("auth", auth, F_AUTH, FALSE),
  FIELD("login", login, F_STRING, FALSE),
  FIELD("client_id", client_id, F_STRING, FALSE),
  FIELD("redirect_uri", redirect_uri, F_STRING, FALSE),
  FIELD("scopes", scopes, F_STRING, FALSE),
  FIELD("storage", storage, F_STORAGE, FALSE),
  FIELD("ca_file", ca_file, F_STRING, FALSE),
  FIELD("expires_at", expires_at, F_TIME, FALSE),
};

#define AT(entry, f, type) ((type *)((char *)(entry) + (f)->offset))

static gboolean
is_string_field(const Field *f)
{
  return f->type == F_STRING || f->type == F_STORAGE;
}

BktHostEntry *
bkt_host_entry_new(void)
{
  BktHostEntry *e = g_new0(BktHostEntry, 1);
  e->storage = g_strdup(BKT_STORAGE_SECRET_SERVICE);
  return e;
}

void
bkt_host_entry_free(BktHostEntry *e)
{
  if (e == NULL)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (is_string_field(&fields[i]))
      g_free(*AT(e, &fields[i], char *));
  g_free(e);
}

BktHostEntry *
bkt_host_entry_copy(const BktHostEntry *e)
{
  BktHostEntry *c = g_memdup2(e, sizeof *e);
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (is_string_field(&fields[i]))
      *AT(c, &fields[i], char *) = g_strdup(*AT(e, &fields[i], char *));
  return c;
}

gboolean
bkt_host_entry_equal(const BktHostEntry *a, const BktHostEntry *b)
{
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
    const Field *f = &fields[i];
    gboolean same = is_string_field(f) ? g_strcmp0(*AT(a, f, char *), *AT(b, f, char *)) == 0
                    : f->type == F_TIME ? *AT(a, f, gint64) == *AT(b, f, gint64)
                                        : *AT(a, f, int) == *AT(b, f, int);
    if (!same)
      return FALSE;
  }
  return TRUE;
}

GPtrArray *
bkt_hosts_new(void)
{
  return g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);
}

static const Field *
field_named(const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (strcmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

/* One member of an entry into e; FALSE when it cannot be read. */
static gboolean
take_field(BktHostEntry *e, const Field *f, const cJSON *item)
{
  if (f->type == F_TIME) {
    if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > 1e15)
      return FALSE;
    *AT(e, f, gint64) = (gint64)item->valuedouble;
    return TRUE;
  }
  if (!cJSON_IsString(item) || item->valuestring == NULL || *item->valuestring == '\0')
    return FALSE;
  const char *s = item->valuestring;
  switch (f->type) {
  case F_KIND:
    return kind_from_string(s, AT(e, f, int));
  case F_AUTH:
    return auth_from_string(s, AT(e, f, int));
  case F_STORAGE:
  case F_STRING:
    if (f->type == F_STORAGE && !storage_known(s))
      return FALSE;
    g_free(*AT(e, f, char *));
    *AT(e, f, char *) = g_strdup(s);
    return TRUE;
  case F_TIME:
    break;
  }
  return FALSE;
}

static BktHostEntry *
entry_from_json(const cJSON *item)
{
  if (!cJSON_IsObject(item))
    return NULL;
  g_autoptr(BktHostEntry) e = bkt_host_entry_new();
  guint seen = 0;
  for (const cJSON *m = item->child; m != NULL; m = m->next) {
    const Field *f = m->string != NULL ? field_named(m->string) : NULL;
    if (f == NULL || !take_field(e, f, m))
      return NULL;
    seen |= 1u << (f - fields);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (fields[i].required && (seen & (1u << i)) == 0)
      return NULL;
  return g_steal_pointer(&e);
}

static cJSON *
entry_to_json(const BktHostEntry *e)
{
  cJSON *o = cJSON_CreateObject();
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
    const Field *f = &fields[i];
    switch (f->type) {
    case F_STRING:
    case F_STORAGE:
      if (*AT(e, f, char *) != NULL)
        cJSON_AddStringToObject(o, f->name, *AT(e, f, char *));
      break;
    case F_KIND:
      cJSON_AddStringToObject(o, f->name, bkt_kind_to_string(*AT(e, f, int)));
      break;
    case F_AUTH:
      cJSON_AddStringToObject(o, f->name, bkt_auth_to_string(*AT(e, f, int)));
      break;
    case F_TIME:
      if (*AT(e, f, gint64) > 0)
        cJSON_AddNumberToObject(o, f->name, (double)*AT(e, f, gint64));
      break;
    }
  }
  return o;
}

static gboolean
damaged(GError **error)
{
  g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE, _("the list of hosts is damaged"));
  return FALSE;
}

gboolean
bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, GError **error)
{
  /* cJSON takes a NUL for white space: a file with one is damaged, not shorter. */
  cJSON *json = memchr(text, '\0', len) == NULL ? cJSON_ParseWithLength(text, len) : NULL;
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(json, "version");
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "hosts");
  gboolean ok = cJSON_IsObject(json) && (list == NULL || cJSON_IsArray(list)) &&
                (version == NULL || (cJSON_IsNumber(version) &&
                                     version->valuedouble == HOSTS_VERSION));
  for (const cJSON *m = ok ? json->child : NULL; m != NULL; m = m->next)
    ok = ok && (g_strcmp0(m->string, "version") == 0 || g_strcmp0(m->string, "hosts") == 0);
  g_autoptr(GPtrArray) taken = bkt_hosts_new();
  const cJSON *item;
  const cJSON *entries = ok ? list : NULL;
  cJSON_ArrayForEach(item, entries) {
    BktHostEntry *e = entry_from_json(item);
    if (e == NULL || bkt_hosts_find(taken, e->key) != NULL) {
      bkt_host_entry_free(e);
      ok = FALSE;
      break;
    }
    g_ptr_array_add(taken, e);
  }
  cJSON_Delete(json);
  if (!ok)
    return damaged(error);
  for (guint i = 0; i < taken->len; i++)
    g_ptr_array_add(hosts, bkt_host_entry_copy(g_ptr_array_index(taken, i)));
  return TRUE;
}

char *
bkt_hosts_print(GPtrArray *hosts)
{
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "version", HOSTS_VERSION);
  cJSON *list = cJSON_AddArrayToObject(root, "hosts");
  for (guint i = 0; i < hosts->len; i++)
    cJSON_AddItemToArray(list, entry_to_json(g_ptr_array_index(hosts, i)));
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  char *with_nl = g_strconcat(text, "\n", NULL);
  cJSON_free(text);
  return with_nl;
}

GPtrArray *
bkt_hosts_load(GError **error)
{
  g_autofree char *path = bkt_config_path(HOSTS_FILE, error);
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return NULL;
  GPtrArray *hosts = bkt_hosts_new();
  if (text != NULL && !bkt_hosts_parse(text, len, hosts, NULL)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("'%s' is damaged and cannot be read: move it aside and log in again"), path);
    g_ptr_array_unref(hosts);
    return NULL;
  }
  return hosts;
}

gboolean
bkt_hosts_save(GPtrArray *hosts, GError **error)
{
  g_autofree char *path = bkt_config_path(HOSTS_FILE, error);
  if (path == NULL)
    return FALSE;
  g_autofree char *text = bkt_hosts_print(hosts);
  return bkt_file_write(path, text, strlen(text), error);
}

BktHostEntry *
bkt_hosts_find(GPtrArray *hosts, const char *key)
{
  for (guint i = 0; key != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0)
      return e;
  }
  return NULL;
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
  BktHostEntry *e = bkt_hosts_find(hosts, key);
  if (e != NULL)
    return e;
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
