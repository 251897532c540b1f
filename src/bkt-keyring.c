/* SPDX-License-Identifier: MIT */
/* bkt's own collection in the Secret Service, written the way 99designs/keyring writes it. */
#include "config.h"

#include "bkt-keyring.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "async.h"
#include "backend.h"
#include "browser.h"
#include "error.h"
#include "json.h"

#define DEADLINE_MS 5000
/* A prompt waits for the person to type a password. */
#define PROMPT_DEADLINE_MS (5 * 60 * 1000)

/* One asynchronous call at a time on the engine's context, ended by a deadline. */
typedef struct {
  GCancellable *cancel;
  gboolean done;
  gboolean timed_out;
  GAsyncResult *result;
  GSource *deadline;
  SecretService *service;
  SecretCollection *collection;
} Ring;

static void
on_ready(GObject *source, GAsyncResult *result, gpointer data)
{
  Ring *r = data;
  r->result = g_object_ref(result);
  r->done = TRUE;
}

static gboolean
on_deadline(gpointer data)
{
  Ring *r = data;
  r->timed_out = TRUE;
  g_cancellable_cancel(r->cancel);
  return G_SOURCE_REMOVE;
}

/* Before starting a call: its deadline. */
static void
begin(Ring *r, guint ms)
{
  r->done = FALSE;
  g_clear_object(&r->result);
  r->deadline = g_timeout_source_new(ms);
  g_source_set_callback(r->deadline, on_deadline, r, NULL);
  g_source_attach(r->deadline, bkt_async_context());
}

/* After starting it: its result, once it came or the deadline passed. */
static GAsyncResult *
ring_wait(Ring *r)
{
  bkt_async_run_until(&r->done);
  g_source_destroy(r->deadline);
  g_clear_pointer(&r->deadline, g_source_unref);
  return r->result;
}

static void
ring_clear(Ring *r)
{
  g_clear_object(&r->result);
  g_clear_object(&r->collection);
  g_clear_object(&r->service);
  g_clear_object(&r->cancel);
}

static BktBktKeyringResult
failed(Ring *r, const GError *cause, GError **error)
{
  if (r->timed_out)
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE,
                        _("the Secret Service did not answer in time while bkt-auth wrote "
                          "bkt's keyring: unlock your keyring and try again"));
  else
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("cannot use bkt's keyring in the Secret Service: %s"),
                cause != NULL ? cause->message : _("unknown error"));
  return BKT_BKT_KEYRING_FAILED;
}

gboolean
bkt_bkt_headless_ssh(void)
{
  const char *d = g_getenv("DISPLAY"), *w = g_getenv("WAYLAND_DISPLAY");
  return bkt_env_is_ssh() && (d == NULL || *d == '\0') && (w == NULL || *w == '\0');
}

/* The Secret Service, and bkt's collection when there is one. */
static BktBktKeyringResult
ring_open(Ring *r, GError **error)
{
  bkt_async_context();
  r->cancel = g_cancellable_new();
  if (bkt_backend_secret_service.absent()) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE,
                        _("no Secret Service can be reached here (there is no session bus), "
                          "so bkt's keyring cannot be used"));
    return BKT_BKT_KEYRING_FAILED;
  }
  g_autoptr(GError) local = NULL;
  begin(r, DEADLINE_MS);
  secret_service_get(SECRET_SERVICE_OPEN_SESSION | SECRET_SERVICE_LOAD_COLLECTIONS, r->cancel,
                     on_ready, r);
  r->service = secret_service_get_finish(ring_wait(r), &local);
  if (r->service == NULL)
    return failed(r, local, error);
  GList *all = secret_service_get_collections(r->service);
  for (GList *l = all; l != NULL; l = l->next)
    if (r->collection == NULL &&
        g_strcmp0(g_dbus_proxy_get_object_path(l->data), BKT_BKT_COLLECTION_PATH) == 0)
      r->collection = g_object_ref(l->data);
  g_list_free_full(all, g_object_unref);
  return r->collection != NULL ? BKT_BKT_KEYRING_DONE : BKT_BKT_KEYRING_MISSING;
}

