/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wizard-private.h"

/*
 * Logins are stored: who is logged in where, and what next: another account on a stored host
 * (its address and client credentials as its logins have them), another host, or another
 * active account on a host that has several.
 */

/* One entry of the list. */
typedef struct {
  UiChoice what;
  const char *key; /* the stored host (borrowed from w->hosts); NULL for another host */
} Entry;

char *
ui_account_name(const BktHostEntry *e)
{
  const char *who = e->username != NULL ? e->username : e->account;
  return e->display_name != NULL ? g_strdup_printf("%s (%s)", who, e->display_name)
                                 : g_strdup(who);
}

GPtrArray *
ui_host_accounts(GPtrArray *hosts, const char *key)
{
  GPtrArray *mine = g_ptr_array_new();
  for (guint i = 0; hosts != NULL && i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0)
      g_ptr_array_add(mine, e);
  }
  return mine;
}

/* What the list offers: another account on each host, another host, then a switch on each
 * host with several accounts. */
static GArray *
entries(const UiWizard *w)
{
  GArray *list = g_array_new(FALSE, FALSE, sizeof(Entry));
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(w->hosts);
  for (guint i = 0; i < keys->len; i++) {
    Entry e = { UI_CHOICE_ACCOUNT, g_ptr_array_index(keys, i) };
    g_array_append_val(list, e);
  }
  Entry host = { UI_CHOICE_HOST, NULL };
  g_array_append_val(list, host);
  for (guint i = 0; i < keys->len; i++) {
    Entry e = { UI_CHOICE_SWITCH, g_ptr_array_index(keys, i) };
    if (bkt_hosts_count(w->hosts, e.key) > 1)
      g_array_append_val(list, e);
  }
  return list;
}

static char *
entry_label(const Entry *e)
{
  switch (e->what) {
  case UI_CHOICE_ACCOUNT:
    /* TRANSLATORS: %s is a host logged in already, e.g. bitbucket.org */
    return g_strdup_printf(_("Log in with another account on %s"), e->key);
  case UI_CHOICE_SWITCH:
    /* TRANSLATORS: %s is a host with several accounts logged in */
    return g_strdup_printf(_("Switch the active account on %s"), e->key);
  default:
    return g_strdup(_("Log in to another Bitbucket (Cloud or a Data Center)"));
  }
}

static void
accounts_enter(UiWizard *w)
{
  /* Back here, what a choice set is undone: the command line's answers stand again. */
  const BktLoginOptions *lo = &w->opts->login;
  g_clear_pointer(&w->lookup, bkt_client_lookup_free);
  g_clear_pointer(&w->base, bkt_host_entry_free);
  w->flow.kind = lo->kind;
  w->flow.cloud_consumer = bkt_cloud_consumer_known(lo->client_id, lo->client_secret);
  w->flow.dc_client = lo->client_id != NULL && lo->client_secret != NULL;
  bkt_host_clear(&w->parsed);
  ui_field_set(&w->host, "");
  ui_field_set(&w->redirect, "");
  ui_field_set(&w->client_id, lo->client_id != NULL ? lo->client_id : "");
  ui_field_set(&w->client_secret, lo->client_secret != NULL ? lo->client_secret : "");

  /* Read again: a login or a logout elsewhere shows. */
  g_autoptr(GError) error = NULL;
  GPtrArray *hosts = bkt_hosts_load(&error);
  if (hosts == NULL) {
    ui_wizard_notice_error(w, error);
    hosts = bkt_hosts_new();
  }
  if (w->hosts != NULL)
    g_ptr_array_unref(w->hosts);
  w->hosts = hosts;
  g_autoptr(GArray) list = entries(w);
  w->account_choice = CLAMP(w->account_choice, 0, (int)list->len - 1);
}

/* Who is logged in where: each host, and under it its accounts, the active one marked. */
static int
logins_draw(const UiWizard *w, int y, int x, int width)
{
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
                  _("Logged in on this computer:"));
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(w->hosts);
  for (guint k = 0; k < keys->len; k++) {
    const char *key = g_ptr_array_index(keys, k);
    n += ui_text(stdscr, y + n, x + 2, width - 2, UI_ALL_LINES, A_BOLD, key);
    g_autoptr(GPtrArray) accounts = ui_host_accounts(w->hosts, key);
    for (guint i = 0; i < accounts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(accounts, i);
      g_autofree char *name = ui_account_name(e);
      /* TRANSLATORS: after an account's name; the same words as in 'bkt-auth switch' */
      g_autofree char *row = g_strconcat(name, e->active ? _(" (active)") : "", NULL);
      n += ui_text(stdscr, y + n, x + 4, width - 4, UI_ALL_LINES, A_NORMAL, row);
    }
  }
  return n;
}

