/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "hosts.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stddef.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "files.h"


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

/* ---- the fields, once ---- */

typedef enum {
  F_STRING,   /* char *, omitted when NULL */
  F_KIND,     /* BktKind as "cloud" / "dc" */
  F_AUTH,     /* BktAuth as "oauth" / "token" */
  F_STORAGE,  /* char *, the name of a backend */
  F_TIME,     /* gint64 unix seconds, omitted when 0 */
} FieldType;

/* Where a field lives in version 2: with the host, or with each of its accounts. Version 1
 * kept every field of its one login in one object, with the host's name as "host". */
typedef enum { AT_HOST, AT_ACCOUNT } Level;

typedef struct {
  const char *name;
  FieldType type;
  size_t offset;
  Level level;
  gboolean in_v1;
} Field;

#define FIELD(name, member, type, level, in_v1) \
  { name, type, offsetof(BktHostEntry, member), level, in_v1 }

static const Field fields[] = {
  FIELD("kind", kind, F_KIND, AT_HOST, TRUE),
  FIELD("base_url", base_url, F_STRING, AT_HOST, TRUE),
  FIELD("username", username, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("display_name", display_name, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("auth", auth, F_AUTH, AT_ACCOUNT, TRUE),
  FIELD("login", login, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("client_id", client_id, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("redirect_uri", redirect_uri, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("scopes", scopes, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("storage", storage, F_STORAGE, AT_ACCOUNT, TRUE),
  FIELD("ca_file", ca_file, F_STRING, AT_ACCOUNT, TRUE),
  FIELD("expires_at", expires_at, F_TIME, AT_ACCOUNT, TRUE),
  FIELD("last_used", last_used, F_TIME, AT_ACCOUNT, FALSE),
};

/* Strings the table does not list but an entry owns. */
#define OWNED_STRINGS(e) (&(e)->key), (&(e)->account)

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
  e->active = TRUE;
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
  char **owned[] = { OWNED_STRINGS(e) };
  for (size_t i = 0; i < G_N_ELEMENTS(owned); i++)
    g_free(*owned[i]);
  g_free(e);
}

BktHostEntry *
bkt_host_entry_copy(const BktHostEntry *e)
{
  BktHostEntry *c = g_memdup2(e, sizeof *e);
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (is_string_field(&fields[i]))
      *AT(c, &fields[i], char *) = g_strdup(*AT(e, &fields[i], char *));
  c->key = g_strdup(e->key);
  c->account = g_strdup(e->account);
  return c;
}

gboolean
bkt_host_entry_same(const BktHostEntry *a, const BktHostEntry *b)
{
  return g_strcmp0(a->key, b->key) == 0 && g_strcmp0(a->account, b->account) == 0;
}

gboolean
bkt_host_entry_same_person(const BktHostEntry *stored, const BktHostEntry *e)
{
  if (bkt_host_entry_same(stored, e))
    return TRUE;
  return g_strcmp0(stored->key, e->key) == 0 && stored->username != NULL &&
         g_strcmp0(stored->account, stored->username) == 0 &&
         g_strcmp0(stored->username, e->username) == 0;
}

gboolean
bkt_host_entry_equal(const BktHostEntry *a, const BktHostEntry *b)
{
  if (!bkt_host_entry_same(a, b) || a->active != b->active || a->legacy != b->legacy)
    return FALSE;
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

/* ---- reading ---- */

static const Field *
field_named(const char *name, Level level, int version)
{
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    if (strcmp(fields[i].name, name) == 0 &&
        (version == 1 ? fields[i].in_v1 : fields[i].level == level))
      return &fields[i];
  return NULL;
}

/* One member into e; FALSE when it cannot be read. */
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
    if (f->type == F_STORAGE && bkt_backend_get(s) == NULL)
      return FALSE;
    g_free(*AT(e, f, char *));
    *AT(e, f, char *) = g_strdup(s);
    return TRUE;
  case F_TIME:
    break;
  }
  return FALSE;
}

/* The members of obj into e, at one level; extra names a member that is no field (or NULL).
 * FALSE on a member it does not know or cannot read. */
static gboolean
take_fields(BktHostEntry *e, const cJSON *obj, Level level, int version, const char *extra)
{
  for (const cJSON *m = obj->child; m != NULL; m = m->next) {
    if (m->string == NULL)
      return FALSE;
    if (extra != NULL && strcmp(m->string, extra) == 0)
      continue;
    const Field *f = field_named(m->string, level, version);
    if (f == NULL || !take_field(e, f, m))
      return FALSE;
  }
  return TRUE;
}

/* Version 1: an array of one login per host, its name as "host". */
static gboolean
parse_v1(const cJSON *list, GPtrArray *out)
{
  if (list != NULL && !cJSON_IsArray(list))
    return FALSE;
  const cJSON *item;
  cJSON_ArrayForEach(item, list) {
    g_autoptr(BktHostEntry) e = bkt_host_entry_new();
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(item, "host");
    if (!cJSON_IsObject(item) || !cJSON_IsString(host) || *host->valuestring == '\0' ||
        !take_fields(e, item, AT_ACCOUNT, 1, "host") ||
        e->kind == BKT_KIND_UNKNOWN || bkt_hosts_active(out, host->valuestring) != NULL)
      return FALSE;
    e->key = g_strdup(host->valuestring);
    /* Known by its user name until the server says more at the next login. */
    e->account = g_strdup(e->username != NULL ? e->username : "?");
    e->legacy = TRUE;
    g_ptr_array_add(out, g_steal_pointer(&e));
  }
  return TRUE;
}

/* Version 2: an object of hosts, each with its accounts and the active one. */
static gboolean
parse_v2(const cJSON *hosts, GPtrArray *out)
{
  if (!cJSON_IsObject(hosts))
    return FALSE;
  /* A name twice (cJSON keeps both) is damage: a host among the hosts, an account among its
   * host's accounts. */
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (const cJSON *h = hosts->child; h != NULL; h = h->next) {
    guint first = out->len;
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(h, "accounts");
    const cJSON *active = cJSON_GetObjectItemCaseSensitive(h, "active");
    g_autoptr(BktHostEntry) host = bkt_host_entry_new();
    if (!cJSON_IsObject(h) || h->string == NULL || *h->string == '\0' ||
        !g_hash_table_add(seen, h->string) || !cJSON_IsObject(accounts) ||
        accounts->child == NULL || !cJSON_IsString(active))
      return FALSE;
    for (const cJSON *m = h->child; m != NULL; m = m->next) {
      if (m == accounts || m == active)
        continue;
      const Field *f = m->string != NULL ? field_named(m->string, AT_HOST, 2) : NULL;
      if (f == NULL || !take_field(host, f, m))
        return FALSE;
    }
    if (host->kind == BKT_KIND_UNKNOWN ||
        cJSON_GetObjectItemCaseSensitive(accounts, active->valuestring) == NULL)
      return FALSE;
    for (const cJSON *a = accounts->child; a != NULL; a = a->next) {
      g_autoptr(BktHostEntry) e = bkt_host_entry_copy(host);
      gboolean again = a->string == NULL;
      for (guint i = first; i < out->len && !again; i++)
        again = strcmp(((BktHostEntry *)g_ptr_array_index(out, i))->account, a->string) == 0;
      if (!cJSON_IsObject(a) || a->string == NULL || *a->string == '\0' || again ||
          !take_fields(e, a, AT_ACCOUNT, 2, NULL))
        return FALSE;
      e->key = g_strdup(h->string);
      e->account = g_strdup(a->string);
      e->active = strcmp(a->string, active->valuestring) == 0;
      g_ptr_array_add(out, g_steal_pointer(&e));
    }
  }
  return TRUE;
}

gboolean
bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, int *version_out,
                GError **error)
{
  /* cJSON takes a NUL for white space: a file with one is damaged, not shorter. */
  cJSON *json = memchr(text, '\0', len) == NULL ? cJSON_ParseWithLength(text, len) : NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, "version");
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "hosts");
  /* A whole number from 1 on, within reach of an int before it is made one. */
  double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
  int version = v == NULL ? 1 : d >= 1 && d <= G_MAXINT16 ? (int)d : 0;
  gboolean ok = cJSON_IsObject(json) && version >= 1 && (v == NULL || d == version);
  /* A newer format may hold anything; this one holds these two alone. */
  for (const cJSON *m = ok && version <= BKT_HOSTS_VERSION ? json->child : NULL; m; m = m->next)
    ok = ok && (g_strcmp0(m->string, "version") == 0 || g_strcmp0(m->string, "hosts") == 0);
  if (version_out != NULL)
    *version_out = ok ? version : 0;
  if (ok && version > BKT_HOSTS_VERSION) {
    cJSON_Delete(json);
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("the list of hosts was written by a newer bkt-auth (format %d; this one "
                  "reads up to %d): upgrade bkt-auth"), version, BKT_HOSTS_VERSION);
    return FALSE;
  }
  g_autoptr(GPtrArray) taken = bkt_hosts_new();
  ok = ok && (version == 1 ? parse_v1(list, taken) : list == NULL || parse_v2(list, taken));
  cJSON_Delete(json);
  if (!ok) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE, _("the list of hosts is damaged"));
    return FALSE;
  }
  g_ptr_array_extend_and_steal(hosts, g_steal_pointer(&taken));
  return TRUE;
}

