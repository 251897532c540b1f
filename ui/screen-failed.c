/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "wizard-private.h"

/* Not logged in: what happened and what to do next, with retry and back. */

static const char *
failure_advice(const GError *e)
{
  if (e == NULL || e->domain != BKT_ERROR)
    return NULL;
  switch ((BktErrorCode)e->code) {
  case BKT_ERROR_DENIED:
    return _("Press r to try again, or q to leave.");
  case BKT_ERROR_CANCELLED:
    return _("Press r to start over, or q to leave.");
  case BKT_ERROR_TIMEOUT:
    return _("Press r for a new sign-in address and more time.");
  case BKT_ERROR_STORE:
  case BKT_ERROR_STORE_UNUSABLE:
    return _("Unlock or start your keyring, then press r. Without a keyring, quit and run "
             "bkt-auth again with --insecure-storage.");
  case BKT_ERROR_NETWORK:
    return _("Check the network and the address, then press r; b goes back to change it.");
  default:
    return _("Press r to try again, or b to go back and change what you entered.");
  }
}

static void
failed_draw(const UiWizard *w, int y, int x, int width)
{
  g_autofree char *sentence = w->error != NULL ? ui_wizard_sentence(w->error->message) : NULL;
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES,
                  ui_attr(&w->term, UI_PAIR_ERROR, A_BOLD) | A_BOLD,
                  sentence != NULL ? sentence : _("The login failed."));
  n++;
  const char *advice = failure_advice(w->error);
  if (advice != NULL)
    ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, advice);
}

static UiAction
failed_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_letter(is_char, key, 'r'))
    return UI_ACTION_NEXT;
  if (ui_is_letter(is_char, key, 'b')) {
    g_clear_error(&w->error);
    return UI_ACTION_BACK;
  }
  if (ui_is_letter(is_char, key, 'q') || ui_is_escape(is_char, key))
    return UI_ACTION_QUIT;
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_failed = {
  .title = N_("Not logged in"),
  .keys = N_("r retry  b back  q quit"),
  .draw = failed_draw,
  .key = failed_key,
  .arrows_scroll = TRUE,
};
