/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "host.h"

#include <glib/gi18n.h>
#include <string.h>

#include <gio/gio.h>

#include "error.h"
#include "tame.h"

#define CLOUD_WEB_DEFAULT "https://bitbucket.org"
#define CLOUD_API_DEFAULT "https://api.bitbucket.org"
#define CLOUD_KEY "bitbucket.org"

/* Path segments that start the part of a pasted DC page URL that is not the context path. */
static const char *const dc_page_segments[] = {
  "projects", "scm", "rest", "users", "plugins", "dashboard", "login", "admin", "repos",
  "account", "profile", NULL,
};

const char *
bkt_kind_to_string(BktKind kind)
{
  switch (kind) {
  case BKT_KIND_CLOUD: return "cloud";
  case BKT_KIND_DC: return "dc";
  default: return "unknown";
  }
}

BktKind
bkt_kind_from_string(const char *s)
{
  if (s == NULL)
    return BKT_KIND_UNKNOWN;
  if (g_ascii_strcasecmp(s, "cloud") == 0)
    return BKT_KIND_CLOUD;
  if (g_ascii_strcasecmp(s, "dc") == 0 || g_ascii_strcasecmp(s, "datacenter") == 0 ||
      g_ascii_strcasecmp(s, "server") == 0)
    return BKT_KIND_DC;
  return BKT_KIND_UNKNOWN;
}

const char *
bkt_kind_display_name(BktKind kind)
{
  switch (kind) {
  case BKT_KIND_CLOUD: return _("Bitbucket Cloud");
  case BKT_KIND_DC: return _("Bitbucket Data Center");
  default: return _("Bitbucket");
  }
}

static const char *
env_url(const char *name, const char *fallback)
{
  const char *v = g_getenv(name);
  return v != NULL && *v != '\0' ? v : fallback;
}

const char *
bkt_cloud_web_url(void)
{
  return env_url("BKT_CLOUD_URL", CLOUD_WEB_DEFAULT);
}

const char *
bkt_cloud_api_url(void)
{
  return env_url("BKT_CLOUD_API_URL", CLOUD_API_DEFAULT);
}

gboolean
bkt_host_is_loopback(const char *host)
{
  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp(host, "localhost") == 0)
    return TRUE;
  size_t n = strlen(host);
  g_autofree char *bare = n > 2 && host[0] == '[' && host[n - 1] == ']'
                            ? g_strndup(host + 1, n - 2)
                            : g_strdup(host);
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(bare);
  return addr != NULL && g_inet_address_get_is_loopback(addr);
}

gboolean
bkt_url_is_loopback(const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && bkt_host_is_loopback(g_uri_get_host(uri));
}

char *
bkt_authority(const char *scheme, const char *host, int port)
{
  g_autofree char *lower = g_ascii_strdown(host, -1);
  g_autofree char *bracketed = strchr(lower, ':') != NULL && lower[0] != '['
                                 ? g_strdup_printf("[%s]", lower)
                                 : g_strdup(lower);
  gboolean https = g_ascii_strcasecmp(scheme, "https") == 0;
  if (port <= 0 || (https && port == 443) || (!https && port == 80))
    return g_steal_pointer(&bracketed);
  return g_strdup_printf("%s:%d", bracketed, port);
}

/* host[:port] of an absolute URL; NULL when it has none. */
static char *
authority_of(const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED_PATH, NULL);
  if (uri == NULL || g_uri_get_host(uri) == NULL)
    return NULL;
  return bkt_authority(g_uri_get_scheme(uri), g_uri_get_host(uri), g_uri_get_port(uri));
}

static gboolean
is_public_cloud(const char *authority)
{
  return g_strcmp0(authority, "bitbucket.org") == 0 ||
         g_strcmp0(authority, "api.bitbucket.org") == 0 ||
         g_strcmp0(authority, "www.bitbucket.org") == 0;
}

/*
 * The address stands for BKT_CLOUD_URL or BKT_CLOUD_API_URL: same host and port, and no path
 * of its own (a path there is a Data Center's context path on the same server).
 */
static gboolean
is_cloud_override(const char *authority, const char *context)
{
  g_autofree char *web = authority_of(bkt_cloud_web_url());
  g_autofree char *api = authority_of(bkt_cloud_api_url());
  return *context == '\0' && (g_strcmp0(authority, web) == 0 || g_strcmp0(authority, api) == 0);
}

/* Strip a pasted page path ("/projects/X/repos/y") down to the context path. */
static char *
context_path(const char *path)
{
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  GString *out = g_string_new(NULL);
  for (char **p = parts; *p != NULL; p++) {
    if (**p == '\0')
      continue;
    if (g_strv_contains(dc_page_segments, *p))
      break;
    g_string_append_c(out, '/');
    g_string_append(out, *p);
  }
  return g_string_free(out, FALSE);
}

/* A DNS name or an IP address as GUri decoded it: nothing that changes what the URL means. */
static gboolean
host_is_plain(const char *host)
{
  if (strchr(host, ':') != NULL)
    return strchr(host, '%') == NULL && g_hostname_is_ip_address(host);
  for (const char *c = host; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_')
      return FALSE;
  return TRUE;
}

static gboolean
fail(GError **error, BktHost *out, const char *message)
{
  g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE, message);
  bkt_host_clear(out);
  return FALSE;
}

