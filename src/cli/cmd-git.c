/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "choose.h"
#include "cli.h"
#include "error.h"
#include "gitcred.h"
#include "gitsetup.h"

/* Read what git sends on stdin, up to a blank line or the end, with read(2) into a secret
 * (it may hold a password): no stdio buffer keeps a copy. NULL when it is too long. */
static BktSecret *
read_request(void)
{
  BktSecret *buf = bkt_secret_new(BKT_GIT_REQUEST_MAX);
  char c;
  ssize_t n;
  gboolean line_start = TRUE;
  while ((n = read(STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
    if (n != 1)
      continue;
    if (!bkt_secret_append_c(buf, c)) {
      bkt_secret_free(buf);
      return NULL;
    }
    if (c == '\n' && line_start)
      break; /* a blank line ends the request */
    if (c != '\r')
      line_start = c == '\n';
  }
  return buf;
}

/* A value git can take on one line. */
static gboolean
one_line(const char *s)
{
  return s != NULL && *s != '\0' && strpbrk(s, "\r\n") == NULL;
}

static int
answer(const char *username, const BktSecret *secret, gint64 expires_at)
{
  const char *token = bkt_secret_str(secret);
  if (!one_line(username) || !one_line(token)) {
    fprintf(stderr, _("bkt-auth: the stored token cannot be handed to git: it spans several "
                      "lines\n"));
    return 1;
  }
  printf("username=%s\npassword=%s\n", username, token);
  if (expires_at > 0)
    printf("password_expiry_utc=%" G_GINT64_FORMAT "\n", expires_at);
  return cli_finish_stdout(0);
}

static int
credential_get(const BktGitRequest *req)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  if (hosts == NULL)
    return cli_fail(error);
  gboolean ambiguous = FALSE;
  BktHostEntry *entry = bkt_git_match(hosts, req, &ambiguous);
  g_autoptr(BktSecret) env = NULL;
  if (!bkt_env_token(&env, &error))
    return cli_fail(error);
  if (env != NULL) {
    /* BKT_TOKEN stands in for the stored logins, and for Cloud without one. */
    if (entry != NULL)
      return answer(bkt_git_username(entry), env, 0);
    if (bkt_git_is_cloud(req))
      return answer(BKT_GIT_USER_TOKEN, env, 0);
    return 0;
  }
  if (entry == NULL) {
    if (ambiguous)
      fprintf(stderr, _("bkt-auth: several Bitbucket Data Centers are stored for '%s': run "
                        "'bkt-auth setup-git HOST' for the one you mean, so that git names "
                        "the path\n"), req->host);
    /* Not ours: say nothing, and git asks its other helpers. */
    return 0;
  }
  g_autoptr(BktSecret) token = NULL;
  BktHostEntry *fresh = NULL;
  GError *token_error = NULL;
  if (!bkt_access_token(entry->key, entry->account, FALSE, &token, &fresh, &token_error))
    return cli_fail(token_error);
  int code = answer(bkt_git_username(fresh), token, fresh->expires_at);
  bkt_host_entry_free(fresh);
  return code;
}

/*
 * git rejected the password it got. An access token may be refused before the time we think
 * it expires (revoked, or a clock off): when the rejected one is the stored token, refresh it
 * now, so the next git command gets a new one. The login itself stays: erasing it would turn
 * one refused request into a new browser login.
 */
static int
credential_erase(const BktGitRequest *req)
{
  if (req->password == NULL || bkt_env_token_set())
    return 0;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
  BktHostEntry *entry = hosts != NULL ? bkt_git_match(hosts, req, NULL) : NULL;
  BktSecrets s;
  if (entry == NULL || entry->auth != BKT_AUTH_OAUTH || !bkt_secrets_load(entry, &s, NULL))
    return 0;
  gboolean rejected_is_stored = bkt_secret_equal(req->password, s.access_token);
  gboolean refreshable = bkt_secrets_refreshable(entry, &s);
  bkt_secrets_clear(&s);
  if (!rejected_is_stored || !refreshable)
    return 0;
  g_autoptr(BktSecret) token = NULL;
  GError *error = NULL;
  if (!bkt_access_token(entry->key, entry->account, TRUE, &token, NULL, &error))
    cli_fail(error);
  return 0;
}

int
cmd_git_credential(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new(
    _("get|store|erase - answer git's credential requests with fresh tokens"));
  g_option_context_set_description(
    ctx, _("git runs this itself once 'bkt-auth setup-git' has configured it.\n"
           "get: for a stored host, a fresh access token and the user name the platform "
           "expects; nothing for other hosts, so git asks its other helpers.\n"
           "store: nothing to do (tokens come from 'bkt-auth login').\n"
           "erase: the login stays; a rejected token that is still the stored one is "
           "refreshed at once."));
  if (!cli_parse(ctx, "git-credential", &argc, &argv))
    return 1;
  if (argc != 2) {
    fprintf(stderr, _("bkt-auth: git-credential takes one operation, get, store or erase: see "
                      "'bkt-auth git-credential --help'\n"));
    return 1;
  }
  const char *op = argv[1];
  g_autoptr(BktSecret) text = read_request();
  if (text == NULL) {
    fprintf(stderr, _("bkt-auth: git sent more than %d KiB: that is no credential request\n"),
            BKT_GIT_REQUEST_MAX / 1024);
    return 1;
  }
  BktGitRequest req;
  GError *error = NULL;
  if (!bkt_git_request_parse(bkt_secret_str(text), bkt_secret_len(text), &req, &error))
    return cli_fail(error);
  int code = 0;
  if (strcmp(op, "get") == 0)
    code = credential_get(&req);
  else if (strcmp(op, "erase") == 0)
    code = credential_erase(&req);
  /* "store", and operations git may add later: nothing to do, as gitcredentials(7) asks. */
  bkt_git_request_clear(&req);
  return code;
}

/* ---- setup-git ---- */

int
cmd_setup_git(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - make git use bkt-auth for a host's HTTPS remotes"));
  g_option_context_set_description(
    ctx, _("Writes to your global git configuration, for each stored host (or HOST alone):\n"
           "  credential.URL.helper \"\"  (other helpers are not asked for this host)\n"
           "  credential.URL.helper \"!bkt-auth git-credential\"\n"
           "Running it again changes nothing."));
  const char *host;
  if (!cli_parse(ctx, "setup-git", &argc, &argv) || !cli_one_host("setup-git", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  if (hosts == NULL)
    return cli_fail(error);
  if (hosts->len == 0)
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                                        _("not logged in to any Bitbucket: run 'bkt-auth "
                                          "login' first")));
  /* One per host: the helper answers for every account of it. */
  const char *only = host != NULL ? bkt_choose_host(hosts, host, FALSE, &error) : NULL;
  if (host != NULL && only == NULL)
    return cli_fail(error);
  for (guint i = hosts->len; i > 0; i--) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i - 1);
    if (!e->active || (only != NULL && strcmp(e->key, only) != 0))
      g_ptr_array_remove_index(hosts, i - 1);
  }
  g_autofree char *helper = bkt_git_helper_command(&error);
  if (helper == NULL)
    return cli_fail(error);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    gboolean changed;
    if (!bkt_git_setup(e, helper, &changed, &error))
      return cli_fail(error);
    g_autofree char *url = bkt_git_config_url(e);
    if (changed)
      fprintf(stderr, _("git now asks bkt-auth for %s (user %s).\n"), url, bkt_git_username(e));
    else
      fprintf(stderr, _("git already asks bkt-auth for %s.\n"), url);
  }
  return 0;
}
