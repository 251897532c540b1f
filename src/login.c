/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "login.h"

#include <glib/gi18n.h>
#include <string.h>

#include "callback.h"
#include "error.h"
#include "http.h"
#include "identity.h"
#include "loopback.h"
#include "oauth.h"
#include "pkce.h"
#include "secure.h"

#define DEFAULT_TIMEOUT_S 300

struct BktLogin {
  BktHost host;
  BktOAuthClient client;
  char *ca_file;
  char *storage;
  char *state;
  char *verifier;
  char *authorize_url;
  char *browser_url;      /* the listener's start address, which redirects to authorize_url */
  gboolean owner_unknown; /* the redirect came from a program whose owner was not found */
  BktLoopback *loopback;
  BktHttp *http;
  GString *form;
  BktLoginStage stage;
  gint64 deadline;
  GError *error;
  BktTokens tokens;
  BktIdentity identity;
  int identity_step;
  BktHostEntry *result;
  char *confirm_token; /* read back from the store */
  gboolean stored;            /* the new credentials are in the store, not yet confirmed */
  BktHostEntry *previous;     /* what was stored for the host before, to put back on failure */
  BktSecrets previous_secrets;
  BktLoginProgress progress;
  gpointer user_data;
};

static gboolean
env_nonempty(const char *name, const char **out)
{
  const char *v = g_getenv(name);
  if (v == NULL || *v == '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

/* What a Data Center application link issues (its View credentials dialog). */
#define DC_CLIENT_ID_LEN 32
#define DC_CLIENT_SECRET_LEN 64

gboolean
bkt_client_credentials_check(BktKind kind, const char *id, const char *secret, int *bad_field,
                             GError **error)
{
  *bad_field = id == NULL || *id == '\0' ? 0 : 1;
  if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE, _("Both fields are needed."));
    return FALSE;
  }
  *bad_field = strpbrk(id, " \t") != NULL ? 0 : 1;
  if (strpbrk(id, " \t") != NULL || strpbrk(secret, " \t") != NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("The ID and the secret contain no spaces: copy them again."));
    return FALSE;
  }
  if (kind == BKT_KIND_DC && strlen(id) != DC_CLIENT_ID_LEN) {
    *bad_field = 0;
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("A Client ID has %d characters; this one has %zu. Copy it again from View "
                  "credentials."), DC_CLIENT_ID_LEN, strlen(id));
    return FALSE;
  }
  if (kind == BKT_KIND_DC && strlen(secret) != DC_CLIENT_SECRET_LEN) {
    *bad_field = 1;
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("A Client secret has %d characters; this one has %zu. Copy it again from "
                  "View credentials."), DC_CLIENT_SECRET_LEN, strlen(secret));
    return FALSE;
  }
  return TRUE;
}

gboolean
bkt_choose_storage(gboolean insecure, char **storage_out, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (bkt_secret_service_check(&local)) {
    *storage_out = g_strdup(BKT_STORAGE_SECRET_SERVICE);
    return TRUE;
  }
  if (insecure) {
    *storage_out = g_strdup(BKT_STORAGE_FILE);
    return TRUE;
  }
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

/* The Cloud consumer: flags, then the environment, then the one built in. */
static void
cloud_consumer(const char **id, const char **secret)
{
  if (*id == NULL && !env_nonempty("BKT_OAUTH_CLIENT_ID", id) && *BKT_CLOUD_CLIENT_ID)
    *id = BKT_CLOUD_CLIENT_ID;
  if (*secret == NULL && !env_nonempty("BKT_OAUTH_CLIENT_SECRET", secret) &&
      *BKT_CLOUD_CLIENT_SECRET)
    *secret = BKT_CLOUD_CLIENT_SECRET;
}

gboolean
bkt_cloud_consumer_known(const char *client_id, const char *client_secret)
{
  cloud_consumer(&client_id, &client_secret);
  return client_id != NULL && *client_id && client_secret != NULL && *client_secret;
}

/* Client credentials: flags, then (Cloud) the environment, then the built-in consumer. */
static gboolean
client_credentials(const BktLoginOptions *opts, BktOAuthClient *client, GError **error)
{
  const char *id = opts->client_id, *secret = opts->client_secret;
  if (client->kind == BKT_KIND_CLOUD) {
    cloud_consumer(&id, &secret);
    if (id == NULL || secret == NULL) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                          _("this build of bkt-auth has no OAuth consumer for Bitbucket Cloud: "
                            "add one to a workspace (Settings > OAuth consumers, callback URL "
                            "http://127.0.0.1) and set BKT_OAUTH_CLIENT_ID and "
                            "BKT_OAUTH_CLIENT_SECRET to its key and secret"));
      return FALSE;
    }
  } else if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("a Data Center login needs the Client ID and Client secret of an "
                          "application link: pass --client-id ID and --client-secret-file FILE "
                          "(ask your Bitbucket admin for them)"));
    return FALSE;
  }
  client->client_id = g_strdup(id);
  client->client_secret = g_strdup(secret);
  return TRUE;
}

