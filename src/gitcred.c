/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "gitcred.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "secret.h"

void
bkt_git_request_clear(BktGitRequest *req)
{
  g_free(req->protocol);
  g_free(req->host);
  g_free(req->path);
  g_free(req->username);
  bkt_secret_free(req->password);
  memset(req, 0, sizeof *req);
}

static void
set_value(char **slot, const char *value, size_t len)
{
  g_free(*slot);
  *slot = g_strndup(value, len);
}

gboolean
bkt_git_request_parse(const char *text, size_t len, BktGitRequest *out, GError **error)
{
  memset(out, 0, sizeof *out);
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = nl != NULL ? nl : end;
    size_t n = (size_t)(line_end - p);
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n == 0)
      break;
    const char *eq = memchr(p, '=', n);
    if (eq == NULL || memchr(p, '\0', n) != NULL) {
      bkt_git_request_clear(out);
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                          _("git sent a line that is not key=value: this command is meant "
                            "to be run by git as a credential helper"));
      return FALSE;
    }
    size_t klen = (size_t)(eq - p);
    const char *value = eq + 1;
    size_t vlen = n - klen - 1;
#define KEY_IS(name) (klen == strlen(name) && memcmp(p, name, klen) == 0)
    if (KEY_IS("protocol"))
      set_value(&out->protocol, value, vlen);
    else if (KEY_IS("host"))
      set_value(&out->host, value, vlen);
    else if (KEY_IS("path"))
      set_value(&out->path, value, vlen);
    else if (KEY_IS("username"))
      set_value(&out->username, value, vlen);
    else if (KEY_IS("password"))
      bkt_secret_replace(&out->password, bkt_secret_new_len(value, vlen));
    else if (KEY_IS("url")) {
      /* The URL form stands for protocol, host and path together. */
      char *url = g_strndup(value, vlen);
      g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
      if (uri != NULL && g_uri_get_host(uri) != NULL) {
        g_free(out->protocol);
        out->protocol = g_strdup(g_uri_get_scheme(uri));
        g_free(out->host);
        out->host = bkt_authority(out->protocol, g_uri_get_host(uri), g_uri_get_port(uri));
        /* https://bob@host/...: the user picks the account. */
        if (g_uri_get_user(uri) != NULL && *g_uri_get_user(uri) != '\0') {
          g_free(out->username);
          out->username = g_strdup(g_uri_get_user(uri));
        }
        const char *path = g_uri_get_path(uri);
        g_free(out->path);
        out->path = path != NULL && path[0] == '/' && path[1] != '\0' ? g_strdup(path + 1)
                                                                      : NULL;
      }
      bkt_wipe_free(url); /* it may carry a password */
    }
#undef KEY_IS
    if (nl == NULL)
      break;
    p = nl + 1;
  }
  return TRUE;
}

/* A place git can name: scheme, host[:port] without a default port, and a context path
 * without a trailing slash ("" when none). */
typedef struct {
  char *scheme;
  char *authority;
  char *context;
} Place;

static void
place_clear(Place *p)
{
  g_free(p->scheme);
  g_free(p->authority);
  g_free(p->context);
}

static gboolean
place_from_url(const char *url, Place *out)
{
  memset(out, 0, sizeof *out);
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || g_uri_get_host(uri) == NULL)
    return FALSE;
  out->scheme = g_ascii_strdown(g_uri_get_scheme(uri), -1);
  out->authority = bkt_authority(out->scheme, g_uri_get_host(uri), g_uri_get_port(uri));
  const char *path = g_uri_get_path(uri);
  out->context = g_strdup(path != NULL ? path : "");
  size_t n = strlen(out->context);
  while (n > 0 && out->context[n - 1] == '/')
    out->context[--n] = '\0';
  return TRUE;
}

/* git's host[:port] as a Place authority; NULL when it cannot be one. */
static char *
request_authority(const BktGitRequest *req)
{
  if (req->protocol == NULL || req->host == NULL || *req->host == '\0')
    return NULL;
  if (g_ascii_strcasecmp(req->protocol, "https") != 0 &&
      g_ascii_strcasecmp(req->protocol, "http") != 0)
    return NULL;
  /* A name, an IPv4 or a bracketed IPv6 address, and a port: nothing a URL could read as a
   * user name or a path ("evil.example@bitbucket.org"). */
  for (const char *c = req->host; *c; c++)
    if (!g_ascii_isalnum(*c) && strchr(".-_:[]", *c) == NULL)
      return NULL;
  g_autofree char *url = g_strconcat(req->protocol, "://", req->host, "/", NULL);
  Place p;
  if (!place_from_url(url, &p))
    return NULL;
  char *authority = g_steal_pointer(&p.authority);
  place_clear(&p);
  return authority;
}

