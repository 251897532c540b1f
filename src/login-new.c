/* SPDX-License-Identifier: MIT */
/* Making a login: the client, the listener and the start address; what front ends ask. */
#include "config.h"

#include "login.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "http.h"
#include "login-private.h"
#include "loopback.h"
#include "pkce.h"
#include "redirect.h"

#define DEFAULT_TIMEOUT_S 300

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
  /* An attempt after one that failed (the wizard's r) asks the stores again: the keyring that
   * ran out of time may have been unlocked or started meanwhile. */
  bkt_store_afresh();
  BktLogin *login = g_new0(BktLogin, 1);
  login->progress = progress;
  login->user_data = user_data;
  login->ca_file = g_strdup(opts->ca_file);
  login->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
  login->confirm_replace = opts->confirm_replace;
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
  bkt_loopback_set_start(login->loopback, login->authorize_url);
  login->browser_url = g_strdup(bkt_loopback_start_url(login->loopback));
  /* The form carries the code, the verifier and a client secret. */
  login->form = bkt_secret_new(4 * BKT_SECRET_MAX);
  login->stage = BKT_LOGIN_STARTING;
  login->op = bkt_store_choose(opts->storage, bkt_login_op_done, login);
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
  g_free(login->browser_url);
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

/* ---- what front ends ask ---- */

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

void
bkt_login_start_clock(BktLogin *login)
{
  if (login->deadline == 0)
    login->deadline = g_get_monotonic_time() + (gint64)login->timeout_s * G_USEC_PER_SEC;
}

gint64
bkt_login_deadline(const BktLogin *login)
{
  return login->deadline;
}

gint64
bkt_login_lock_waiting_since(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_STORING && login->op != NULL
           ? bkt_store_op_waiting_since(login->op)
           : 0;
}

BktLoginStage
bkt_login_stage(const BktLogin *login)
{
  return login->stage;
}

const GError *
bkt_login_error(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_FAILED ? login->error : NULL;
}

BktLoginQuestion
bkt_login_question(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_ASKING ? login->question : BKT_LOGIN_ASK_NOTHING;
}

gboolean
bkt_login_replaces(const BktLogin *login)
{
  return login->replacing;
}

const BktHostEntry *
bkt_login_entry(const BktLogin *login)
{
  return login->entry;
}

const BktHostEntry *
bkt_login_result(const BktLogin *login)
{
  return login->stage == BKT_LOGIN_DONE ? login->entry : NULL;
}
