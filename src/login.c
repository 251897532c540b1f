/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "login-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "pkce.h"
#include "redirect.h"
#include "timefmt.h"

#define DEFAULT_TIMEOUT_S 300
/* An OAuth answer without a lifetime still expires: assume the shorter platform default. */
#define ASSUMED_LIFETIME_S 3600

/* ---- actions the transitions take ---- */

static void
set_stage(BktLogin *login, BktLoginStage stage)
{
  login->stage = stage;
  if (login->progress != NULL)
    login->progress(login, stage, login->user_data);
}

static void
on_op_done(BktStoreOp *op, gpointer user_data)
{
  ((BktLogin *)user_data)->op_finished = TRUE;
}

void
bkt_login_pump(BktLogin *login)
{
  while (login->op != NULL && login->op_finished) {
    login->op_finished = FALSE;
    bkt_login_event(login, BKT_LOGIN_EV_OP_DONE, NULL);
  }
}

static void
start_undo(BktLogin *login)
{
  login->undoing = TRUE;
  login->op_finished = FALSE;
  login->op = bkt_store_undo(g_steal_pointer(&login->undo), on_op_done, login);
}

/* The end, after putting back what a stored login replaced. */
static void
fail(BktLogin *login, GError *error)
{
  if (login->error == NULL)
    login->error = error;
  else
    g_error_free(error);
  g_clear_pointer(&login->loopback, bkt_loopback_free);
  if (login->http != NULL)
    bkt_http_cancel(login->http);
  if (login->undo != NULL) {
    start_undo(login);
    return;
  }
  set_stage(login, BKT_LOGIN_FAILED);
}

static GError *
cancelled_error(void)
{
  return g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled"));
}

static void
start_request(BktLogin *login, const BktHttpRequest *req)
{
  GError *error = NULL;
  if (!bkt_http_start(login->http, req, &error))
    fail(login, error);
}

/* Who the token belongs to, one request at a time (DC needs two); FALSE when done. */
static gboolean
ask_identity(BktLogin *login)
{
  BktCredential cred = { bkt_secret_str(login->tokens.access_token), NULL };
  BktHttpRequest req;
  g_autofree char *url = NULL;
  if (!bkt_identity_request(&login->host, &cred, &login->identity, login->identity_step, &req,
                            &url))
    return FALSE;
  start_request(login, &req);
  return TRUE;
}

/* The login as it will be stored. */
static BktHostEntry *
entry_new(BktLogin *login)
{
  BktHostEntry *e = bkt_host_entry_new();
  e->key = g_strdup(login->host.key);
  e->kind = login->host.kind;
  e->base_url = g_strdup(login->host.base_url);
  e->username = g_strdup(login->identity.username);
  e->display_name = g_strdup(login->identity.display_name);
  e->auth = BKT_AUTH_OAUTH;
  e->client_id = g_strdup(login->client.client_id);
  if (login->host.kind == BKT_KIND_DC)
    e->redirect_uri = g_strdup(login->client.redirect_uri);
  e->scopes = g_strdup(login->tokens.scopes != NULL     ? login->tokens.scopes
                       : login->identity.scopes != NULL ? login->identity.scopes
                                                        : login->client.scopes);
  g_free(e->storage);
  e->storage = g_strdup(login->storage);
  e->ca_file = g_strdup(login->ca_file);
  gint64 lifetime = login->tokens.expires_in > 0 ? login->tokens.expires_in : ASSUMED_LIFETIME_S;
  e->expires_at = bkt_now() + lifetime;
  return e;
}

static void
start_store(BktLogin *login)
{
  BktSecrets secrets = {
    .access_token = login->tokens.access_token,
    .refresh_token = login->tokens.refresh_token,
    .client_secret = login->client.client_secret,
    .expires_at = login->entry->expires_at,
    .issued_at = bkt_now(),
  };
  set_stage(login, BKT_LOGIN_STORING);
  login->op_finished = FALSE;
  login->op = bkt_store_save_login(login->entry, &secrets, on_op_done, login);
}

/* The last step: one authenticated call with what the store gave back. */
static void
start_confirm(BktLogin *login)
{
  BktCredential cred = { bkt_secret_str(login->confirm_token), NULL };
  BktHttpRequest req;
  g_autofree char *url = NULL;
  bkt_identity_request(&login->host, &cred, &login->identity, 0, &req, &url);
  set_stage(login, BKT_LOGIN_CONFIRMING);
  start_request(login, &req);
}

