/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "store.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <string.h>

#include "async.h"
#include "backend.h"
#include "choose.h"
#include "error.h"
#include "files.h"
#include "json.h"
#include "store-private.h"
#include "tame.h"

const BktBackend *const bkt_backends[] = {
  &bkt_backend_secret_service,
  &bkt_backend_kernel_keyring,
  &bkt_backend_file,
  NULL,
};

const BktBackend *
bkt_backend_get(const char *storage)
{
  for (const BktBackend *const *b = bkt_backends; *b != NULL; b++)
    if (g_strcmp0((*b)->storage, storage) == 0)
      return *b;
  return NULL;
}

const BktBackend *
bkt_store_backend_of(const BktHostEntry *entry)
{
  const BktBackend *b = bkt_backend_get(entry->storage);
  return b != NULL ? b : &bkt_backend_secret_service;
}

static BktSecretKey
key_of(const BktHostEntry *entry)
{
  /* Version 1 kept a host's one login under the host alone, until the upgrade moves it. */
  return (BktSecretKey){ entry->key, entry->legacy ? NULL : entry->account };
}

/* ---- the secrets ---- */

void
bkt_secrets_clear(BktSecrets *s)
{
  bkt_secret_free(s->access_token);
  bkt_secret_free(s->refresh_token);
  bkt_secret_free(s->client_secret);
  memset(s, 0, sizeof *s);
}

void
bkt_secrets_copy(BktSecrets *dst, const BktSecrets *src)
{
  *dst = (BktSecrets){
    .access_token = bkt_secret_dup(src->access_token),
    .refresh_token = bkt_secret_dup(src->refresh_token),
    .client_secret = bkt_secret_dup(src->client_secret),
    .expires_at = src->expires_at,
    .issued_at = src->issued_at,
  };
}

gboolean
bkt_secrets_refreshable(const BktHostEntry *entry, const BktSecrets *secrets)
{
  return entry->auth == BKT_AUTH_OAUTH && !bkt_secret_empty(secrets->refresh_token);
}

static void
add_secret(cJSON *o, const char *name, const BktSecret *s)
{
  if (!bkt_secret_empty(s))
    cJSON_AddStringToObject(o, name, bkt_secret_str(s));
}

/* What a backend keeps: the secrets as JSON text. */
BktSecret *
bkt_store_secrets_to_value(const BktSecrets *s)
{
  cJSON *o = cJSON_CreateObject();
  add_secret(o, "access_token", s->access_token);
  add_secret(o, "refresh_token", s->refresh_token);
  add_secret(o, "client_secret", s->client_secret);
  if (s->expires_at > 0)
    cJSON_AddNumberToObject(o, "expires_at", (double)s->expires_at);
  if (s->issued_at > 0)
    cJSON_AddNumberToObject(o, "issued_at", (double)s->issued_at);
  BktSecret *value = bkt_json_print_secret(o, FALSE);
  bkt_json_wipe_delete(o);
  return value;
}

/* FALSE when the value holds no access token. */
gboolean
bkt_store_secrets_from_value(const BktSecret *value, BktSecrets *out)
{
  memset(out, 0, sizeof *out);
  cJSON *o = bkt_json_parse_secret(value);
  out->access_token = bkt_secret_new_from(bkt_json_string(o, "access_token"));
  out->refresh_token = bkt_secret_new_from(bkt_json_string(o, "refresh_token"));
  out->client_secret = bkt_secret_new_from(bkt_json_string(o, "client_secret"));
  out->expires_at = bkt_json_int(o, "expires_at");
  out->issued_at = bkt_json_int(o, "issued_at");
  bkt_json_wipe_delete(o);
  if (bkt_secret_empty(out->access_token)) {
    bkt_secrets_clear(out);
    return FALSE;
  }
  return TRUE;
}

/* ---- one backend call, waited for ---- */

void
bkt_store_call(const BktBackend *b, BktStoreCall call, const BktHostEntry *entry, const BktSecret *value,
           GTask *task)
{
  BktSecretKey key = entry != NULL ? key_of(entry) : (BktSecretKey){ NULL, NULL };
  switch (call) {
  case CALL_LOOKUP: b->lookup(&key, task); break;
  case CALL_STORE: b->store(&key, value, task); break;
  case CALL_CLEAR: b->clear(&key, task); break;
  case CALL_PROBE: b->probe(task); break;
  }
  g_object_unref(task);
}

