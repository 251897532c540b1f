/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "browser.h"
#include "wizard-private.h"

/* Waiting for the browser (or a pasted address), then the checklist of the steps after it. */

static void
wait_enter(UiWizard *w)
{
  gboolean open = w->open_browser;
  w->open_browser = FALSE;
  w->pasting = FALSE;
  /* Straight from the questions when there is no browser to open: the attempt starts here. */
  if (w->login == NULL && !ui_wizard_start_login(w))
    return;
  /* The browser is opened, or the address shown, now: the wait for it starts with it. */
  if (open)
    ui_wizard_open_browser(w);
  bkt_login_start_clock(w->login);
}

/* Before the browser came back (finding the store takes a moment at the start). */
static gboolean
waiting(const UiWizard *w)
{
  return w->login != NULL && bkt_login_stage(w->login) <= BKT_LOGIN_WAITING;
}

static gboolean
asking(const UiWizard *w)
{
  return w->login != NULL && bkt_login_stage(w->login) == BKT_LOGIN_ASKING;
}

/* Asking whether the login replaces the same account's earlier one (else whose it is). */
static gboolean
asking_replace(const UiWizard *w)
{
  return asking(w) && bkt_login_question(w->login) == BKT_LOGIN_ASK_REPLACE;
}

static void
wait_labels(const UiWizard *w, const char **title, const char **keys)
{
  if (asking_replace(w)) {
    *title = _("Finishing");
    *keys = _("y replace  n keep the earlier login  q cancel");
  } else if (asking(w)) {
    *title = _("Finishing");
    *keys = _("y keep  n do not keep  q cancel");
  } else if (w->login != NULL && !waiting(w)) {
    *title = _("Finishing");
    *keys = _("q cancel");
  } else if (w->pasting) {
    *keys = _("Enter submit  Esc back  ^C quit");
  }
}

static void
format_clock(char *buf, size_t len, gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  g_snprintf(buf, len, "%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

/* After the browser came back: each step ticked off as the login passes it. */
static void
checklist_draw(const UiWizard *w, int y, int x, int width)
{
  BktLoginStage stage = bkt_login_stage(w->login);
  static const struct {
    BktLoginStage stage;
    const char *label;
  } steps[] = {
    { BKT_LOGIN_EXCHANGING, N_("Exchanging the authorization for tokens") },
    { BKT_LOGIN_VERIFYING, N_("Checking who you are") },
    { BKT_LOGIN_STORING, N_("Storing the token in the keyring") },
    { BKT_LOGIN_CONFIRMING, N_("Checking the stored token works") },
  };
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_OK, A_BOLD),
                  _("The browser came back with an authorization."));
  n++;
  for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
    const char *mark = stage > steps[i].stage    ? ui_wizard_glyph(w, "✓", "[x]")
                       : stage == steps[i].stage ? ui_wizard_glyph(w, "›", "[>]")
                                                 : ui_wizard_glyph(w, "·", "[ ]");
    int attr = stage > steps[i].stage    ? ui_attr(&w->term, UI_PAIR_OK, A_NORMAL)
               : stage == steps[i].stage ? (int)A_BOLD
                                         : ui_attr(&w->term, UI_PAIR_DIM, A_DIM);
    g_autofree char *row = g_strdup_printf("%s %s", mark, _(steps[i].label));
    n += ui_text(stdscr, y + n, x + 2, width - 2, UI_ALL_LINES, attr, row);
  }
  /* Another process holds the store's lock: say so, and for how long, each second. */
  gint64 since = bkt_login_lock_waiting_since(w->login);
  if (stage == BKT_LOGIN_STORING && since > 0) {
    int waited = (int)((g_get_monotonic_time() - since) / G_USEC_PER_SEC);
    g_autofree char *wait = ui_wizard_lock_wait(waited);
    ui_text(stdscr, y + n + 1, x, width, UI_ALL_LINES, A_NORMAL, wait);
  }
}

/* The browser came back over a connection whose owner is unknown, or as an account logged in
 * already: the person decides. */
static char *
ask_question(const UiWizard *w)
{
  const BktHostEntry *e = bkt_login_entry(w->login);
  const char *who = e->username != NULL ? e->username : "?";
  if (asking_replace(w))
    return g_strdup_printf(_("Already logged in to %s as %s: replace that login with this one? "
                             "(y/n) "),
                           e->key, who);
  return g_strdup_printf(_("Logged in as %s on %s: keep this login? (y/n) "), who, e->key);
}

