/* SPDX-License-Identifier: MIT */
/* setup-bkt, and what people are told about bkt's copy of a login. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "bkt-args.h"
#include "bkt-copy.h"
#include "cli.h"
#include "error.h"

int
cli_say_copy(const char *key, BktBktCopy done, GError *error)
{
  switch (done) {
  case BKT_BKT_COPY_NONE:
  case BKT_BKT_COPY_CURRENT:
    break;
  case BKT_BKT_COPY_WRITTEN:
    fprintf(stderr, _("bkt now holds the current token of %s.\n"), key);
    break;
  case BKT_BKT_COPY_REMOVED:
    fprintf(stderr, _("%s has no login left, so bkt's copy of it and the entry setup-bkt made "
                      "in bkt's configuration were removed.\n"), key);
    break;
  case BKT_BKT_COPY_LOCKED:
    fprintf(stderr, _("bkt's keyring is locked, so bkt's copy of %s was left as it is; it is "
                      "brought up to date once the keyring is unlocked (or run 'bkt-auth "
                      "refresh --bkt').\n"), key);
    break;
  case BKT_BKT_COPY_MISSING:
    fprintf(stderr, _("bkt's keyring (the collection 'bkt') is gone, so bkt holds no token "
                      "of %s: run 'bkt-auth setup-bkt %s' again.\n"), key, key);
    break;
  case BKT_BKT_COPY_FAILED:
    return cli_fail(error);
  }
  g_clear_error(&error);
  return 0;
}

void
cli_after_login(const BktHostEntry *e)
{
  GError *error = NULL;
  BktBktCopy done = bkt_bkt_copy_follow(e->key, &error);
  if (done != BKT_BKT_COPY_NONE)
    cli_say_copy(e->key, done, error);
  else if (bkt_bkt_on_path())
    fprintf(stderr, _("bkt is installed: 'bkt-auth setup-bkt %s' lets plain bkt use this "
                      "login, or run it as 'bkt-auth exec -- bkt'.\n"), e->key);
  if (done == BKT_BKT_COPY_NONE)
    g_clear_error(&error);
}

/* bkt holds a login of its own for the host: the person decides. */
static gboolean
confirm(const char *bkt_key, const char *config_path, gpointer user_data, GError **error)
{
  g_autofree char *question =
    g_strdup_printf(_("bkt already holds a login of its own for %s. Replace it with this login "
                      "of bkt-auth (the old %s is kept beside the new one)? (y/n) "),
                    bkt_key, config_path);
  gboolean yes = FALSE;
  int rc = cli_ask_yes_no(question, &yes);
  if (rc == 1)
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt already holds a login of its own for %s, which setup-bkt would replace, "
                  "and there is no terminal to ask whether it may: run setup-bkt on a "
                  "terminal, or 'bkt auth logout' first"), bkt_key);
  else if (rc == 2 || !yes)
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_CANCELLED,
                        _("cancelled: bkt's own login was left as it is"));
  return rc == 0 && yes;
}

static void
say_setup(const BktBktSetup *s)
{
  fprintf(stderr, _("bkt now uses the login of %s on %s: host %s in %s.\n"), s->who, s->host,
          s->bkt_key, s->config_path);
  if (s->backup_path != NULL)
    fprintf(stderr, _("bkt's own login for %s was replaced; its old configuration is kept as "
                      "%s.\n"), s->bkt_key, s->backup_path);
  if (s->context != NULL)
    fprintf(stderr, _("bkt's active context is now '%s', made for this host.\n"), s->context);
  if (s->other_context != NULL)
    fprintf(stderr, _("bkt's active context '%s' is for another host and stays active: bkt "
                      "reaches %s with 'bkt -c NAME' once a context names it ('bkt context "
                      "create NAME --host %s').\n"), s->other_context, s->bkt_key, s->bkt_key);
  if (s->ssh)
    fprintf(stderr, _("Over SSH, bkt reads its keyring only with KEYRING_BACKEND=secret-service "
                      "set.\n"));
}

static void
say_timer(void)
{
  g_autoptr(GError) error = NULL;
  switch (bkt_bkt_enable_timer(&error)) {
  case BKT_BKT_TIMER_ENABLED:
    fprintf(stderr, _("bkt-auth-refresh.timer (systemd) refreshes the token before it "
                      "expires, so bkt never holds an expired one.\n"));
    break;
  case BKT_BKT_TIMER_NO_MANAGER:
    fprintf(stderr, _("No systemd user manager runs here, so bkt's copy is refreshed only "
                      "when bkt-auth refreshes the token: run 'bkt-auth refresh --bkt' before "
                      "bkt, or run bkt as 'bkt-auth exec -- bkt'.\n"));
    break;
  case BKT_BKT_TIMER_FAILED:
    fprintf(stderr, _("bkt-auth: %s; bkt's copy is refreshed only when bkt-auth refreshes the "
                      "token.\n"), error->message);
    break;
  }
}

int
cli_setup_bkt(const char *host)
{
  GError *error = NULL;
  BktBktSetup done;
  if (!bkt_bkt_setup(host, confirm, NULL, &done, &error)) {
    bkt_bkt_setup_clear(&done);
    return cli_fail(error);
  }
  say_setup(&done);
  say_timer();
  if (!bkt_bkt_on_path())
    fprintf(stderr, _("bkt is not on PATH here; it finds this login once it is.\n"));
  bkt_bkt_setup_clear(&done);
  return 0;
}

int
cmd_setup_bkt(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - let plain bkt use a login of bkt-auth, kept fresh"));
  g_option_context_set_description(
    ctx, _("Writes bkt's own configuration for the host (config.yml: the host with "
           "auth_method bearer, and a context when bkt has no active one) and its token in "
           "bkt's keyring (the collection 'bkt', made when missing: the desktop asks for its "
           "password). bkt-auth rewrites bkt's copy whenever it refreshes the token, follows "
           "'switch', and removes it on 'logout'; it enables bkt-auth-refresh.timer where "
           "systemd runs. Where bkt holds a login of its own for the host, it asks first.\n"
           "Without a keyring prompt (over SSH), use 'bkt-auth exec -- bkt' instead."));
  const char *host;
  if (!cli_parse(ctx, "setup-bkt", &argc, &argv) ||
      !cli_one_host("setup-bkt", argc, argv, &host))
    return 1;
  return cli_setup_bkt(host);
}