/* Parse the redirect URI into what to listen on. */
static gboolean
redirect_parts(const char *redirect, char **bind_host, guint16 *port, char **path,
               GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse(redirect, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;
  if (uri == NULL || g_strcmp0(g_uri_get_scheme(uri), "http") != 0 || host == NULL ||
      !(g_ascii_strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
        strcmp(host, "::1") == 0) ||
      g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("the redirect URI '%s' is not one bkt-auth can listen on: use "
                  "http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH"), redirect);
    return FALSE;
  }
  int p = g_uri_get_port(uri);
  *port = p > 0 ? (guint16)p : 80;
  *bind_host = g_ascii_strdown(host, -1);
  *path = g_strdup(*g_uri_get_path(uri) ? g_uri_get_path(uri) : "/");
  return TRUE;
}

static void
set_stage(BktLogin *login, BktLoginStage stage)
{
  login->stage = stage;
  if (login->progress != NULL)
    login->progress(login, stage, login->user_data);
}

static void rollback(BktLogin *login);

static void
fail(BktLogin *login, GError *error)
{
  if (login->stored)
    rollback(login);
  g_clear_error(&login->error);
  login->error = error;
  g_clear_pointer(&login->loopback, bkt_loopback_free);
  if (login->http != NULL)
    bkt_http_cancel(login->http);
  set_stage(login, BKT_LOGIN_FAILED);
}

BktLogin *
bkt_login_new(const BktLoginOptions *opts, BktLoginProgress progress, gpointer user_data,
              GError **error)
{
  BktLogin *login = g_new0(BktLogin, 1);
  login->progress = progress;
  login->user_data = user_data;
  login->ca_file = g_strdup(opts->ca_file);
  g_autofree char *bind_host = NULL, *path = NULL, *challenge = NULL;
  guint16 port = 0;
  const char *host = opts->host != NULL ? opts->host : "bitbucket.org";

  if (!bkt_host_parse(host, opts->kind, opts->allow_http, &login->host, error))
    goto fail;
  bkt_oauth_client_init(&login->client, &login->host);
  if (!client_credentials(opts, &login->client, error))
    goto fail;
  const char *scopes = opts->scopes != NULL ? opts->scopes
                                            : bkt_oauth_default_scopes(login->host.kind);
  login->client.scopes = g_strdup(scopes);

  if (opts->redirect_uri != NULL) {
    if (!redirect_parts(opts->redirect_uri, &bind_host, &port, &path, error))
      goto fail;
  } else if (login->host.kind == BKT_KIND_DC) {
    bind_host = g_strdup("localhost");
    port = BKT_DC_REDIRECT_PORT;
    path = g_strdup("/callback");
  } else {
    bind_host = g_strdup("127.0.0.1");
    path = g_strdup("/callback");
  }

  if (!bkt_choose_storage(opts->insecure_storage, &login->storage, error))
    goto fail;
  if ((login->state = bkt_state_new(error)) == NULL ||
      (login->verifier = bkt_pkce_verifier_new(error)) == NULL)
    goto fail;
  login->loopback = bkt_loopback_new(bind_host, port, path, login->state, error);
  if (login->loopback == NULL)
    goto fail;
  login->http = bkt_http_new(login->ca_file, error);
  if (login->http == NULL)
    goto fail;

  if (opts->redirect_uri != NULL) {
    login->client.redirect_uri = g_strdup(opts->redirect_uri);
  } else {
    const char *name = strcmp(bind_host, "localhost") == 0 ? "localhost" : "127.0.0.1";
    login->client.redirect_uri = g_strdup_printf(
      "http://%s:%u%s", name, (unsigned)bkt_loopback_port(login->loopback), path);
  }
  challenge = bkt_pkce_challenge_s256(login->verifier);
  login->authorize_url = bkt_oauth_authorize_url(&login->client, login->state, challenge);
  bkt_loopback_set_start(login->loopback, login->authorize_url);
  login->browser_url = g_strdup(bkt_loopback_start_url(login->loopback));
  int timeout = opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
  login->deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
  login->stage = BKT_LOGIN_WAITING;
  /* Sized once: the form carries the code, the verifier and a client secret. */
  login->form = g_string_sized_new(4096);
  return login;

fail:
  bkt_login_free(login);
  return NULL;
}