/* What the answers do. */
static char *
ask_explain(const UiWizard *w)
{
  if (!asking_replace(w))
    return g_strdup(_("The browser came back over a connection bkt-auth cannot trace to you. "
                      "Keep the login only if that is your account."));
  const BktHostEntry *e = bkt_login_entry(w->login);
  const char *who = e->username != NULL ? e->username : "?";
  return g_strdup_printf(
    /* TRANSLATORS: %s is the user name the browser came back as */
    _("y puts the new tokens in place of the earlier ones; n keeps the earlier login as it is "
      "and stores nothing. If you meant to add another account: the browser is signed in to "
      "Bitbucket as %s, so answer n, sign out of Bitbucket there (or use a private window), "
      "and log in again."),
    who);
}

static void
ask_draw(const UiWizard *w, int y, int x, int width)
{
  g_autofree char *q = ask_question(w);
  g_auto(GStrv) lines = ui_wrap(q, width);
  int n = ui_text(stdscr, y, x, width, UI_ALL_LINES, A_BOLD, q);
  /* The cursor waits after the question, as a prompt's does. */
  int last = MAX(n - 1, 0);
  ui_cursor(stdscr, y + last, x + MIN(ui_width(lines[last] ? lines[last] : ""), width - 1));
  n++;
  g_autofree char *explain = ask_explain(w);
  ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, explain);
}

/* What to do while the browser has not come back, the listener, the clock, and what to
 * check when the browser shows an error. */
static int
explain_draw(const UiWizard *w, int y, int x, int width)
{
  int n = 0;
  gboolean ssh = bkt_env_is_ssh() && bkt_browser_unavailable_reason() != NULL;
  if (ssh) {
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_BOLD,
                 _("You are on SSH: your browser cannot reach this machine by itself."));
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
                 _("Copy the address (c) and open it in your browser. When the browser ends on "
                   "an error page, copy the address it shows and paste it here (p). Or forward "
                   "the port from your computer first:"));
    g_autofree char *fwd = bkt_ssh_forward_command(bkt_login_port(w->login));
    ui_line(stdscr, y + n++, x + 2, width - 2, A_BOLD, fwd);
  } else if (w->browser_opened) {
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
                 _("Waiting for you to grant access in the browser. If no browser opened, copy "
                   "the address (c) or show it (u), and open it yourself."));
  } else {
    const char *why = w->opts->no_browser ? _("--no-browser was given")
                                          : bkt_browser_unavailable_reason();
    if (why != NULL) {
      /* TRANSLATORS: %s says why, e.g. "there is no graphical display" */
      g_autofree char *msg = g_strdup_printf(_("bkt-auth does not open a browser here: %s."),
                                             why);
      n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, msg);
    }
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL,
                 _("Open the sign-in address in a browser: copy it (c) or show it to select "
                   "(u). If the browser ends on an error page, paste its address here (p)."));
  }
  n++;
  /* TRANSLATORS: %s is the redirect URL bkt-auth waits on, e.g. http://127.0.0.1:8080/callback */
  g_autofree char *listen = g_strdup_printf(_("Listening on %s"), bkt_login_redirect_uri(w->login));
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
               listen);
  /* Whole seconds left, rounded up: the full time on arrival. */
  gint64 deadline = bkt_login_deadline(w->login), now = g_get_monotonic_time();
  gint64 left = deadline > now ? (deadline - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : 0;
  char left_s[16];
  format_clock(left_s, sizeof left_s, left);
  /* TRANSLATORS: %s is minutes and seconds, e.g. 4:59 */
  g_autofree char *clock = g_strdup_printf(_("Time left: %s"), left_s);
  ui_line(stdscr, y + n++, x, width, A_NORMAL, clock);
  g_autofree char *advice = bkt_login_redirect_advice(w->login);
  if (advice != NULL) {
    n++;
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
                 advice);
  }
  return n;
}

