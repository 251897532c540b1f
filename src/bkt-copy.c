/* SPDX-License-Identifier: MIT */
/* Keeping bkt's copy of a login: the record of what setup-bkt wrote, refresh, follow, remove. */
#include "config.h"

#include "bkt-copy.h"

#include <glib/gi18n.h>
#include <string.h>

#include "access.h"
#include "bkt-args.h"
#include "bkt-config.h"
#include "bkt-copy-private.h"
#include "bkt-keyring.h"
#include "error.h"
#include "files.h"
#include "json.h"
#include "store.h"
#include "timefmt.h"

#define RECORD_VERSION 1

/* ---- the record ---- */

cJSON *
bkt_copy_record_load(GError **error)
{
  g_autofree char *path = bkt_config_path(BKT_COPY_FILE, error);
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return NULL;
  cJSON *root = text != NULL ? cJSON_ParseWithLength(text, len) : cJSON_CreateObject();
  cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (text != NULL && (!cJSON_IsObject(root) || !cJSON_IsNumber(version) ||
                       version->valuedouble != RECORD_VERSION)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("'%s' is damaged or from a newer bkt-auth: move it aside, then run "
                  "'bkt-auth setup-bkt' again"), path);
    cJSON_Delete(root);
    return NULL;
  }
  if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "copies"))) {
    cJSON_DeleteItemFromObjectCaseSensitive(root, "copies");
    cJSON_AddObjectToObject(root, "copies");
  }
  if (version == NULL)
    cJSON_AddNumberToObject(root, "version", RECORD_VERSION);
  return root;
}

gboolean
bkt_copy_record_save(cJSON *record, GError **error)
{
  g_autofree char *path = bkt_config_path(BKT_COPY_FILE, error);
  if (path == NULL)
    return FALSE;
  g_autofree char *text = cJSON_Print(record);
  return bkt_file_write(path, text, strlen(text), error);
}

cJSON *
bkt_copy_record_get(cJSON *record, const char *key)
{
  cJSON *rec = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(record, "copies"), key);
  return cJSON_IsObject(rec) && bkt_json_string(rec, "bkt_host") != NULL ? rec : NULL;
}

cJSON *
bkt_copy_record_put(cJSON *record, const char *key)
{
  cJSON *copies = cJSON_GetObjectItemCaseSensitive(record, "copies");
  cJSON_DeleteItemFromObjectCaseSensitive(copies, key);
  return cJSON_AddObjectToObject(copies, key);
}

void
bkt_copy_set_string(cJSON *rec, const char *name, const char *value)
{
  cJSON_DeleteItemFromObjectCaseSensitive(rec, name);
  if (value != NULL)
    cJSON_AddStringToObject(rec, name, value);
}

static void
set_number(cJSON *rec, const char *name, gint64 value)
{
  cJSON_DeleteItemFromObjectCaseSensitive(rec, name);
  cJSON_AddNumberToObject(rec, name, (double)value);
}

/* bkt's host entry names the account whose token it now holds (when it is still the entry
 * setup-bkt wrote). Best effort: the token is what makes bkt work. */
static void
reconfigure(cJSON *rec, const BktHostEntry *e)
{
  const char *path = bkt_json_string(rec, "config"), *key = bkt_json_string(rec, "bkt_host");
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, NULL) || text == NULL)
    return;
  g_autoptr(BktBktConfig) config = bkt_bkt_config_parse(text, len, path, NULL);
  if (config == NULL)
    return;
  g_autofree char *base = bkt_bkt_config_host_field(config, key, "base_url");
  g_autofree char *method = bkt_bkt_config_host_field(config, key, "auth_method");
  if (g_strcmp0(base, bkt_json_string(rec, "base_url")) != 0 ||
      g_strcmp0(method, bkt_json_string(rec, "auth_method")) != 0)
    return;
  BktBktHost host = {
    .kind = bkt_kind_to_string(e->kind),
    .base_url = base,
    .username = bkt_bkt_username(e),
    .auth_method = bkt_bkt_auth_method(e),
  };
  bkt_bkt_config_set_host(config, key, &host);
  if (bkt_bkt_config_save(config, NULL))
    bkt_copy_set_string(rec, "auth_method", host.auth_method);
}

