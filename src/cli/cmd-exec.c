/* SPDX-License-Identifier: MIT */
/* exec: run a command with a fresh token in its environment, never one for another host. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "bkt-args.h"
#include "bkt-config.h"
#include "choose.h"
#include "cli.h"
#include "error.h"

static GError *
refuse(const char *text)
{
  return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE, text);
}

/*
 * The host bkt itself would send the token to, as a login of ours: the context named with -c
 * or the active one (NULL when there is none). FALSE with a sentence when that context is
 * not there, or is for a host bkt-auth has no login for.
 */
static gboolean
bkt_context_login(GPtrArray *hosts, const BktBktConfig *config, const char *named,
                  BktHostEntry **login, char **context, GError **error)
{
  *login = NULL;
  *context = named != NULL ? g_strdup(named) : bkt_bkt_config_active(config);
  if (*context == NULL)
    return TRUE;
  g_autofree char *shown = bkt_text_tame(*context);
  g_autofree char *key = bkt_bkt_config_context_host(config, *context);
  g_autofree char *base = key != NULL ? bkt_bkt_config_host_field(config, key, "base_url")
                                      : NULL;
  if (base == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt's context '%s' is not in '%s' (or names no host there), so bkt-auth "
                  "cannot tell where bkt would send the token: name a context bkt has"),
                shown, bkt_bkt_config_file(config));
    return FALSE;
  }
  *login = bkt_bkt_find_login(hosts, base);
  if (*login == NULL) {
    g_autofree char *where = bkt_text_tame(base);
    g_set_error(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                _("bkt's context '%s' is for %s, where bkt-auth has no login: log in there "
                  "with 'bkt-auth login', or choose another context with 'bkt -c NAME'"),
                shown, where);
    return FALSE;
  }
  return TRUE;
}

/* What in bkt's arguments would send the login's token to another host: a sentence, or
 * NULL. */
static GError *
check_bkt_args(const BktBktArgs *args, const BktBktConfig *config, const BktHostEntry *e)
{
  if (args->host != NULL) {
    g_autofree char *url = bkt_bkt_host_url(args->host, config);
    if (url == NULL || !bkt_bkt_url_is(url, e, FALSE)) {
      g_autofree char *shown = bkt_text_tame(args->host);
      return g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                         _("bkt's --host names '%s', not %s, so bkt would send the token of %s "
                           "there: name that host to bkt-auth exec too, or leave --host out"),
                         shown, e->key, e->key);
    }
  }
  for (guint i = 0; args->urls != NULL && i < args->urls->len; i++) {
    const char *url = g_ptr_array_index(args->urls, i);
    if (!bkt_bkt_url_is(url, e, TRUE)) {
      g_autofree char *shown = bkt_text_tame(url);
      return g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                         _("'bkt api' was given '%s', which is not on %s, so bkt would send "
                           "the token of %s there: give a path on that host instead"),
                         shown, e->key, e->key);
    }
  }
  return NULL;
}

/* The login exec hands over; for bkt, the one bkt itself would use. */
static BktHostEntry *
choose(GPtrArray *hosts, const char *host, const char *user, char **command, GError **error)
{
  if (!bkt_bkt_is_bkt(command[0]))
    return bkt_choose_login(hosts, host, user, TRUE, error);
  g_autoptr(BktBktConfig) config = bkt_bkt_config_load(error);
  if (config == NULL)
    return NULL;
  BktBktArgs args;
  bkt_bkt_args_parse(command + 1, &args);
  BktHostEntry *ctx_login = NULL, *e = NULL;
  g_autofree char *context = NULL;
  if (bkt_context_login(hosts, config, args.context, &ctx_login, &context, error))
    e = bkt_choose_login(hosts, host != NULL || ctx_login == NULL ? host : ctx_login->key, user,
                         TRUE, error);
  /* With a context, bkt sends BKT_TOKEN to the context's host, whatever BKT_HOST says. */
  if (e != NULL && ctx_login != NULL && strcmp(ctx_login->key, e->key) != 0) {
    g_autofree char *shown = bkt_text_tame(context);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt's context '%s' is for %s, not %s, and bkt would send the token of %s "
                  "there: leave the host out, or choose its context with 'bkt -c NAME'"),
                shown, ctx_login->key, e->key, e->key);
    e = NULL;
  }
  GError *wrong = e != NULL ? check_bkt_args(&args, config, e) : NULL;
  if (wrong != NULL) {
    g_propagate_error(error, wrong);
    e = NULL;
  }
  bkt_bkt_args_clear(&args);
  return e;
}

