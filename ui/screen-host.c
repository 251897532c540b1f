/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* The Data Center's address, checked with the host before going on. */

void
ui_host_check_start(UiWizard *w)
{
  g_autoptr(GError) error = NULL;
  bkt_host_clear(&w->parsed);
  if (!bkt_host_parse(ui_field_text(&w->host), BKT_KIND_DC, w->opts->login.allow_http, &w->parsed,
                      &error)) {
    ui_wizard_notice_error(w, error);
    return;
  }
  w->check = bkt_host_check_new(&w->parsed, w->opts->login.ca_file, &error);
  if (w->check == NULL) {
    ui_wizard_notice_error(w, error);
    return;
  }
  g_autofree char *msg = g_strdup_printf(
    g_dngettext(GETTEXT_PACKAGE, "Asking %s what it is (at most %d second; Esc cancels)...",
                "Asking %s what it is (at most %d seconds; Esc cancels)...", BKT_PROBE_TIMEOUT_S),
    w->parsed.key, BKT_PROBE_TIMEOUT_S);
  ui_wizard_notice(w, FALSE, msg);
}

UiAction
ui_host_check_done(UiWizard *w)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = bkt_host_check_finish(w->check, NULL, &error);
  g_clear_pointer(&w->check, bkt_host_check_free);
  if (!ok) {
    ui_wizard_notice_error(w, error);
    return UI_ACTION_STAY;
  }
  return UI_ACTION_NEXT;
}

static void
host_leave(UiWizard *w)
{
  g_clear_pointer(&w->check, bkt_host_check_free);
}

static void
host_draw(const UiWizard *w, int y, int x, int width)
{
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
                  _("The address of your Bitbucket Data Center, as you open it in a browser "
                    "(for example https://git.example.com or https://example.com/bitbucket):"));
  n++;
  int field_row = y + n;
  n += 2;
  /* Say as the person types whether the address can be one. */
  if (!ui_field_empty(&w->host) && w->check == NULL && w->notice == NULL) {
    g_autoptr(GError) error = NULL;
    BktHost h;
    if (bkt_host_parse(ui_field_text(&w->host), BKT_KIND_DC, w->opts->login.allow_http, &h, &error)) {
      /* TRANSLATORS: a check mark, then the address of the Data Center */
      g_autofree char *ok = g_strdup_printf(_("%s Bitbucket Data Center at %s"),
                                            ui_wizard_glyph(w, "✓", "ok:"), h.base_url);
      ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_OK, A_NORMAL),
              ok);
      bkt_host_clear(&h);
    } else {
      ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
              error->message);
    }
  }
  ui_field_draw(stdscr, field_row, x, width, &w->host, TRUE, w->term.utf8);
}

static UiAction
host_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (w->check != NULL) {
    /* Esc stops the check; the rest waits for its answer. */
    if (ui_is_escape(is_char, key)) {
      g_clear_pointer(&w->check, bkt_host_check_free);
      ui_wizard_notice(w, FALSE, NULL);
    }
    return UI_ACTION_STAY;
  }
  if (ui_is_enter(is_char, key)) {
    ui_host_check_start(w);
    return UI_ACTION_STAY;
  }
  if (ui_is_escape(is_char, key))
    return UI_ACTION_BACK;
  if (ui_field_key(&w->host, is_char, key))
    ui_wizard_notice(w, FALSE, NULL);
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_host = {
  .title = N_("Your Bitbucket"),
  .keys = N_("Enter check  Esc back  ^C quit"),
  .leave = host_leave,
  .draw = host_draw,
  .key = host_key,
};