static void
accounts_draw(const UiWizard *w, int y, int x, int width)
{
  int n = logins_draw(w, y, x, width);
  n++;
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, _("What would you like to do?"));
  g_autoptr(GArray) list = entries(w);
  int cursor_row = y + n;
  for (guint i = 0; i < list->len; i++) {
    gboolean on = w->account_choice == (int)i;
    g_autofree char *label = entry_label(&g_array_index(list, Entry, i));
    int attr = on ? A_REVERSE | A_BOLD : A_NORMAL;
    if (on)
      cursor_row = y + n;
    ui_line(stdscr, y + n, x + 2, 2, attr, on ? ui_wizard_glyph(w, "›", ">") : " ");
    n += ui_text(stdscr, y + n, x + 4, width - 4, UI_ALL_LINES, attr, label);
  }
  n++;
  /* Bitbucket's consent page signs in whoever the browser's session is. */
  ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
          w->flow.browser
            ? _("The browser may still be signed in to Bitbucket as an account above, and "
                "Bitbucket grants access to that one: for another account, sign out of "
                "Bitbucket first, or press s on the Sign in screen and use a private window.")
            : _("The browser may still be signed in to Bitbucket as an account above, and "
                "Bitbucket grants access to that one: for another account, sign out of "
                "Bitbucket first, or open the sign-in address in a private window."));
  /* The cursor rests on the choice, where a screen reader follows it. */
  ui_cursor(stdscr, cursor_row, x + 2);
}

/* Another account on the stored host key: its kind and address as stored, and its client
 * credentials read from the store when the command line did not give them. */
static UiAction
another_account(UiWizard *w, const char *key)
{
  const BktHostEntry *active = bkt_hosts_active(w->hosts, key);
  if (active->kind == BKT_KIND_DC) {
    /* The address its logins use; http:// only where they were allowed it. */
    g_autoptr(GError) error = NULL;
    bkt_host_clear(&w->parsed);
    if (!bkt_host_parse(active->base_url, BKT_KIND_DC,
                        g_str_has_prefix(active->base_url, "http://"), &w->parsed, &error)) {
      ui_wizard_notice_error(w, error);
      return UI_ACTION_STAY;
    }
    ui_field_set(&w->host, w->parsed.base_url);
    /* The Redirect URL registered on the application link: the one its logins used. */
    if (w->opts->login.redirect_uri == NULL && active->redirect_uri != NULL)
      ui_field_set(&w->redirect, active->redirect_uri);
  }
  w->flow.kind = active->kind;
  bkt_host_entry_free(w->base);
  w->base = bkt_host_entry_copy(active);
  if (!ui_flow_needs_credentials(&w->flow))
    return UI_ACTION_NEXT;
  w->lookup = bkt_client_lookup_new(w->hosts, key);
  /* TRANSLATORS: %s is a host logged in already */
  g_autofree char *msg =
    g_strdup_printf(_("Reading the client credentials stored for %s (Esc stops)..."), key);
  ui_wizard_notice(w, FALSE, msg);
  return UI_ACTION_STAY;
}

UiAction
ui_accounts_lookup_done(UiWizard *w)
{
  g_autofree char *id = NULL;
  g_autoptr(BktSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = bkt_client_lookup_finish(w->lookup, &id, &secret, &error);
  g_clear_pointer(&w->lookup, bkt_client_lookup_free);
  if (error != NULL) {
    ui_wizard_notice_error(w, error);
    return UI_ACTION_STAY;
  }
  /* A client ID from the command line stands; the stored secret goes with its own ID only. */
  if (found && (ui_field_empty(&w->client_id) || strcmp(ui_field_text(&w->client_id), id) == 0)) {
    ui_field_set(&w->client_id, id);
    if (ui_field_empty(&w->client_secret))
      ui_field_set(&w->client_secret, bkt_secret_str(secret));
  }
  /* Both known: the sign-in next; else the guide and the fields, the address known. */
  gboolean known = !ui_field_empty(&w->client_id) && !ui_field_empty(&w->client_secret);
  if (w->flow.kind == BKT_KIND_DC)
    w->flow.dc_client = known;
  else
    w->flow.cloud_consumer = known;
  return UI_ACTION_NEXT;
}

static UiAction
accounts_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (w->lookup != NULL) {
    /* Esc stops reading the store; the rest waits for it. */
    if (ui_is_escape(is_char, key)) {
      g_clear_pointer(&w->lookup, bkt_client_lookup_free);
      ui_wizard_notice(w, FALSE, NULL);
    }
    return ui_is_letter(is_char, key, 'q') ? UI_ACTION_QUIT : UI_ACTION_STAY;
  }
  g_autoptr(GArray) list = entries(w);
  int last = (int)list->len - 1;
  if ((!is_char && key == KEY_UP) || ui_is_letter(is_char, key, 'k')) {
    w->account_choice = MAX(w->account_choice - 1, 0);
  } else if ((!is_char && key == KEY_DOWN) || ui_is_letter(is_char, key, 'j')) {
    w->account_choice = MIN(w->account_choice + 1, last);
  } else if (is_char && key == '\t') {
    w->account_choice = w->account_choice < last ? w->account_choice + 1 : 0;
  } else if (ui_is_letter(is_char, key, 'q')) {
    return UI_ACTION_QUIT;
  } else if (ui_is_enter(is_char, key)) {
    const Entry *e = &g_array_index(list, Entry, w->account_choice);
    w->flow.choice = e->what;
    if (e->what == UI_CHOICE_ACCOUNT)
      return another_account(w, e->key);
    if (e->what == UI_CHOICE_SWITCH) {
      g_free(w->switch_host);
      w->switch_host = g_strdup(e->key);
    }
    return UI_ACTION_NEXT;
  }
  w->dirty = TRUE;
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_accounts = {
  .title = N_("Your logins"),
  .keys = N_("↑↓ choose  Enter next  q quit"),
  .enter = accounts_enter,
  .draw = accounts_draw,
  .key = accounts_key,
};
