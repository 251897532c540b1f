/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>

#include "bkt-copy.h"

/*
 * bkt.json, beside hosts.json: what setup-bkt wrote for each host, so that later changes touch
 * only that. Nothing secret.
 *
 *   {"version": 1, "copies": {HOST: {"bkt_host": KEY, "account": ..., "config": PATH,
 *    "base_url": ..., "auth_method": ..., "context": NAME, "expires_at": N, "problem": ...}}}
 */
#define BKT_COPY_FILE "bkt.json"

/* Problems recorded for a copy: protocol strings, never translated. */
#define BKT_COPY_LOCKED "locked"
#define BKT_COPY_MISSING "missing"
#define BKT_COPY_FAILED "failed"

/* The record (an empty one when there is none); NULL when it cannot be read. */
cJSON *bkt_copy_record_load(GError **error);
gboolean bkt_copy_record_save(cJSON *record, GError **error);
/* The copy of a host in the record, or NULL. Borrowed from record. */
cJSON *bkt_copy_record_get(cJSON *record, const char *key);
/* A new, empty copy of a host in the record (replacing one). Borrowed. */
cJSON *bkt_copy_record_put(cJSON *record, const char *key);

/* Write token as the copy rec records, without a prompt unless may_prompt, and record how it
 * went. */
BktBktCopy bkt_copy_write(cJSON *rec, const BktHostEntry *e, const BktSecret *token,
                          gint64 expires_at, gboolean may_prompt, GError **error);
/* Set a member of rec (NULL: remove it). */
void bkt_copy_set_string(cJSON *rec, const char *name, const char *value);