static const char *
entry_url(const BktHostEntry *e)
{
  if (e->base_url != NULL && *e->base_url != '\0')
    return e->base_url;
  return e->kind == BKT_KIND_CLOUD ? bkt_cloud_web_url() : NULL;
}

/* Whether git's path (no leading slash) lies under the context path ("/bitbucket"). */
static gboolean
path_under(const char *path, const char *context)
{
  const char *c = context[0] == '/' ? context + 1 : context;
  size_t n = strlen(c);
  return strncmp(path, c, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The stored host a request is for (its active account), by address and path. */
static BktHostEntry *
match_host(GPtrArray *hosts, const BktGitRequest *req, gboolean *ambiguous)
{
  if (ambiguous != NULL)
    *ambiguous = FALSE;
  g_autofree char *authority = request_authority(req);
  if (authority == NULL)
    return NULL;
  const char *path = req->path;
  while (path != NULL && *path == '/')
    path++;

  BktHostEntry *best = NULL, *bare = NULL, *lone = NULL;
  size_t best_len = 0;
  guint with_context = 0;
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    Place p;
    if (!e->active || !place_from_url(entry_url(e), &p))
      continue;
    gboolean same = g_ascii_strcasecmp(p.scheme, req->protocol) == 0 &&
                    strcmp(p.authority, authority) == 0;
    if (same) {
      size_t clen = strlen(p.context);
      if (clen == 0) {
        bare = e;
      } else {
        with_context++;
        lone = e;
      }
      if (path != NULL && (clen == 0 || path_under(path, p.context)) &&
          (best == NULL || clen > best_len)) {
        best = e;
        best_len = clen;
      }
    }
    place_clear(&p);
  }
  if (path != NULL)
    return best;
  if (bare != NULL)
    return bare;
  if (with_context == 1)
    return lone;
  if (with_context > 1 && ambiguous != NULL)
    *ambiguous = TRUE;
  return NULL;
}

/* The user names bkt-auth itself hands git: they name no account. */
static gboolean
is_token_user(const char *user)
{
  return g_strcmp0(user, BKT_GIT_USER_TOKEN) == 0 || g_strcmp0(user, BKT_GIT_USER_API_TOKEN) == 0;
}

BktHostEntry *
bkt_git_match(GPtrArray *hosts, const BktGitRequest *req, gboolean *ambiguous)
{
  BktHostEntry *host = match_host(hosts, req, ambiguous);
  if (host == NULL || req->username == NULL || *req->username == '\0' ||
      is_token_user(req->username))
    return host;
  /* A user name in the request (https://bob@host/...) picks that account, or none. */
  return bkt_hosts_find_user(hosts, host->key, req->username);
}

gboolean
bkt_git_is_cloud(const BktGitRequest *req)
{
  g_autofree char *authority = request_authority(req);
  Place p;
  if (authority == NULL || !place_from_url(bkt_cloud_web_url(), &p))
    return FALSE;
  gboolean same = g_ascii_strcasecmp(p.scheme, req->protocol) == 0 &&
                  strcmp(p.authority, authority) == 0;
  place_clear(&p);
  return same;
}

const char *
bkt_git_username(const BktHostEntry *e)
{
  if (e->kind == BKT_KIND_CLOUD)
    return e->auth == BKT_AUTH_TOKEN && e->login != NULL ? BKT_GIT_USER_API_TOKEN
                                                                : BKT_GIT_USER_TOKEN;
  /* A Data Center takes any user name with a token; its own name reads best in its logs. */
  return e->username != NULL && *e->username != '\0' ? e->username : BKT_GIT_USER_TOKEN;
}

char *
bkt_git_config_url(const BktHostEntry *e)
{
  Place p;
  if (!place_from_url(entry_url(e), &p))
    return NULL;
  char *url = g_strconcat(p.scheme, "://", p.authority, p.context, NULL);
  place_clear(&p);
  return url;
}

gboolean
bkt_git_needs_path(const BktHostEntry *e)
{
  Place p;
  if (!place_from_url(entry_url(e), &p))
    return FALSE;
  gboolean needs = *p.context != '\0';
  place_clear(&p);
  return needs;
}
