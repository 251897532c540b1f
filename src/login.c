/* SPDX-License-Identifier: MIT */
/* The login state machine: every transition in on_event(), and the events front ends feed
 * it. Making a login and what front ends ask of it are in login-new.c. */
#include "config.h"

#include "login.h"

#include <glib/gi18n.h>
#include <string.h>

#include "async.h"
#include "error.h"
#include "login-private.h"
#include "redirect.h"
#include "timefmt.h"

/* An OAuth answer without a lifetime still expires: assume the shorter platform default. */
#define ASSUMED_LIFETIME_S 3600

/* What moves the login on. */
typedef enum {
  EV_OP_DONE,   /* the store operation finished */
  EV_REDIRECT,  /* the browser came back, or the person pasted where it ended */
  EV_TIMEOUT,   /* the browser did not come back in time */
  EV_ANSWER,    /* an HTTP answer arrived */
  EV_KEEP,      /* the person keeps the account */
  EV_DROP,      /* the person does not */
  EV_CANCEL,
} Event;

static void on_event(BktLogin *login, Event ev, const BktCallback *cb);

/* ---- actions the transitions take ---- */

static void
set_stage(BktLogin *login, BktLoginStage stage)
{
  login->stage = stage;
  if (login->progress != NULL)
    login->progress(login, stage, login->user_data);
}

void
bkt_login_op_done(BktStoreOp *op, gpointer user_data)
{
  ((BktLogin *)user_data)->op_finished = TRUE;
}

/* Turn what finished on the engine's context into events, until nothing more is ready. */
static void
pump(BktLogin *login)
{
  while (login->op != NULL && login->op_finished) {
    login->op_finished = FALSE;
    on_event(login, EV_OP_DONE, NULL);
  }
}

static void
start_undo(BktLogin *login)
{
  login->undoing = TRUE;
  login->op_finished = FALSE;
  login->op = bkt_store_undo(g_steal_pointer(&login->undo), bkt_login_op_done, login);
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
  e->account = g_strdup(login->identity.account != NULL ? login->identity.account
                                                        : login->identity.username);
  e->active = TRUE;
  e->last_used = bkt_now();
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
  login->op = bkt_store_save_login(login->entry, &secrets, bkt_login_op_done, login);
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

/* Whether the store already holds this account of this host (a login again as the same
 * person). Read without the lock: it only decides what to tell or ask. */
static gboolean
replaces_a_login(const BktHostEntry *e)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  return hosts != NULL && bkt_hosts_find_same(hosts, e) != NULL;
}

/* ---- the transitions, all of them ---- */

