/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* Ready to sign in: the browser opens on Enter (without one, the flow skips this screen). */

static void
launch_enter(UiWizard *w)
{
  ui_wizard_start_login(w);
}

static void
launch_draw(const UiWizard *w, int y, int x, int width)
{
  if (w->login == NULL)
    return;
  const BktHost *h = bkt_login_host(w->login);
  g_autofree char *what = g_strdup_printf(
    _("Next, your browser opens %s's sign-in page. Sign in if asked, then grant bkt-auth "
      "access. The browser then comes back to bkt-auth by itself."), h->key);
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL, what);
  n++;
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_BOLD,
               _("Press Enter to open the browser."));
  if (w->base == NULL)
    return;
  /* Another account on a stored host: Bitbucket's consent page takes the browser's session as
   * it is. */
  const char *who = w->base->username != NULL ? w->base->username : w->base->account;
  /* TRANSLATORS: %s is the account logged in already on the host */
  g_autofree char *note = g_strdup_printf(
    _("If the browser is still signed in to Bitbucket as %s, access goes to that account "
      "again: sign out of Bitbucket there first, or press s and open the address in a "
      "private window."),
    who);
  n++;
  ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, note);
}

static UiAction
launch_key(UiWizard *w, gboolean is_char, wint_t key)
{
  /* The waiting screen opens the browser as it enters, so that its clock starts then, and what
   * it says of the browser shows there. */
  if (ui_is_enter(is_char, key)) {
    w->open_browser = TRUE;
    return UI_ACTION_NEXT;
  }
  if (ui_is_letter(is_char, key, 's')) { /* the address instead, to open by hand */
    w->open_browser = FALSE;
    return UI_ACTION_NEXT;
  }
  if (ui_is_escape(is_char, key) || ui_is_letter(is_char, key, 'b')) {
    g_clear_pointer(&w->login, bkt_login_free);
    return UI_ACTION_BACK;
  }
  if (ui_is_letter(is_char, key, 'q'))
    return UI_ACTION_QUIT;
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_launch = {
  .title = N_("Sign in"),
  .keys = N_("Enter open browser  s show the address instead  b back  q quit"),
  .enter = launch_enter,
  .draw = launch_draw,
  .key = launch_key,
  .arrows_scroll = TRUE,
};
