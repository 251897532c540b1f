/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "repo.h"

#include <string.h>
#include <sys/wait.h>

/* The repository's git directory, found as git finds it (GIT_DIR, else a .git directory or
 * file in this directory or one above); NULL outside a repository. */
static char *
git_dir(void)
{
  const char *env = g_getenv("GIT_DIR");
  if (env != NULL && *env != '\0')
    return g_strdup(env);
  g_autofree char *dir = g_get_current_dir();
  for (;;) {
    g_autofree char *dotgit = g_build_filename(dir, ".git", NULL);
    if (g_file_test(dotgit, G_FILE_TEST_IS_DIR))
      return g_steal_pointer(&dotgit);
    if (g_file_test(dotgit, G_FILE_TEST_IS_REGULAR)) {
      /* A worktree or a submodule: "gitdir: PATH". */
      g_autofree char *text = NULL;
      if (!g_file_get_contents(dotgit, &text, NULL, NULL) || !g_str_has_prefix(text, "gitdir:"))
        return NULL;
      char *path = g_strstrip(text + strlen("gitdir:"));
      return g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(dir, path, NULL);
    }
    char *up = g_path_get_dirname(dir);
    gboolean top = strcmp(up, dir) == 0;
    g_free(dir);
    dir = up;
    if (top)
      return NULL;
  }
}

/* The current branch, from HEAD; NULL when detached. */
static char *
current_branch(const char *gitdir)
{
  g_autofree char *head_path = g_build_filename(gitdir, "HEAD", NULL);
  g_autofree char *head = NULL;
  if (!g_file_get_contents(head_path, &head, NULL, NULL))
    return NULL;
  g_strstrip(head);
  return g_str_has_prefix(head, "ref: refs/heads/") ? g_strdup(head + 16) : NULL;
}

/* Run a program; its standard output when it exits 0, else NULL. */
static char *
run(const char *const *argv)
{
  char *out = NULL;
  int status = 0;
  if (!g_spawn_sync(NULL, (char **)argv, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &out, NULL, &status, NULL) ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    g_free(out);
    return NULL;
  }
  return out;
}

GPtrArray *
bkt_repo_remote_urls(guint *n_first)
{
  *n_first = 0;
  g_autofree char *dir = git_dir();
  if (dir == NULL)
    return NULL;
  g_autofree char *branch = current_branch(dir);
  /* One git for all of it: every remote's URL and every branch's upstream remote. */
  static const char *const argv[] = {
    "git", "config", "-z", "--get-regexp", "^(remote\\..+\\.url|branch\\..+\\.remote)$", NULL,
  };
  g_autofree char *out = run(argv);
  GPtrArray *urls = g_ptr_array_new_with_free_func(g_free);
  if (out == NULL)
    return urls;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *upstream = NULL;
  g_autofree char *branch_key = branch != NULL ? g_strdup_printf("branch.%s.remote", branch)
                                               : NULL;
  /* Entries are "key\nvalue\0". */
  for (char *p = out; *p != '\0'; p += strlen(p) + 1) {
    char *nl = strchr(p, '\n');
    if (nl == NULL)
      continue;
    g_autofree char *key = g_strndup(p, (size_t)(nl - p));
    const char *value = nl + 1;
    if (g_str_has_prefix(key, "remote.") && g_str_has_suffix(key, ".url")) {
      g_ptr_array_add(names, g_strndup(key + 7, strlen(key) - 7 - 4));
      g_ptr_array_add(values, g_strdup(value));
    } else if (branch_key != NULL && g_ascii_strcasecmp(key, branch_key) == 0) {
      g_free(upstream);
      upstream = g_strdup(value);
    }
  }
  /* The upstream's remote, then origin, then the rest. */
  const char *order[] = { upstream, "origin" };
  for (size_t o = 0; o < G_N_ELEMENTS(order); o++)
    for (guint i = 0; order[o] != NULL && i < names->len; i++)
      if (strcmp(g_ptr_array_index(names, i), order[o]) == 0 &&
          !g_ptr_array_find_with_equal_func(urls, g_ptr_array_index(values, i), g_str_equal,
                                            NULL))
        g_ptr_array_add(urls, g_strdup(g_ptr_array_index(values, i)));
  *n_first = urls->len;
  for (guint i = 0; i < values->len; i++)
    if (!g_ptr_array_find_with_equal_func(urls, g_ptr_array_index(values, i), g_str_equal, NULL))
      g_ptr_array_add(urls, g_strdup(g_ptr_array_index(values, i)));
  return urls;
}

/* The host name an SSH alias stands for, by `ssh -G` (it reads ~/.ssh/config; no network). */
static char *
ssh_hostname(const char *alias)
{
  if (*alias == '-')
    return NULL;
  const char *argv[] = { "ssh", "-G", alias, NULL };
  g_autofree char *out = run(argv);
  if (out == NULL)
    return NULL;
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix(*l, "hostname "))
      return g_ascii_strdown(g_strstrip(*l + 9), -1);
  return NULL;
}

gboolean
bkt_repo_parse_url(const char *url, gboolean resolve_alias, char **scheme, char **host,
                   int *port, char **path)
{
  *scheme = *host = *path = NULL;
  *port = -1;
  if (strstr(url, "://") != NULL) {
    g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
    const char *s = uri != NULL ? g_uri_get_scheme(uri) : NULL;
    if (uri == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0' ||
        (g_strcmp0(s, "https") != 0 && g_strcmp0(s, "http") != 0 && g_strcmp0(s, "ssh") != 0))
      return FALSE;
    *scheme = g_strdup(s);
    *host = g_ascii_strdown(g_uri_get_host(uri), -1);
    *port = g_uri_get_port(uri);
    *path = g_strdup(g_uri_get_path(uri));
  } else {
    /* scp-like: [user@]host:path, the colon before any slash. */
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    if (colon == NULL || (slash != NULL && slash < colon) || colon == url)
      return FALSE;
    const char *at = memchr(url, '@', (size_t)(colon - url));
    const char *start = at != NULL ? at + 1 : url;
    if (start == colon)
      return FALSE;
    *scheme = g_strdup("ssh");
    *host = g_ascii_strdown(start, colon - start);
    *path = g_strconcat("/", colon + 1, NULL);
  }
  if (resolve_alias && strcmp(*scheme, "ssh") == 0) {
    char *real = ssh_hostname(*host);
    if (real != NULL) {
      g_free(*host);
      *host = real;
    }
  }
  return TRUE;
}