void
bkt_login_free(BktLogin *login)
{
  if (login == NULL)
    return;
  bkt_host_clear(&login->host);
  bkt_oauth_client_clear(&login->client);
  g_free(login->ca_file);
  g_free(login->storage);
  g_free(login->state);
  bkt_secret_free(login->verifier);
  g_free(login->authorize_url);
  g_free(login->browser_url);
  bkt_loopback_free(login->loopback);
  bkt_http_free(login->http);
  if (login->form != NULL) {
    bkt_wipe(login->form->str, login->form->len);
    g_string_free(login->form, TRUE);
  }
  g_clear_error(&login->error);
  bkt_tokens_clear(&login->tokens);
  bkt_identity_clear(&login->identity);
  bkt_host_entry_free(login->result);
  bkt_secret_free(login->confirm_token);
  bkt_host_entry_free(login->previous);
  bkt_secrets_clear(&login->previous_secrets);
  g_free(login);
}

const BktHost *
bkt_login_host(const BktLogin *login)
{
  return &login->host;
}

const char *
bkt_login_authorize_url(const BktLogin *login)
{
  return login->authorize_url;
}

const char *
bkt_login_browser_url(const BktLogin *login)
{
  return login->browser_url;
}

gboolean
bkt_login_needs_account_confirmation(const BktLogin *login)
{
  return login->owner_unknown;
}

const char *
bkt_login_redirect_uri(const BktLogin *login)
{
  return login->client.redirect_uri;
}

guint16
bkt_login_port(const BktLogin *login)
{
  g_autoptr(GUri) uri = g_uri_parse(login->client.redirect_uri, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && g_uri_get_port(uri) > 0 ? (guint16)g_uri_get_port(uri) : 80;
}

gint64
bkt_login_deadline(const BktLogin *login)
{
  return login->deadline;
}

BktLoginStage
bkt_login_stage(const BktLogin *login)
{
  return login->stage;
}

const GError *
bkt_login_error(const BktLogin *login)
{
  return login->error;
}

const BktHostEntry *
bkt_login_result(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_DONE ? login->result : NULL;
}

/* ---- storing, shared by OAuth and --with-token ---- */

/*
 * Keep secrets and entry, then read the secrets back: "stored" must mean "works". The token
 * read back goes to *back_token (a secret) when it is not NULL.
 */
static gboolean
store_credentials(BktHostEntry *entry, const BktSecrets *secrets, char **back_token,
                  GError **error)
{
  int lock = bkt_store_lock(error);
  if (lock < 0)
    return FALSE;
  gboolean ok = FALSE;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  if (hosts != NULL && bkt_secrets_save(entry, secrets, error)) {
    /* A login that moved to the other store leaves nothing live behind in the old one. */
    bkt_secrets_delete_elsewhere(entry);
    bkt_hosts_put(hosts, bkt_host_entry_copy(entry));
    BktSecrets back;
    if (bkt_hosts_save(hosts, error) && bkt_secrets_load(entry, &back, error)) {
      ok = bkt_str_equal_ct(back.access_token, secrets->access_token);
      if (!ok)
        g_set_error_literal(error, BKT_ERROR, BKT_ERROR_STORE,
                            _("the secret store did not keep the token: reading it back gave "
                              "something else; check the keyring and try again"));
      else if (back_token != NULL)
        *back_token = g_steal_pointer(&back.access_token);
      bkt_secrets_clear(&back);
    }
  }
  bkt_store_unlock(lock);
  return ok;
}

static BktHostEntry *
entry_for(const BktHost *host, const BktIdentity *id, const char *storage, const char *ca_file)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(host->key);
  e->kind = host->kind;
  e->base_url = g_strdup(host->base_url);
  e->username = g_strdup(id->username);
  e->display_name = g_strdup(id->display_name);
  e->storage = g_strdup(storage);
  e->ca_file = g_strdup(ca_file);
  return e;
}

