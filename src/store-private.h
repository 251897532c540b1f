/* SPDX-License-Identifier: MIT */
#pragma once

/* What store.c and store-op.c share. */

#include <gio/gio.h>

#include "backend.h"
#include "store.h"

typedef enum { CALL_LOOKUP, CALL_STORE, CALL_CLEAR, CALL_PROBE } BktStoreCall;

/* The backend that holds a login's secrets. */
const BktBackend *bkt_store_backend_of(const BktHostEntry *entry);

/* Start one backend call for a login (entry NULL for a probe); takes task. */
void bkt_store_call(const BktBackend *b, BktStoreCall call, const BktHostEntry *entry,
                    const BktSecret *value, GTask *task);

/* What a backend keeps: the secrets as JSON text, and back; FALSE without an access token. */
BktSecret *bkt_store_secrets_to_value(const BktSecrets *s);
gboolean bkt_store_secrets_from_value(const BktSecret *value, BktSecrets *out);
