/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "hostcheck.h"

#include "http.h"
#include "probe.h"

struct BktHostCheck {
  BktHost host; /* the probe's sentences name it */
  BktHttp *http;
  gboolean finished;
};

BktHostCheck *
bkt_host_check_new(const BktHost *host, const char *ca_file, GError **error)
{
  BktHttp *http = bkt_http_new(ca_file, error);
  if (http == NULL)
    return NULL;
  BktHttpRequest req;
  g_autofree char *url = NULL;
  bkt_probe_request(host, &req, &url);
  if (!bkt_http_start(http, &req, error)) {
    bkt_http_free(http);
    return NULL;
  }
  BktHostCheck *check = g_new0(BktHostCheck, 1);
  check->host.kind = host->kind;
  check->host.key = g_strdup(host->key);
  check->host.base_url = g_strdup(host->base_url);
  check->http = http;
  return check;
}

void
bkt_host_check_free(BktHostCheck *check)
{
  if (check == NULL)
    return;
  bkt_http_free(check->http);
  bkt_host_clear(&check->host);
  g_free(check);
}

int
bkt_host_check_pollfds(BktHostCheck *check, struct pollfd *fds, int max)
{
  return check->finished ? 0 : bkt_http_pollfds(check->http, fds, max);
}

int
bkt_host_check_timeout_ms(BktHostCheck *check)
{
  return check->finished ? -1 : bkt_http_timeout_ms(check->http);
}

gboolean
bkt_host_check_dispatch(BktHostCheck *check)
{
  if (!check->finished)
    check->finished = bkt_http_dispatch(check->http);
  return check->finished;
}

gboolean
bkt_host_check_finish(BktHostCheck *check, char **version, GError **error)
{
  g_autofree char *found = NULL;
  if (version != NULL)
    *version = NULL;
  BktHttpResponse resp;
  if (!bkt_http_finish(check->http, &resp, error))
    return FALSE;
  gboolean ok = bkt_probe_take(&check->host, &resp, &found, error);
  bkt_http_response_clear(&resp);
  if (ok && version != NULL)
    *version = g_steal_pointer(&found);
  return ok;
}