/* The browser came back (or the person pasted where it ended): deny, or exchange the code. */
static void
take_redirect(BktLogin *login, const BktCallback *cb)
{
  g_clear_pointer(&login->loopback, bkt_loopback_free);
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
  set_stage(login, BKT_LOGIN_EXCHANGING);
  start_request(login, &req);
  bkt_secret_truncate(login->form, 0);
}

/* ---- the transitions, all of them ---- */

void
bkt_login_event(BktLogin *login, BktLoginEvent ev, const BktCallback *cb)
{
  GError *error = NULL;
  if (login->undoing) {
    /* Put back: now fail with the reason kept. */
    if (ev == BKT_LOGIN_EV_OP_DONE) {
      g_autoptr(GError) undo_error = NULL;
      if (!bkt_store_undo_finish(login->op, &undo_error)) {
        /* TRANSLATORS: why the login failed, then why the old login could not be put back */
        GError *both = g_error_new(login->error->domain, login->error->code,
                                   _("%s; and the login it replaced could not be put back: %s"),
                                   login->error->message, undo_error->message);
        g_error_free(login->error);
        login->error = both;
      }
      g_clear_pointer(&login->op, bkt_store_op_free);
      login->undoing = FALSE;
      set_stage(login, BKT_LOGIN_FAILED);
    }
    return;
  }
  if (ev == BKT_LOGIN_EV_CANCEL) {
    login->cancelled = TRUE;
    if (login->op != NULL)
      bkt_store_op_cancel(login->op); /* ends it; its BKT_LOGIN_EV_OP_DONE then fails the login */
    else if (login->stage != BKT_LOGIN_DONE && login->stage != BKT_LOGIN_FAILED)
      fail(login, cancelled_error());
    return;
  }

  switch (login->stage) {
  case BKT_LOGIN_STARTING:
    if (ev == BKT_LOGIN_EV_OP_DONE) {
      g_autofree char *storage = bkt_store_choose_finish(login->op, &error);
      g_clear_pointer(&login->op, bkt_store_op_free);
      if (login->cancelled) {
        g_clear_error(&error);
        fail(login, cancelled_error());
      } else if (storage == NULL) {
        fail(login, error);
      } else {
        login->storage = g_steal_pointer(&storage);
        set_stage(login, BKT_LOGIN_WAITING);
      }
    }
    break;

  case BKT_LOGIN_WAITING:
    if (ev == BKT_LOGIN_EV_REDIRECT) {
      login->owner_unknown = cb->owner_unknown;
      take_redirect(login, cb);
    } else if (ev == BKT_LOGIN_EV_TIMEOUT) {
      fail(login, g_error_new_literal(BKT_ERROR, BKT_ERROR_TIMEOUT,
                                      _("the browser did not come back in time: run the login "
                                        "again, or raise the limit with --timeout SECONDS")));
    }
    break;

  case BKT_LOGIN_EXCHANGING:
  case BKT_LOGIN_VERIFYING:
    if (ev == BKT_LOGIN_EV_ANSWER) {
      BktHttpResponse resp;
      gboolean ok = bkt_http_finish(login->http, &resp, &error);
      if (ok && login->stage == BKT_LOGIN_EXCHANGING)
        ok = bkt_oauth_parse_token_response(resp.status, bkt_secret_str(resp.body),
                                            bkt_secret_len(resp.body), login->host.key,
                                            &login->tokens, &error);
      else if (ok)
        ok = bkt_identity_take(&login->host, login->identity_step++, &resp, &login->identity,
                               &error);
      bkt_http_response_clear(&resp);
      if (!ok) {
        fail(login, error);
        break;
      }
      if (login->stage == BKT_LOGIN_EXCHANGING)
        set_stage(login, BKT_LOGIN_VERIFYING);
      if (ask_identity(login))
        break;
      login->entry = entry_new(login);
      /* A redirect from a connection whose owner is unknown may be another user's login:
       * nothing is stored until the person says the account is theirs. */
      if (login->owner_unknown)
        set_stage(login, BKT_LOGIN_ASKING);
      else
        start_store(login);
    }
    break;

  case BKT_LOGIN_ASKING:
    if (ev == BKT_LOGIN_EV_KEEP)
      start_store(login);
    else if (ev == BKT_LOGIN_EV_DROP)
      fail(login, g_error_new(BKT_ERROR, BKT_ERROR_DENIED,
                              _("the login as %s on %s was not kept, and nothing was stored: "
                                "log in again if that was not your account"),
                              login->entry->username ? login->entry->username : "?",
                              login->host.key));
    break;

  case BKT_LOGIN_STORING:
    if (ev == BKT_LOGIN_EV_OP_DONE) {
      gboolean ok = bkt_store_save_login_finish(login->op, &login->undo, &login->confirm_token,
                                                &error);
      g_clear_pointer(&login->op, bkt_store_op_free);
      if (!ok)
        fail(login, error);
      else if (login->cancelled)
        fail(login, cancelled_error());
      else
        start_confirm(login);
    }
    break;

  case BKT_LOGIN_CONFIRMING:
    if (ev == BKT_LOGIN_EV_ANSWER) {
      BktHttpResponse resp;
      BktIdentity again = { 0 };
      gboolean ok = bkt_http_finish(login->http, &resp, &error) &&
                    bkt_identity_take(&login->host, 0, &resp, &again, &error);
      bkt_http_response_clear(&resp);
      if (ok && again.username != NULL &&
          g_strcmp0(again.username, login->identity.username) != 0) {
        ok = FALSE;
        error = g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                            _("the stored token belongs to '%s', not to '%s': log in again"),
                            again.username, login->identity.username);
      }
      bkt_identity_clear(&again);
      if (!ok) {
        fail(login, error);
        break;
      }
      g_clear_pointer(&login->undo, bkt_store_undo_free);
      set_stage(login, BKT_LOGIN_DONE);
    }
    break;

  case BKT_LOGIN_DONE:
  case BKT_LOGIN_FAILED:
    break;
  }
}

