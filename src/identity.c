/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "identity.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "tame.h"

void
bkt_identity_clear(BktIdentity *id)
{
  g_free(id->account);
  g_free(id->username);
  g_free(id->display_name);
  g_free(id->scopes);
  memset(id, 0, sizeof *id);
}

gboolean
bkt_identity_parse_cloud_user(const char *body, size_t len, BktIdentity *id)
{
  cJSON *json = cJSON_ParseWithLength(body, len);
  const char *name = bkt_json_string(json, "username");
  if (name == NULL)
    name = bkt_json_string(json, "account_id");
  const char *account = bkt_json_string(json, "account_id");
  if (account == NULL)
    account = bkt_json_string(json, "uuid");
  gboolean ok = name != NULL;
  if (ok) {
    g_free(id->account);
    id->account = bkt_text_tame(account != NULL ? account : name);
    g_free(id->username);
    id->username = bkt_text_tame(name);
    g_free(id->display_name);
    id->display_name = bkt_text_tame(bkt_json_string(json, "display_name"));
  }
  cJSON_Delete(json);
  return ok;
}

gboolean
bkt_identity_parse_dc_user(const char *body, size_t len, BktIdentity *id)
{
  cJSON *json = cJSON_ParseWithLength(body, len);
  const char *display = bkt_json_string(json, "displayName");
  gboolean ok = display != NULL;
  if (ok) {
    g_free(id->display_name);
    id->display_name = bkt_text_tame(display);
  }
  cJSON_Delete(json);
  return ok;
}

gboolean
bkt_identity_request(const BktHost *host, const BktCredential *cred, const BktIdentity *so_far,
                     int step, BktHttpRequest *req, char **url)
{
  memset(req, 0, sizeof *req);
  *url = NULL;
  if (host->kind == BKT_KIND_CLOUD && step == 0) {
    const char *api = bkt_cloud_api_url();
    *url = g_strconcat(api, g_str_has_suffix(api, "/") ? "" : "/", "2.0/user", NULL);
  } else if (host->kind == BKT_KIND_DC && step == 0) {
    *url = g_strconcat(host->base_url, "/rest/api/1.0/application-properties", NULL);
  } else if (host->kind == BKT_KIND_DC && step == 1 && so_far->username != NULL) {
    g_autofree char *slug = g_uri_escape_string(so_far->username, NULL, FALSE);
    *url = g_strconcat(host->base_url, "/rest/api/1.0/users/", slug, NULL);
  } else {
    return FALSE;
  }
  req->method = "GET";
  req->url = *url;
  if (cred->basic_user != NULL) {
    req->basic_user = cred->basic_user;
    req->basic_password = cred->token;
  } else {
    req->bearer = cred->token;
  }
  return TRUE;
}

gboolean
bkt_identity_take(const BktHost *host, int step, const BktHttpResponse *resp, BktIdentity *id,
                  GError **error)
{
  /* The DC display name is a courtesy: X-AUSERNAME already said who it is, and a user's slug
   * can differ from the name, so a failed lookup keeps the name and drops the display name. */
  if (host->kind == BKT_KIND_DC && step == 1) {
    if (resp->status == 200)
      bkt_identity_parse_dc_user(bkt_secret_str(resp->body), bkt_secret_len(resp->body), id);
    return TRUE;
  }
  if (resp->status == 401 || resp->status == 403) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' did not accept the token (HTTP %ld): it may be wrong, expired, or "
                  "lack the scope to read your account"), host->key, resp->status);
    return FALSE;
  }
  if (resp->status != 200) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' failed to say who the token belongs to (HTTP %ld): try again later"),
                host->key, resp->status);
    return FALSE;
  }
  if (host->kind == BKT_KIND_CLOUD) {
    if (!bkt_identity_parse_cloud_user(bkt_secret_str(resp->body), bkt_secret_len(resp->body), id))
      goto garbled;
    const char *scopes = bkt_http_response_header(resp, "x-oauth-scopes");
    if (scopes != NULL) {
      /* "account, repository" -> "account repository" */
      g_auto(GStrv) parts = g_strsplit_set(scopes, ", ", -1);
      GString *joined = g_string_new(NULL);
      for (char **p = parts; *p; p++)
        if (**p != '\0')
          g_string_append_printf(joined, "%s%s", joined->len ? " " : "", *p);
      g_free(id->scopes);
      id->scopes = bkt_text_tame(joined->str);
      g_string_free(joined, TRUE);
    }
    return TRUE;
  }
  if (step == 0) {
    const char *user = bkt_http_response_header(resp, "x-ausername");
    if (user == NULL || *user == '\0') {
      g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                  _("'%s' did not recognise the token: no user came back with the answer; "
                    "check the token and that this is a Bitbucket Data Center"), host->key);
      return FALSE;
    }
    g_free(id->username);
    id->username = bkt_text_tame(user);
    const char *user_id = bkt_http_response_header(resp, "x-auserid");
    g_free(id->account);
    id->account = bkt_text_tame(user_id != NULL && *user_id != '\0' ? user_id : user);
    return TRUE;
  }

garbled:
  g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
              _("'%s' answered the account request with something bkt-auth cannot read: "
                "check that the address is your Bitbucket"), host->key);
  return FALSE;
}

gboolean
bkt_identity_fetch(BktHttp *http, const BktHost *host, const BktCredential *cred,
                   BktIdentity *id, GError **error)
{
  BktHttpRequest req;
  char *url;
  for (int step = 0; bkt_identity_request(host, cred, id, step, &req, &url); step++) {
    BktHttpResponse resp;
    gboolean ok = bkt_http_perform(http, &req, &resp, error);
    g_free(url);
    if (!ok)
      return FALSE;
    ok = bkt_identity_take(host, step, &resp, id, error);
    bkt_http_response_clear(&resp);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}
