/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "json.h"

#include <string.h>

const char *
bkt_json_string(const cJSON *obj, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsString(item) && item->valuestring != NULL && *item->valuestring != '\0'
           ? item->valuestring
           : NULL;
}

gint64
bkt_json_int(const cJSON *obj, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsNumber(item) && item->valuedouble > 0 && item->valuedouble < 1e15
           ? (gint64)item->valuedouble
           : 0;
}

static void
wipe_strings(cJSON *json)
{
  for (cJSON *c = json; c != NULL; c = c->next) {
    if (cJSON_IsString(c) && c->valuestring != NULL)
      bkt_wipe(c->valuestring, strlen(c->valuestring));
    wipe_strings(c->child);
  }
}

void
bkt_json_wipe_delete(cJSON *json)
{
  if (json == NULL)
    return;
  wipe_strings(json->child);
  if (cJSON_IsString(json) && json->valuestring != NULL)
    bkt_wipe(json->valuestring, strlen(json->valuestring));
  cJSON_Delete(json);
}

BktSecret *
bkt_json_print_secret(const cJSON *json, gboolean format)
{
  for (int size = 4096;; size *= 2) {
    char *buf = g_malloc(size);
    BktSecret *out = NULL;
    if (cJSON_PrintPreallocated((cJSON *)json, buf, size, format)) {
      size_t len = strlen(buf);
      out = bkt_secret_new(len);
      bkt_secret_append(out, buf, len);
    }
    bkt_wipe(buf, size);
    g_free(buf);
    if (out != NULL)
      return out;
  }
}

cJSON *
bkt_json_parse_secret(const BktSecret *text)
{
  return cJSON_ParseWithLength(bkt_secret_str(text), bkt_secret_len(text));
}
