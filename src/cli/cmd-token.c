/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "access.h"
#include "bkt-copy.h"
#include "cli.h"
#include "error.h"
#include "timefmt.h"

/* The token with what a program needs to use and cache it (kubectl's exec credentials). */
static void
print_token_json(const BktHostEntry *e, const BktSecret *token)
{
  cJSON *o = cJSON_CreateObject();
  /* BKT_TOKEN stands for no stored login: where it belongs and when it expires are unknown. */
  if (e != NULL) {
    cJSON_AddStringToObject(o, "host", e->key);
    cJSON_AddStringToObject(o, "kind", bkt_kind_to_string(e->kind));
    cJSON_AddStringToObject(o, "base_url", e->base_url != NULL ? e->base_url : "");
  } else {
    cJSON_AddNullToObject(o, "host");
    cJSON_AddNullToObject(o, "kind");
    cJSON_AddNullToObject(o, "base_url");
  }
  if (e != NULL && e->username != NULL)
    cJSON_AddStringToObject(o, "username", e->username);
  else
    cJSON_AddNullToObject(o, "username");
  cJSON_AddStringToObject(o, "token", bkt_secret_str(token));
  /* A Cloud API token goes with the e-mail as HTTP Basic; every other token as Bearer. */
  cJSON_AddStringToObject(o, "token_type", e != NULL && e->login != NULL ? "Basic" : "Bearer");
  if (e != NULL && e->login != NULL)
    cJSON_AddStringToObject(o, "login", e->login);
  if (e != NULL && e->expires_at > 0) {
    g_autofree char *iso = bkt_iso_time(e->expires_at);
    cJSON_AddStringToObject(o, "expires_at", iso);
  } else {
    cJSON_AddNullToObject(o, "expires_at");
  }
  cli_print_json(o);
}

int
cmd_token(int argc, char **argv)
{
  g_autofree char *user = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("the token of this account (default: the host's active one)"), "USER" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("print JSON on stdout: the token with its host, user and expiry"), NULL },
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
  g_autoptr(BktHostEntry) e = NULL;
  if (!bkt_env_token(&token, &error) ||
      (token == NULL && !bkt_access_token(host, user, FALSE, &token, &e, &error)))
    return cli_fail(error);
  if (json) {
    print_token_json(e, token);
  } else {
    fwrite(bkt_secret_str(token), 1, bkt_secret_len(token), stdout);
    fputc('\n', stdout);
  }
  return cli_finish_stdout(0);
}

/* refresh --bkt: what the timer runs. */
static int
refresh_copies(void)
{
  g_autoptr(GPtrArray) keys = bkt_bkt_copies();
  if (keys->len == 0)
    fprintf(stderr, _("bkt holds no copy of a login of bkt-auth: 'bkt-auth setup-bkt' makes "
                      "one.\n"));
  int code = 0;
  for (guint i = 0; i < keys->len; i++) {
    const char *key = g_ptr_array_index(keys, i);
    GError *error = NULL;
    BktBktCopy done = bkt_bkt_copy_keep_fresh(key, BKT_BKT_REFRESH_AHEAD, &error);
    int rc = cli_say_copy(key, done, error);
    code = code != 0 ? code : rc;
  }
  return code;
}

int
cmd_refresh(int argc, char **argv)
{
  g_autofree char *user = NULL;
  gboolean copies = FALSE;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("refresh this account (default: the host's active one)"), "USER" },
    { "bkt", 0, 0, G_OPTION_ARG_NONE, &copies,
      N_("refresh every host whose token bkt holds a copy of, when it is due soon"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - refresh the access token now"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("With --bkt (what bkt-auth-refresh.timer runs): for every host set up with "
           "setup-bkt, refresh its token when it has less than 20 minutes left, and make "
           "bkt's copy hold the current token."));
  const char *host;
  if (!cli_parse(ctx, "refresh", &argc, &argv) || !cli_one_host("refresh", argc, argv, &host))
    return 1;
  if (copies && (host != NULL || user != NULL))
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                        _("--bkt refreshes every host bkt holds a copy of: "
                                          "leave out HOST and -u")));
  if (copies)
    return refresh_copies();
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
