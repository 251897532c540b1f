/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* Bitbucket Cloud or a Data Center. */

/* Whether the accounts screen came before: Esc goes back to it. */
static gboolean
from_accounts(const UiWizard *w)
{
  return w->flow.depth > 0 && w->flow.trail[w->flow.depth - 1] == UI_SCREEN_ACCOUNTS;
}

static void
kind_labels(const UiWizard *w, const char **title, const char **keys)
{
  if (from_accounts(w))
    *keys = _("↑↓ choose  c Cloud  d Data Center  Enter next  Esc back  q quit");
}

static void
kind_enter(UiWizard *w)
{
  w->kind_choice = w->flow.kind == BKT_KIND_DC ? 1 : 0;
}

static void
kind_draw(const UiWizard *w, int y, int x, int width)
{
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL, _("Where is your Bitbucket?"));
  n++;
  const char *labels[2] = {
    _("Bitbucket Cloud: bitbucket.org"),
    _("Bitbucket Data Center: your company's own server"),
  };
  for (int i = 0; i < 2; i++) {
    gboolean on = w->kind_choice == i;
    g_autofree char *row =
      g_strdup_printf("%s %s", on ? ui_wizard_glyph(w, "›", ">") : " ", labels[i]);
    ui_line(stdscr, y + n + i, x + 2, width - 2, on ? A_REVERSE | A_BOLD : A_NORMAL, row);
  }
  /* The cursor rests on the choice, where a screen reader follows it. */
  ui_cursor(stdscr, y + n + w->kind_choice, x + 2);
}

static UiAction
kind_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if ((!is_char && (key == KEY_UP || key == KEY_DOWN)) || ui_is_letter(is_char, key, 'j') ||
      ui_is_letter(is_char, key, 'k') || (is_char && key == '\t')) {
    w->kind_choice = 1 - w->kind_choice;
    w->dirty = TRUE;
    return UI_ACTION_STAY;
  }
  if (ui_is_letter(is_char, key, 'q'))
    return UI_ACTION_QUIT;
  if (ui_is_escape(is_char, key))
    return from_accounts(w) ? UI_ACTION_BACK : UI_ACTION_STAY;
  if (ui_is_letter(is_char, key, 'c'))
    w->kind_choice = 0;
  else if (ui_is_letter(is_char, key, 'd'))
    w->kind_choice = 1;
  else if (!ui_is_enter(is_char, key))
    return UI_ACTION_STAY;
  w->flow.kind = w->kind_choice == 0 ? BKT_KIND_CLOUD : BKT_KIND_DC;
  return UI_ACTION_NEXT;
}

const UiScreen ui_screen_kind = {
  .title = N_("Cloud or Data Center"),
  .keys = N_("↑↓ choose  c Cloud  d Data Center  Enter next  q quit"),
  .enter = kind_enter,
  .draw = kind_draw,
  .key = kind_key,
  .labels = kind_labels,
};
