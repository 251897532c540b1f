/* SPDX-License-Identifier: MIT */
/* Secrets in the Secret Service (GNOME Keyring, KWallet, KeePassXC), one item per login. */
#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "backend.h"
#include "browser.h"
#include "error.h"
#include "hosts.h"

#define DEADLINE_MS 5000
#define BUS_NAME "org.freedesktop.secrets"

static const SecretSchema schema = {
  "org.bkt-auth.Credentials",
  SECRET_SCHEMA_NONE, /* match our schema name too: never touch another program's items */
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* Set once the Secret Service let a call run out of time: later calls fail at once rather
 * than wait again, so a command that makes several stays within one deadline. A new login
 * attempt (the wizard's retry) asks again (ss_afresh). */
static gboolean unresponsive;

static void
ss_afresh(void)
{
  unresponsive = FALSE;
}

typedef enum { OP_LOOKUP, OP_STORE, OP_CLEAR, OP_PROBE } Op;

/* One call: the task to complete, and a deadline that cancels it. */
typedef struct {
  GTask *task;
  Op op;
  GCancellable *cancel;  /* ours: cancelled by the deadline or by the task's */
  gulong chained;
  GSource *deadline;
  gboolean timed_out;
  GHashTable *attrs;
  char *host;
  char *value;           /* a lookup's answer (libsecret's memory), while its lock is checked */
  GList *legacy;         /* items of the host alone (no account), still to delete */
  GDBusConnection *bus;  /* a probe's */
  SecretService *service;
} Call;

static void
call_free(Call *c)
{
  if (c->deadline != NULL) {
    g_source_destroy(c->deadline);
    g_source_unref(c->deadline);
  }
  if (c->chained != 0)
    g_cancellable_disconnect(g_task_get_cancellable(c->task), c->chained);
  g_clear_object(&c->cancel);
  if (c->attrs != NULL)
    g_hash_table_unref(c->attrs);
  g_free(c->host);
  if (c->value != NULL)
    secret_password_free(c->value);
  g_list_free_full(c->legacy, g_object_unref);
  g_clear_object(&c->bus);
  g_clear_object(&c->service);
  g_object_unref(c->task);
  g_free(c);
}

static gboolean
on_deadline(gpointer data)
{
  Call *c = data;
  c->timed_out = TRUE;
  unresponsive = TRUE;
  g_cancellable_cancel(c->cancel);
  return G_SOURCE_REMOVE;
}

static void
on_task_cancelled(GCancellable *task_cancel, gpointer data)
{
  g_cancellable_cancel(((Call *)data)->cancel);
}

static GError *
unreachable_error(gboolean in_time, const GError *cause, const char *host)
{
  if (!in_time)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE,
                               _("the Secret Service (your desktop keyring) did not answer "
                                 "within 5 seconds, it may be locked: unlock it and try again, "
                                 "or log in with --insecure-storage to keep tokens in a file "
                                 "only you can read"));
  if (host != NULL)
    return g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                       _("cannot use the Secret Service (your desktop keyring), which keeps the "
                         "token for '%s': %s; run bkt-auth where it can be reached (your "
                         "desktop session), or log in again here with 'bkt-auth login %s'"),
                       host, cause != NULL ? cause->message : _("unknown error"), host);
  return g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                     _("cannot use the Secret Service (your desktop keyring): %s; start or "
                       "unlock it, or log in with --insecure-storage to keep tokens in a file "
                       "only you can read"),
                     cause != NULL ? cause->message : _("unknown error"));
}

/* Finish the call with an error: the caller's cancel stays a cancel. */
static void
call_fail(Call *c, const GError *cause)
{
  GCancellable *task_cancel = g_task_get_cancellable(c->task);
  if (!c->timed_out && task_cancel != NULL && g_cancellable_is_cancelled(task_cancel))
    g_task_return_new_error(c->task, BKT_ERROR, BKT_ERROR_CANCELLED, "%s", _("cancelled"));
  else
    g_task_return_error(c->task,
                        unreachable_error(!c->timed_out, cause,
                                          c->op == OP_LOOKUP || c->op == OP_CLEAR ? c->host
                                                                                  : NULL));
  call_free(c);
}

