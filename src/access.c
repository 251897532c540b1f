/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "access.h"

#include <glib/gi18n.h>
#include <string.h>

#include "bkt-copy.h"
#include "choose.h"
#include "error.h"
#include "files.h"
#include "http.h"
#include "oauth.h"
#include "signals.h"
#include "store.h"
#include "timefmt.h"

/* An OAuth answer without a lifetime still expires: the one the login last saw, else this. */
#define ASSUMED_LIFETIME_S 3600

gboolean
bkt_env_token_set(void)
{
  const char *t = g_getenv("BKT_TOKEN");
  return t != NULL && *t != '\0';
}

gboolean
bkt_env_token(BktSecret **token, GError **error)
{
  *token = NULL;
  if (!bkt_env_token_set())
    return TRUE;
  g_autoptr(BktSecret) t = bkt_secret_new_from(g_getenv("BKT_TOKEN"));
  if (t != NULL)
    bkt_secret_strip(t);
  if (t == NULL || !bkt_token_is_plain(bkt_secret_str(t))) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        t != NULL && bkt_secret_empty(t)
                          ? _("BKT_TOKEN is set but holds only white space: set it to a token, "
                              "or unset it to use the stored logins")
                          : _("BKT_TOKEN does not hold a token: a token is one line of visible "
                              "characters; set it again, or unset it to use the stored logins"));
    return FALSE;
  }
  *token = g_steal_pointer(&t);
  return TRUE;
}

/* Fresh: more than a minute left, or for tokens that live under two minutes, half their life.
 * An OAuth login that knows no expiry (stored by an older release) is refreshed to learn it. */
static gboolean
is_fresh(const BktHostEntry *e, const BktSecrets *s, gint64 now)
{
  if (s->expires_at == 0)
    return !bkt_secrets_refreshable(e, s);
  gint64 margin = BKT_REFRESH_MARGIN;
  if (s->issued_at > 0 && s->expires_at > s->issued_at)
    margin = MIN(margin, (s->expires_at - s->issued_at) / 2);
  return s->expires_at - now > margin;
}

static gboolean
refresh(const BktHostEntry *entry, const BktSecrets *s, BktTokens *out, GError **error)
{
  if (entry->kind == BKT_KIND_CLOUD) {
    /* Cloud's token endpoint comes from BKT_CLOUD_URL as it is now: hold it to the rules the
     * login was held to, so a refresh token never goes out over plain http to another host. */
    BktHost checked;
    if (!bkt_host_parse(entry->key, BKT_KIND_CLOUD, FALSE, &checked, error))
      return FALSE;
    bkt_host_clear(&checked);
  }
  BktHost host = { entry->kind, entry->key, entry->base_url };
  BktOAuthClient client;
  bkt_oauth_client_init(&client, &host);
  client.client_id = g_strdup(entry->client_id);
  client.client_secret = bkt_secret_dup(s->client_secret);
  g_autoptr(BktSecret) form = bkt_secret_new(4 * BKT_SECRET_MAX);
  BktHttpRequest req;
  bkt_oauth_refresh_request(&client, s->refresh_token, form, &req);

  gboolean ok = FALSE;
  BktHttp *http = bkt_http_new(entry->ca_file, error);
  BktHttpResponse resp;
  if (http != NULL && bkt_http_perform(http, &req, &resp, error)) {
    g_autoptr(GError) local = NULL;
    ok = bkt_oauth_parse_token_response(resp.status, bkt_secret_str(resp.body),
                                        bkt_secret_len(resp.body), entry->key, out, &local);
    bkt_http_response_clear(&resp);
    if (!ok && g_error_matches(local, BKT_ERROR, BKT_ERROR_INVALID_GRANT))
      g_set_error(error, BKT_ERROR, BKT_ERROR_EXPIRED,
                  _("the session for '%s' has expired: log in again with 'bkt-auth login %s'"),
                  entry->key, entry->key);
    else if (!ok)
      g_propagate_error(error, g_steal_pointer(&local));
  }
  bkt_http_free(http);
  bkt_oauth_client_clear(&client);
  return ok;
}

/* The lifetime a refreshed token gets: the answer's, else the one it had, else an hour. */
static gint64
lifetime_of(const BktTokens *t, const BktSecrets *before)
{
  if (t->expires_in > 0)
    return t->expires_in;
  if (before->issued_at > 0 && before->expires_at > before->issued_at)
    return before->expires_at - before->issued_at;
  return ASSUMED_LIFETIME_S;
}

