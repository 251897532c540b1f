/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* The client ID and secret of an application link, or a Cloud consumer's key and secret. */

static void
creds_enter(UiWizard *w)
{
  w->focus = !ui_field_empty(&w->client_id) ? 1 : 0;
}

static void
creds_draw(const UiWizard *w, int y, int x, int width)
{
  gboolean cloud = w->flow.kind == BKT_KIND_CLOUD;
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
                  cloud ? _("Paste the consumer's Key and Secret. The secret is kept in your "
                            "keyring, never in a file.")
                        : _("Paste the Client ID and Client secret of the application link. "
                            "The secret is kept in your keyring, never in a file."));
  n++;
  /* TRANSLATORS: Key and Secret label the fields of a Bitbucket Cloud OAuth consumer, as
     Bitbucket names them */
  ui_line(stdscr, y + n++, x, width, A_BOLD, cloud ? _("Key") : _("Client ID"));
  int id_row = y + n;
  n += 2;
  ui_line(stdscr, y + n++, x, width, A_BOLD, cloud ? _("Secret") : _("Client secret"));
  int secret_row = y + n;
  /* The focused field draws last, so that it keeps the cursor. */
  ui_field_draw(stdscr, secret_row, x, width, &w->client_secret, w->focus == 1, w->term.utf8);
  ui_field_draw(stdscr, id_row, x, width, &w->client_id, w->focus == 0, w->term.utf8);
  if (w->focus == 1)
    ui_field_draw(stdscr, secret_row, x, width, &w->client_secret, TRUE, w->term.utf8);
}

/* Credentials have a known shape; say so before a round trip fails on them. */
static gboolean
creds_check(UiWizard *w)
{
  int bad_field = 0;
  g_autoptr(GError) error = NULL;
  if (bkt_client_credentials_check(w->flow.kind, ui_field_text(&w->client_id),
                                   ui_field_text(&w->client_secret), &bad_field, &error))
    return TRUE;
  ui_wizard_notice_error(w, error);
  w->focus = bad_field;
  return FALSE;
}

static UiAction
creds_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if ((is_char && key == '\t') ||
      (!is_char && (key == KEY_DOWN || key == KEY_UP || key == KEY_BTAB))) {
    w->focus = 1 - w->focus;
    w->dirty = TRUE;
    return UI_ACTION_STAY;
  }
  if (ui_is_enter(is_char, key)) {
    if (w->focus == 0 && ui_field_empty(&w->client_secret)) {
      w->focus = 1;
      w->dirty = TRUE;
      return UI_ACTION_STAY;
    }
    return creds_check(w) ? UI_ACTION_NEXT : UI_ACTION_STAY;
  }
  if (ui_is_escape(is_char, key))
    return UI_ACTION_BACK;
  UiField *f = w->focus == 0 ? &w->client_id : &w->client_secret;
  if (ui_field_key(f, is_char, key))
    ui_wizard_notice(w, FALSE, NULL);
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_creds = {
  .title = N_("Client credentials"),
  .keys = N_("Tab switch  Enter next  Esc back  ^C quit"),
  .enter = creds_enter,
  .draw = creds_draw,
  .key = creds_key,
};
