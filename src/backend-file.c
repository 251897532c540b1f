/* SPDX-License-Identifier: MIT */
/* Secrets in secrets.json, mode 0600 in the configuration folder: by --insecure-storage. */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "files.h"
#include "hosts.h"
#include "json.h"

#define SECRETS_FILE "secrets.json"

/* The member of secrets.json that holds a login's secrets. */
static char *
member_name(const BktSecretKey *key)
{
  return key->account != NULL ? g_strconcat(key->host, "#", key->account, NULL)
                              : g_strdup(key->host);
}

/* The whole file as a tree (an empty one when there is no file); *path_out names it. */
static cJSON *
file_load(char **path_out, GError **error)
{
  g_autofree char *path = bkt_config_path(SECRETS_FILE, error);
  char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return NULL;
  cJSON *json = text != NULL ? cJSON_ParseWithLength(text, len) : cJSON_CreateObject();
  if (text != NULL) {
    bkt_wipe(text, len);
    g_free(text);
  }
  gboolean whole = cJSON_IsObject(json);
  for (const cJSON *m = whole ? json->child : NULL; m != NULL; m = m->next)
    whole = whole && cJSON_IsObject(m);
  if (!whole) {
    bkt_json_wipe_delete(json);
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("'%s' is damaged and cannot be read: move it aside and log in again"), path);
    return NULL;
  }
  *path_out = g_steal_pointer(&path);
  return json;
}

static gboolean
file_save(const char *path, const cJSON *json, GError **error)
{
  g_autoptr(BktSecret) text = bkt_json_print_secret(json, TRUE);
  return bkt_file_write(path, bkt_secret_str(text), bkt_secret_len(text), error);
}

static void
file_lookup(const BktSecretKey *key, GTask *task)
{
  GError *error = NULL;
  g_autofree char *path = NULL;
  cJSON *all = file_load(&path, &error);
  if (all == NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_autofree char *name = member_name(key);
  const cJSON *mine = cJSON_GetObjectItemCaseSensitive(all, name);
  BktSecret *value = mine != NULL ? bkt_json_print_secret(mine, FALSE) : NULL;
  bkt_json_wipe_delete(all);
  g_task_return_pointer(task, value, (GDestroyNotify)bkt_secret_free);
}

/* Replace the member for key with value (NULL: remove it), writing only on a change. */
static void
file_change(const BktSecretKey *key, const BktSecret *value, GTask *task)
{
  GError *error = NULL;
  g_autofree char *path = NULL;
  cJSON *all = file_load(&path, &error);
  cJSON *item = value != NULL ? bkt_json_parse_secret(value) : NULL;
  if (all != NULL && value != NULL && !cJSON_IsObject(item))
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE, _("the secrets to keep are damaged"));
  if (error != NULL) {
    bkt_json_wipe_delete(all);
    bkt_json_wipe_delete(item);
    g_task_return_error(task, error);
    return;
  }
  g_autofree char *name = member_name(key);
  cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(all, name);
  gboolean changed = old != NULL || item != NULL;
  bkt_json_wipe_delete(old);
  if (item != NULL)
    cJSON_AddItemToObject(all, name, item);
  gboolean ok = !changed || file_save(path, all, &error);
  bkt_json_wipe_delete(all);
  if (ok)
    g_task_return_boolean(task, TRUE);
  else
    g_task_return_error(task, error);
}

static void
file_store(const BktSecretKey *key, const BktSecret *value, GTask *task)
{
  file_change(key, value, task);
}

static void
file_clear(const BktSecretKey *key, GTask *task)
{
  file_change(key, NULL, task);
}

static void
file_probe(GTask *task)
{
  GError *error = NULL;
  g_autofree char *dir = bkt_config_dir(&error);
  if (dir == NULL)
    g_task_return_error(task, error);
  else
    g_task_return_boolean(task, TRUE);
}

static gboolean
file_absent(void)
{
  return FALSE;
}

static char *
file_describe(void)
{
  g_autofree char *dir = bkt_config_dir_path();
  g_autofree char *path = g_build_filename(dir, SECRETS_FILE, NULL);
  return g_strdup_printf(_("the file %s (readable only by you, by --insecure-storage)"), path);
}

const BktBackend bkt_backend_file = {
  .storage = BKT_STORAGE_FILE,
  .lookup = file_lookup,
  .store = file_store,
  .clear = file_clear,
  .probe = file_probe,
  .absent = file_absent,
  .describe = file_describe,
};