/* Run the command in place of this process; returns only when it cannot be started. */
static int
run(char **command, char **envp)
{
  cli_restore_limits();
  execvpe(command[0], command, envp);
  int e = errno;
  g_autofree char *shown = bkt_text_tame(command[0]);
  fprintf(stderr, _("bkt-auth: cannot run '%s': %s\n"), shown, g_strerror(e));
  return e == ENOENT ? 127 : 126;
}

int
cmd_exec(int argc, char **argv)
{
  /* Everything after "--" is the command, untouched by option parsing. */
  int split = 1;
  while (split < argc && strcmp(argv[split], "--") != 0)
    split++;
  char **command = split < argc ? argv + split + 1 : NULL;
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("the token of this account (default: the host's active one)"), "USER" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] -- COMMAND [ARG...] - run a command with a fresh token"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Runs COMMAND with BKT_HOST, BKT_TOKEN (refreshed first when needed), "
           "BKT_AUTH_METHOD=bearer (basic for a Cloud API token) and, when the account has "
           "one bkt can use, BKT_USERNAME, and exits with its status. The token is never on a command line.\n"
           "For bkt, the host is the one bkt itself would use (its active context, or "
           "-c NAME); exec refuses when HOST, --host or a URL given to 'bkt api' names "
           "another.\n  alias bkt='bkt-auth exec -- bkt'"));
  int own_argc = split;
  char **own_argv = argv;
  const char *host;
  if (!cli_parse(ctx, "exec", &own_argc, &own_argv) ||
      !cli_one_host("exec", own_argc, own_argv, &host))
    return 1;
  if (command == NULL || command[0] == NULL)
    return cli_fail(refuse(_("exec runs a command given after '--', as in 'bkt-auth exec -- "
                             "bkt pr list'")));

  GError *error = NULL;
  g_autoptr(BktSecret) env_token = NULL;
  if (!bkt_env_token(&env_token, &error))
    return cli_fail(error);
  g_auto(GStrv) envp = g_get_environ();
  /* BKT_TOKEN overrides every stored login: the command runs with it, as without exec. */
  if (env_token != NULL)
    return run(command, envp);

  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  BktHostEntry *e = hosts != NULL ? choose(hosts, host, user, command, &error) : NULL;
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(BktHostEntry) fresh = NULL;
  if (e == NULL || !bkt_access_token(e->key, e->account, FALSE, &token, &fresh, &error))
    return cli_fail(error);
  g_autofree char *base = bkt_bkt_base_url(fresh);
  envp = g_environ_setenv(envp, "BKT_HOST", base, TRUE);
  envp = g_environ_setenv(envp, "BKT_TOKEN", bkt_secret_str(token), TRUE);
  envp = g_environ_setenv(envp, "BKT_AUTH_METHOD", bkt_bkt_auth_method(fresh), TRUE);
  const char *username = bkt_bkt_username(fresh);
  envp = username != NULL ? g_environ_setenv(envp, "BKT_USERNAME", username, TRUE)
                          : g_environ_unsetenv(envp, "BKT_USERNAME");
  int code = run(command, envp);
  /* Not started: the environment's copy of the token goes. */
  for (char **p = envp; *p != NULL; p++)
    if (g_str_has_prefix(*p, "BKT_TOKEN="))
      bkt_wipe(*p, strlen(*p));
  return code;
}
