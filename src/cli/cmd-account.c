/* SPDX-License-Identifier: MIT */
/* Accounts: logging one out, and switching which one of a host is active. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "choose.h"
#include "cli.h"
#include "error.h"

/* "alice (Alice Example) on bitbucket.org"; newly allocated. */
static char *
describe(const BktHostEntry *e)
{
  const char *who = e->username != NULL ? e->username : e->account;
  return e->display_name != NULL
           /* TRANSLATORS: a user name, a display name, then a host */
           ? g_strdup_printf(_("%s (%s) on %s"), who, e->display_name, e->key)
           /* TRANSLATORS: a user name, then a host */
           : g_strdup_printf(_("%s on %s"), who, e->key);
}

/* "alice on x, bob on y"; newly allocated. */
static char *
describe_all(GPtrArray *entries)
{
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < entries->len; i++) {
    g_autofree char *one = describe(g_ptr_array_index(entries, i));
    g_string_append_printf(out, "%s%s", i ? ", " : "", one);
  }
  return g_string_free(out, FALSE);
}

/*
 * Ask on the terminal which of the entries: a numbered list, then a number. 0 with *picked, 1
 * without a terminal (nothing asked), 2 when cancelled.
 */
static int
pick(const char *question, GPtrArray *entries, const BktHostEntry **picked)
{
  if (!isatty(STDIN_FILENO) && !isatty(STDERR_FILENO))
    return 1;
  GString *text = g_string_new(question);
  g_string_append_c(text, '\n');
  for (guint i = 0; i < entries->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(entries, i);
    g_autofree char *one = describe(e);
    g_string_append_printf(text, "  %u. %s%s\n", i + 1, one, e->active ? _(" (active)") : "");
  }
  /* TRANSLATORS: asks for one of the numbers of the list above */
  g_string_append_printf(text, _("Number (1-%u): "), entries->len);
  gboolean cancelled = FALSE;
  g_autoptr(BktSecret) line = cli_prompt(text->str, FALSE, &cancelled);
  g_string_free(text, TRUE);
  if (line == NULL)
    return cancelled ? 2 : 1;
  guint64 n = 0;
  if (!g_ascii_string_to_unsigned(bkt_secret_str(line), 10, 1, entries->len, &n, NULL))
    return 2;
  *picked = g_ptr_array_index(entries, n - 1);
  return 0;
}

static GError *
cancelled(void)
{
  return g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("cancelled"));
}

int
cmd_logout(int argc, char **argv)
{
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("log out this account (default: the host's active one)"), "USER" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - remove the stored login of an account"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Without HOST and with several logins stored, asks which one on a terminal, and "
           "refuses without one. When the active account of a host goes, its most recently "
           "used other account becomes active."));
  const char *host;
  if (!cli_parse(ctx, "logout", &argc, &argv) || !cli_one_host("logout", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  if (hosts == NULL)
    return cli_fail(error);
  /* Logging out is not undone: with several logins and none named, the person picks. */
  g_autofree char *picked_host = NULL, *picked_account = NULL;
  if (host == NULL && user == NULL && hosts->len > 1) {
    const BktHostEntry *e = NULL;
    int rc = pick(_("Several logins are stored; which one should be logged out?"), hosts, &e);
    if (rc == 1) {
      g_autofree char *all = describe_all(hosts);
      return cli_fail(g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                                  _("several logins are stored (%s): name the one to log out, "
                                    "as in 'bkt-auth logout HOST -u USER'"), all));
    }
    if (rc == 2)
      return cli_fail(cancelled());
    picked_host = g_strdup(e->key);
    picked_account = g_strdup(e->account);
  }
  g_autoptr(BktHostEntry) removed = NULL;
  if (!bkt_store_logout(picked_host != NULL ? picked_host : host,
                        picked_account != NULL ? picked_account : user, &removed, &error)) {
    /* Nothing there to log out of: no login to advise. */
    if (g_error_matches(error, BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN) && user == NULL) {
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
  g_autofree char *who = describe(removed);
  fprintf(stderr, _("Logged out %s; its tokens were removed from this machine.\n"), who);
  g_autoptr(GPtrArray) after = bkt_hosts_load(NULL);
  const BktHostEntry *now = after != NULL ? bkt_hosts_active(after, removed->key) : NULL;
  if (now != NULL && removed->active)
    fprintf(stderr, _("The active account of %s is now %s.\n"), now->key,
            now->username != NULL ? now->username : now->account);
  if (bkt_env_token_set())
    fprintf(stderr, _("BKT_TOKEN is still set and still used.\n"));
  /* bkt's copy follows the host's active account, or goes with the host's last one. */
  GError *copy_error = NULL;
  return cli_say_copy(removed->key, bkt_bkt_copy_follow(removed->key, &copy_error), copy_error);
}

int
cmd_switch(int argc, char **argv)
{
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("the account to make active"), "USER" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - make another account of a host the active one"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("With two accounts on the host and no USER, switches to the other one; with more, "
           "asks which on a terminal. token, git and the other commands then use it."));
  const char *host;
  if (!cli_parse(ctx, "switch", &argc, &argv) || !cli_one_host("switch", argc, argv, &host))
    return 1;
  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  const char *key = hosts != NULL ? bkt_choose_host(hosts, host, TRUE, &error) : NULL;
  if (key == NULL)
    return cli_fail(error);
  const BktHostEntry *to = NULL;
  g_autoptr(GPtrArray) others = g_ptr_array_new();
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0 && !e->active)
      g_ptr_array_add(others, (gpointer)e);
  }
  if (user != NULL) {
    if ((to = bkt_choose_login(hosts, key, user, TRUE, &error)) == NULL)
      return cli_fail(error);
  } else if (others->len == 0) {
    const BktHostEntry *active = bkt_hosts_active(hosts, key);
    return cli_fail(g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                                _("%s is the only account logged in on %s: log in with another "
                                  "one first ('bkt-auth login %s')"),
                                active->username != NULL ? active->username : active->account,
                                key, key));
  } else if (others->len == 1) {
    to = g_ptr_array_index(others, 0);
  } else {
    int rc = pick(_("Which account should be active?"), others, &to);
    if (rc == 1) {
      g_autofree char *all = describe_all(others);
      return cli_fail(g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                                  _("%s has several other accounts (%s): name one with -u USER"),
                                  key, all));
    }
    if (rc == 2)
      return cli_fail(cancelled());
  }
  if (!bkt_store_switch(to, &error))
    return cli_fail(error);
  fprintf(stderr, _("The active account of %s is now %s.\n"), to->key,
          to->username != NULL ? to->username : to->account);
  /* bkt holds one account per host: its copy follows the active one. */
  return cli_say_copy(to->key, bkt_bkt_copy_follow(to->key, &error), error);
}
