/* SPDX-License-Identifier: MIT */
/* The store's operations on the engine's context: choosing a store, saving a login under the
 * lock with an undo record, and putting it back. */
#include "config.h"

#include "store.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>

#include "async.h"
#include "backend.h"
#include "error.h"
#include "files.h"
#include "signals.h"
#include "store-private.h"
#include "tame.h"


/* ---- operations on the engine's context ---- */

typedef enum { OP_CHOOSE, OP_SAVE, OP_UNDO } OpKind;

struct BktStoreUndo {
  BktHostEntry *entry;     /* the login that was saved */
  BktHostEntry *previous;  /* the same account as hosts.json held it before, or NULL */
  BktSecrets previous_secrets; /* its secrets; no access token when there were none */
  guint previous_at;       /* where hosts.json held it */
  char *active_before;     /* the host's active account before, or NULL */
  gboolean previous_unread;    /* they could not be read, so they were left where they are */
};

struct BktStoreOp {
  OpKind kind;
  BktStoreDone done;
  gpointer user_data;
  gboolean finished;
  GError *error;
  GCancellable *cancel;
  /* choose */
  const BktBackend *wanted;  /* the backend to try first */
  gboolean automatic;        /* chosen by bkt-auth: one that cannot be used gives way */
  char *storage;
  /* save and undo */
  BktStoreUndo *undo;      /* save: built as it goes; undo: what to put back */
  BktSecrets secrets;      /* save: the new secrets */
  BktLock *lock;
  GPtrArray *hosts;
  GSource *retry;
  gint64 lock_asked, waiting_since;
  GError *failure;         /* save: why what was saved is being put back */
  BktSecret *read_back;
};

void
bkt_store_undo_free(BktStoreUndo *undo)
{
  if (undo == NULL)
    return;
  bkt_host_entry_free(undo->entry);
  bkt_host_entry_free(undo->previous);
  bkt_secrets_clear(&undo->previous_secrets);
  g_free(undo->active_before);
  g_free(undo);
}

static BktStoreOp *
op_new(OpKind kind, BktStoreDone done, gpointer user_data)
{
  bkt_async_context();
  BktStoreOp *op = g_new0(BktStoreOp, 1);
  op->kind = kind;
  op->done = done;
  op->user_data = user_data;
  op->cancel = g_cancellable_new();
  return op;
}

void
bkt_store_op_free(BktStoreOp *op)
{
  if (op == NULL)
    return;
  /* Its callbacks must not outlive it: cancelled, it ends soon (a store already changed is
   * put back first). */
  if (!op->finished) {
    op->done = NULL;
    bkt_store_op_cancel(op);
    bkt_async_run_until(&op->finished);
  }
  if (op->retry != NULL) {
    g_source_destroy(op->retry);
    g_source_unref(op->retry);
  }
  bkt_lock_release(op->lock);
  g_clear_object(&op->cancel);
  g_clear_error(&op->error);
  g_clear_error(&op->failure);
  g_free(op->storage);
  bkt_store_undo_free(op->undo);
  bkt_secrets_clear(&op->secrets);
  if (op->hosts != NULL)
    g_ptr_array_unref(op->hosts);
  bkt_secret_free(op->read_back);
  g_free(op);
}

static void
finish(BktStoreOp *op, GError *error)
{
  bkt_lock_release(g_steal_pointer(&op->lock));
  op->waiting_since = 0;
  op->error = error;
  op->finished = TRUE;
  if (op->done != NULL)
    op->done(op, op->user_data);
}

/* A task whose result goes to next(op, result); the undo steps run to the end whatever the
 * caller's cancel says. */
static GTask *
task_for(BktStoreOp *op, GAsyncReadyCallback next, gboolean cancellable)
{
  return g_task_new(NULL, cancellable ? op->cancel : NULL, next, op);
}

gint64
bkt_store_op_waiting_since(const BktStoreOp *op)
{
  return op->waiting_since;
}