static void
wait_draw(const UiWizard *w, int y, int x, int width)
{
  if (w->login == NULL)
    return;
  if (asking(w)) {
    ask_draw(w, y, x, width);
    return;
  }
  if (!waiting(w)) {
    checklist_draw(w, y, x, width);
    return;
  }
  int n = explain_draw(w, y, x, width);
  if (!w->pasting)
    return;
  /* The paste field under it all; the frame scrolls it into view. */
  n++;
  n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_BOLD,
               _("Paste the address from the browser's address bar, then Enter:"));
  ui_field_draw(stdscr, y + n, x, width, &w->paste, TRUE, w->term.utf8);
}

/* Below the minimum size: the address (or the question) stays in reach. */
static void
wait_small(const UiWizard *w, int y, int x, int width, int height)
{
  if (asking(w)) {
    g_autofree char *q = ask_question(w);
    ui_text(stdscr, y, x, width, height, A_NORMAL, q);
    return;
  }
  if (!waiting(w))
    return;
  int n = ui_text(stdscr, y, x, width, height, A_NORMAL,
                  _("The sign-in address (u shows it whole to select, c copies it):"));
  ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, bkt_login_authorize_url(w->login));
}

static UiAction
paste_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_escape(is_char, key)) {
    w->pasting = FALSE;
    ui_wizard_notice(w, FALSE, NULL);
  } else if (ui_is_enter(is_char, key)) {
    g_autoptr(GError) error = NULL;
    if (bkt_login_paste(w->login, ui_field_text(&w->paste), &error)) {
      w->pasting = FALSE;
      ui_field_set(&w->paste, "");
      ui_wizard_notice(w, FALSE, NULL);
    } else {
      ui_wizard_notice_error(w, error);
    }
  } else if (ui_field_key(&w->paste, is_char, key)) {
    w->dirty = TRUE;
  }
  w->dirty = TRUE;
  return UI_ACTION_STAY;
}

static UiAction
wait_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (w->login == NULL)
    return UI_ACTION_STAY;
  gboolean cancel = ui_is_letter(is_char, key, 'q') || ui_is_escape(is_char, key);
  if (asking(w)) {
    if (ui_is_letter(is_char, key, 'y') || ui_is_letter(is_char, key, 'n')) {
      gboolean yes = ui_is_letter(is_char, key, 'y');
      /* Keeping the earlier login ends the wizard with the engine's sentence. */
      w->keep_earlier = !yes && asking_replace(w);
      bkt_login_keep_account(w->login, yes);
      w->dirty = TRUE;
    }
    return cancel ? UI_ACTION_QUIT : UI_ACTION_STAY;
  }
  if (!waiting(w))
    return cancel ? UI_ACTION_QUIT : UI_ACTION_STAY;
  if (w->pasting)
    return paste_key(w, is_char, key);
  const char *url = bkt_login_authorize_url(w->login);
  if (ui_is_letter(is_char, key, 'o')) {
    ui_wizard_open_browser(w);
  } else if (ui_is_letter(is_char, key, 'c')) {
    ui_term_copy(&w->term, url);
    /* The terminal takes the copy, or not, without saying: claim no more than sending it. */
    ui_wizard_notice(w, FALSE,
                     _("Sent the address to your terminal's clipboard (if it allows)."));
  } else if (ui_is_letter(is_char, key, 'u')) {
    ui_wizard_show_outside(w, _("Open this address in a browser:"), url, TRUE);
  } else if (ui_is_letter(is_char, key, 'p')) {
    /* The field has the notice line to itself: what was said before is done with. */
    w->pasting = TRUE;
    ui_field_set(&w->paste, "");
    ui_wizard_notice(w, FALSE, NULL);
  } else if (ui_is_letter(is_char, key, 'b')) {
    /* Back to change what was given (the redirect URL, say): this attempt ends. */
    g_clear_pointer(&w->login, bkt_login_free);
    return UI_ACTION_BACK;
  } else if (cancel) {
    return UI_ACTION_QUIT;
  }
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_wait = {
  .title = N_("Waiting for the browser"),
  .keys = N_("o browser  c copy  u show  p paste  b back  q cancel"),
  .enter = wait_enter,
  .draw = wait_draw,
  .key = wait_key,
  .labels = wait_labels,
  .small = wait_small,
  .small_keys = "ucyn",
  .clock = TRUE,
  .arrows_scroll = TRUE,
};
