/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "secret.h"

/*
 * A place that keeps secrets: one value (the JSON of a login's secrets) under a key. Every
 * operation is asynchronous: it completes the GTask it is given, on the task's context,
 * honouring the task's cancellable. The store (store.c) chooses a backend by the name kept in
 * hosts.json; nothing else talks to a backend.
 */

/* The name of a login's secrets. */
typedef struct {
  const char *host;     /* the stored host key: "bitbucket.org" */
  const char *account;  /* reserved for several accounts per host; NULL: the host's login */
} BktSecretKey;

typedef struct {
  const char *storage;  /* its name in hosts.json: BKT_STORAGE_* */
  /* The value stored under key: the task returns a BktSecret (pointer), or NULL when none. */
  void (*lookup)(const BktSecretKey *key, GTask *task);
  /* Keep value under key, replacing what was there: the task returns TRUE. */
  void (*store)(const BktSecretKey *key, const BktSecret *value, GTask *task);
  /* Nothing under key afterwards (also when nothing was there): the task returns TRUE. */
  void (*clear)(const BktSecretKey *key, GTask *task);
  /*
   * Whether it can keep secrets here and now: the task returns TRUE, or the reason:
   * BKT_ERROR_STORE_UNUSABLE when it is not there to use (no session bus, a keyring that is
   * locked with nothing here to unlock it, a kernel that refuses keyrings), so that a new
   * login may go elsewhere; any other error when it is there but fails.
   */
  void (*probe)(GTask *task);
  /* Whether asking it could wait for long (a bus that is not there): FALSE means try. */
  gboolean (*absent)(void);
  /* Where the secrets are, for people; newly allocated. */
  char *(*describe)(void);
  /* Optional: why a login's secrets may be missing though nothing removed them, as a
   * sentence naming host and what to do; newly allocated. */
  char *(*forgotten)(const char *host);
  /* Optional: forget what earlier calls of this process learnt of it (a deadline that ran
   * out), so that a new attempt asks it afresh. */
  void (*afresh)(void);
} BktBackend;

extern const BktBackend bkt_backend_secret_service;
extern const BktBackend bkt_backend_kernel_keyring;
extern const BktBackend bkt_backend_file;

/* The backend of a storage name; NULL when there is none of that name. */
const BktBackend *bkt_backend_get(const char *storage);

/* Every backend, NULL-terminated. */
extern const BktBackend *const bkt_backends[];