static Call *
call_new(GTask *task, Op op, const BktSecretKey *key)
{
  Call *c = g_new0(Call, 1);
  c->task = g_object_ref(task);
  c->op = op;
  c->cancel = g_cancellable_new();
  GCancellable *task_cancel = g_task_get_cancellable(task);
  if (task_cancel != NULL)
    c->chained = g_cancellable_connect(task_cancel, G_CALLBACK(on_task_cancelled), c, NULL);
  c->deadline = g_timeout_source_new(DEADLINE_MS);
  g_source_set_callback(c->deadline, on_deadline, c, NULL);
  g_source_attach(c->deadline, g_task_get_context(task));
  if (key != NULL) {
    c->host = g_strdup(key->host);
    c->attrs = key->account != NULL
                 ? secret_attributes_build(&schema, "host", key->host, "account", key->account,
                                           NULL)
                 : secret_attributes_build(&schema, "host", key->host, NULL);
  }
  return c;
}

/* Start a call, or fail it at once when the Secret Service already let one time out. */
static Call *
call_start(GTask *task, Op op, const BktSecretKey *key)
{
  if (unresponsive) {
    g_task_return_error(task, unreachable_error(FALSE, NULL, NULL));
    return NULL;
  }
  return call_new(task, op, key);
}

static void
locked_error(GTask *task, const char *host)
{
  g_task_return_new_error(task, BKT_ERROR, BKT_ERROR_STORE,
                          _("the keyring that holds the token for '%s' is locked and could not "
                            "be unlocked here: unlock it (log in to the desktop session, or "
                            "open your keyring manager) and try again"),
                          host);
}

/*
 * Whether an item of ours under the key sits in a locked collection: a lookup then finds
 * nothing once the unlock prompt fails or is dismissed, and a clear leaves it: neither is
 * "nothing stored".
 */
static void
on_searched(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  GList *items = secret_service_search_finish(NULL, result, &error);
  gboolean locked = FALSE;
  for (GList *l = items; l != NULL; l = l->next)
    locked = locked || secret_item_get_locked(l->data);
  g_list_free_full(items, g_object_unref);
  if (error != NULL && c->timed_out) {
    call_fail(c, error);
    return;
  }
  if (locked) {
    locked_error(c->task, c->host);
  } else if (c->op == OP_LOOKUP && c->value != NULL) {
    g_task_return_pointer(c->task, bkt_secret_new_from(c->value),
                          (GDestroyNotify)bkt_secret_free);
  } else if (c->op == OP_LOOKUP) {
    g_task_return_pointer(c->task, NULL, NULL);
  } else {
    g_task_return_boolean(c->task, TRUE);
  }
  call_free(c);
}

static void
check_locked(Call *c)
{
  secret_service_search(NULL, &schema, c->attrs, SECRET_SEARCH_ALL, c->cancel, on_searched, c);
}

static void
on_looked_up(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  c->value = secret_password_lookup_finish(result, &error);
  if (error != NULL) {
    call_fail(c, error);
    return;
  }
  if (c->value != NULL) {
    g_task_return_pointer(c->task, bkt_secret_new_from(c->value),
                          (GDestroyNotify)bkt_secret_free);
    call_free(c);
    return;
  }
  check_locked(c);
}

/*
 * Items that hosts.json version 1 left: the host alone, without an account. A search by the
 * host finds every account's item too, so only those without the attribute are taken.
 */
static GList *
legacy_items(GList *items)
{
  GList *mine = NULL;
  for (GList *l = items; l != NULL; l = l->next) {
    g_autoptr(GHashTable) attrs = secret_item_get_attributes(l->data);
    if (!g_hash_table_contains(attrs, "account"))
      mine = g_list_prepend(mine, g_object_ref(l->data));
  }
  return mine;
}

static void
on_legacy_found(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  GList *items = secret_service_search_finish(NULL, result, &error);
  GList *mine = legacy_items(items);
  g_list_free_full(items, g_object_unref);
  if (error != NULL) {
    g_list_free_full(mine, g_object_unref);
    call_fail(c, error);
    return;
  }
  SecretValue *value = mine != NULL ? secret_item_get_secret(mine->data) : NULL;
  if (mine != NULL && value == NULL && secret_item_get_locked(mine->data)) {
    locked_error(c->task, c->host);
  } else if (value != NULL) {
    gsize len = 0;
    const char *text = secret_value_get(value, &len);
    g_task_return_pointer(c->task, bkt_secret_new_len(text, len),
                          (GDestroyNotify)bkt_secret_free);
  } else {
    g_task_return_pointer(c->task, NULL, NULL);
  }
  if (value != NULL)
    secret_value_unref(value);
  g_list_free_full(mine, g_object_unref);
  call_free(c);
}

