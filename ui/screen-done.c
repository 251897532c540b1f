/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "bkt-args.h"
#include "gitcred.h"
#include "gitsetup.h"
#include "timefmt.h"
#include "wizard-private.h"

/* Logged in: who, which account of the host is active, where the token is kept, when it
 * expires, what it may do. */

static void
done_enter(UiWizard *w)
{
  /* The host's accounts as the store has them now. */
  if (w->hosts != NULL)
    g_ptr_array_unref(w->hosts);
  w->hosts = bkt_hosts_load(NULL);
  w->bkt_on_path = bkt_bkt_on_path();
}

/* Which account of the host is active, and the others with the way to switch to them. */
static int
active_draw(const UiWizard *w, int y, int x, int width)
{
  const BktHostEntry *e = w->result;
  const BktHostEntry *active = w->hosts != NULL ? bkt_hosts_active(w->hosts, e->key) : NULL;
  if (active == NULL)
    return 0;
  g_autofree char *name = ui_account_name(active);
  g_autofree char *line =
    bkt_host_entry_same(active, e)
      /* TRANSLATORS: an account's name, then its host */
      ? g_strdup_printf(_("%s is the active account on %s: 'bkt-auth token', git and the other "
                          "commands use it."),
                        name, e->key)
      /* TRANSLATORS: a host, an account's name, then the host again */
      : g_strdup_printf(_("The active account on %s stays %s; 'bkt-auth switch %s' changes "
                          "that."),
                        e->key, name, e->key);
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_BOLD, line);
  GString *others = g_string_new(NULL);
  g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, e->key);
  guint count = 0;
  for (guint i = 0; i < accounts->len; i++) {
    const BktHostEntry *o = g_ptr_array_index(accounts, i);
    if (o == active)
      continue;
    g_autofree char *other = ui_account_name(o);
    /* TRANSLATORS: what separates the names of a list */
    g_string_append_printf(others, "%s%s", count++ > 0 ? _(", ") : "", other);
  }
  if (count > 0) {
    g_autofree char *also = g_strdup_printf(
      /* TRANSLATORS: the other accounts of the host, then the host */
      g_dngettext(GETTEXT_PACKAGE,
                  "Also logged in there: %s. To make it the active account, run 'bkt-auth "
                  "switch %s'.",
                  "Also logged in there: %s. To make one of them the active account, run "
                  "'bkt-auth switch %s -u USER'.",
                  count),
      others->str, e->key);
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, also);
  }
  g_string_free(others, TRUE);
  return n;
}

static void
done_draw(const UiWizard *w, int y, int x, int width)
{
  const BktHostEntry *e = w->result;
  const char *mark = ui_wizard_glyph(w, "✓", "OK");
  /* TRANSLATORS: a check mark, the host, the user name, and the display name */
  g_autofree char *who =
    e->display_name != NULL
      ? g_strdup_printf(_("%s Logged in to %s as %s (%s)."), mark, e->key,
                        e->username ? e->username : "?", e->display_name)
      : g_strdup_printf(_("%s Logged in to %s as %s."), mark, e->key,
                        e->username ? e->username : "?");
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_OK, A_BOLD) | A_BOLD,
                  who);
  n++;
  int active = active_draw(w, y + n, x, width);
  n += active > 0 ? active + 1 : 0;
  g_autofree char *where = bkt_storage_describe(e->storage);
  g_autofree char *kept = g_strdup_printf(_("The token is kept in %s."), where);
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, kept);
  if (e->expires_at > 0) {
    g_autofree char *when = bkt_describe_expiry(e->expires_at);
    /* TRANSLATORS: %s is "expires 2026-01-31 14:00 (in 2 hours)" or "expired ... (... ago)" */
    g_autofree char *line = g_strdup_printf(_("It %s and is refreshed by itself."), when);
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, line);
  } else {
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
                 _("It does not expire on its own; 'bkt-auth logout' removes it."));
  }
  if (e->scopes != NULL && *e->scopes) {
    g_autofree char *scopes = g_strdup_printf(_("Scopes: %s"), e->scopes);
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, scopes);
  }
  n++;
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
               _("Press g to make git use this login for the host's HTTPS remotes (what "
                 "'bkt-auth setup-git' does)."));
  if (w->bkt_on_path)
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
                 w->setup_bkt
                   ? _("bkt will be set up to use this login when you leave (press k again "
                       "to leave bkt as it is).")
                   : _("bkt is installed: press k to set it up to use this login when you "
                       "leave (what 'bkt-auth setup-bkt' does; it may ask questions then)."));
  ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
          _("Next: 'bkt-auth token' prints a fresh token for git and scripts; 'bkt-auth "
            "status' shows this again."));
}

/* git asks bkt-auth for this host from now on (the engine runs git; nothing reaches the
 * terminal). */
static void
setup_git(UiWizard *w)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *helper = bkt_git_helper_command(&error);
  gboolean changed = FALSE;
  if (helper == NULL || !bkt_git_setup(w->result, helper, &changed, &error)) {
    ui_wizard_notice_error(w, error);
    return;
  }
  g_autofree char *url = bkt_git_config_url(w->result);
  g_autofree char *msg =
    changed ? g_strdup_printf(_("git now asks bkt-auth for %s (user %s)."), url,
                              bkt_git_username(w->result))
            : g_strdup_printf(_("git already asks bkt-auth for %s."), url);
  ui_wizard_notice(w, FALSE, msg);
}

static UiAction
done_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_letter(is_char, key, 'g')) {
    setup_git(w);
  } else if (w->bkt_on_path && ui_is_letter(is_char, key, 'k')) {
    /* setup-bkt may ask, and the desktop may ask for a password: it runs after the screen. */
    w->setup_bkt = !w->setup_bkt;
    w->dirty = TRUE;
  }
  else if (ui_is_enter(is_char, key) || ui_is_letter(is_char, key, 'q') ||
           ui_is_escape(is_char, key))
    return UI_ACTION_QUIT;
  return UI_ACTION_STAY;
}

static void
done_labels(const UiWizard *w, const char **title, const char **keys)
{
  *title = _("Logged in");
  *keys = w->bkt_on_path ? _("g set up git  k set up bkt  Enter finish")
                         : _("g set up git  Enter finish");
}

const UiScreen ui_screen_done = {
  .title = N_("Logged in"),
  .keys = N_("g set up git  Enter finish"),
  .labels = done_labels,
  .enter = done_enter,
  .draw = done_draw,
  .key = done_key,
  .arrows_scroll = TRUE,
};
