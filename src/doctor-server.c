/* SPDX-License-Identifier: MIT */
/* doctor's checks of a server: reached, TLS, what answers, the clock, the stored token. */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>

#include "doctor-private.h"
#include "http.h"
#include "identity.h"
#include "probe.h"
#include "timefmt.h"

/* Clock differences beyond these many seconds are worth a warning, and then a failure. */
#define SKEW_WARN 60
#define SKEW_FAIL 300

/* ---- the server ---- */

static void
check_clock(Run *run, const char *key, const BktHttpResponse *resp, gint64 asked_at)
{
  gint64 server;
  if (!bkt_http_parse_date(bkt_http_response_header(resp, "date"), &server)) {
    doctor_emit(run, doctor_check("clock", key, BKT_CHECK_INFO,
                        g_strdup_printf(_("%s sent no Date: the clocks cannot be compared"), key),
                        NULL));
    return;
  }
  /* The server stamped its answer between our question and now. */
  gint64 now = bkt_now();
  gint64 skew = 0;
  if (server < asked_at - 1)
    skew = server - asked_at;
  else if (server > now + 1)
    skew = server - now;
  gint64 off = skew < 0 ? -skew : skew;
  BktCheck *c;
  if (off <= SKEW_WARN) {
    c = doctor_check("clock", key, BKT_CHECK_OK,
                  g_strdup_printf(_("the clock here agrees with %s"), key), NULL);
  } else {
    g_autofree char *span = bkt_describe_span(off);
    /* TRANSLATORS: %s is a span such as "5 minutes", then the host */
    char *summary = skew > 0 ? g_strdup_printf(_("the clock here is %s behind %s"), span, key)
                             : g_strdup_printf(_("the clock here is %s ahead of %s"), span, key);
    c = doctor_check("clock", key, off > SKEW_FAIL ? BKT_CHECK_FAIL : BKT_CHECK_WARN, summary,
                  g_strdup(_("turn on time synchronisation (for example 'timedatectl set-ntp "
                             "true') or set the clock: certificates and token lifetimes depend "
                             "on it")));
  }
  c->has_skew = TRUE;
  c->skew_seconds = skew;
  doctor_emit(run, c);
}

/* Whether a Cloud API answer looks like Bitbucket's: JSON with a "type" field. */
static gboolean
looks_like_cloud_api(const BktHttpResponse *resp)
{
  cJSON *json = resp->body != NULL ? cJSON_ParseWithLength(bkt_secret_str(resp->body), bkt_secret_len(resp->body))
                                   : NULL;
  gboolean ok = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "type"));
  cJSON_Delete(json);
  return ok;
}

static void
check_token(Run *run, BktHttp *http, const BktHost *host, const BktHostEntry *e,
            const BktSecret *token)
{
  BktCredential cred = { bkt_secret_str(token), e->login };
  BktIdentity id = { 0 };
  g_autoptr(GError) error = NULL;
  if (bkt_identity_fetch(http, host, &cred, &id, &error)) {
    doctor_emit(run, doctor_check("token", e->key, BKT_CHECK_OK,
                        g_strdup_printf(_("%s accepts the stored token (it belongs to %s)"),
                                        e->key, id.username != NULL ? id.username : "?"),
                        NULL));
  } else {
    gboolean refreshable = e->auth == BKT_AUTH_OAUTH;
    doctor_emit(run, doctor_check("token", e->key, BKT_CHECK_FAIL,
                        g_strdup_printf(_("the stored token does not work: %s"), error->message),
                        refreshable
                          ? g_strdup_printf(_("get a new one with 'bkt-auth refresh %s'; if "
                                              "that fails, log in again with 'bkt-auth login "
                                              "%s'"), e->key, e->key)
                          : g_strdup_printf(_("log in again with 'bkt-auth login %s'"),
                                            e->key)));
  }
  bkt_identity_clear(&id);
}