static void
ss_lookup(const BktSecretKey *key, GTask *task)
{
  Call *c = call_start(task, OP_LOOKUP, key);
  if (c == NULL)
    return;
  if (key->account == NULL)
    secret_service_search(NULL, &schema, c->attrs,
                          SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                          c->cancel, on_legacy_found, c);
  else
    secret_password_lookupv(&schema, c->attrs, c->cancel, on_looked_up, c);
}

static void
on_stored(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  if (!secret_password_store_finish(result, &error)) {
    call_fail(c, error);
    return;
  }
  g_task_return_boolean(c->task, TRUE);
  call_free(c);
}

static void
ss_store(const BktSecretKey *key, const BktSecret *value, GTask *task)
{
  Call *c = call_start(task, OP_STORE, key);
  if (c == NULL)
    return;
  g_autofree char *label = key->account != NULL
                             ? g_strdup_printf("bkt-auth: %s (%s)", key->host, key->account)
                             : g_strdup_printf("bkt-auth: %s", key->host);
  secret_password_storev(&schema, c->attrs, SECRET_COLLECTION_DEFAULT, label,
                         bkt_secret_str(value), c->cancel, on_stored, c);
}

static void
on_cleared(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  secret_password_clear_finish(result, &error);
  if (error != NULL) {
    call_fail(c, error);
    return;
  }
  /* A locked item survives the clear without an error: never claim it is gone. */
  check_locked(c);
}

static void delete_next_legacy(Call *c);

static void
on_legacy_deleted(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  if (!secret_item_delete_finish(SECRET_ITEM(source), result, &error)) {
    call_fail(c, error);
    return;
  }
  delete_next_legacy(c);
}

static void
delete_next_legacy(Call *c)
{
  if (c->legacy == NULL) {
    check_locked(c);
    return;
  }
  SecretItem *item = c->legacy->data;
  c->legacy = g_list_delete_link(c->legacy, c->legacy);
  secret_item_delete(item, c->cancel, on_legacy_deleted, c);
  g_object_unref(item);
}

static void
on_legacy_listed(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  GList *items = secret_service_search_finish(NULL, result, &error);
  c->legacy = legacy_items(items);
  g_list_free_full(items, g_object_unref);
  if (error != NULL) {
    call_fail(c, error);
    return;
  }
  delete_next_legacy(c);
}

static void
ss_clear(const BktSecretKey *key, GTask *task)
{
  Call *c = call_start(task, OP_CLEAR, key);
  if (c == NULL)
    return;
  if (key->account == NULL)
    secret_service_search(NULL, &schema, c->attrs, SECRET_SEARCH_ALL, c->cancel,
                          on_legacy_listed, c);
  else
    secret_password_clearv(&schema, c->attrs, c->cancel, on_cleared, c);
}

/* ---- whether it can keep a new login here ---- */

static gboolean
env_set(const char *name)
{
  const char *v = g_getenv(name);
  return v != NULL && *v != '\0';
}

/* A keyring's prompt can reach the person: a graphical session here, not one over SSH
 * (whose prompts would show on the far machine's screen, if anywhere). */
static gboolean
can_prompt(void)
{
  return (env_set("DISPLAY") || env_set("WAYLAND_DISPLAY")) && !bkt_env_is_ssh();
}

/* The probe ends: the Secret Service cannot be used here (unless the caller cancelled or the
 * deadline struck, which stay what they are). */
static void
probe_unusable(Call *c, GError *reason)
{
  GCancellable *task_cancel = g_task_get_cancellable(c->task);
  if (c->timed_out || (task_cancel != NULL && g_cancellable_is_cancelled(task_cancel))) {
    g_error_free(reason);
    call_fail(c, NULL);
    return;
  }
  g_task_return_error(c->task, reason);
  call_free(c);
}

static GError *
unusable(const char *message)
{
  return g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE_UNUSABLE, message);
}

static void
on_default_collection(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  SecretCollection *collection = secret_collection_for_alias_finish(result, &error);
  if (error != NULL) {
    call_fail(c, error);
    return;
  }
  gboolean locked = collection == NULL || secret_collection_get_locked(collection);
  if (!locked || can_prompt()) {
    g_task_return_boolean(c->task, TRUE);
    call_free(c);
  } else if (collection != NULL) {
    probe_unusable(c, unusable(_("the default keyring of the Secret Service is locked, and "
                                 "nothing here can ask for its password (no graphical "
                                 "display)")));
  } else {
    probe_unusable(c, unusable(_("the Secret Service has no default keyring, and nothing here "
                                 "can ask to create one (no graphical display)")));
  }
  g_clear_object(&collection);
}