/* ---- writing ---- */

static void
add_fields(cJSON *o, const BktHostEntry *e, Level level)
{
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
    const Field *f = &fields[i];
    if (f->level != level)
      continue;
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
}

char *
bkt_hosts_print(GPtrArray *hosts)
{
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "version", BKT_HOSTS_VERSION);
  cJSON *by_host = cJSON_AddObjectToObject(root, "hosts");
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(hosts);
  for (guint k = 0; k < keys->len; k++) {
    const char *key = g_ptr_array_index(keys, k);
    BktHostEntry *active = bkt_hosts_active(hosts, key);
    cJSON *h = cJSON_AddObjectToObject(by_host, key);
    add_fields(h, active, AT_HOST);
    cJSON_AddStringToObject(h, "active", active->account);
    cJSON *accounts = cJSON_AddObjectToObject(h, "accounts");
    for (guint i = 0; i < hosts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (strcmp(e->key, key) == 0)
        add_fields(cJSON_AddObjectToObject(accounts, e->account), e, AT_ACCOUNT);
    }
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  char *with_nl = g_strconcat(text, "\n", NULL);
  cJSON_free(text);
  return with_nl;
}

/* ---- finding and changing ---- */

GPtrArray *
bkt_hosts_keys(GPtrArray *hosts)
{
  GPtrArray *keys = g_ptr_array_new();
  for (guint i = 0; i < hosts->len; i++) {
    const char *key = ((BktHostEntry *)g_ptr_array_index(hosts, i))->key;
    gboolean seen = FALSE;
    for (guint k = 0; k < keys->len && !seen; k++)
      seen = strcmp(g_ptr_array_index(keys, k), key) == 0;
    if (!seen)
      g_ptr_array_add(keys, (gpointer)key);
  }
  return keys;
}

