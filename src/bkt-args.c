/* SPDX-License-Identifier: MIT */
/* Where bkt sends a token: its command line, its configuration's base URLs, our logins. */
#include "config.h"

#include "bkt-args.h"

#include <string.h>

#include "host.h"

/* bkt's one-letter flags that take a value (cobra/pflag: "-R repo", "-Rrepo"), but -c. */
static const char value_letters[] = "abefkmpstFHLPRX";
/* Its long flags before and within 'bkt api' that take a value, but --context and --host. */
static const char *const value_flags[] = {
  "format", "jq", "template", "method", "input", "field", "header", "param", NULL,
};

static gboolean
is_url(const char *s)
{
  return g_ascii_strncasecmp(s, "http://", 7) == 0 || g_ascii_strncasecmp(s, "https://", 8) == 0;
}

void
bkt_bkt_args_clear(BktBktArgs *a)
{
  g_clear_pointer(&a->context, g_free);
  g_clear_pointer(&a->host, g_free);
  g_clear_pointer(&a->urls, g_ptr_array_unref);
}

static void
take(char **slot, const char *value)
{
  g_free(*slot);
  *slot = value != NULL && *value != '\0' ? g_strdup(value) : NULL;
}

/* A long flag: --name, --name=value. Returns how many arguments it took. */
static int
long_flag(char **args, int i, BktBktArgs *out)
{
  const char *name = args[i] + 2, *eq = strchr(name, '=');
  size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name);
  const char *next = args[i + 1];
  gboolean context = n == 7 && strncmp(name, "context", n) == 0;
  gboolean host = n == 4 && strncmp(name, "host", n) == 0;
  if (context || host) {
    take(context ? &out->context : &out->host, eq != NULL ? eq + 1 : next);
    return eq != NULL || next == NULL ? 1 : 2;
  }
  for (const char *const *f = value_flags; *f != NULL && eq == NULL; f++)
    if (strlen(*f) == n && strncmp(name, *f, n) == 0)
      return next != NULL ? 2 : 1;
  return 1;
}

/* A group of one-letter flags: -c NAME, -cNAME, -c=NAME, -yc NAME. */
static int
short_flags(char **args, int i, BktBktArgs *out)
{
  for (const char *p = args[i] + 1; *p != '\0'; p++) {
    if (*p == 'c') {
      if (p[1] != '\0')
        take(&out->context, p[1] == '=' ? p + 2 : p + 1);
      else
        take(&out->context, args[i + 1]);
      return p[1] == '\0' && args[i + 1] != NULL ? 2 : 1;
    }
    if (strchr(value_letters, *p) != NULL)
      return p[1] == '\0' && args[i + 1] != NULL ? 2 : 1;
  }
  return 1;
}

void
bkt_bkt_args_parse(char **args, BktBktArgs *out)
{
  memset(out, 0, sizeof *out);
  out->urls = g_ptr_array_new_with_free_func(g_free);
  gboolean flags_end = FALSE, api = FALSE;
  guint positional = 0;
  for (int i = 0; args[i] != NULL;) {
    const char *a = args[i];
    if (!flags_end && strcmp(a, "--") == 0) {
      flags_end = TRUE;
      i++;
    } else if (!flags_end && a[0] == '-' && a[1] == '-') {
      i += long_flag(args, i, out);
    } else if (!flags_end && a[0] == '-' && a[1] != '\0') {
      i += short_flags(args, i, out);
    } else {
      if (positional++ == 0)
        api = strcmp(a, "api") == 0;
      else if (api && is_url(a))
        g_ptr_array_add(out->urls, g_strdup(a));
      i++;
    }
  }
  if (out->urls->len == 0)
    g_clear_pointer(&out->urls, g_ptr_array_unref);
}

gboolean
bkt_bkt_is_bkt(const char *program)
{
  g_autofree char *base = g_path_get_basename(program);
  return strcmp(base, "bkt") == 0;
}

gboolean
bkt_bkt_on_path(void)
{
  g_autofree char *found = g_find_program_in_path("bkt");
  return found != NULL;
}

/* A URL without the slashes that end it; newly allocated. */
static char *
trimmed(const char *url)
{
  char *s = g_strdup(url);
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '/')
    s[--n] = '\0';
  return s;
}

char *
bkt_bkt_base_url(const BktHostEntry *e)
{
  if (e->kind == BKT_KIND_CLOUD) {
    g_autofree char *api = trimmed(bkt_cloud_api_url());
    return g_strconcat(api, "/2.0", NULL);
  }
  return trimmed(e->base_url);
}