/* ---- making one ---- */

/* Where to listen for the redirect: the URI given, else the platform's. */
static gboolean
listen_for_redirect(BktLogin *login, const char *given, GError **error)
{
  g_autofree char *bind_host = NULL, *path = NULL;
  guint16 port = 0;
  if (given != NULL) {
    if (!bkt_redirect_parse(given, &bind_host, &port, &path, error))
      return FALSE;
  } else {
    bind_host = g_strdup(login->host.kind == BKT_KIND_DC ? "localhost" : "127.0.0.1");
    port = login->host.kind == BKT_KIND_DC ? BKT_DC_REDIRECT_PORT : 0;
    path = g_strdup("/callback");
  }
  login->loopback = bkt_loopback_new(bind_host, port, path, login->state, error);
  if (login->loopback == NULL)
    return FALSE;
  login->client.redirect_uri =
    given != NULL ? g_strdup(given)
                  : g_strdup_printf("http://%s:%u%s", bind_host,
                                    (unsigned)bkt_loopback_port(login->loopback), path);
  return TRUE;
}

BktLogin *
bkt_login_new(const BktLoginOptions *opts, BktLoginProgress progress, gpointer user_data,
              GError **error)
{
  BktLogin *login = g_new0(BktLogin, 1);
  login->progress = progress;
  login->user_data = user_data;
  login->ca_file = g_strdup(opts->ca_file);
  login->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
  const char *host = opts->host != NULL ? opts->host : "bitbucket.org";

  if (!bkt_host_parse(host, opts->kind, opts->allow_http, &login->host, error))
    goto fail;
  bkt_oauth_client_init(&login->client, &login->host);
  if (!bkt_oauth_client_set_credentials(&login->client, opts->client_id, opts->client_secret,
                                        error))
    goto fail;
  login->client.scopes = g_strdup(opts->scopes != NULL ? opts->scopes
                                                       : bkt_oauth_default_scopes(login->host.kind));
  if ((login->state = bkt_state_new(error)) == NULL ||
      (login->verifier = bkt_pkce_verifier_new(error)) == NULL ||
      !listen_for_redirect(login, opts->redirect_uri, error) ||
      (login->http = bkt_http_new(login->ca_file, error)) == NULL)
    goto fail;
  char *challenge = bkt_pkce_challenge_s256(bkt_secret_str(login->verifier));
  login->authorize_url = bkt_oauth_authorize_url(&login->client, login->state, challenge);
  g_free(challenge);
  /* The form carries the code, the verifier and a client secret. */
  login->form = bkt_secret_new(4 * BKT_SECRET_MAX);
  login->stage = BKT_LOGIN_STARTING;
  login->op = bkt_store_choose(opts->insecure_storage, on_op_done, login);
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
  bkt_store_op_free(login->op);
  bkt_store_undo_free(login->undo);
  bkt_host_clear(&login->host);
  bkt_oauth_client_clear(&login->client);
  g_free(login->ca_file);
  g_free(login->storage);
  g_free(login->state);
  bkt_secret_free(login->verifier);
  g_free(login->authorize_url);
  bkt_loopback_free(login->loopback);
  bkt_http_free(login->http);
  bkt_secret_free(login->form);
  g_clear_error(&login->error);
  bkt_tokens_clear(&login->tokens);
  bkt_identity_clear(&login->identity);
  bkt_host_entry_free(login->entry);
  bkt_secret_free(login->confirm_token);
  g_free(login);
}
