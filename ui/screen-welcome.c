/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* The first run: what bkt-auth does, before any question. */

static void
welcome_draw(const UiWizard *w, int y, int x, int width)
{
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_BOLD,
                  _("Welcome to bkt-auth. Let's sign you in to Bitbucket."));
  n++;
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
               _("bkt-auth logs you in with OAuth in your browser, keeps the token in a "
                 "keyring (your desktop's, or over SSH the kernel's), and refreshes it by "
                 "itself. Git, the bkt CLI and scripts then get a fresh token from 'bkt-auth "
                 "token' whenever they need one."));
  n++;
  ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
          _("It takes about a minute. You need your Bitbucket account, and for a company "
            "server (Data Center) the address of that server."));
}

static UiAction
welcome_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_enter(is_char, key))
    return UI_ACTION_NEXT;
  if (ui_is_letter(is_char, key, 'q'))
    return UI_ACTION_QUIT;
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_welcome = {
  .title = N_("Welcome"),
  .keys = N_("Enter start  q quit"),
  .draw = welcome_draw,
  .key = welcome_key,
  .arrows_scroll = TRUE,
};
