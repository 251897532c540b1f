/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "files.h"
#include "wizard-private.h"

/* Which account of a host is its active one: making another one active ends the wizard. */

static void
switch_enter(UiWizard *w)
{
  /* The first account that is not active: the one a switch is for. */
  g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, w->switch_host);
  w->switch_choice = 0;
  for (guint i = accounts->len; i > 0; i--)
    if (!((const BktHostEntry *)g_ptr_array_index(accounts, i - 1))->active)
      w->switch_choice = (int)i - 1;
}

static void
switch_draw(const UiWizard *w, int y, int x, int width)
{
  /* TRANSLATORS: %s is a host with several accounts logged in */
  g_autofree char *question = g_strdup_printf(
    _("Which account should be the active one on %s? 'bkt-auth token', git and the other "
      "commands use the active account."),
    w->switch_host);
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL, question);
  n++;
  g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, w->switch_host);
  int cursor_row = y + n;
  for (guint i = 0; i < accounts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(accounts, i);
    gboolean on = w->switch_choice == (int)i;
    g_autofree char *name = ui_account_name(e);
    g_autofree char *row = g_strconcat(name, e->active ? _(" (active)") : "", NULL);
    int attr = on ? A_REVERSE | A_BOLD : A_NORMAL;
    if (on)
      cursor_row = y + n;
    ui_line(stdscr, y + n, x + 2, 2, attr, on ? ui_wizard_glyph(w, "›", ">") : " ");
    n += ui_text(stdscr, y + n, x + 4, width - 4, UI_ALL_LINES, attr, row);
  }
  /* The cursor rests on the choice, where a screen reader follows it. */
  ui_cursor(stdscr, cursor_row, x + 2);
}

/* Try to make e active without waiting: NEXT when it is, STAY while another bkt-auth holds
 * the store's lock (the loop tries again) or on a failure (said under the list). */
static UiAction
try_switch(UiWizard *w, const BktHostEntry *e)
{
  g_autoptr(GError) error = NULL;
  gboolean busy = FALSE;
  if (bkt_store_switch_try(e, &busy, &error)) {
    w->switch_since = 0;
    w->switched = bkt_host_entry_copy(e);
    w->switched->active = TRUE;
    /* A switch ends the wizard: quitting with an account made active is success. */
    return UI_ACTION_QUIT;
  }
  if (!busy) {
    w->switch_since = 0;
    ui_wizard_notice_error(w, error);
    return UI_ACTION_STAY;
  }
  gint64 now = g_get_monotonic_time();
  if (w->switch_since == 0)
    w->switch_since = now;
  int waited = (int)((now - w->switch_since) / G_USEC_PER_SEC);
  if (waited >= bkt_lock_timeout_s()) {
    w->switch_since = 0;
    g_autoptr(GError) late = bkt_lock_timeout_error(waited);
    ui_wizard_notice_error(w, late);
    return UI_ACTION_STAY;
  }
  g_autofree char *wait = ui_wizard_lock_wait(waited);
  ui_wizard_notice(w, FALSE, wait);
  return UI_ACTION_STAY;
}

UiAction
ui_switch_retry(UiWizard *w)
{
  g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, w->switch_host);
  if (w->switch_choice < 0 || w->switch_choice >= (int)accounts->len) {
    w->switch_since = 0;
    return UI_ACTION_STAY;
  }
  return try_switch(w, g_ptr_array_index(accounts, w->switch_choice));
}

/* Make the chosen account active; QUIT when it now is. */
static UiAction
make_active(UiWizard *w, const BktHostEntry *e)
{
  g_autofree char *name = ui_account_name(e);
  if (e->active) {
    /* TRANSLATORS: an account's name, then its host */
    g_autofree char *msg = g_strdup_printf(
      _("%s is the active account on %s already: choose another, or press b to go back."),
      name, e->key);
    ui_wizard_notice(w, TRUE, msg);
    return UI_ACTION_STAY;
  }
  return try_switch(w, e);
}

static UiAction
switch_key(UiWizard *w, gboolean is_char, wint_t key)
{
  g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, w->switch_host);
  int last = (int)accounts->len - 1;
  if (w->switch_since != 0) {
    /* Waiting for the lock: only q (give up, nothing changed) and Esc (back) count. */
    if (!ui_is_letter(is_char, key, 'q') && !ui_is_escape(is_char, key))
      return UI_ACTION_STAY;
    w->switch_since = 0;
    ui_wizard_notice(w, FALSE, NULL);
  }
  if ((!is_char && key == KEY_UP) || ui_is_letter(is_char, key, 'k')) {
    w->switch_choice = MAX(w->switch_choice - 1, 0);
  } else if ((!is_char && key == KEY_DOWN) || ui_is_letter(is_char, key, 'j')) {
    w->switch_choice = MIN(w->switch_choice + 1, last);
  } else if (is_char && key == '\t') {
    w->switch_choice = w->switch_choice < last ? w->switch_choice + 1 : 0;
  } else if (ui_is_letter(is_char, key, 'q')) {
    return UI_ACTION_QUIT;
  } else if (ui_is_escape(is_char, key) || ui_is_letter(is_char, key, 'b')) {
    return UI_ACTION_BACK;
  } else if (ui_is_enter(is_char, key) && last >= 0) {
    w->dirty = TRUE;
    return make_active(w, g_ptr_array_index(accounts, w->switch_choice));
  }
  w->dirty = TRUE;
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_switch = {
  .title = N_("Switch account"),
  .keys = N_("↑↓ choose  Enter make active  b back  q quit"),
  .enter = switch_enter,
  .draw = switch_draw,
  .key = switch_key,
};