void
bkt_store_op_cancel(BktStoreOp *op)
{
  if (op->finished || op->kind == OP_UNDO)
    return;
  g_cancellable_cancel(op->cancel);
  if (op->lock == NULL && op->retry != NULL) {
    /* Still waiting for another process: nothing was changed. */
    g_source_destroy(op->retry);
    g_clear_pointer(&op->retry, g_source_unref);
    finish(op, g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
  }
}

static gboolean
on_signal(gint fd, GIOCondition condition, gpointer data)
{
  if (bkt_signals_take() != 0)
    bkt_store_op_cancel(data);
  return G_SOURCE_CONTINUE;
}

void
bkt_store_op_wait(BktStoreOp *op)
{
  int fd = bkt_signals_open();
  GSource *watch = fd >= 0 ? g_unix_fd_source_new(fd, G_IO_IN) : NULL;
  if (watch != NULL) {
    g_source_set_callback(watch, G_SOURCE_FUNC(on_signal), op, NULL);
    g_source_attach(watch, bkt_async_context());
  }
  bkt_async_run_until(&op->finished);
  if (watch != NULL) {
    g_source_destroy(watch);
    g_source_unref(watch);
  }
  bkt_signals_close();
}

/* ---- choosing a store ---- */

static void
on_kernel_probed(GObject *source, GAsyncResult *result, gpointer data)
{
  BktStoreOp *op = data;
  GError *error = NULL;
  if (g_task_propagate_boolean(G_TASK(result), &error)) {
    op->storage = g_strdup(BKT_STORAGE_KERNEL_KEYRING);
  } else if (g_error_matches(error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE)) {
    GError *neither = g_error_new(BKT_ERROR, BKT_ERROR_STORE_UNUSABLE,
                                  _("no Secret Service can be used here, and %s"),
                                  error->message);
    g_error_free(error);
    error = neither;
  }
  finish(op, error);
}

static void
on_probed(GObject *source, GAsyncResult *result, gpointer data)
{
  BktStoreOp *op = data;
  GError *error = NULL;
  if (g_task_propagate_boolean(G_TASK(result), &error)) {
    op->storage = g_strdup(op->wanted->storage);
  } else if (op->wanted == &bkt_backend_secret_service && !op->automatic &&
             g_error_matches(error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE)) {
    /* Asked for by name: say what to do instead. */
    GError *asked = g_error_new(BKT_ERROR, BKT_ERROR_STORE_UNUSABLE,
                                _("%s: log in from your desktop session, or keep the token "
                                  "elsewhere with --storage kernel-keyring or "
                                  "--insecure-storage"), error->message);
    g_error_free(error);
    error = asked;
  } else if (op->automatic && g_error_matches(error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE)) {
    /* No Secret Service to use here (a Secret Service that fails stays an error). */
    g_clear_error(&error);
    bkt_store_call(&bkt_backend_kernel_keyring, CALL_PROBE, NULL, NULL,
                   task_for(op, on_kernel_probed, TRUE));
    return;
  }
  finish(op, error);
}

/* The backend asked for: storage, else BKT_AUTH_STORAGE; NULL when bkt-auth chooses. */
static gboolean
wanted_backend(const char *storage, const BktBackend **out, GError **error)
{
  *out = NULL;
  const char *env = g_getenv("BKT_AUTH_STORAGE");
  if (storage == NULL && env != NULL && *env != '\0') {
    if ((*out = bkt_backend_get(env)) == NULL) {
      g_autofree char *shown = bkt_text_tame(env);
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("BKT_AUTH_STORAGE is '%s', which names no store: set it to "
                    "secret-service, kernel-keyring or file, or unset it"), shown);
      return FALSE;
    }
  } else if (storage != NULL && bkt_storage_from_string(storage, error) == NULL) {
    return FALSE;
  } else if (storage != NULL) {
    *out = bkt_backend_get(storage);
  }
  return TRUE;
}

