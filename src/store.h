/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"
#include "secret.h"

/*
 * The store: a login's secrets in the backend its entry names (backend.h), its entry in
 * hosts.json (hosts.h), and the transactions that change both under the lock (files.h).
 */

/* The secret part of a login, kept together so one write replaces all. */
typedef struct {
  BktSecret *access_token;
  BktSecret *refresh_token;
  BktSecret *client_secret;
  gint64 expires_at;
  gint64 issued_at;  /* when the access token was obtained; 0 when unknown */
} BktSecrets;

void bkt_secrets_clear(BktSecrets *secrets);
void bkt_secrets_copy(BktSecrets *dst, const BktSecrets *src);

/* Whether the login can get a new access token by itself (OAuth with a refresh token). */
gboolean bkt_secrets_refreshable(const BktHostEntry *entry, const BktSecrets *secrets);

/* The secrets of a login, waiting for the backend. BKT_ERROR_NOT_LOGGED_IN when nothing is
 * stored; BKT_ERROR_STORE when the store fails. */
gboolean bkt_secrets_load(const BktHostEntry *entry, BktSecrets *out, GError **error);
gboolean bkt_secrets_save(const BktHostEntry *entry, const BktSecrets *secrets, GError **error);
gboolean bkt_secrets_delete(const BktHostEntry *entry, GError **error);

/* Whether the named store can keep secrets here now, waiting for it (5 seconds at most). */
gboolean bkt_store_probe(const char *storage, GError **error);

/* Ask every store afresh from now on: what earlier calls learnt (a deadline that ran out) is
 * forgotten. A new login attempt starts so. */
void bkt_store_afresh(void);

/* Where a login's token is kept, for people; newly allocated. */
char *bkt_storage_describe(const char *storage);

/* The storage (BKT_STORAGE_*) a name given by the person means, or NULL with a sentence. */
const char *bkt_storage_from_string(const char *name, GError **error);

/* Where a new login would go here when that is safer than the file: its storage name (newly
 * allocated), else NULL. Waits for the answer, as bkt_store_choose(NULL). */
char *bkt_store_safer_than_file(void);

/* ---- choosing where a new login goes ---- */

typedef struct BktStoreOp BktStoreOp;
typedef void (*BktStoreDone)(BktStoreOp *op, gpointer user_data);

/*
 * Find the store for a new login. storage (BKT_STORAGE_*), else BKT_AUTH_STORAGE, names the
 * one to use, which must answer; with neither, the Secret Service when it can be used here,
 * else the kernel keyring (a Secret Service that can be used but fails is an error, not a
 * reason to go elsewhere). Calls done on the engine's context (async.h).
 */
BktStoreOp *bkt_store_choose(const char *storage, BktStoreDone done, gpointer user_data);
/* After done: the storage name (newly allocated), or NULL with the reason. */
char *bkt_store_choose_finish(BktStoreOp *op, GError **error);

/* ---- saving a login, and taking it back ---- */

typedef struct BktStoreUndo BktStoreUndo;

/*
 * Save a new login: under the lock (waited for up to bkt_lock_timeout_s(), retried on a
 * timer), remember what the host held, keep the secrets and the entry, and read the token
 * back. Any failure, a cancel included, leaves the store as it was. Calls done on the
 * engine's context.
 */
BktStoreOp *bkt_store_save_login(const BktHostEntry *entry, const BktSecrets *secrets,
                                 BktStoreDone done, gpointer user_data);
/* After done: TRUE with what to put back if the new login proves bad (*undo) and the token
 * as read back from the store (*read_back); both optional. */
gboolean bkt_store_save_login_finish(BktStoreOp *op, BktStoreUndo **undo, BktSecret **read_back,
                                     GError **error);

/* Put back what a saved login replaced (takes undo), under the lock. */
BktStoreOp *bkt_store_undo(BktStoreUndo *undo, BktStoreDone done, gpointer user_data);
gboolean bkt_store_undo_finish(BktStoreOp *op, GError **error);
void bkt_store_undo_free(BktStoreUndo *undo);

/* Since when (monotonic microseconds) the operation waits for another process's lock; 0 when
 * it does not. */
gint64 bkt_store_op_waiting_since(const BktStoreOp *op);
/* Stop: the operation finishes with BKT_ERROR_CANCELLED, the store as it was. */
void bkt_store_op_cancel(BktStoreOp *op);
/* An operation still running is cancelled and run to its end first. */
void bkt_store_op_free(BktStoreOp *op);

/* Run an operation to its end on the engine's context; SIGINT, SIGTERM and SIGHUP cancel it. */
void bkt_store_op_wait(BktStoreOp *op);

/* ---- commands that change the store ---- */

/* Remove a login's secrets and entry, under the lock: the account user names (else the
 * active one) of the host the rules of choose.h find (without guessing the last used).
 * *removed: a copy of what was removed. When it was the host's active account, its most
 * recently used other one becomes active. */
gboolean bkt_store_logout(const char *host_input, const char *user, BktHostEntry **removed,
                          GError **error);

/* Make an account its host's active one, under the lock (waited for as bkt_lock_take does). */
gboolean bkt_store_switch(const BktHostEntry *to, GError **error);
/* The same without waiting: FALSE with *busy set (and no error) while another process holds
 * the lock, for a front end that retries from its own loop. */
gboolean bkt_store_switch_try(const BktHostEntry *to, gboolean *busy, GError **error);

/*
 * Move what hosts.json version 1 holds (one login per host, its secrets kept under the host
 * alone) to the layout of several accounts, under the lock, keeping the old file beside it as
 * hosts.json.v1; nothing when there is nothing to move. Every command runs it first.
 */
gboolean bkt_store_upgrade(GError **error);