/* Make the collection: the Secret Service asks for the new keyring's password. */
static BktBktKeyringResult
ring_create(Ring *r, GError **error)
{
  if (bkt_bkt_headless_ssh())
    return BKT_BKT_KEYRING_MISSING;
  g_autoptr(GError) local = NULL;
  begin(r, PROMPT_DEADLINE_MS);
  secret_collection_create(r->service, BKT_BKT_COLLECTION_LABEL, NULL,
                           SECRET_COLLECTION_CREATE_NONE, r->cancel, on_ready, r);
  r->collection = secret_collection_create_finish(ring_wait(r), &local);
  if (r->collection == NULL)
    return BKT_BKT_KEYRING_MISSING;
  if (g_strcmp0(g_dbus_proxy_get_object_path(G_DBUS_PROXY(r->collection)),
                BKT_BKT_COLLECTION_PATH) != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("the Secret Service made bkt's keyring at '%s', where bkt does not look "
                  "for it (it looks at '%s'): remove that keyring in your keyring manager"),
                g_dbus_proxy_get_object_path(G_DBUS_PROXY(r->collection)),
                BKT_BKT_COLLECTION_PATH);
    return BKT_BKT_KEYRING_FAILED;
  }
  return BKT_BKT_KEYRING_DONE;
}

