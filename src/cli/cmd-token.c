/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "access.h"
#include "cli.h"
#include "timefmt.h"

int
cmd_token(int argc, char **argv)
{
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("the token of this account (default: the host's active one)"), "USER" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - print a valid access token, refreshing it when needed"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Prints the token alone on stdout. BKT_TOKEN, when set, is printed instead.\n"
           "Without HOST: the only host stored; inside a git repository, the host of its "
           "remote; else the host used last by login or switch."));
  const char *host;
  if (!cli_parse(ctx, "token", &argc, &argv) || !cli_one_host("token", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(BktSecret) token = NULL;
  if (!bkt_env_token(&token, &error) ||
      (token == NULL && !bkt_access_token(host, user, FALSE, &token, NULL, &error)))
    return cli_fail(error);
  fwrite(bkt_secret_str(token), 1, bkt_secret_len(token), stdout);
  fputc('\n', stdout);
  return cli_finish_stdout(0);
}

int
cmd_refresh(int argc, char **argv)
{
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("refresh this account (default: the host's active one)"), "USER" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - refresh the access token now"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  const char *host;
  if (!cli_parse(ctx, "refresh", &argc, &argv) || !cli_one_host("refresh", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(BktHostEntry) e = NULL;
  if (!bkt_access_token(host, user, TRUE, &token, &e, &error))
    return cli_fail(error);
  g_autofree char *when = bkt_describe_expiry(e->expires_at);
  fprintf(stderr, _("Refreshed the token of %s on %s; it %s.\n"),
          e->username != NULL ? e->username : e->account, e->key, when);
  return 0;
}