BktBktCopy
bkt_copy_write(cJSON *rec, const BktHostEntry *e, const BktSecret *token, gint64 expires_at,
               gboolean may_prompt, GError **error)
{
  const char *problem = NULL;
  BktBktCopy done = BKT_BKT_COPY_WRITTEN;
  switch (bkt_bkt_keyring_store(bkt_json_string(rec, "bkt_host"), token, may_prompt, error)) {
  case BKT_BKT_KEYRING_DONE:
    if (g_strcmp0(bkt_json_string(rec, "account"), e->account) != 0)
      reconfigure(rec, e);
    bkt_copy_set_string(rec, "account", e->account);
    set_number(rec, "expires_at", expires_at);
    break;
  case BKT_BKT_KEYRING_LOCKED:
    problem = BKT_COPY_LOCKED;
    done = BKT_BKT_COPY_LOCKED;
    break;
  case BKT_BKT_KEYRING_MISSING:
    problem = BKT_COPY_MISSING;
    done = BKT_BKT_COPY_MISSING;
    break;
  case BKT_BKT_KEYRING_FAILED:
    problem = BKT_COPY_FAILED;
    done = BKT_BKT_COPY_FAILED;
    break;
  }
  bkt_copy_set_string(rec, "problem", problem);
  return done;
}

GPtrArray *
bkt_bkt_copies(void)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
  cJSON *record = bkt_copy_record_load(NULL);
  cJSON *rec;
  cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(record, "copies"))
    if (bkt_copy_record_get(record, rec->string) != NULL)
      g_ptr_array_add(keys, g_strdup(rec->string));
  cJSON_Delete(record);
  return keys;
}

/* ---- after a refresh ---- */

void
bkt_bkt_copy_refreshed(const BktHostEntry *entry, const BktSecret *token, gint64 expires_at)
{
  if (!entry->active)
    return;
  cJSON *record = bkt_copy_record_load(NULL);
  cJSON *rec = bkt_copy_record_get(record, entry->key);
  if (rec != NULL) {
    /* Never a prompt here: a locked keyring is left as it is, and status says so. */
    bkt_copy_write(rec, entry, token, expires_at, FALSE, NULL);
    bkt_copy_record_save(record, NULL);
  }
  cJSON_Delete(record);
}

/* ---- following the active account, and removing ---- */

/* Take out of bkt's config.yml what setup-bkt put there, if it is still as written. */
static gboolean
unconfigure(const cJSON *rec, GError **error)
{
  const char *path = bkt_json_string(rec, "config"), *key = bkt_json_string(rec, "bkt_host");
  const char *context = bkt_json_string(rec, "context");
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return path == NULL;
  if (text == NULL)
    return TRUE;
  g_autoptr(BktBktConfig) config = bkt_bkt_config_parse(text, len, path, error);
  if (config == NULL)
    return FALSE;
  g_autofree char *base = bkt_bkt_config_host_field(config, key, "base_url");
  g_autofree char *method = bkt_bkt_config_host_field(config, key, "auth_method");
  gboolean changed = FALSE;
  if (g_strcmp0(base, bkt_json_string(rec, "base_url")) == 0 &&
      g_strcmp0(method, bkt_json_string(rec, "auth_method")) == 0)
    changed = bkt_bkt_config_remove_host(config, key);
  g_autofree char *ctx_host = context != NULL ? bkt_bkt_config_context_host(config, context)
                                              : NULL;
  if (ctx_host != NULL && strcmp(ctx_host, key) == 0) {
    g_autofree char *active = bkt_bkt_config_active(config);
    bkt_bkt_config_remove_context(config, context);
    if (g_strcmp0(active, context) == 0)
      bkt_bkt_config_set_active(config, NULL);
    changed = TRUE;
  }
  return !changed || bkt_bkt_config_save(config, error);
}

/* The host has no account left: bkt's copy, its host entry and its context go. The record
 * stays while the keyring item cannot be removed, so that a later run tries again. */
static BktBktCopy
remove_copy(cJSON *record, cJSON *rec, const char *key, GError **error)
{
  g_autoptr(GError) config_error = NULL;
  unconfigure(rec, &config_error);
  BktBktCopy done = BKT_BKT_COPY_REMOVED;
  switch (bkt_bkt_keyring_remove(bkt_json_string(rec, "bkt_host"), error)) {
  case BKT_BKT_KEYRING_DONE:
  case BKT_BKT_KEYRING_MISSING:
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(record, "copies"),
                                            key);
    break;
  case BKT_BKT_KEYRING_LOCKED:
    bkt_copy_set_string(rec, "problem", BKT_COPY_LOCKED);
    done = BKT_BKT_COPY_LOCKED;
    break;
  case BKT_BKT_KEYRING_FAILED:
    done = BKT_BKT_COPY_FAILED;
    break;
  }
  if (done == BKT_BKT_COPY_REMOVED && config_error != NULL) {
    g_propagate_error(error, g_steal_pointer(&config_error));
    done = BKT_BKT_COPY_FAILED;
  }
  return done;
}

