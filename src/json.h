/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>

/* The string member name of obj, or NULL when it is missing, not a string, or empty. Borrowed
 * from obj. */
const char *bkt_json_string(const cJSON *obj, const char *name);

/* Wipe every string in the tree, then free it: trees that held tokens. NULL is fine. */
void bkt_json_wipe_delete(cJSON *json);
