/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cli.h"
#include "error.h"
#include "json.h"
#include "timefmt.h"

/* "at-1a2b…" with all but the first few characters hidden; newly allocated. */
static char *
mask_token(const BktSecret *token)
{
  size_t shown = bkt_secret_len(token) > 12 ? 4 : 0;
  return g_strdup_printf("%.*s%s", (int)shown, bkt_secret_str(token), "****************");
}

static cJSON *
entry_json(const BktHostEntry *e, const BktSecrets *s, gboolean have_secrets,
           const GError *problem, gboolean show_token)
{
  cJSON *o = cli_entry_json(e, have_secrets ? s->expires_at : e->expires_at);
  cJSON_AddBoolToObject(o, "active", TRUE);
  cJSON_AddBoolToObject(o, "refreshable", have_secrets && bkt_secrets_refreshable(e, s));
  cJSON_AddBoolToObject(o, "ok", problem == NULL);
  if (problem != NULL)
    cJSON_AddStringToObject(o, "problem", problem->message);
  if (show_token && have_secrets)
    cJSON_AddStringToObject(o, "token", bkt_secret_str(s->access_token));
  return o;
}

/* "'account', 'repository'" as gh shows scopes; newly allocated. */
static char *
quoted_scopes(const char *scopes)
{
  GString *out = g_string_new(NULL);
  g_auto(GStrv) parts = g_strsplit(scopes != NULL ? scopes : "", " ", -1);
  for (char **p = parts; *p; p++)
    if (**p)
      g_string_append_printf(out, "%s'%s'", out->len > 0 ? ", " : "", *p);
  return g_string_free(out, FALSE);
}

static void
entry_text(const BktHostEntry *e, const BktSecrets *s, gboolean have_secrets,
           const GError *problem, gboolean show_token)
{
  fprintf(stderr, "%s (%s)\n", e->key, bkt_kind_display_name(e->kind));
  gboolean file = g_strcmp0(e->storage, BKT_STORAGE_FILE) == 0;
  /* TRANSLATORS: where the token is kept, in brackets after the account */
  const char *where_short = file ? _("file") : _("keyring");
  const char *who = e->username ? e->username : "?";
  if (problem != NULL) {
    fprintf(stderr, _("  X Failed to log in to %s account %s (%s)\n"), e->key, who,
            where_short);
    fprintf(stderr, "  - %s\n", problem->message);
    return;
  }
  if (e->display_name != NULL)
    /* TRANSLATORS: a check mark, the host, the user name, the display name, "file" or "keyring" */
    fprintf(stderr, _("  %s Logged in to %s account %s (%s) (%s)\n"), cli_check_mark(),
            e->key, who, e->display_name, where_short);
  else
    fprintf(stderr, _("  %s Logged in to %s account %s (%s)\n"), cli_check_mark(), e->key, who,
            where_short);
  fprintf(stderr, _("  - Active account: %s\n"), "true");
  g_autofree char *where = bkt_storage_describe(e->storage);
  fprintf(stderr, _("  - Token kept in: %s\n"), where);
  g_autofree char *when = bkt_describe_expiry(s->expires_at);
  if (bkt_secrets_refreshable(e, s))
    /* TRANSLATORS: %s is "expires 2026-01-31 14:00 (in 2 hours)" or "expired ... (... ago)" */
    fprintf(stderr, _("  - Token %s; it is refreshed by itself\n"), when);
  else
    fprintf(stderr, _("  - Token %s\n"), when);
  g_autofree char *masked = show_token ? NULL : mask_token(s->access_token);
  fprintf(stderr, _("  - Token: %s\n"), show_token ? bkt_secret_str(s->access_token) : masked);
  if (e->scopes != NULL && *e->scopes) {
    g_autofree char *scopes = quoted_scopes(e->scopes);
    fprintf(stderr, _("  - Token scopes: %s\n"), scopes);
  }
}