static void
on_sync_done(GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **)data = g_object_ref(result);
}

/* Run one call to its end: a BktSecret for a lookup (NULL: none), else GINT_TO_POINTER(1). */
static gpointer
call_sync(const BktBackend *b, BktStoreCall call, const BktHostEntry *entry, const BktSecret *value,
          GError **error)
{
  bkt_async_context();
  GAsyncResult *result = NULL;
  bkt_store_call(b, call, entry, value, g_task_new(NULL, NULL, on_sync_done, &result));
  bkt_async_run_until((const gboolean *)&result);
  gpointer out = call == CALL_LOOKUP ? g_task_propagate_pointer(G_TASK(result), error)
                 : g_task_propagate_boolean(G_TASK(result), error) ? GINT_TO_POINTER(1)
                                                                   : NULL;
  g_object_unref(result);
  return out;
}

gboolean
bkt_secrets_load(const BktHostEntry *entry, BktSecrets *out, GError **error)
{
  memset(out, 0, sizeof *out);
  GError *local = NULL;
  g_autoptr(BktSecret) value = call_sync(bkt_store_backend_of(entry), CALL_LOOKUP, entry, NULL, &local);
  if (local != NULL) {
    g_propagate_error(error, local);
    return FALSE;
  }
  if (value == NULL || !bkt_store_secrets_from_value(value, out)) {
    const BktBackend *b = bkt_store_backend_of(entry);
    g_autofree char *why = b->forgotten != NULL ? b->forgotten(entry->key) : NULL;
    if (why != NULL)
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN, why);
    else
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
  g_autoptr(BktSecret) value = bkt_store_secrets_to_value(secrets);
  return call_sync(bkt_store_backend_of(entry), CALL_STORE, entry, value, error) != NULL;
}

gboolean
bkt_secrets_delete(const BktHostEntry *entry, GError **error)
{
  return call_sync(bkt_store_backend_of(entry), CALL_CLEAR, entry, NULL, error) != NULL;
}

/* Remove what other backends may still hold for the login (left from a login that used one);
 * best effort, and never waiting on a backend that is not there. */
static void
delete_elsewhere(const BktHostEntry *entry)
{
  for (const BktBackend *const *b = bkt_backends; *b != NULL; b++)
    if (*b != bkt_store_backend_of(entry) && !(*b)->absent())
      call_sync(*b, CALL_CLEAR, entry, NULL, NULL);
}

gboolean
bkt_store_probe(const char *storage, GError **error)
{
  const BktBackend *b = bkt_backend_get(storage);
  g_return_val_if_fail(b != NULL, FALSE);
  return call_sync(b, CALL_PROBE, NULL, NULL, error) != NULL;
}

void
bkt_store_afresh(void)
{
  for (const BktBackend *const *b = bkt_backends; *b != NULL; b++)
    if ((*b)->afresh != NULL)
      (*b)->afresh();
}

char *
bkt_storage_describe(const char *storage)
{
  const BktBackend *b = bkt_backend_get(storage);
  return (b != NULL ? b : &bkt_backend_secret_service)->describe();
}

const char *
bkt_storage_from_string(const char *name, GError **error)
{
  const BktBackend *b = bkt_backend_get(name);
  if (b != NULL)
    return b->storage;
  g_autofree char *shown = bkt_text_tame(name);
  g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
              _("unknown storage '%s': use secret-service, kernel-keyring or file"), shown);
  return NULL;
}

char *
bkt_store_safer_than_file(void)
{
  BktStoreOp *op = bkt_store_choose(NULL, NULL, NULL);
  bkt_store_op_wait(op);
  char *storage = bkt_store_choose_finish(op, NULL);
  bkt_store_op_free(op);
  if (g_strcmp0(storage, BKT_STORAGE_FILE) == 0)
    g_clear_pointer(&storage, g_free);
  return storage;
}

/* ---- commands that change the store ---- */