gboolean
bkt_host_parse(const char *input, BktKind kind_hint, gboolean allow_http, BktHost *out,
               GError **error)
{
  memset(out, 0, sizeof *out);
  g_autofree char *text = g_strstrip(g_strdup(input != NULL ? input : ""));
  if (*text == '\0')
    return fail(error, out, _("no host given: name a Bitbucket such as 'bitbucket.org' or "
                              "'https://git.example.com'"));
  for (const char *c = text; *c; c++) {
    if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '\\' || *c == '"' || *c == '<' ||
        *c == '>')
      return fail(error, out, _("the host contains a space or a character a URL cannot hold: "
                                "give it as 'git.example.com' or 'https://git.example.com'"));
  }

  /* Echoed in messages: the name may come from a repository's remote, not from the user. */
  g_autofree char *shown = bkt_text_tame(text);
  g_autofree char *url = strstr(text, "://") != NULL ? g_strdup(text)
                                                    : g_strconcat("https://", text, NULL);
  g_autoptr(GError) uri_error = NULL;
  /* The path stays percent-encoded: decoded, "%3F" would put a query into every request. */
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED_PATH, &uri_error);
  if (uri == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0') {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("'%s' is not a host name or URL: give it as 'git.example.com' or "
                  "'https://git.example.com'"), shown);
    bkt_host_clear(out);
    return FALSE;
  }
  const char *scheme = g_uri_get_scheme(uri);
  if (g_ascii_strcasecmp(scheme, "https") != 0 && g_ascii_strcasecmp(scheme, "http") != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("'%s' is not a web address: Bitbucket is reached over https://"), shown);
    bkt_host_clear(out);
    return FALSE;
  }
  if (g_uri_get_userinfo(uri) != NULL)
    return fail(error, out, _("the host must not contain a user name or password: give only "
                              "the address, bkt-auth asks for credentials itself"));
  if (!host_is_plain(g_uri_get_host(uri)))
    return fail(error, out, _("the host contains a space or a character a URL cannot hold: "
                              "give it as 'git.example.com' or 'https://git.example.com'"));
  if (g_uri_get_fragment(uri) != NULL || g_uri_get_query(uri) != NULL)
    return fail(error, out, _("the host must not contain '?' or '#': give only the address "
                              "of the Bitbucket, such as 'https://git.example.com/bitbucket'"));
  gboolean is_http = g_ascii_strcasecmp(scheme, "http") == 0;

  g_autofree char *authority = authority_of(url);
  g_autofree char *path = context_path(g_uri_get_path(uri));
  BktKind kind = kind_hint;
  gboolean public_cloud = is_public_cloud(authority);
  gboolean cloud = public_cloud || is_cloud_override(authority, path);
  if (kind == BKT_KIND_UNKNOWN)
    kind = cloud ? BKT_KIND_CLOUD : BKT_KIND_DC;
  else if (kind == BKT_KIND_DC && public_cloud)
    return fail(error, out, _("bitbucket.org is Bitbucket Cloud, not a Data Center: leave out "
                              "'--kind dc'"));
  else if (kind == BKT_KIND_CLOUD && !cloud) {
    g_autofree char *shown_authority = bkt_text_tame(authority);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("'%s' is not Bitbucket Cloud: use '--kind dc' for a Data Center, or set "
                  "BKT_CLOUD_URL to reach Cloud through a proxy"), shown_authority);
    bkt_host_clear(out);
    return FALSE;
  }

  out->kind = kind;
  if (kind == BKT_KIND_CLOUD) {
    const char *web = bkt_cloud_web_url();
    if (g_str_has_prefix(web, "http://") && !bkt_url_is_loopback(web))
      return fail(error, out, _("BKT_CLOUD_URL uses http:// for a host that is not this "
                                "machine: use https://"));
    const char *api = bkt_cloud_api_url();
    if (g_str_has_prefix(api, "http://") && !bkt_url_is_loopback(api))
      return fail(error, out, _("BKT_CLOUD_API_URL uses http:// for a host that is not this "
                                "machine: use https://"));
    out->key = g_strdup(CLOUD_KEY);
    out->base_url = g_strdup(web);
    if (g_str_has_suffix(out->base_url, "/"))
      out->base_url[strlen(out->base_url) - 1] = '\0';
    return TRUE;
  }

  if (is_http && !allow_http)
    return fail(error, out, _("refusing http://: tokens would cross the network unencrypted; "
                              "use https://, or --allow-http for a test instance"));
  g_autofree char *lower_scheme = g_ascii_strdown(scheme, -1);
  g_autofree char *hostport = bkt_authority(lower_scheme, g_uri_get_host(uri),
                                            g_uri_get_port(uri));
  out->key = g_strconcat(hostport, path, NULL);
  out->base_url = g_strconcat(lower_scheme, "://", hostport, path, NULL);
  return TRUE;
}

char *
bkt_host_key_for_input(const char *input)
{
  BktHost host;
  if (!bkt_host_parse(input, BKT_KIND_UNKNOWN, TRUE, &host, NULL))
    return NULL;
  char *key = g_steal_pointer(&host.key);
  bkt_host_clear(&host);
  return key;
}

void
bkt_host_clear(BktHost *host)
{
  g_clear_pointer(&host->key, g_free);
  g_clear_pointer(&host->base_url, g_free);
  host->kind = BKT_KIND_UNKNOWN;
}
