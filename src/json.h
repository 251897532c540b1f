/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>

#include "secret.h"

/* The string member name of obj, or NULL when it is missing, not a string, or empty. Borrowed
 * from obj. */
const char *bkt_json_string(const cJSON *obj, const char *name);

/* A positive whole number member (seconds, a count) of obj, or 0. */
gint64 bkt_json_int(const cJSON *obj, const char *name);

/* Wipe every string in the tree, then free it: trees that held tokens. NULL is fine. */
void bkt_json_wipe_delete(cJSON *json);

/* JSON text of a tree that holds secrets, compact or formatted. Printed into a buffer of our
 * own: cJSON's printer grows its buffer with realloc, which leaves copies behind. */
BktSecret *bkt_json_print_secret(const cJSON *json, gboolean format);

/* Parse a secret's JSON text; the caller frees the tree with bkt_json_wipe_delete. */
cJSON *bkt_json_parse_secret(const BktSecret *text);