char *
bkt_bkt_host_key(const char *base_url)
{
  g_autoptr(GUri) uri = g_uri_parse(base_url, G_URI_FLAGS_ENCODED, NULL);
  const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;
  if (host == NULL || *host == '\0')
    return NULL;
  g_autofree char *name = strchr(host, ':') != NULL ? g_strdup_printf("[%s]", host)
                                                     : g_strdup(host);
  if (g_uri_get_port(uri) > 0)
    return g_strdup_printf("%s:%d", name, g_uri_get_port(uri));
  return g_steal_pointer(&name);
}

static gboolean
is_public_cloud(const char *host)
{
  return g_ascii_strcasecmp(host, "api.bitbucket.org") == 0 ||
         g_ascii_strcasecmp(host, "bitbucket.org") == 0;
}

char *
bkt_bkt_host_url(const char *value, const BktBktConfig *config)
{
  g_autofree char *v = g_strstrip(g_strdup(value != NULL ? value : ""));
  if (*v == '\0')
    return NULL;
  /* A key of bkt's configuration, as written or as the key of the address. */
  char *base = config != NULL ? bkt_bkt_config_host_field(config, v, "base_url") : NULL;
  if (base != NULL)
    return base;
  g_autofree char *url = is_url(v) ? g_strdup(v) : g_strconcat("https://", v, NULL);
  g_autofree char *key = bkt_bkt_host_key(url);
  base = key != NULL && config != NULL ? bkt_bkt_config_host_field(config, key, "base_url")
                                       : NULL;
  if (base != NULL)
    return base;
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host(uri) == NULL)
    return g_steal_pointer(&url); /* bkt would refuse it too; it matches no login */
  if (is_public_cloud(g_uri_get_host(uri)))
    return g_strdup("https://api.bitbucket.org/2.0");
  return trimmed(url);
}

/* The parts of an absolute URL that decide where a request goes. */
typedef struct {
  char *scheme;
  char *authority;  /* host[:port], lowercase, no default port */
  char *path;       /* without the slashes that end it */
} Where;

static gboolean
where_parse(const char *url, Where *w)
{
  memset(w, 0, sizeof *w);
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0')
    return FALSE;
  w->scheme = g_ascii_strdown(g_uri_get_scheme(uri), -1);
  w->authority = bkt_authority(w->scheme, g_uri_get_host(uri), g_uri_get_port(uri));
  w->path = trimmed(g_uri_get_path(uri));
  return TRUE;
}

static void
where_clear(Where *w)
{
  g_free(w->scheme);
  g_free(w->authority);
  g_free(w->path);
}

/* path is base, or (within) lies under it. */
static gboolean
path_at(const char *path, const char *base, gboolean within)
{
  size_t n = strlen(base);
  if (!within)
    return strcmp(path, base) == 0;
  return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static gboolean
same_server(const Where *a, const Where *b)
{
  return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->authority, b->authority) == 0;
}

gboolean
bkt_bkt_url_is(const char *url, const BktHostEntry *e, gboolean within)
{
  Where w, own;
  if (!where_parse(url, &w))
    return FALSE;
  gboolean match = FALSE;
  if (e->kind == BKT_KIND_CLOUD) {
    /* Bitbucket Cloud itself, over TLS; or where BKT_CLOUD_API_URL points (a proxy, a test):
     * its address, its API path. */
    if (strcmp(w.scheme, "https") == 0 &&
        (strcmp(w.authority, "api.bitbucket.org") == 0 ||
         strcmp(w.authority, "bitbucket.org") == 0)) {
      match = TRUE;
    } else if (where_parse(bkt_cloud_api_url(), &own)) {
      g_autofree char *api = g_strconcat(own.path, "/2.0", NULL);
      match = same_server(&w, &own) &&
              (path_at(w.path, own.path, within) || path_at(w.path, api, FALSE));
      where_clear(&own);
    }
  } else if (e->base_url != NULL && where_parse(e->base_url, &own)) {
    match = same_server(&w, &own) && path_at(w.path, own.path, within);
    where_clear(&own);
  }
  where_clear(&w);
  return match;
}

BktHostEntry *
bkt_bkt_find_login(GPtrArray *hosts, const char *base_url)
{
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(hosts);
  for (guint i = 0; i < keys->len; i++) {
    BktHostEntry *e = bkt_hosts_active(hosts, g_ptr_array_index(keys, i));
    if (bkt_bkt_url_is(base_url, e, FALSE))
      return e;
  }
  return NULL;
}

const char *
bkt_bkt_username(const BktHostEntry *e)
{
  if (e->login != NULL)
    return e->login;
  if (e->username == NULL || *e->username == '\0')
    return NULL;
  /* Cloud names an account without a username by its account ID: no name bkt can use. */
  if (e->kind == BKT_KIND_CLOUD && g_strcmp0(e->username, e->account) == 0)
    return NULL;
  return e->username;
}

const char *
bkt_bkt_auth_method(const BktHostEntry *e)
{
  return e->login != NULL ? "basic" : "bearer";
}