/* ---- the OAuth steps ---- */

/* Remember what is stored for the host now, so a failed confirmation can put it back. */
static void
snapshot(BktLogin *login)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  for (guint i = 0; hosts != NULL && i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, login->host.key) == 0) {
      login->previous = bkt_host_entry_copy(e);
      if (!bkt_secrets_load(e, &login->previous_secrets, NULL))
        g_clear_pointer(&login->previous, bkt_host_entry_free);
      return;
    }
  }
}

/* The new credentials did not prove themselves: leave the store as the login found it. */
static void
rollback(BktLogin *login)
{
  login->stored = FALSE;
  int lock = bkt_store_lock(NULL);
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  if (hosts != NULL) {
    if (login->previous != NULL) {
      bkt_secrets_save(login->previous, &login->previous_secrets, NULL);
      bkt_hosts_put(hosts, bkt_host_entry_copy(login->previous));
    } else {
      bkt_secrets_delete(login->result, NULL);
      bkt_hosts_remove(hosts, login->host.key);
    }
    bkt_hosts_save(hosts, NULL);
  }
  bkt_store_unlock(lock);
}

/* The last step: one authenticated call with what the store gave back. */
static void
start_confirm(BktLogin *login)
{
  BktCredential cred = { login->confirm_token, NULL };
  BktHttpRequest req;
  g_autofree char *url = NULL;
  GError *error = NULL;
  bkt_identity_request(&login->host, &cred, &login->identity, 0, &req, &url);
  set_stage(login, BKT_LOGIN_CONFIRMING);
  if (!bkt_http_start(login->http, &req, &error))
    fail(login, error);
}

static void
start_identity_step(BktLogin *login)
{
  BktCredential cred = { login->tokens.access_token, NULL };
  BktHttpRequest req;
  g_autofree char *url = NULL;
  GError *error = NULL;
  if (bkt_identity_request(&login->host, &cred, &login->identity, login->identity_step, &req,
                           &url)) {
    if (!bkt_http_start(login->http, &req, &error))
      fail(login, error);
    return;
  }

  set_stage(login, BKT_LOGIN_STORING);
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  BktHostEntry *e = entry_for(&login->host, &login->identity, login->storage, login->ca_file);
  e->auth = g_strdup("oauth");
  e->client_id = g_strdup(login->client.client_id);
  if (login->host.kind == BKT_KIND_DC)
    e->redirect_uri = g_strdup(login->client.redirect_uri);
  e->scopes = g_strdup(login->tokens.scopes != NULL     ? login->tokens.scopes
                       : login->identity.scopes != NULL ? login->identity.scopes
                                                        : login->client.scopes);
  e->expires_at = login->tokens.expires_in > 0 ? now + login->tokens.expires_in : 0;
  BktSecrets secrets = {
    .access_token = login->tokens.access_token,
    .refresh_token = login->tokens.refresh_token,
    .client_secret = login->client.client_secret,
    .expires_at = e->expires_at,
    .issued_at = now,
  };
  snapshot(login);
  login->result = e;
  login->stored = TRUE; /* from here on, a failure puts back what was there */
  if (!store_credentials(e, &secrets, &login->confirm_token, &error)) {
    fail(login, error);
    return;
  }
  start_confirm(login);
}