static BktBktKeyringResult
ring_unlock(Ring *r, gboolean may_prompt, GError **error)
{
  if (!secret_collection_get_locked(r->collection))
    return BKT_BKT_KEYRING_DONE;
  if (!may_prompt || bkt_bkt_headless_ssh())
    return BKT_BKT_KEYRING_LOCKED;
  g_autoptr(GError) local = NULL;
  GList *objects = g_list_append(NULL, r->collection);
  begin(r, PROMPT_DEADLINE_MS);
  secret_service_unlock(r->service, objects, r->cancel, on_ready, r);
  g_list_free(objects);
  gint unlocked = secret_service_unlock_finish(r->service, ring_wait(r), NULL, &local);
  if (local != NULL && !r->timed_out &&
      !g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return failed(r, local, error);
  /* Dismissed, or not answered in time: still locked. */
  return unlocked > 0 ? BKT_BKT_KEYRING_DONE : BKT_BKT_KEYRING_LOCKED;
}

static char *
profile_of(const char *key)
{
  return g_strdup_printf("host/%s/token", key);
}

static GHashTable *
attributes_of(const char *profile)
{
  GHashTable *attrs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert(attrs, (gpointer) "profile", g_strdup(profile));
  return attrs;
}

/* The items of the host key, in the order the Secret Service finds them. */
static GList *
ring_search(Ring *r, const char *key, GError **error)
{
  g_autofree char *profile = profile_of(key);
  g_autoptr(GHashTable) attrs = attributes_of(profile);
  g_autoptr(GError) local = NULL;
  begin(r, DEADLINE_MS);
  secret_collection_search(r->collection, NULL, attrs, SECRET_SEARCH_ALL, r->cancel, on_ready,
                           r);
  GList *items = secret_collection_search_finish(r->collection, ring_wait(r), &local);
  if (local != NULL)
    failed(r, local, error);
  return items;
}

/* Delete the items but keep (NULL: none); FALSE on failure. */
static gboolean
ring_delete(Ring *r, GList *items, SecretItem *keep, GError **error)
{
  const char *kept = keep != NULL ? g_dbus_proxy_get_object_path(G_DBUS_PROXY(keep)) : NULL;
  for (GList *l = items; l != NULL; l = l->next) {
    if (g_strcmp0(g_dbus_proxy_get_object_path(l->data), kept) == 0)
      continue;
    g_autoptr(GError) local = NULL;
    begin(r, DEADLINE_MS);
    secret_item_delete(l->data, r->cancel, on_ready, r);
    if (!secret_item_delete_finish(l->data, ring_wait(r), &local)) {
      failed(r, local, error);
      return FALSE;
    }
  }
  return TRUE;
}

BktSecret *
bkt_bkt_keyring_value(const char *key, const BktSecret *token)
{
  g_autofree char *profile = profile_of(key);
  g_autofree char *label = g_strconcat("bkt ", profile, NULL);
  char *data = g_base64_encode((const guchar *)bkt_secret_str(token), bkt_secret_len(token));
  /* The fields of keyring.Item, in its order, as Go's encoding/json writes them. */
  cJSON *item = cJSON_CreateObject();
  cJSON_AddStringToObject(item, "Key", profile);
  cJSON_AddStringToObject(item, "Data", data);
  cJSON_AddStringToObject(item, "Label", label);
  cJSON_AddStringToObject(item, "Description", "");
  cJSON_AddFalseToObject(item, "KeychainNotTrustApplication");
  cJSON_AddFalseToObject(item, "KeychainNotSynchronizable");
  bkt_wipe_free(data);
  BktSecret *value = bkt_json_print_secret(item, FALSE);
  bkt_json_wipe_delete(item);
  return value;
}

static void
wipe_value(gpointer text)
{
  bkt_wipe_free(text);
}

BktBktKeyringResult
bkt_bkt_keyring_store(const char *key, const BktSecret *token, gboolean may_prompt,
                      GError **error)
{
  Ring r = { 0 };
  BktBktKeyringResult result = ring_open(&r, error);
  if (result == BKT_BKT_KEYRING_MISSING && may_prompt)
    result = ring_create(&r, error);
  if (result == BKT_BKT_KEYRING_DONE)
    result = ring_unlock(&r, may_prompt, error);
  if (result != BKT_BKT_KEYRING_DONE) {
    ring_clear(&r);
    return result;
  }
  g_autofree char *profile = profile_of(key);
  g_autoptr(GHashTable) attrs = attributes_of(profile);
  g_autoptr(BktSecret) json = bkt_bkt_keyring_value(key, token);
  SecretValue *value = secret_value_new_full(g_strdup(bkt_secret_str(json)),
                                             (gssize)bkt_secret_len(json), "application/json",
                                             wipe_value);
  g_autoptr(GError) local = NULL;
  begin(&r, DEADLINE_MS);
  /* No schema: bkt's items carry the profile attribute alone, no xdg:schema. */
  secret_item_create(r.collection, NULL, attrs, profile, value, SECRET_ITEM_CREATE_REPLACE,
                     r.cancel, on_ready, &r);
  secret_value_unref(value);
  g_autoptr(SecretItem) item = secret_item_create_finish(ring_wait(&r), &local);
  if (item == NULL) {
    result = failed(&r, local, error);
  } else {
    /* bkt reads the first item its search returns: leave exactly one. */
    GError *search_error = NULL;
    GList *items = ring_search(&r, key, &search_error);
    if (search_error != NULL || !ring_delete(&r, items, item, error)) {
      if (search_error != NULL)
        g_propagate_error(error, search_error);
      result = BKT_BKT_KEYRING_FAILED;
    }
    g_list_free_full(items, g_object_unref);
  }
  ring_clear(&r);
  return result;
}

BktBktKeyringResult
bkt_bkt_keyring_remove(const char *key, GError **error)
{
  Ring r = { 0 };
  BktBktKeyringResult result = ring_open(&r, error);
  if (result == BKT_BKT_KEYRING_MISSING) {
    ring_clear(&r);
    return BKT_BKT_KEYRING_DONE; /* nothing there to remove */
  }
  if (result == BKT_BKT_KEYRING_DONE) {
    GError *local = NULL;
    GList *items = ring_search(&r, key, &local);
    if (local != NULL) {
      g_propagate_error(error, local);
      result = BKT_BKT_KEYRING_FAILED;
    } else if (items != NULL && secret_collection_get_locked(r.collection)) {
      result = BKT_BKT_KEYRING_LOCKED;
    } else if (!ring_delete(&r, items, NULL, error)) {
      result = BKT_BKT_KEYRING_FAILED;
    }
    g_list_free_full(items, g_object_unref);
  }
  ring_clear(&r);
  return result;
}

BktBktKeyringResult
bkt_bkt_keyring_find(const char *key, gboolean *found, GError **error)
{
  *found = FALSE;
  Ring r = { 0 };
  BktBktKeyringResult result = ring_open(&r, error);
  if (result == BKT_BKT_KEYRING_DONE) {
    GError *local = NULL;
    GList *items = ring_search(&r, key, &local);
    *found = items != NULL;
    if (local != NULL) {
      g_propagate_error(error, local);
      result = BKT_BKT_KEYRING_FAILED;
    }
    g_list_free_full(items, g_object_unref);
  }
  ring_clear(&r);
  return result;
}