BktStoreOp *
bkt_store_choose(const char *storage, BktStoreDone done, gpointer user_data)
{
  BktStoreOp *op = op_new(OP_CHOOSE, done, user_data);
  GError *error = NULL;
  if (!wanted_backend(storage, &op->wanted, &error)) {
    GTask *task = task_for(op, on_probed, TRUE);
    g_task_return_error(task, error); /* delivered on the context, not before this returns */
    g_object_unref(task);
    return op;
  }
  op->automatic = op->wanted == NULL;
  if (op->automatic)
    op->wanted = &bkt_backend_secret_service;
  bkt_store_call(op->wanted, CALL_PROBE, NULL, NULL, task_for(op, on_probed, TRUE));
  return op;
}

char *
bkt_store_choose_finish(BktStoreOp *op, GError **error)
{
  if (op->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&op->error));
    return NULL;
  }
  return g_steal_pointer(&op->storage);
}

/* ---- saving a login under the lock, and putting back ---- */

static void after_lock(BktStoreOp *op);
static void undo_begin(BktStoreOp *op);

static gboolean
on_lock_retry(gpointer data)
{
  BktStoreOp *op = data;
  g_clear_pointer(&op->retry, g_source_unref);
  gboolean busy = FALSE;
  GError *error = NULL;
  op->lock = bkt_lock_try(&busy, &error);
  if (op->lock != NULL) {
    op->waiting_since = 0;
    after_lock(op);
  } else if (!busy) {
    finish(op, error);
  } else if (g_get_monotonic_time() - op->lock_asked >=
             (gint64)bkt_lock_timeout_s() * G_USEC_PER_SEC) {
    finish(op, bkt_lock_timeout_error(
                 (int)((g_get_monotonic_time() - op->lock_asked) / G_USEC_PER_SEC)));
  } else {
    if (op->waiting_since == 0)
      op->waiting_since = op->lock_asked;
    op->retry = g_timeout_source_new(BKT_LOCK_RETRY_MS);
    g_source_set_callback(op->retry, on_lock_retry, op, NULL);
    g_source_attach(op->retry, bkt_async_context());
  }
  return G_SOURCE_REMOVE;
}

static void
take_lock(BktStoreOp *op)
{
  op->lock_asked = g_get_monotonic_time();
  on_lock_retry(op);
}

/* The save failed after the new secrets were written: put back what was there. */
static void
fail_saved(BktStoreOp *op, GError *error)
{
  op->failure = error;
  undo_begin(op);
}

static void
on_read_back(GObject *source, GAsyncResult *result, gpointer data)
{
  BktStoreOp *op = data;
  GError *error = NULL;
  g_autoptr(BktSecret) value = g_task_propagate_pointer(G_TASK(result), &error);
  BktSecrets back = { 0 };
  if (error == NULL && (value == NULL || !bkt_store_secrets_from_value(value, &back) ||
                        !bkt_secret_equal(back.access_token, op->secrets.access_token)))
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE,
                                _("the secret store did not keep the token: reading it back "
                                  "gave something else; check the keyring and try again"));
  if (error != NULL) {
    bkt_secrets_clear(&back);
    fail_saved(op, error);
    return;
  }
  op->read_back = g_steal_pointer(&back.access_token);
  bkt_secrets_clear(&back);
  finish(op, NULL);
}

static void
write_entry(BktStoreOp *op)
{
  GError *error = NULL;
  bkt_hosts_put(op->hosts, bkt_host_entry_copy(op->undo->entry));
  if (!bkt_hosts_save(op->hosts, &error)) {
    fail_saved(op, error);
    return;
  }
  bkt_store_call(bkt_store_backend_of(op->undo->entry), CALL_LOOKUP, op->undo->entry, NULL,
             task_for(op, on_read_back, FALSE));
}

static void
on_cleared_elsewhere(GObject *source, GAsyncResult *result, gpointer data)
{
  /* Best effort: the old store may be gone. */
  g_task_propagate_boolean(G_TASK(result), NULL);
  write_entry(data);
}

/* Whether the new login's secrets were written over the old one's: the same store, under the
 * same account (an upgraded login keyed by its user name is stored anew, under its ID). */
static gboolean
stored_in_place(const BktHostEntry *old, const BktHostEntry *new_entry)
{
  return g_strcmp0(old->storage, new_entry->storage) == 0 &&
         bkt_host_entry_same(old, new_entry);
}

