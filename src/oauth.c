/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "oauth.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <string.h>

#include "client.h"
#include "error.h"
#include "json.h"
#include "tame.h"

void
bkt_oauth_client_init(BktOAuthClient *client, const BktHost *host)
{
  memset(client, 0, sizeof *client);
  client->kind = host->kind;
  if (host->kind == BKT_KIND_CLOUD) {
    const char *web = bkt_cloud_web_url();
    const char *slash = g_str_has_suffix(web, "/") ? "" : "/";
    client->authorize_url = g_strconcat(web, slash, "site/oauth2/authorize", NULL);
    client->token_url = g_strconcat(web, slash, "site/oauth2/access_token", NULL);
  } else {
    client->authorize_url = g_strconcat(host->base_url, "/rest/oauth2/latest/authorize", NULL);
    client->token_url = g_strconcat(host->base_url, "/rest/oauth2/latest/token", NULL);
  }
}

void
bkt_oauth_client_clear(BktOAuthClient *client)
{
  g_free(client->authorize_url);
  g_free(client->token_url);
  g_free(client->client_id);
  bkt_secret_free(client->client_secret);
  g_free(client->redirect_uri);
  g_free(client->scopes);
  memset(client, 0, sizeof *client);
}

gboolean
bkt_oauth_client_set_credentials(BktOAuthClient *client, const char *id, const char *secret,
                                 GError **error)
{
  if (!bkt_client_credentials_resolve(client->kind, &id, &secret, error))
    return FALSE;
  g_free(client->client_id);
  client->client_id = g_strdup(id);
  bkt_secret_replace(&client->client_secret, bkt_secret_new_from(secret));
  return TRUE;
}

const char *
bkt_oauth_default_scopes(BktKind kind)
{
  return kind == BKT_KIND_DC ? "REPO_READ REPO_WRITE" : NULL;
}

char *
bkt_oauth_authorize_url(const BktOAuthClient *client, const char *state, const char *challenge)
{
  g_autoptr(BktSecret) q = bkt_secret_new(BKT_SECRET_MAX);
  bkt_form_add(q, "client_id", client->client_id);
  bkt_form_add(q, "response_type", "code");
  bkt_form_add(q, "redirect_uri", client->redirect_uri);
  bkt_form_add(q, "state", state);
  if (client->scopes != NULL && *client->scopes != '\0')
    bkt_form_add(q, "scope", client->scopes);
  bkt_form_add(q, "code_challenge", challenge);
  bkt_form_add(q, "code_challenge_method", "S256");
  return g_strconcat(client->authorize_url, "?", bkt_secret_str(q), NULL);
}

/* Cloud authenticates the client with HTTP Basic (documented); DC with form fields. */
static void
client_auth(const BktOAuthClient *client, BktSecret *form, BktHttpRequest *req)
{
  if (client->kind == BKT_KIND_CLOUD) {
    req->basic_user = client->client_id;
    req->basic_password = bkt_secret_str(client->client_secret);
  } else {
    bkt_form_add(form, "client_id", client->client_id);
    if (!bkt_secret_empty(client->client_secret))
      bkt_form_add(form, "client_secret", bkt_secret_str(client->client_secret));
  }
}

void
bkt_oauth_code_request(const BktOAuthClient *client, const BktSecret *code,
                       const BktSecret *verifier, BktSecret *form, BktHttpRequest *req)
{
  memset(req, 0, sizeof *req);
  bkt_form_add(form, "grant_type", "authorization_code");
  bkt_form_add(form, "code", bkt_secret_str(code));
  bkt_form_add(form, "redirect_uri", client->redirect_uri);
  bkt_form_add(form, "code_verifier", bkt_secret_str(verifier));
  client_auth(client, form, req);
  req->method = "POST";
  req->url = client->token_url;
  req->form = form;
}

void
bkt_oauth_refresh_request(const BktOAuthClient *client, const BktSecret *refresh_token,
                          BktSecret *form, BktHttpRequest *req)
{
  memset(req, 0, sizeof *req);
  bkt_form_add(form, "grant_type", "refresh_token");
  bkt_form_add(form, "refresh_token", bkt_secret_str(refresh_token));
  client_auth(client, form, req);
  req->method = "POST";
  req->url = client->token_url;
  req->form = form;
}

void
bkt_tokens_clear(BktTokens *tokens)
{
  bkt_secret_free(tokens->access_token);
  bkt_secret_free(tokens->refresh_token);
  g_free(tokens->scopes);
  memset(tokens, 0, sizeof *tokens);
}