int
cmd_status(int argc, char **argv)
{
  gboolean json = FALSE, show_token = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print JSON on stdout"), NULL },
    { "show-token", 0, 0, G_OPTION_ARG_NONE, &show_token, N_("show the whole token"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - show which Bitbucket hosts you are logged in to"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  const char *host;
  if (!cli_parse(ctx, "status", &argc, &argv) || !cli_one_host("status", argc, argv, &host))
    return 1;

  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load_selected(host, &error);
  if (hosts == NULL)
    return cli_fail(error);
  gboolean env = bkt_env_token_set();
  if (env && !json)
    fprintf(stderr, _("BKT_TOKEN is set: it is used instead of any stored login.\n"));
  if (hosts->len == 0 && !env) {
    if (json) {
      printf("{\n\t\"version\":\t1,\n\t\"env_token\":\tfalse,\n\t\"hosts\":\t[]\n}\n");
      fflush(stdout);
    }
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                                        _("not logged in to any Bitbucket: run 'bkt-auth login'")));
  }

  int code = 0;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "version", 1);
  cJSON_AddBoolToObject(root, "env_token", env);
  cJSON *list = cJSON_AddArrayToObject(root, "hosts");
  gint64 now = bkt_now();
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    BktSecrets s;
    g_autoptr(GError) problem = NULL;
    gboolean have = bkt_secrets_load(e, &s, &problem);
    if (have && !bkt_secrets_refreshable(e, &s) && s.expires_at != 0 && s.expires_at <= now)
      problem = g_error_new(BKT_ERROR, BKT_ERROR_EXPIRED,
                            _("the token has expired: log in again with 'bkt-auth login %s'"),
                            e->key);
    if (problem != NULL && code == 0)
      code = bkt_error_exit_code(problem);
    if (json)
      cJSON_AddItemToArray(list, entry_json(e, &s, have, problem, show_token));
    else
      entry_text(e, &s, have, problem, show_token);
    if (have)
      bkt_secrets_clear(&s);
  }
  if (json)
    cli_print_json(root);
  else
    bkt_json_wipe_delete(root);
  return json ? cli_finish_stdout(code) : code;
}

int
cmd_token(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - print a valid access token, refreshing it when needed"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Prints the token alone on stdout. BKT_TOKEN, when set, is printed instead."));
  const char *host;
  if (!cli_parse(ctx, "token", &argc, &argv) || !cli_one_host("token", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(BktSecret) token = NULL;
  if (!bkt_env_token(&token, &error) ||
      (token == NULL && !bkt_access_token(host, FALSE, &token, NULL, &error)))
    return cli_fail(error);
  fwrite(bkt_secret_str(token), 1, bkt_secret_len(token), stdout);
  fputc('\n', stdout);
  return cli_finish_stdout(0);
}

int
cmd_refresh(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - refresh the access token now"));
  const char *host;
  if (!cli_parse(ctx, "refresh", &argc, &argv) || !cli_one_host("refresh", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(BktSecret) token = NULL;
  BktHostEntry *e = NULL;
  if (!bkt_access_token(host, TRUE, &token, &e, &error))
    return cli_fail(error);
  g_autofree char *when = bkt_describe_expiry(e->expires_at);
  fprintf(stderr, _("Refreshed the token for %s; it %s.\n"), e->key, when);
  bkt_host_entry_free(e);
  return 0;
}

int
cmd_logout(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - remove the stored login for a host"));
  const char *host;
  if (!cli_parse(ctx, "logout", &argc, &argv) || !cli_one_host("logout", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autofree char *key = NULL;
  if (!bkt_store_logout(host, &key, &error)) {
    /* Nothing there to log out of: no login to advise. */
    if (g_error_matches(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN)) {
      g_autofree char *shown = host != NULL ? bkt_text_tame(host) : NULL;
      GError *plain = shown != NULL
                        ? g_error_new(BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                                      _("not logged in to '%s', so there is nothing to log out "
                                        "of ('bkt-auth status' lists the logins)"), shown)
                        : g_error_new_literal(BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                                              _("not logged in to any Bitbucket, so there is "
                                                "nothing to log out of"));
      g_clear_error(&error);
      error = plain;
    }
    return cli_fail(error);
  }
  fprintf(stderr, _("Logged out of %s; its tokens were removed from this machine.\n"), key);
  if (bkt_env_token_set())
    fprintf(stderr, _("BKT_TOKEN is still set and still used.\n"));
  return 0;
}
