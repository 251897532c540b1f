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
    return _("Unlock or start your keyring, then press r. Without a keyring, quit and run "
             "bkt-auth again with --insecure-storage.");
  case BKT_ERROR_NETWORK:
    return _("Check the network and the address, then press r; b goes back to change it.");
  default:
    return _("Press r to try again, or b to go back and change what you entered.");
  }
}

static gboolean
failed_draw(const UiWizard *w, int y, int x, int width, int height)
{
  g_autofree char *sentence = NULL;
  if (w->error != NULL) {
    /* Engine messages are lower case to follow "bkt-auth: "; standing alone, a capital. */
    gunichar first = g_unichar_toupper(g_utf8_get_char(w->error->message));
    char buf[8] = { 0 };
    g_unichar_to_utf8(first, buf);
    sentence = g_strconcat(buf, g_utf8_next_char(w->error->message), ".", NULL);
  }
  int n = ui_text(stdscr, y, x, width, height, ui_attr(&w->term, UI_PAIR_ERROR, A_BOLD) | A_BOLD,
                  sentence != NULL ? sentence : _("The login failed."));
  n++;
  const char *advice = failure_advice(w->error);
  if (advice != NULL)
    ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, advice);
  return FALSE;
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
};
