/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "redirect.h"

#include <glib/gi18n.h>

#include "error.h"

gboolean
bkt_redirect_parse(const char *uri, char **bind_host, guint16 *port, char **path,
                   GError **error)
{
  g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
  const char *host = parsed != NULL ? g_uri_get_host(parsed) : NULL;
  if (parsed == NULL || g_strcmp0(g_uri_get_scheme(parsed), "http") != 0 ||
      !bkt_host_is_loopback(host) || g_uri_get_query(parsed) != NULL ||
      g_uri_get_fragment(parsed) != NULL || g_uri_get_port(parsed) == 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("the redirect URI '%s' is not one bkt-auth can listen on: use "
                  "http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH with a port "
                  "from 1 to 65535"),
                uri);
    return FALSE;
  }
  *port = g_uri_get_port(parsed) > 0 ? (guint16)g_uri_get_port(parsed) : 80;
  *bind_host = g_ascii_strdown(host, -1);
  *path = g_strdup(*g_uri_get_path(parsed) ? g_uri_get_path(parsed) : "/");
  return TRUE;
}

char *
bkt_redirect_default(BktKind kind)
{
  if (kind == BKT_KIND_CLOUD)
    return g_strdup("http://127.0.0.1");
  return g_strdup_printf("http://localhost:%d/callback", BKT_DC_REDIRECT_PORT);
}

/* What a Cloud consumer's callback must be for uri: its scheme and host, which any port and
 * path may follow. */
static char *
cloud_callback(const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_uri_get_host(parsed) == NULL)
    return g_strdup(uri);
  return g_strdup_printf("%s://%s", g_uri_get_scheme(parsed), g_uri_get_host(parsed));
}

char *
bkt_redirect_advice(BktKind kind, const char *uri)
{
  if (kind == BKT_KIND_CLOUD) {
    g_autofree char *callback = cloud_callback(uri);
    return g_strdup_printf(_("If the browser shows an error about the redirect, the OAuth "
                             "consumer's Callback URL must be %s."),
                           callback);
  }
  return g_strdup_printf(_("If the browser shows an error about the redirect, the application "
                           "link's Redirect URL must be exactly %s."),
                         uri);
}

char *
bkt_redirect_refused(BktKind kind, const char *host, const char *uri)
{
  if (kind == BKT_KIND_CLOUD) {
    g_autofree char *callback = cloud_callback(uri);
    /* TRANSLATORS: the host, then the callback URL the consumer must have */
    return g_strdup_printf(_("the pasted address is %s's sign-in page, where the browser stays "
                             "when it refuses the redirect: the OAuth consumer's Callback URL "
                             "must be %s"),
                           host, callback);
  }
  /* TRANSLATORS: the host, then the redirect URL the application link must have */
  return g_strdup_printf(_("the pasted address is %s's sign-in page, where the browser stays "
                           "when it refuses the redirect: the application link's Redirect URL "
                           "must be exactly %s"),
                         host, uri);
}