guint
bkt_hosts_count(GPtrArray *hosts, const char *key)
{
  guint n = 0;
  for (guint i = 0; key != NULL && i < hosts->len; i++)
    n += strcmp(((BktHostEntry *)g_ptr_array_index(hosts, i))->key, key) == 0;
  return n;
}

BktHostEntry *
bkt_hosts_active(GPtrArray *hosts, const char *key)
{
  BktHostEntry *any = NULL;
  for (guint i = 0; key != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) != 0)
      continue;
    if (e->active)
      return e;
    if (any == NULL)
      any = e;
  }
  return any;
}

BktHostEntry *
bkt_hosts_find(GPtrArray *hosts, const char *key, const char *account)
{
  for (guint i = 0; key != NULL && account != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0 && strcmp(e->account, account) == 0)
      return e;
  }
  return NULL;
}

BktHostEntry *
bkt_hosts_find_user(GPtrArray *hosts, const char *key, const char *user)
{
  BktHostEntry *by_account = bkt_hosts_find(hosts, key, user);
  if (by_account != NULL)
    return by_account;
  for (guint i = 0; key != NULL && user != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0 && g_strcmp0(e->username, user) == 0)
      return e;
  }
  return NULL;
}

BktHostEntry *
bkt_hosts_find_same(GPtrArray *hosts, const BktHostEntry *e)
{
  BktHostEntry *person = NULL;
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *o = g_ptr_array_index(hosts, i);
    if (bkt_host_entry_same(o, e))
      return o;
    if (person == NULL && bkt_host_entry_same_person(o, e))
      person = o;
  }
  return person;
}

const char *
bkt_hosts_last_used(GPtrArray *hosts)
{
  const BktHostEntry *last = NULL;
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (e->last_used > 0 && (last == NULL || e->last_used > last->last_used))
      last = e;
  }
  return last != NULL ? last->key : NULL;
}

/* Mark entry the one used last: now, or a second after the newest other, so that two logins
 * within one second keep their order. */
static void
touch(GPtrArray *hosts, BktHostEntry *entry)
{
  gint64 stamp = MAX(entry->last_used, g_get_real_time() / G_USEC_PER_SEC);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (e != entry && e->last_used >= stamp)
      stamp = e->last_used + 1;
  }
  entry->last_used = stamp;
}

void
bkt_hosts_set_active(GPtrArray *hosts, BktHostEntry *entry)
{
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, entry->key) == 0)
      e->active = e == entry;
  }
  touch(hosts, entry);
}

void
bkt_hosts_put(GPtrArray *hosts, BktHostEntry *entry)
{
  BktHostEntry *old = bkt_hosts_find_same(hosts, entry);
  if (old != NULL)
    g_ptr_array_remove(hosts, old);
  if (entry->active) {
    for (guint i = 0; i < hosts->len; i++) {
      BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (strcmp(e->key, entry->key) == 0)
        e->active = FALSE;
    }
    touch(hosts, entry);
  }
  g_ptr_array_add(hosts, entry);
}

gboolean
bkt_hosts_remove(GPtrArray *hosts, const char *key, const char *account)
{
  BktHostEntry *e = bkt_hosts_find(hosts, key, account);
  if (e == NULL)
    return FALSE;
  gboolean was_active = e->active;
  /* key may be the removed entry's own: keep it past the removal. */
  g_autofree char *host = g_strdup(key);
  g_ptr_array_remove(hosts, e);
  if (!was_active)
    return TRUE;
  BktHostEntry *next = NULL;
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *o = g_ptr_array_index(hosts, i);
    if (strcmp(o->key, host) == 0 && (next == NULL || o->last_used > next->last_used))
      next = o;
  }
  if (next != NULL)
    next->active = TRUE;
  return TRUE;
}