gboolean
bkt_token_is_plain(const char *token)
{
  if (token == NULL || *token == '\0')
    return FALSE;
  size_t n = 0;
  for (const char *c = token; *c; c++, n++)
    if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
      return FALSE;
  return n <= BKT_SECRET_MAX;
}

gboolean
bkt_oauth_parse_token_response(long status, const char *body, size_t len, const char *host,
                               BktTokens *out, GError **error)
{
  memset(out, 0, sizeof *out);
  cJSON *json = cJSON_ParseWithLength(body, len);
  if (!cJSON_IsObject(json)) {
    bkt_json_wipe_delete(json);
    if (status >= 500)
      g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                  _("'%s' failed to issue a token (HTTP %ld): the server has a problem, try "
                    "again later"), host, status);
    else
      g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                  _("'%s' answered the token request with something that is not JSON "
                    "(HTTP %ld): check that the address is your Bitbucket"), host, status);
    return FALSE;
  }
  const char *err = bkt_json_string(json, "error");
  if (err != NULL || status != 200) {
    const char *desc = bkt_json_string(json, "error_description");
    g_autofree char *t_err = bkt_text_tame(err != NULL ? err : "unknown");
    g_autofree char *t_desc = desc != NULL ? bkt_text_tame(desc) : NULL;
    int code = g_strcmp0(err, "invalid_grant") == 0 ? BKT_ERROR_INVALID_GRANT : BKT_ERROR_PROTOCOL;
    if (g_strcmp0(err, "invalid_client") == 0)
      g_set_error(error, BKT_ERROR, code,
                  _("'%s' rejected the client credentials (%s): check the client ID and "
                    "secret"), host, t_desc != NULL ? t_desc : t_err);
    else
      /* TRANSLATORS: the host, the OAuth error code, then ": " and the server's description, or
         two empty strings */
      g_set_error(error, BKT_ERROR, code, _("'%s' refused to issue a token: %s%s%s"), host,
                  t_err, t_desc != NULL ? ": " : "", t_desc != NULL ? t_desc : "");
    bkt_json_wipe_delete(json);
    return FALSE;
  }
  const char *access = bkt_json_string(json, "access_token");
  if (access == NULL || *access == '\0') {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' answered the token request without an access token"), host);
    bkt_json_wipe_delete(json);
    return FALSE;
  }
  const char *refresh = bkt_json_string(json, "refresh_token");
  const char *type = bkt_json_string(json, "token_type");
  if (!bkt_token_is_plain(access) || (refresh != NULL && !bkt_token_is_plain(refresh))) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' issued a token with characters no token has (spaces, control or "
                  "non-ASCII characters): nothing was stored; check that the address is your "
                  "Bitbucket"), host);
    bkt_json_wipe_delete(json);
    return FALSE;
  }
  /* What every store can keep (a kernel key holds 32,767 bytes with the client secret): a
   * refresh that could not be stored would spend the refresh token for nothing. */
  size_t both = strlen(access) + (refresh != NULL ? strlen(refresh) : 0);
  if (both > BKT_TOKENS_MAX) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' issued tokens of %zu bytes, more than the %d bkt-auth can keep: nothing "
                  "was stored; check that the address is your Bitbucket"),
                host, both, BKT_TOKENS_MAX);
    bkt_json_wipe_delete(json);
    return FALSE;
  }
  /* Bearer in any case, or no type at all (as golang.org/x/oauth2 takes it). */
  if (type != NULL && g_ascii_strcasecmp(type, "bearer") != 0) {
    g_autofree char *shown = bkt_text_tame(type);
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' issued a token of type '%s', which bkt-auth cannot use (it sends bearer "
                  "tokens): nothing was stored"), host, shown);
    bkt_json_wipe_delete(json);
    return FALSE;
  }
  out->access_token = bkt_secret_new_from(access);
  out->refresh_token = bkt_secret_new_from(refresh);
  /* Cloud said "scopes" until May 2026 and "scope" since: take either. */
  const char *scopes = bkt_json_string(json, "scope");
  if (scopes == NULL)
    scopes = bkt_json_string(json, "scopes");
  out->scopes = bkt_text_tame(scopes);
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(json, "expires_in");
  if (cJSON_IsNumber(exp) && exp->valuedouble > 0 && exp->valuedouble < 1e9)
    out->expires_in = (gint64)exp->valuedouble;
  else if (cJSON_IsString(exp)) {
    gint64 v = 0;
    if (g_ascii_string_to_signed(exp->valuestring, 10, 1, 1000000000, &v, NULL))
      out->expires_in = v;
  }
  /* The tree holds copies of the tokens. */
  bkt_json_wipe_delete(json);
  return TRUE;
}