/* The browser came back (or the user pasted where it ended): deny, or exchange the code. */
static void
take_callback(BktLogin *login, const BktCallback *cb)
{
  if (cb->error != NULL) {
    GError *error;
    if (strcmp(cb->error, "access_denied") == 0)
      error = g_error_new_literal(BKT_ERROR, BKT_ERROR_DENIED,
                                  _("access was denied in the browser: run the login again and "
                                    "choose to grant access"));
    else if (strcmp(cb->error, "invalid_scope") == 0)
      error = g_error_new(BKT_ERROR, BKT_ERROR_PROTOCOL,
                          _("'%s' refused the scopes '%s': ask for fewer with --scopes, or ask "
                            "the admin to allow them on the application link"),
                          login->host.key, login->client.scopes ? login->client.scopes : "");
    else
      error = g_error_new(BKT_ERROR, BKT_ERROR_PROTOCOL,
                          /* TRANSLATORS: the host, the OAuth error code, then ": " and the
                             server's description, or two empty strings */
                          _("'%s' refused the authorization (%s%s%s): check the client ID and "
                            "the redirect URL registered for it"),
                          login->host.key, cb->error, cb->error_description ? ": " : "",
                          cb->error_description ? cb->error_description : "");
    fail(login, error);
    return;
  }
  BktHttpRequest req;
  bkt_oauth_code_request(&login->client, cb->code, login->verifier, login->form, &req);
  GError *error = NULL;
  gboolean started = bkt_http_start(login->http, &req, &error);
  bkt_wipe(login->form->str, login->form->len);
  g_string_truncate(login->form, 0);
  g_clear_pointer(&login->loopback, bkt_loopback_free);
  if (!started) {
    fail(login, error);
    return;
  }
  set_stage(login, BKT_LOGIN_EXCHANGING);
}

static void
http_finished(BktLogin *login)
{
  BktHttpResponse resp;
  GError *error = NULL;
  if (!bkt_http_finish(login->http, &resp, &error)) {
    fail(login, error);
    return;
  }
  gboolean ok;
  if (login->stage == BKT_LOGIN_CONFIRMING) {
    BktIdentity again = { 0 };
    ok = bkt_identity_take(&login->host, 0, &resp, &again, &error);
    bkt_http_response_clear(&resp);
    if (ok && again.username != NULL && g_strcmp0(again.username, login->identity.username) != 0)
      ok = FALSE, error = g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                                      _("the stored token belongs to '%s', not to '%s': log in "
                                        "again"), again.username, login->identity.username);
    bkt_identity_clear(&again);
    if (ok) {
      login->stored = FALSE;
      set_stage(login, BKT_LOGIN_DONE);
    }
    else
      fail(login, error);
    return;
  }
  if (login->stage == BKT_LOGIN_EXCHANGING) {
    ok = bkt_oauth_parse_token_response(resp.status, resp.body->str, resp.body->len,
                                        login->host.key, &login->tokens, &error);
    if (ok)
      set_stage(login, BKT_LOGIN_VERIFYING);
  } else {
    ok = bkt_identity_take(&login->host, login->identity_step, &resp, &login->identity,
                           &error);
    login->identity_step++;
  }
  bkt_http_response_clear(&resp);
  if (!ok) {
    fail(login, error);
    return;
  }
  start_identity_step(login);
}

int
bkt_login_pollfds(BktLogin *login, struct pollfd *fds, int max)
{
  switch (login->stage) {
  case BKT_LOGIN_WAITING:
    return login->loopback != NULL ? bkt_loopback_pollfds(login->loopback, fds, max) : 0;
  case BKT_LOGIN_EXCHANGING:
  case BKT_LOGIN_VERIFYING:
  case BKT_LOGIN_CONFIRMING:
    return bkt_http_pollfds(login->http, fds, max);
  default:
    return 0;
  }
}

