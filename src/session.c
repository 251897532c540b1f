/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "session.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "error.h"
#include "oauth.h"
#include "secure.h"

const char *
bkt_env_token(void)
{
  const char *t = g_getenv("BKT_TOKEN");
  return t != NULL && *t != '\0' ? t : NULL;
}

/* Fresh: more than a minute left, or for tokens that live under two minutes, half their life. */
static gboolean
is_fresh(const BktSecrets *s, gint64 now)
{
  if (s->expires_at == 0)
    return TRUE;
  gint64 margin = BKT_REFRESH_MARGIN;
  if (s->issued_at > 0 && s->expires_at > s->issued_at)
    margin = MIN(margin, (s->expires_at - s->issued_at) / 2);
  return s->expires_at - now > margin;
}

/*
 * Once a refresh request leaves, the server may spend the old refresh token: Ctrl-C or a
 * SIGTERM then waits until the new one is stored (or the request failed), or the session would
 * be lost. A handler, not a blocked mask: the library threads (GDBus, resolvers) do not block
 * signals, so one of them would take it. SIGKILL cannot be held; see docs/SECURITY.md.
 */
static const int held_signals[] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t held_signal;

static void
on_held_signal(int sig)
{
  held_signal = sig;
}

static void
hold_signals(struct sigaction *saved)
{
  struct sigaction sa = { .sa_handler = on_held_signal, .sa_flags = SA_RESTART };
  sigemptyset(&sa.sa_mask);
  held_signal = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(held_signals); i++)
    sigaction(held_signals[i], &sa, &saved[i]);
}

/* Put the handlers back, then act on a signal that arrived meanwhile as it would have. */
static void
release_signals(const struct sigaction *saved)
{
  for (size_t i = 0; i < G_N_ELEMENTS(held_signals); i++)
    sigaction(held_signals[i], &saved[i], NULL);
  if (held_signal != 0)
    raise(held_signal);
}

static gboolean
refresh(const BktHostEntry *entry, BktSecrets *s, BktTokens *out, GError **error)
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
  client.client_secret = g_strdup(s->client_secret);
  /* Sized once for refresh tokens of several kilobytes: no reallocation leaves copies. */
  g_autoptr(GString) form = g_string_sized_new(16384);
  BktHttpRequest req;
  bkt_oauth_refresh_request(&client, s->refresh_token, form, &req);

  gboolean ok = FALSE;
  BktHttp *http = bkt_http_new(entry->ca_file, error);
  BktHttpResponse resp;
  if (http != NULL && bkt_http_perform(http, &req, &resp, error)) {
    g_autoptr(GError) local = NULL;
    ok = bkt_oauth_parse_token_response(resp.status, resp.body->str, resp.body->len,
                                        entry->key, out, &local);
    bkt_http_response_clear(&resp);
    if (!ok && g_error_matches(local, BKT_ERROR, BKT_ERROR_INVALID_GRANT))
      g_set_error(error, BKT_ERROR, BKT_ERROR_EXPIRED,
                  _("the session for '%s' has expired: log in again with 'bkt-auth login %s'"),
                  entry->key, entry->key);
    else if (!ok)
      g_propagate_error(error, g_steal_pointer(&local));
  }
  bkt_wipe(form->str, form->len);
  bkt_http_free(http);
  bkt_oauth_client_clear(&client);
  return ok;
}