static void
on_stored(GObject *source, GAsyncResult *result, gpointer data)
{
  BktStoreOp *op = data;
  GError *error = NULL;
  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    finish(op, error);
    return;
  }
  /* From here on, a failure puts back what was there. */
  const BktHostEntry *prev = op->undo->previous;
  if (prev != NULL && !stored_in_place(prev, op->undo->entry) && !op->undo->previous_unread)
    bkt_store_call(bkt_store_backend_of(prev), CALL_CLEAR, prev, NULL,
               task_for(op, on_cleared_elsewhere, FALSE));
  else
    write_entry(op);
}

static void
store_new(BktStoreOp *op)
{
  g_autoptr(BktSecret) value = bkt_store_secrets_to_value(&op->secrets);
  if (g_cancellable_is_cancelled(op->cancel)) {
    finish(op, g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
    return;
  }
  bkt_store_call(bkt_store_backend_of(op->undo->entry), CALL_STORE, op->undo->entry, value,
             task_for(op, on_stored, TRUE));
}

static void
on_snapshot(GObject *source, GAsyncResult *result, gpointer data)
{
  BktStoreOp *op = data;
  GError *error = NULL;
  g_autoptr(BktSecret) value = g_task_propagate_pointer(G_TASK(result), &error);
  /* What is there cannot be read (a store out of reach): it could not be put back, so a
   * login that would write over it changes nothing; one kept elsewhere goes on and leaves it
   * where it is. */
  if (error != NULL && (g_cancellable_is_cancelled(op->cancel) ||
                        stored_in_place(op->undo->previous, op->undo->entry))) {
    finish(op, error);
    return;
  }
  op->undo->previous_unread = error != NULL;
  g_clear_error(&error);
  if (value != NULL)
    bkt_store_secrets_from_value(value, &op->undo->previous_secrets);
  store_new(op);
}

static void
after_lock(BktStoreOp *op)
{
  GError *error = NULL;
  op->hosts = bkt_hosts_load(&error);
  if (op->hosts == NULL) {
    finish(op, error);
    return;
  }
  if (op->kind == OP_UNDO) {
    undo_begin(op);
    return;
  }
  const BktHostEntry *saved = op->undo->entry;
  const BktHostEntry *active = bkt_hosts_active(op->hosts, saved->key);
  op->undo->active_before = active != NULL ? g_strdup(active->account) : NULL;
  const BktHostEntry *prev = bkt_hosts_find_same(op->hosts, saved);
  if (prev == NULL) {
    store_new(op);
    return;
  }
  g_ptr_array_find(op->hosts, prev, &op->undo->previous_at);
  op->undo->previous = bkt_host_entry_copy(prev);
  bkt_store_call(bkt_store_backend_of(prev), CALL_LOOKUP, prev, NULL, task_for(op, on_snapshot, TRUE));
}

/* Putting back, under the lock: the new item goes (unless the old one takes its place), the
 * old secrets return, and hosts.json holds the old entry again or none. */
static void undo_restore_secrets(BktStoreOp *op);
static void undo_write_hosts(BktStoreOp *op);

static void
note_undo_error(BktStoreOp *op, GAsyncResult *result)
{
  GError *error = NULL;
  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    if (op->error == NULL)
      op->error = error;
    else
      g_error_free(error);
  }
}

static void
on_undo_cleared(GObject *source, GAsyncResult *result, gpointer data)
{
  note_undo_error(data, result);
  undo_restore_secrets(data);
}

static void
on_undo_restored(GObject *source, GAsyncResult *result, gpointer data)
{
  note_undo_error(data, result);
  undo_write_hosts(data);
}

static void
undo_begin(BktStoreOp *op)
{
  const BktStoreUndo *u = op->undo;
  if (u->previous == NULL || !stored_in_place(u->previous, u->entry))
    bkt_store_call(bkt_store_backend_of(u->entry), CALL_CLEAR, u->entry, NULL,
               task_for(op, on_undo_cleared, FALSE));
  else
    undo_restore_secrets(op);
}