int
bkt_login_timeout_ms(BktLogin *login)
{
  gint64 now = g_get_monotonic_time();
  switch (login->stage) {
  case BKT_LOGIN_WAITING: {
    gint64 left = login->deadline > now ? (login->deadline - now + 999) / 1000 : 0;
    int ms = (int)MIN(left, G_MAXINT);
    int conn = login->loopback != NULL ? bkt_loopback_timeout_ms(login->loopback, now) : -1;
    return conn >= 0 ? MIN(ms, conn) : ms;
  }
  case BKT_LOGIN_EXCHANGING:
  case BKT_LOGIN_VERIFYING:
  case BKT_LOGIN_CONFIRMING:
    return bkt_http_timeout_ms(login->http);
  default:
    return -1;
  }
}

void
bkt_login_dispatch(BktLogin *login, const struct pollfd *fds, int n)
{
  gint64 now = g_get_monotonic_time();
  switch (login->stage) {
  case BKT_LOGIN_WAITING: {
    bkt_loopback_dispatch(login->loopback, fds, n, now);
    const BktCallback *cb = bkt_loopback_result(login->loopback);
    if (cb != NULL) {
      login->owner_unknown = !bkt_loopback_result_owner_known(login->loopback);
      BktCallback copy = { g_strdup(cb->code), g_strdup(cb->state), g_strdup(cb->error),
                           g_strdup(cb->error_description) };
      take_callback(login, &copy);
      bkt_callback_clear(&copy);
    } else if (now >= login->deadline) {
      fail(login, g_error_new_literal(BKT_ERROR, BKT_ERROR_TIMEOUT,
                                      _("the browser did not come back in time: run the login "
                                        "again, or raise the limit with --timeout SECONDS")));
    }
    return;
  }
  case BKT_LOGIN_EXCHANGING:
  case BKT_LOGIN_VERIFYING:
  case BKT_LOGIN_CONFIRMING:
    if (bkt_http_dispatch(login->http))
      http_finished(login);
    return;
  default:
    return;
  }
}

gboolean
bkt_login_paste(BktLogin *login, const char *text, GError **error)
{
  if (login->stage != BKT_LOGIN_WAITING) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("the login is no longer waiting for the browser"));
    return FALSE;
  }
  BktCallback cb;
  if (!bkt_callback_parse_url(text, login->client.redirect_uri, &cb, error))
    return FALSE;
  if (!bkt_str_equal_ct(cb.state, login->state)) {
    bkt_callback_clear(&cb);
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("the pasted address belongs to another login attempt (its state "
                          "does not match): paste the address from the browser tab this "
                          "login opened"));
    return FALSE;
  }
  take_callback(login, &cb);
  bkt_callback_clear(&cb);
  return TRUE;
}

void
bkt_login_cancel(BktLogin *login)
{
  if (login->stage == BKT_LOGIN_DONE || login->stage == BKT_LOGIN_FAILED)
    return;
  fail(login, g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
}

BktHostEntry *
bkt_login_with_token(const BktLoginOptions *opts, const char *token, const char *basic_user,
                     GError **error)
{
  BktHost host;
  const char *name = opts->host != NULL ? opts->host : "bitbucket.org";
  if (!bkt_host_parse(name, opts->kind, opts->allow_http, &host, error))
    return NULL;
  g_autofree char *storage = NULL;
  BktHostEntry *entry = NULL;
  BktIdentity id = { 0 };
  BktHttp *http = NULL;
  if (!bkt_choose_storage(opts->insecure_storage, &storage, error))
    goto out;
  http = bkt_http_new(opts->ca_file, error);
  BktCredential cred = { token, basic_user };
  if (http == NULL || !bkt_identity_fetch(http, &host, &cred, &id, error))
    goto out;
  entry = entry_for(&host, &id, storage, opts->ca_file);
  entry->auth = g_strdup("token");
  entry->login = g_strdup(basic_user);
  entry->scopes = g_strdup(id.scopes);
  BktSecrets secrets = { .access_token = (char *)token };
  if (!store_credentials(entry, &secrets, NULL, error))
    g_clear_pointer(&entry, bkt_host_entry_free);
out:
  bkt_http_free(http);
  bkt_identity_clear(&id);
  bkt_host_clear(&host);
  return entry;
}