/* Under the lock: refresh, and keep the new tokens before anything else can happen. */
static gboolean
refresh_and_store(BktHostEntry *entry, GPtrArray *hosts, BktSecrets *s, gboolean force,
                  BktSecret **token_out, GError **error)
{
  gint64 now = bkt_now();
  BktTokens t;
  g_autoptr(GError) refresh_error = NULL;
  /* Once the request leaves, the server may spend the old refresh token: a signal now waits
   * until the new one is stored (or the request failed). SIGKILL cannot wait; see
   * docs/SECURITY.md. */
  bkt_signals_hold();
  gboolean ok = FALSE;
  if (!refresh(entry, s, &t, &refresh_error)) {
    /* The server could not be reached, but the token still works for a while: hand it out
     * rather than fail; the next call tries again. A dead session is no such case. */
    if (!force && !g_error_matches(refresh_error, BKT_ERROR, BKT_ERROR_EXPIRED) &&
        s->expires_at > now) {
      *token_out = g_steal_pointer(&s->access_token);
      ok = TRUE;
    } else {
      g_propagate_error(error, g_steal_pointer(&refresh_error));
    }
  } else {
    BktSecrets next = {
      .access_token = t.access_token,
      /* Rotation: the new refresh token replaces the old one; keep the old if none came. */
      .refresh_token = t.refresh_token != NULL ? t.refresh_token : s->refresh_token,
      .client_secret = s->client_secret,
      .expires_at = now + lifetime_of(&t, s),
      .issued_at = now,
    };
    /* The old refresh token is spent: losing the new one ends the session. Try twice. */
    g_autoptr(GError) first_try = NULL;
    if (bkt_secrets_save(entry, &next, &first_try) || bkt_secrets_save(entry, &next, error)) {
      entry->expires_at = next.expires_at;
      if (t.scopes != NULL) {
        g_free(entry->scopes);
        entry->scopes = g_strdup(t.scopes);
      }
      /* The secrets are saved: a failure to update hosts.json only leaves a stale date. */
      g_autoptr(GError) ignored = NULL;
      bkt_hosts_save(hosts, &ignored);
      /* bkt's copy of the host (setup-bkt) gets the new token too, never with a prompt. */
      bkt_bkt_copy_refreshed(entry, t.access_token, next.expires_at);
      *token_out = bkt_secret_dup(t.access_token);
      ok = TRUE;
    }
    bkt_tokens_clear(&t);
  }
  bkt_signals_release();
  return ok;
}

gboolean
bkt_access_token(const char *host_input, const char *user, gboolean force,
                 BktSecret **token_out, BktHostEntry **entry_out, GError **error)
{
  *token_out = NULL;
  if (entry_out != NULL)
    *entry_out = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  BktHostEntry *entry = hosts != NULL ? bkt_choose_login(hosts, host_input, user, TRUE, error)
                                      : NULL;
  BktSecrets s;
  if (entry == NULL || !bkt_secrets_load(entry, &s, error))
    return FALSE;
  gint64 now = bkt_now();
  gboolean refreshable = bkt_secrets_refreshable(entry, &s);

  if (!refreshable || (!force && is_fresh(entry, &s, now))) {
    if (force && !refreshable)
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("'%s' uses a token that cannot be refreshed: it stays valid until it is "
                    "revoked or expires"), entry->key);
    else if (!refreshable && s.expires_at != 0 && s.expires_at <= now)
      g_set_error(error, BKT_ERROR, BKT_ERROR_EXPIRED,
                  _("the token for '%s' has expired: log in again with 'bkt-auth login %s'"),
                  entry->key, entry->key);
    else
      *token_out = g_steal_pointer(&s.access_token);
    bkt_secrets_clear(&s);
    if (*token_out != NULL && entry_out != NULL)
      *entry_out = bkt_host_entry_copy(entry);
    return *token_out != NULL;
  }

  /* Refresh under the lock, re-reading first: another process may have done it already. */
  g_autoptr(BktSecret) seen = g_steal_pointer(&s.access_token);
  bkt_secrets_clear(&s);
  g_autoptr(BktLock) lock = bkt_lock_take(error);
  if (lock == NULL)
    return FALSE;
  /* The same login, as it is now. */
  g_autoptr(BktHostEntry) chosen = bkt_host_entry_copy(entry);
  g_ptr_array_unref(hosts);
  hosts = bkt_hosts_load(error);
  entry = hosts != NULL ? bkt_hosts_find(hosts, chosen->key, chosen->account) : NULL;
  if (hosts != NULL && entry == NULL)
    g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                _("the login of %s on '%s' was removed meanwhile: log in again with 'bkt-auth "
                  "login %s'"), chosen->username != NULL ? chosen->username : chosen->account,
                chosen->key, chosen->key);
  if (entry == NULL || !bkt_secrets_load(entry, &s, error))
    return FALSE;
  now = bkt_now();
  /* Refreshed by another process while we waited: take it while it is still valid at all. */
  gboolean changed = !bkt_secret_equal(seen, s.access_token);
  gboolean usable = changed ? s.expires_at == 0 || s.expires_at > now
                            : !force && is_fresh(entry, &s, now);
  gboolean ok = TRUE;
  if (usable)
    *token_out = g_steal_pointer(&s.access_token);
  else
    ok = refresh_and_store(entry, hosts, &s, force, token_out, error);
  bkt_secrets_clear(&s);
  if (ok && entry_out != NULL)
    *entry_out = bkt_host_entry_copy(entry);
  return ok;
}
