/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "json.h"

#include <string.h>

#include "secure.h"

const char *
bkt_json_string(const cJSON *obj, const char *name)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
  return cJSON_IsString(item) && item->valuestring != NULL && *item->valuestring != '\0'
           ? item->valuestring
           : NULL;
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
  cJSON_Delete(json);
}