void
doctor_check_server(Run *run, const BktHost *host, const char *ca_file, const BktHostEntry *entry,
             const BktSecret *token)
{
  const char *key = host->key;
  g_autoptr(GError) error = NULL;
  BktHttp *http = bkt_http_new(ca_file, &error);
  if (http == NULL) {
    doctor_emit(run, doctor_check("reachable", key, BKT_CHECK_FAIL, g_strdup(error->message),
                        g_strdup(_("install libcurl (the libcurl4 package)"))));
    return;
  }
  g_autofree char *url = NULL;
  BktHttpRequest req;
  if (host->kind == BKT_KIND_DC) {
    bkt_probe_request(host, &req, &url);
  } else {
    url = g_strconcat(bkt_cloud_api_url(), "/2.0/user", NULL);
    req = (BktHttpRequest){ .method = "GET", .url = url };
  }
  gboolean https = g_str_has_prefix(url, "https://");
  gint64 asked_at = g_get_real_time() / G_USEC_PER_SEC;
  BktHttpResponse resp;
  if (!bkt_http_perform(http, &req, &resp, &error)) {
    if (bkt_http_failed_on_tls(http))
      doctor_emit(run, doctor_check("tls", key, BKT_CHECK_FAIL, g_strdup(error->message),
                          ca_file != NULL
                            ? g_strdup(_("check that the CA file holds the certificate of the "
                                         "authority that signed the server's; a wrong clock "
                                         "makes certificates look invalid too"))
                            : g_strdup(_("if it uses a private certificate authority, log in "
                                         "with --ca-file FILE or set SSL_CERT_FILE; a wrong "
                                         "clock makes certificates look invalid too"))));
    else
      doctor_emit(run, doctor_check("reachable", key, BKT_CHECK_FAIL, g_strdup(error->message),
                          g_strdup(_("check the address, your network and any proxy "
                                     "(https_proxy, no_proxy)"))));
    bkt_http_free(http);
    return;
  }
  BktCheck *c = doctor_check("reachable", key, BKT_CHECK_OK,
                          g_strdup_printf(_("%s answers"), key), NULL);
  c->http_status = resp.status;
  doctor_emit(run, c);
  if (https)
    doctor_emit(run, doctor_check("tls", key, BKT_CHECK_OK,
                        ca_file != NULL
                          ? g_strdup_printf(_("the certificate of %s is trusted, with the CA "
                                              "file %s"), key, ca_file)
                          : g_strdup_printf(_("the certificate of %s is trusted"), key),
                        NULL));
  else
    doctor_emit(run, doctor_check("tls", key, BKT_CHECK_INFO,
                        g_strdup_printf(_("%s is reached over plain http, without TLS: fit "
                                          "only for a test instance"), key),
                        NULL));

  gboolean is_bitbucket = TRUE;
  if (host->kind == BKT_KIND_DC) {
    g_autofree char *version = NULL;
    g_autoptr(GError) probe_error = NULL;
    if (bkt_probe_take(host, &resp, &version, &probe_error)) {
      c = doctor_check("bitbucket", key, BKT_CHECK_OK,
                    g_strdup_printf(_("%s runs Bitbucket Data Center %s"), key, version), NULL);
      c->version = g_steal_pointer(&version);
      doctor_emit(run, c);
    } else {
      is_bitbucket = FALSE;
      doctor_emit(run, doctor_check("bitbucket", key, BKT_CHECK_FAIL, g_strdup(probe_error->message),
                          g_strdup(_("check the address with your admin, including any "
                                     "context path such as /bitbucket"))));
    }
  } else if (looks_like_cloud_api(&resp)) {
    doctor_emit(run, doctor_check("bitbucket", key, BKT_CHECK_OK,
                        g_strdup_printf(_("%s answers like the Bitbucket Cloud API"), key), NULL));
  } else {
    is_bitbucket = FALSE;
    doctor_emit(run, doctor_check("bitbucket", key, BKT_CHECK_WARN,
                        g_strdup_printf(_("%s answers, but not like the Bitbucket Cloud API "
                                          "(HTTP %ld)"), key, resp.status),
                        g_strdup(_("check BKT_CLOUD_API_URL and any proxy in between"))));
  }
  check_clock(run, key, &resp, asked_at);
  bkt_http_response_clear(&resp);

  if (entry != NULL && is_bitbucket) {
    gint64 now = bkt_now();
    if (token != NULL)
      check_token(run, http, host, entry, token);
    else if (entry->expires_at != 0 && entry->expires_at <= now &&
             entry->auth == BKT_AUTH_OAUTH)
      doctor_emit(run, doctor_check("token", key, BKT_CHECK_INFO,
                          g_strdup(_("the access token has expired, so it was not tried: the "
                                     "next use refreshes it")),
                          NULL));
  }
  bkt_http_free(http);
}
