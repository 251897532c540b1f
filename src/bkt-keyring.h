/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "secret.h"

/*
 * bkt's keyring: the Secret Service collection that bkt (through 99designs/keyring) keeps for
 * itself, labelled "bkt" at BKT_BKT_COLLECTION_PATH, with one item per bkt host key: label
 * "host/KEY/token", attributes exactly {"profile": "host/KEY/token"} (no libsecret schema),
 * content type application/json, the secret the JSON of keyring.Item whose Data is the
 * token in base64. bkt reads the first item its search returns: there is only ever one.
 */
#define BKT_BKT_COLLECTION_PATH "/org/freedesktop/secrets/collection/bkt"
#define BKT_BKT_COLLECTION_LABEL "bkt"

typedef enum {
  BKT_BKT_KEYRING_DONE,
  BKT_BKT_KEYRING_LOCKED,   /* the collection is locked, and may not be unlocked here */
  BKT_BKT_KEYRING_MISSING,  /* there is no such collection, and it may not be made here */
  BKT_BKT_KEYRING_FAILED,   /* the Secret Service failed: the error says how */
} BktBktKeyringResult;

/*
 * Keep token as bkt's item for its host key, replacing what was there. With may_prompt, a
 * missing collection is made and a locked one unlocked (the Secret Service asks the person
 * for its password; over SSH without a display that cannot be shown, and nothing is tried);
 * without, they are left as they are and nothing is written. Waits for the Secret Service
 * (5 seconds, or the person's answer to a prompt: 5 minutes).
 */
BktBktKeyringResult bkt_bkt_keyring_store(const char *key, const BktSecret *token,
                                          gboolean may_prompt, GError **error);

/* Remove every item of the host key; never asks for a password. */
BktBktKeyringResult bkt_bkt_keyring_remove(const char *key, GError **error);

/* Whether bkt's keyring has an item for the host key (*found), without a prompt. */
BktBktKeyringResult bkt_bkt_keyring_find(const char *key, gboolean *found, GError **error);

/* The secret bkt's item holds for token: the JSON of keyring.Item. */
BktSecret *bkt_bkt_keyring_value(const char *key, const BktSecret *token);

/* TRUE over SSH without a display: no password prompt can be shown, and bkt looks for its
 * keyring in the Secret Service only with KEYRING_BACKEND=secret-service. */
gboolean bkt_bkt_headless_ssh(void);