static void
undo_restore_secrets(BktStoreOp *op)
{
  const BktStoreUndo *u = op->undo;
  if (u->previous == NULL || bkt_secret_empty(u->previous_secrets.access_token)) {
    undo_write_hosts(op);
    return;
  }
  g_autoptr(BktSecret) value = bkt_store_secrets_to_value(&u->previous_secrets);
  bkt_store_call(bkt_store_backend_of(u->previous), CALL_STORE, u->previous, value,
             task_for(op, on_undo_restored, FALSE));
}

static void
undo_write_hosts(BktStoreOp *op)
{
  /* Only the saved account goes back to what it was: another bkt-auth may have logged in, out
   * or switched among the host's other accounts since, and that stays. The active mark
   * returns to the account that held it before, unless it has moved on meanwhile. */
  const BktStoreUndo *u = op->undo;
  const char *key = u->entry->key;
  BktHostEntry *saved = bkt_hosts_find(op->hosts, key, u->entry->account);
  gboolean held_active = saved != NULL && saved->active;
  if (saved != NULL)
    g_ptr_array_remove(op->hosts, saved);
  if (u->previous != NULL && bkt_hosts_find(op->hosts, key, u->previous->account) == NULL) {
    BktHostEntry *back = bkt_host_entry_copy(u->previous);
    back->active = FALSE;
    g_ptr_array_insert(op->hosts, (gint)MIN(u->previous_at, op->hosts->len), back);
  }
  if (held_active || bkt_hosts_active(op->hosts, key) == NULL) {
    BktHostEntry *next = u->active_before != NULL
                           ? bkt_hosts_find(op->hosts, key, u->active_before)
                           : NULL;
    if (next == NULL) /* gone since: the one used last, as when an active account logs out */
      for (guint i = 0; i < op->hosts->len; i++) {
        BktHostEntry *e = g_ptr_array_index(op->hosts, i);
        if (strcmp(e->key, key) == 0 && (next == NULL || e->last_used > next->last_used))
          next = e;
      }
    for (guint i = 0; i < op->hosts->len; i++) {
      BktHostEntry *e = g_ptr_array_index(op->hosts, i);
      if (strcmp(e->key, key) == 0)
        e->active = e == next;
    }
  }
  GError *error = NULL;
  if (!bkt_hosts_save(op->hosts, &error)) {
    if (op->error == NULL)
      op->error = error;
    else
      g_error_free(error);
  }
  /* A save that failed reports why it failed, not how the putting back went. */
  GError *result;
  if (op->failure != NULL) {
    result = g_steal_pointer(&op->failure);
    g_clear_error(&op->error);
  } else {
    result = g_steal_pointer(&op->error);
  }
  finish(op, result);
}

BktStoreOp *
bkt_store_save_login(const BktHostEntry *entry, const BktSecrets *secrets, BktStoreDone done,
                     gpointer user_data)
{
  BktStoreOp *op = op_new(OP_SAVE, done, user_data);
  op->undo = g_new0(BktStoreUndo, 1);
  op->undo->entry = bkt_host_entry_copy(entry);
  bkt_secrets_copy(&op->secrets, secrets);
  take_lock(op);
  return op;
}

gboolean
bkt_store_save_login_finish(BktStoreOp *op, BktStoreUndo **undo, BktSecret **read_back,
                            GError **error)
{
  if (op->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&op->error));
    return FALSE;
  }
  if (undo != NULL)
    *undo = g_steal_pointer(&op->undo);
  if (read_back != NULL)
    *read_back = g_steal_pointer(&op->read_back);
  return TRUE;
}

BktStoreOp *
bkt_store_undo(BktStoreUndo *undo, BktStoreDone done, gpointer user_data)
{
  BktStoreOp *op = op_new(OP_UNDO, done, user_data);
  op->undo = undo;
  take_lock(op);
  return op;
}

gboolean
bkt_store_undo_finish(BktStoreOp *op, GError **error)
{
  if (op->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&op->error));
    return FALSE;
  }
  return TRUE;
}