/* Under the lock. */
static BktBktCopy
follow(const char *key, GError **error)
{
  cJSON *record = bkt_copy_record_load(error);
  cJSON *rec = record != NULL ? bkt_copy_record_get(record, key) : NULL;
  if (rec == NULL) {
    cJSON_Delete(record);
    return record != NULL ? BKT_BKT_COPY_NONE : BKT_BKT_COPY_FAILED;
  }
  BktBktCopy done = BKT_BKT_COPY_FAILED;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  const BktHostEntry *e = hosts != NULL ? bkt_hosts_active(hosts, key) : NULL;
  BktSecrets s = { 0 };
  if (hosts != NULL && e == NULL) {
    done = remove_copy(record, rec, key, error);
  } else if (e != NULL && bkt_secrets_load(e, &s, error)) {
    gboolean current = g_strcmp0(bkt_json_string(rec, "account"), e->account) == 0 &&
                       bkt_json_int(rec, "expires_at") == s.expires_at &&
                       bkt_json_string(rec, "problem") == NULL;
    done = current ? BKT_BKT_COPY_CURRENT
                   : bkt_copy_write(rec, e, s.access_token, s.expires_at, FALSE, error);
    bkt_secrets_clear(&s);
  }
  g_autoptr(GError) ignored = NULL;
  if (done != BKT_BKT_COPY_CURRENT)
    bkt_copy_record_save(record, done == BKT_BKT_COPY_FAILED ? &ignored : error);
  cJSON_Delete(record);
  return done;
}

BktBktCopy
bkt_bkt_copy_follow(const char *key, GError **error)
{
  /* Most hosts have no copy: they need not wait for the lock to learn it. */
  cJSON *record = bkt_copy_record_load(NULL);
  gboolean none = record != NULL && bkt_copy_record_get(record, key) == NULL;
  cJSON_Delete(record);
  if (none)
    return BKT_BKT_COPY_NONE;
  g_autoptr(BktLock) lock = bkt_lock_take(error);
  if (lock == NULL)
    return BKT_BKT_COPY_FAILED;
  return follow(key, error);
}

BktBktCopy
bkt_bkt_copy_keep_fresh(const char *key, gint64 margin, GError **error)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  if (hosts == NULL)
    return BKT_BKT_COPY_FAILED;
  const BktHostEntry *e = bkt_hosts_active(hosts, key);
  BktSecrets s;
  gboolean refreshed = FALSE;
  if (e != NULL && bkt_secrets_load(e, &s, NULL)) {
    gboolean due = bkt_secrets_refreshable(e, &s) && s.expires_at - bkt_now() < margin;
    bkt_secrets_clear(&s);
    g_autoptr(BktSecret) token = NULL;
    /* A refresh rewrites bkt's copy itself (bkt_bkt_copy_refreshed). */
    if (due && !bkt_access_token(key, e->account, TRUE, &token, NULL, error))
      return BKT_BKT_COPY_FAILED;
    refreshed = due;
  }
  BktBktCopy done = bkt_bkt_copy_follow(key, error);
  return done == BKT_BKT_COPY_CURRENT && refreshed ? BKT_BKT_COPY_WRITTEN : done;
}

/* ---- for status ---- */

void
bkt_bkt_copy_state_clear(BktBktCopyState *state)
{
  g_clear_pointer(&state->bkt_key, g_free);
  g_clear_pointer(&state->problem, g_free);
}

gboolean
bkt_bkt_copy_state(const BktHostEntry *entry, BktBktCopyState *state)
{
  memset(state, 0, sizeof *state);
  cJSON *record = bkt_copy_record_load(NULL);
  cJSON *rec = bkt_copy_record_get(record, entry->key);
  gboolean mine = rec != NULL && g_strcmp0(bkt_json_string(rec, "account"), entry->account) == 0;
  if (mine) {
    const char *problem = bkt_json_string(rec, "problem");
    state->bkt_key = g_strdup(bkt_json_string(rec, "bkt_host"));
    state->expires_at = bkt_json_int(rec, "expires_at");
    if (g_strcmp0(problem, BKT_COPY_LOCKED) == 0)
      state->problem = g_strdup(_("bkt's keyring was locked when the token was refreshed, so "
                                  "bkt may hold an old token: unlock the keyring 'bkt', then "
                                  "run 'bkt-auth refresh --bkt'"));
    else if (g_strcmp0(problem, BKT_COPY_MISSING) == 0)
      state->problem = g_strdup(_("bkt's keyring (the collection 'bkt') is gone, so bkt "
                                  "holds no token: run 'bkt-auth setup-bkt' again"));
    else if (problem != NULL)
      state->problem = g_strdup(_("bkt's copy of the token could not be rewritten at the last "
                                  "refresh: run 'bkt-auth refresh --bkt'"));
    else if (state->expires_at > 0 && state->expires_at <= bkt_now())
      state->problem = g_strdup(_("the token bkt holds has expired: run 'bkt-auth refresh "
                                  "--bkt', and let setup-bkt enable the refresh timer"));
  }
  cJSON_Delete(record);
  return mine;
}
