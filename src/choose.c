/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "choose.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "repo.h"
#include "tame.h"

/* "a, b, c": the stored hosts; newly allocated. */
static char *
list_hosts(GPtrArray *keys)
{
  GString *names = g_string_new(NULL);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf(names, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(keys, i));
  return g_string_free(names, FALSE);
}

static gboolean
is_cloud_web_name(const char *host)
{
  return strcmp(host, "bitbucket.org") == 0 || strcmp(host, "www.bitbucket.org") == 0 ||
         strcmp(host, "api.bitbucket.org") == 0;
}

/* Whether path lies at or under the context path ("" or "/bitbucket"). */
static gboolean
under(const char *path, const char *context)
{
  size_t n = strlen(context);
  return n == 0 || (strncmp(path, context, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

/* The stored hosts an already parsed remote leads to. */
static void
match(GPtrArray *hosts, const char *scheme, const char *host, int port, const char *path,
      GPtrArray *out)
{
  gboolean web = strcmp(scheme, "ssh") != 0;
  g_autofree char *authority = web ? bkt_authority(scheme, host, port) : NULL;
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(hosts);
  const char *best = NULL;
  size_t best_len = 0;
  for (guint k = 0; k < keys->len; k++) {
    const char *key = g_ptr_array_index(keys, k);
    const BktHostEntry *e = bkt_hosts_active(hosts, key);
    if (e->kind == BKT_KIND_CLOUD && is_cloud_web_name(host)) {
      g_ptr_array_add(out, (gpointer)key);
      continue;
    }
    /* Cloud's SSH host is bitbucket.org, whatever address its web override has. */
    if (e->kind == BKT_KIND_CLOUD && !web)
      continue;
    g_autoptr(GUri) base = e->base_url != NULL ? g_uri_parse(e->base_url, G_URI_FLAGS_ENCODED,
                                                             NULL)
                                               : NULL;
    if (base == NULL || g_uri_get_host(base) == NULL)
      continue;
    g_autofree char *base_host = g_ascii_strdown(g_uri_get_host(base), -1);
    if (!web) {
      /* SSH reaches a server on its own port, whatever its context path. */
      if (strcmp(base_host, host) == 0)
        g_ptr_array_add(out, (gpointer)key);
      continue;
    }
    g_autofree char *base_authority = bkt_authority(g_uri_get_scheme(base), base_host,
                                                    g_uri_get_port(base));
    g_autofree char *context = g_strdup(g_uri_get_path(base));
    size_t n = strlen(context);
    while (n > 0 && context[n - 1] == '/')
      context[--n] = '\0';
    if (strcmp(base_authority, authority) == 0 && under(path, context) &&
        (best == NULL || n > best_len)) {
      best = key;
      best_len = n;
    }
  }
  if (best != NULL)
    g_ptr_array_add(out, (gpointer)best);
}

GPtrArray *
bkt_choose_hosts_for_url(GPtrArray *hosts, const char *url)
{
  GPtrArray *out = g_ptr_array_new();
  for (int resolve = 0; resolve < 2 && out->len == 0; resolve++) {
    g_autofree char *scheme = NULL, *host = NULL, *path = NULL;
    int port;
    if (!bkt_repo_parse_url(url, resolve, &scheme, &host, &port, &path))
      break;
    match(hosts, scheme, host, port, path, out);
    if (strcmp(scheme, "ssh") != 0)
      break; /* only SSH has aliases */
  }
  return out;
}

/* The host the repository's remotes lead to, NULL when they lead nowhere stored (or outside a
 * repository); FALSE when they lead to several. */
static gboolean
host_of_repo(GPtrArray *hosts, const char **key, GError **error)
{
  *key = NULL;
  guint n_first = 0;
  g_autoptr(GPtrArray) urls = bkt_repo_remote_urls(&n_first);
  g_autoptr(GPtrArray) found = g_ptr_array_new();
  for (guint i = 0; urls != NULL && i < urls->len && *key == NULL; i++) {
    g_autoptr(GPtrArray) led = bkt_choose_hosts_for_url(hosts, g_ptr_array_index(urls, i));
    for (guint j = 0; j < led->len; j++)
      if (!g_ptr_array_find_with_equal_func(found, g_ptr_array_index(led, j), g_str_equal, NULL))
        g_ptr_array_add(found, g_ptr_array_index(led, j));
    /* The upstream's remote and origin decide alone; the others together, at the end. */
    if (found->len > 1 || (found->len == 1 && (i < n_first || i + 1 == urls->len)))
      break;
  }
  if (found->len > 1) {
    g_autofree char *names = list_hosts(found);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("this repository's remotes lead to several stored hosts (%s): name the one "
                  "you mean"), names);
    return FALSE;
  }
  *key = found->len == 1 ? g_ptr_array_index(found, 0) : NULL;
  return TRUE;
}

const char *
bkt_choose_host(GPtrArray *hosts, const char *host_input, gboolean guess_last, GError **error)
{
  if (hosts->len == 0) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                        _("not logged in to any Bitbucket: run 'bkt-auth login'"));
    return NULL;
  }
  if (host_input != NULL) {
    g_autofree char *key = bkt_host_key_for_input(host_input);
    BktHostEntry *e = bkt_hosts_active(hosts, key);
    if (e != NULL)
      return e->key;
    /* Echoed: the name may come from a repository's remote, escapes and all. */
    g_autofree char *shown = bkt_text_tame(host_input);
    g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                _("not logged in to '%s': run 'bkt-auth login %s'"), shown, shown);
    return NULL;
  }
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(hosts);
  if (keys->len == 1)
    return g_ptr_array_index(keys, 0);
  const char *key = NULL;
  if (!host_of_repo(hosts, &key, error))
    return NULL;
  if (key == NULL && guess_last)
    key = bkt_hosts_last_used(hosts);
  if (key != NULL)
    return key;
  g_autofree char *names = list_hosts(keys);
  g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
              _("logged in to several hosts (%s): name the one you mean"), names);
  return NULL;
}

BktHostEntry *
bkt_choose_login(GPtrArray *hosts, const char *host_input, const char *user,
                 gboolean guess_last, GError **error)
{
  const char *key = bkt_choose_host(hosts, host_input, guess_last, error);
  if (key == NULL)
    return NULL;
  if (user == NULL)
    return bkt_hosts_active(hosts, key);
  BktHostEntry *e = bkt_hosts_find_user(hosts, key, user);
  if (e != NULL)
    return e;
  GString *have = g_string_new(NULL);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *o = g_ptr_array_index(hosts, i);
    if (strcmp(o->key, key) == 0)
      g_string_append_printf(have, "%s%s", have->len ? ", " : "",
                             o->username != NULL ? o->username : o->account);
  }
  g_autofree char *shown = bkt_text_tame(user);
  g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
              _("no account '%s' is logged in on '%s' (there: %s): log in as them with "
                "'bkt-auth login %s'"), shown, key, have->str, key);
  g_string_free(have, TRUE);
  return NULL;
}
