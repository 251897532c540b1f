/* SPDX-License-Identifier: MIT */
/* The login as front ends see it: what they ask, and the events they hand in. */
#include "config.h"

#include <glib/gi18n.h>

#include "async.h"
#include "error.h"
#include "login-private.h"
#include "redirect.h"
#include "secret.h"

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
  bkt_login_pump(login);
  gint64 now = g_get_monotonic_time();
  if (login->stage == BKT_LOGIN_WAITING && login->loopback != NULL) {
    bkt_loopback_dispatch(login->loopback, fds, n, now);
    const BktCallback *got = bkt_loopback_result(login->loopback);
    if (got != NULL) {
      BktCallback cb = { bkt_secret_dup(got->code), g_strdup(got->state), g_strdup(got->error),
                         g_strdup(got->error_description), got->owner_unknown };
      bkt_login_event(login, BKT_LOGIN_EV_REDIRECT, &cb);
      bkt_callback_clear(&cb);
    } else if (login->deadline > 0 && now >= login->deadline) {
      bkt_login_event(login, BKT_LOGIN_EV_TIMEOUT, NULL);
    }
  } else if (http_active(login) && !login->undoing && bkt_http_dispatch(login->http)) {
    bkt_login_event(login, BKT_LOGIN_EV_ANSWER, NULL);
  }
  bkt_login_pump(login);
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
  bkt_login_event(login, BKT_LOGIN_EV_REDIRECT, &cb);
  bkt_callback_clear(&cb);
  bkt_login_pump(login);
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
  bkt_login_event(login, keep ? BKT_LOGIN_EV_KEEP : BKT_LOGIN_EV_DROP, NULL);
  bkt_login_pump(login);
}

void
bkt_login_cancel(BktLogin *login)
{
  bkt_login_event(login, BKT_LOGIN_EV_CANCEL, NULL);
  bkt_login_pump(login);
}