gboolean
bkt_store_logout(const char *host_input, const char *user, BktHostEntry **removed,
                 GError **error)
{
  /* Lock before reading, so another process's change to hosts.json is not lost. */
  g_autoptr(BktLock) lock = bkt_lock_take(error);
  if (lock == NULL)
    return FALSE;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  BktHostEntry *entry = hosts != NULL ? bkt_choose_login(hosts, host_input, user, FALSE, error)
                                      : NULL;
  if (entry == NULL || !bkt_secrets_delete(entry, error))
    return FALSE;
  delete_elsewhere(entry);
  *removed = bkt_host_entry_copy(entry);
  bkt_hosts_remove(hosts, entry->key, entry->account);
  return bkt_hosts_save(hosts, error);
}

/* The switch itself, with the lock held. */
static gboolean
switch_locked(const BktHostEntry *to, GError **error)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  BktHostEntry *entry = hosts != NULL ? bkt_hosts_find(hosts, to->key, to->account) : NULL;
  if (hosts != NULL && entry == NULL)
    g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                _("the account %s on '%s' was logged out meanwhile"),
                to->username != NULL ? to->username : to->account, to->key);
  if (entry == NULL)
    return FALSE;
  bkt_hosts_set_active(hosts, entry);
  return bkt_hosts_save(hosts, error);
}

gboolean
bkt_store_switch(const BktHostEntry *to, GError **error)
{
  g_autoptr(BktLock) lock = bkt_lock_take(error);
  return lock != NULL && switch_locked(to, error);
}

gboolean
bkt_store_switch_try(const BktHostEntry *to, gboolean *busy, GError **error)
{
  g_autoptr(BktLock) lock = bkt_lock_try(busy, error);
  return lock != NULL && switch_locked(to, error);
}

/* Copy one login of version 1 to the layout of accounts: its secrets from under the host alone
 * to under the host and the account. The old item stays until the new list is saved. */
static gboolean
upgrade_copy(const BktHostEntry *e, GError **error)
{
  const BktBackend *b = bkt_store_backend_of(e);
  GError *local = NULL;
  g_autoptr(BktSecret) value = call_sync(b, CALL_LOOKUP, e, NULL, &local);
  if (local != NULL) {
    g_propagate_error(error, local);
    return FALSE;
  }
  if (value == NULL)
    return TRUE; /* nothing stored: status says so, as it did before */
  BktHostEntry moved = *e;
  moved.legacy = FALSE;
  return call_sync(b, CALL_STORE, &moved, value, error) != NULL;
}

gboolean
bkt_store_upgrade(GError **error)
{
  g_autofree char *path = bkt_config_path("hosts.json", error);
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return FALSE;
  int version = 0;
  g_autoptr(GPtrArray) quick = bkt_hosts_new();
  /* Absent, the current format, or damaged: the command that reads it says so. Newer: said
   * here, before a login would send anyone to the browser for nothing. */
  if (text == NULL)
    return TRUE;
  if (!bkt_hosts_parse(text, len, quick, &version, NULL)) {
    g_autoptr(GPtrArray) check = version > 1 ? bkt_hosts_load(error) : NULL;
    return version <= 1 || check != NULL;
  }
  if (version != 1)
    return TRUE;

  g_autoptr(BktLock) lock = bkt_lock_take(error);
  if (lock == NULL)
    return FALSE;
  /* Read again under the lock: another process may have done it meanwhile. */
  g_autofree char *again = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_new();
  if (!bkt_file_read(path, &again, &len, error))
    return FALSE;
  if (again == NULL || !bkt_hosts_parse(again, len, hosts, &version, NULL) || version != 1)
    return TRUE;
  /* Copy every secret first: a failure here leaves version 1 whole, and the copies are
   * written again on the next try. */
  for (guint i = 0; i < hosts->len; i++)
    if (!upgrade_copy(g_ptr_array_index(hosts, i), error)) {
      g_prefix_error(error, _("cannot move the stored logins to the layout of several "
                              "accounts, so nothing was changed: "));
      return FALSE;
    }
  g_autoptr(GPtrArray) legacy = bkt_hosts_new();
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    g_ptr_array_add(legacy, bkt_host_entry_copy(e));
    e->legacy = FALSE;
  }
  if (!bkt_hosts_keep_old(1, error) || !bkt_hosts_save(hosts, error))
    return FALSE;
  /* Only now do the old items go; one that stays is found by no one, and harms nothing. */
  for (guint i = 0; i < legacy->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(legacy, i);
    call_sync(bkt_store_backend_of(e), CALL_CLEAR, e, NULL, NULL);
  }
  return TRUE;
}
