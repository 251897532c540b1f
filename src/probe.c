/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "probe.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stdlib.h>

#include "error.h"
#include "tame.h"

void
bkt_probe_request(const BktHost *host, BktHttpRequest *req, char **url)
{
  *url = g_strconcat(host->base_url, "/rest/api/1.0/application-properties", NULL);
  *req = (BktHttpRequest){ .method = "GET", .url = *url, .timeout_s = BKT_PROBE_TIMEOUT_S };
}

gboolean
bkt_probe_take(const BktHost *host, const BktHttpResponse *resp, char **version,
               GError **error)
{
  *version = NULL;
  cJSON *json = resp->status == 200 ? cJSON_ParseWithLength(bkt_secret_str(resp->body), bkt_secret_len(resp->body))
                                    : NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, "version");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "displayName");
  if (!cJSON_IsString(v) || (name != NULL && !cJSON_IsString(name))) {
    cJSON_Delete(json);
    if (resp->status == 401 || resp->status == 403)
      g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                  _("'%s' asks to log in before it says what it is: it may be a Bitbucket "
                    "behind a proxy; check the address with your admin"), host->key);
    else
      g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                  _("'%s' does not answer like a Bitbucket Data Center (HTTP %ld): check the "
                    "address, including any path such as /bitbucket"), host->key, resp->status);
    return FALSE;
  }
  char *end = NULL;
  long major = strtol(v->valuestring, &end, 10);
  long minor = end != NULL && *end == '.' ? strtol(end + 1, NULL, 10) : 0;
  if (major < BKT_DC_MIN_MAJOR || (major == BKT_DC_MIN_MAJOR && minor < BKT_DC_MIN_MINOR)) {
    g_autofree char *shown = bkt_text_tame(v->valuestring);
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' runs Bitbucket %s, which has no OAuth 2.0 for applications (it came in "
                  "7.20): log in with a personal access token instead, using --with-token"),
                host->key, shown);
    cJSON_Delete(json);
    return FALSE;
  }
  *version = bkt_text_tame(v->valuestring);
  cJSON_Delete(json);
  return TRUE;
}