static void
on_event(BktLogin *login, Event ev, const BktCallback *cb)
{
  GError *error = NULL;
  if (login->undoing) {
    /* Put back: now fail with the reason kept. */
    if (ev == EV_OP_DONE) {
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
  if (ev == EV_CANCEL) {
    login->cancelled = TRUE;
    if (login->op != NULL)
      bkt_store_op_cancel(login->op); /* ends it; its EV_OP_DONE then fails the login */
    else if (login->stage != BKT_LOGIN_DONE && login->stage != BKT_LOGIN_FAILED)
      fail(login, cancelled_error());
    return;
  }

  switch (login->stage) {
  case BKT_LOGIN_STARTING:
    if (ev == EV_OP_DONE) {
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
    if (ev == EV_REDIRECT) {
      login->owner_unknown = cb->owner_unknown;
      take_redirect(login, cb);
    } else if (ev == EV_TIMEOUT) {
      fail(login, g_error_new_literal(BKT_ERROR, BKT_ERROR_TIMEOUT,
                                      _("the browser did not come back in time: run the login "
                                        "again, or raise the limit with --timeout SECONDS")));
    }
    break;

  case BKT_LOGIN_EXCHANGING:
  case BKT_LOGIN_VERIFYING:
    if (ev == EV_ANSWER) {
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
      login->replacing = replaces_a_login(login->entry);
      /* A redirect from a connection whose owner is unknown may be another user's login:
       * nothing is stored until the person says the account is theirs. A front end may also
       * ask before this login replaces the same account's. */
      if (login->owner_unknown)
        login->question = BKT_LOGIN_ASK_OWNER;
      else if (login->replacing && login->confirm_replace)
        login->question = BKT_LOGIN_ASK_REPLACE;
      if (login->question != BKT_LOGIN_ASK_NOTHING)
        set_stage(login, BKT_LOGIN_ASKING);
      else
        start_store(login);
    }
    break;

  case BKT_LOGIN_ASKING:
    if (ev == EV_KEEP && login->question == BKT_LOGIN_ASK_OWNER && login->replacing &&
        login->confirm_replace) {
      /* The account is theirs: now whether to replace its earlier login. */
      login->question = BKT_LOGIN_ASK_REPLACE;
      set_stage(login, BKT_LOGIN_ASKING);
    } else if (ev == EV_KEEP) {
      start_store(login);
    } else if (ev == EV_DROP && login->question == BKT_LOGIN_ASK_REPLACE) {
      fail(login, g_error_new(BKT_ERROR, BKT_ERROR_CANCELLED,
                              _("the earlier login of %s on %s stays as it was, and nothing "
                                "new was stored"),
                              login->entry->username ? login->entry->username : "?",
                              login->host.key));
    } else if (ev == EV_DROP) {
      fail(login, g_error_new(BKT_ERROR, BKT_ERROR_DENIED,
                              _("the login as %s on %s was not kept, and nothing was stored: "
                                "log in again if that was not your account"),
                              login->entry->username ? login->entry->username : "?",
                              login->host.key));
    }
    break;

  case BKT_LOGIN_STORING:
    if (ev == EV_OP_DONE) {
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
    if (ev == EV_ANSWER) {
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

/* ---- events from the front end ---- */

static gboolean
http_active(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_EXCHANGING || login->stage == BKT_LOGIN_VERIFYING ||
         login->stage == BKT_LOGIN_CONFIRMING;
}

int
bkt_login_pollfds(BktLogin *login, struct pollfd *fds, int max)
{
  int n = 0;
  if (login->stage == BKT_LOGIN_WAITING && login->loopback != NULL)
    n = bkt_loopback_pollfds(login->loopback, fds, max);
  else if (http_active(login) && !login->undoing)
    n = bkt_http_pollfds(login->http, fds, max);
  login->async_timeout_ms = -1;
  n += bkt_async_pollfds(fds + n, max - n, &login->async_timeout_ms);
  return n;
}

int
bkt_login_timeout_ms(BktLogin *login)
{
  gint64 now = g_get_monotonic_time();
  int ms = -1;
  if (login->stage == BKT_LOGIN_WAITING) {
    if (login->deadline > 0) {
      gint64 left = login->deadline > now ? (login->deadline - now + 999) / 1000 : 0;
      ms = (int)MIN(left, G_MAXINT);
    }
    int conn = login->loopback != NULL ? bkt_loopback_timeout_ms(login->loopback, now) : -1;
    if (conn >= 0 && (ms < 0 || conn < ms))
      ms = conn;
  } else if (http_active(login) && !login->undoing) {
    ms = bkt_http_timeout_ms(login->http);
  }
  int async = login->async_timeout_ms;
  return async >= 0 && (ms < 0 || async < ms) ? async : ms;
}

void
bkt_login_dispatch(BktLogin *login, const struct pollfd *fds, int n)
{
  bkt_async_dispatch();
  pump(login);
  gint64 now = g_get_monotonic_time();
  if (login->stage == BKT_LOGIN_WAITING && login->loopback != NULL) {
    bkt_loopback_dispatch(login->loopback, fds, n, now);
    const BktCallback *got = bkt_loopback_result(login->loopback);
    if (got != NULL) {
      BktCallback cb = { bkt_secret_dup(got->code), g_strdup(got->state), g_strdup(got->error),
                         g_strdup(got->error_description),
                         !bkt_loopback_result_owner_known(login->loopback) };
      on_event(login, EV_REDIRECT, &cb);
      bkt_callback_clear(&cb);
    } else if (login->deadline > 0 && now >= login->deadline) {
      on_event(login, EV_TIMEOUT, NULL);
    }
  } else if (http_active(login) && !login->undoing && bkt_http_dispatch(login->http)) {
    on_event(login, EV_ANSWER, NULL);
  }
  pump(login);
}

gboolean
bkt_login_paste(BktLogin *login, const char *text, GError **error)
{
  if (login->stage != BKT_LOGIN_WAITING) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("the login is no longer waiting for the browser"));
    return FALSE;
  }
  g_autofree char *refused =
    bkt_redirect_refused(login->host.kind, login->host.key, login->client.redirect_uri);
  BktPasteCheck check = { login->client.redirect_uri, login->authorize_url, login->state,
                          refused };
  BktCallback cb;
  if (!bkt_callback_parse_paste(text, &check, &cb, error))
    return FALSE;
  /* Typed into our own terminal: the person's own. */
  cb.owner_unknown = FALSE;
  on_event(login, EV_REDIRECT, &cb);
  bkt_callback_clear(&cb);
  pump(login);
  return TRUE;
}

char *
bkt_login_redirect_advice(const BktLogin *login)
{
  /* A consumer built into bkt-auth is not the person's to change. */
  if (login->host.kind == BKT_KIND_CLOUD && *BKT_CLOUD_CLIENT_ID != '\0' &&
      g_strcmp0(login->client.client_id, BKT_CLOUD_CLIENT_ID) == 0)
    return NULL;
  return bkt_redirect_advice(login->host.kind, login->client.redirect_uri);
}

void
bkt_login_keep_account(BktLogin *login, gboolean keep)
{
  on_event(login, keep ? EV_KEEP : EV_DROP, NULL);
  pump(login);
}

void
bkt_login_cancel(BktLogin *login)
{
  on_event(login, EV_CANCEL, NULL);
  pump(login);
}