static void
on_service(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  c->service = secret_service_get_finish(result, &error);
  if (c->service != NULL) {
    secret_collection_for_alias(c->service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                                c->cancel, on_default_collection, c);
  } else if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
             (error->domain == G_DBUS_ERROR && error->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
              error->code <= G_DBUS_ERROR_SPAWN_FAILED)) {
    g_autofree char *why =
      g_strdup_printf(_("the Secret Service could not be started (%s)"), error->message);
    probe_unusable(c, unusable(why));
  } else {
    call_fail(c, error);
  }
}

/* Started or running: ask it. */
static void
open_service(Call *c)
{
  secret_service_get(SECRET_SERVICE_OPEN_SESSION, c->cancel, on_service, c);
}

static void
on_activatable(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(c->bus, result, &error);
  if (reply == NULL) {
    call_fail(c, error);
    return;
  }
  const char **names = NULL;
  g_variant_get(reply, "(^a&s)", &names);
  gboolean activatable = names != NULL && g_strv_contains(names, BUS_NAME);
  g_free(names);
  if (activatable)
    open_service(c); /* D-Bus starts it */
  else
    probe_unusable(c, unusable(_("nothing provides the Secret Service on the session bus")));
}

static void
on_owner(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(c->bus, result, &error);
  gboolean owned = FALSE;
  if (reply == NULL) {
    call_fail(c, error);
    return;
  }
  g_variant_get(reply, "(b)", &owned);
  if (owned)
    open_service(c);
  else
    g_dbus_connection_call(c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "ListActivatableNames", NULL,
                           G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, c->cancel,
                           on_activatable, c);
}

static void
on_bus(GObject *source, GAsyncResult *result, gpointer data)
{
  Call *c = data;
  g_autoptr(GError) error = NULL;
  c->bus = g_bus_get_finish(result, &error);
  if (c->bus == NULL) {
    g_autofree char *why = g_strdup_printf(_("cannot reach the D-Bus session bus (%s), so no "
                                             "Secret Service can be asked"), error->message);
    probe_unusable(c, unusable(why));
    return;
  }
  g_dbus_connection_call(c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "NameHasOwner",
                         g_variant_new("(s)", BUS_NAME), G_VARIANT_TYPE("(b)"),
                         G_DBUS_CALL_FLAGS_NONE, -1, c->cancel, on_owner, c);
}

static gboolean ss_absent(void);

/*
 * Usable: the session bus answers, and the Secret Service on it (running, or one that D-Bus
 * starts) has a default collection that is unlocked, or one a prompt on this display can
 * unlock or create. Started over SSH, GNOME Keyring has nothing unlocked and no display to ask
 * on: not usable, and a new login goes elsewhere.
 */
static void
ss_probe(GTask *task)
{
  if (ss_absent()) {
    g_task_return_error(task,
                        unusable(_("there is no D-Bus session bus here, so no Secret Service "
                                   "can be asked")));
    return;
  }
  Call *c = call_start(task, OP_PROBE, NULL);
  if (c != NULL)
    g_bus_get(G_BUS_TYPE_SESSION, c->cancel, on_bus, c);
}

/* No session bus to ask: D-Bus would fail, or start one by X11 autolaunch and wait. */
static gboolean
ss_absent(void)
{
  const char *address = g_getenv("DBUS_SESSION_BUS_ADDRESS");
  if (address != NULL && *address != '\0')
    return FALSE;
  g_autofree char *socket = g_build_filename(g_get_user_runtime_dir(), "bus", NULL);
  return !g_file_test(socket, G_FILE_TEST_EXISTS);
}

static char *
ss_describe(void)
{
  return g_strdup(_("the Secret Service (your desktop keyring)"));
}

const BktBackend bkt_backend_secret_service = {
  .storage = BKT_STORAGE_SECRET_SERVICE,
  .lookup = ss_lookup,
  .store = ss_store,
  .clear = ss_clear,
  .probe = ss_probe,
  .absent = ss_absent,
  .describe = ss_describe,
  .afresh = ss_afresh,
};