gboolean
bkt_session_token(const char *host_input, gboolean force, char **token_out,
                  BktHostEntry **entry_out, GError **error)
{
  *token_out = NULL;
  if (entry_out != NULL)
    *entry_out = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  if (hosts == NULL)
    return FALSE;
  BktHostEntry *entry = bkt_hosts_lookup(hosts, host_input, error);
  if (entry == NULL)
    return FALSE;
  BktSecrets s;
  if (!bkt_secrets_load(entry, &s, error))
    return FALSE;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gboolean refreshable = s.refresh_token != NULL && g_strcmp0(entry->auth, "oauth") == 0;

  if (!refreshable || (!force && is_fresh(&s, now))) {
    if (force && !refreshable) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("'%s' uses a token that cannot be refreshed: it stays valid until it is "
                    "revoked or expires"), entry->key);
    } else if (!refreshable && s.expires_at != 0 && s.expires_at <= now) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_EXPIRED,
                  _("the token for '%s' has expired: log in again with 'bkt-auth login %s'"),
                  entry->key, entry->key);
    } else {
      *token_out = g_steal_pointer(&s.access_token);
      if (entry_out != NULL)
        *entry_out = bkt_host_entry_copy(entry);
    }
    bkt_secrets_clear(&s);
    return *token_out != NULL;
  }

  /* Refresh under the lock, re-reading first: another process may have done it already. */
  int lock = bkt_store_lock(error);
  if (lock < 0) {
    bkt_secrets_clear(&s);
    return FALSE;
  }
  gboolean ok = FALSE;
  char *seen = g_steal_pointer(&s.access_token);
  bkt_secrets_clear(&s);
  g_ptr_array_unref(hosts);
  hosts = bkt_hosts_load(error);
  entry = hosts != NULL ? bkt_hosts_lookup(hosts, host_input, error) : NULL;
  if (entry != NULL && bkt_secrets_load(entry, &s, error)) {
    now = g_get_real_time() / G_USEC_PER_SEC;
    /* Refreshed by another process while we waited: take it while it is still valid at all. */
    gboolean changed = !bkt_str_equal_ct(seen, s.access_token);
    gboolean usable = changed ? s.expires_at == 0 || s.expires_at > now : !force && is_fresh(&s, now);
    if (usable) {
      *token_out = g_steal_pointer(&s.access_token);
      ok = TRUE;
    } else {
      BktTokens t;
      g_autoptr(GError) refresh_error = NULL;
      struct sigaction saved[G_N_ELEMENTS(held_signals)];
      hold_signals(saved);
      if (!refresh(entry, &s, &t, &refresh_error)) {
        /* The server could not be reached, but the token still works for a while: hand it
         * out rather than fail; the next call tries again. A dead session is no such case. */
        if (!force && !g_error_matches(refresh_error, BKT_ERROR, BKT_ERROR_EXPIRED) &&
            s.expires_at > now) {
          *token_out = g_steal_pointer(&s.access_token);
          ok = TRUE;
        } else {
          g_propagate_error(error, g_steal_pointer(&refresh_error));
        }
      } else {
        BktSecrets next = {
          .access_token = t.access_token,
          /* Rotation: the new refresh token replaces the old one; keep the old if none came. */
          .refresh_token = t.refresh_token != NULL ? t.refresh_token : s.refresh_token,
          .client_secret = s.client_secret,
          .expires_at = t.expires_in > 0 ? now + t.expires_in : 0,
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
          *token_out = g_strdup(t.access_token);
          ok = TRUE;
        }
        bkt_tokens_clear(&t);
      }
      release_signals(saved);
    }
    bkt_secrets_clear(&s);
  }
  if (ok && entry_out != NULL)
    *entry_out = bkt_host_entry_copy(entry);
  bkt_secret_free(seen);
  bkt_store_unlock(lock);
  return ok;
}

gboolean
bkt_session_logout(const char *host_input, char **key_out, GError **error)
{
  /* Lock before reading, so another process's change to hosts.json is not lost. */
  int lock = bkt_store_lock(error);
  if (lock < 0)
    return FALSE;
  gboolean ok = FALSE;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  BktHostEntry *entry = hosts != NULL ? bkt_hosts_lookup(hosts, host_input, error) : NULL;
  if (entry != NULL && bkt_secrets_delete(entry, error)) {
    bkt_secrets_delete_elsewhere(entry);
    *key_out = g_strdup(entry->key);
    bkt_hosts_remove(hosts, entry->key);
    ok = bkt_hosts_save(hosts, error);
  }
  bkt_store_unlock(lock);
  return ok;
}
