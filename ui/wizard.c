/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "error.h"
#include "files.h"
#include "wizard-private.h"

/*
 * The wizard's loop: wait in poll on the terminal, the signal pipe and the engine's objects;
 * hand keys to the screen shown; move between screens as the flow says; draw from the state
 * once per turn when something changed.
 */

static const UiScreen *const screens[UI_SCREEN_COUNT] = {
#define UI_SCREEN_TABLE(id, name) [UI_SCREEN_##id] = &ui_screen_##name,
  UI_SCREENS(UI_SCREEN_TABLE)
#undef UI_SCREEN_TABLE
};

/* ---- what the screens share ---- */

gboolean
ui_is_enter(gboolean is_char, wint_t key)
{
  return (is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER);
}

gboolean
ui_is_escape(gboolean is_char, wint_t key)
{
  return is_char && key == 27;
}

gboolean
ui_is_letter(gboolean is_char, wint_t key, char letter)
{
  return is_char && (key == (wint_t)letter || key == (wint_t)g_ascii_toupper(letter));
}

const char *
ui_wizard_glyph(const UiWizard *w, const char *utf8, const char *ascii)
{
  return w->term.utf8 ? utf8 : ascii;
}

const UiScreen *
ui_wizard_screen(UiScreenId id)
{
  return screens[id];
}

const char *
ui_wizard_redirect(const UiWizard *w)
{
  return !ui_field_empty(&w->redirect) ? ui_field_text(&w->redirect) : NULL;
}

/* Whether message begins with a word of letters alone: a word to capitalize, where
 * "http://..." or "--flag" is to stay as it is. */
static gboolean
starts_with_word(const char *message)
{
  const char *p = message;
  for (; *p && *p != ' '; p = g_utf8_next_char(p))
    if (!g_unichar_isalpha(g_utf8_get_char(p)))
      return FALSE;
  return p != message;
}

char *
ui_wizard_sentence(const char *message)
{
  if (*message == '\0' || g_unichar_isupper(g_utf8_get_char(message)))
    return g_strdup(message);
  g_autofree char *capital = NULL;
  if (starts_with_word(message)) {
    gunichar first = g_unichar_toupper(g_utf8_get_char(message));
    char buf[8] = { 0 };
    g_unichar_to_utf8(first, buf);
    capital = g_strconcat(buf, g_utf8_next_char(message), NULL);
  } else {
    capital = g_strdup(message);
  }
  /* TRANSLATORS: a message standing alone as a sentence: add the full stop */
  return g_strdup_printf(_("%s."), capital);
}

void
ui_wizard_notice_error(UiWizard *w, const GError *error)
{
  g_autofree char *sentence = ui_wizard_sentence(error->message);
  ui_wizard_notice(w, TRUE, sentence);
}

char *
ui_wizard_lock_wait(int waited)
{
  return g_strdup_printf(
    g_dngettext(GETTEXT_PACKAGE,
                "Another bkt-auth is using the store (one suspended with Ctrl-Z does too): "
                "waited %d second. q cancels.",
                "Another bkt-auth is using the store (one suspended with Ctrl-Z does too): "
                "waited %d seconds. q cancels.",
                waited),
    waited);
}

void
ui_wizard_notice(UiWizard *w, gboolean is_error, const char *text)
{
  g_free(w->notice);
  w->notice = g_strdup(text);
  w->notice_is_error = is_error;
  w->dirty = TRUE;
}

void
ui_wizard_show_outside(UiWizard *w, const char *intro, const char *text, gboolean link)
{
  g_autoptr(GString) out = g_string_new("\n");
  g_string_append_printf(out, "%s\n\n", intro);
  if (link) /* OSC 8: terminals that know it make the address clickable. */
    g_string_append_printf(out, "\033]8;;%s\033\\%s\033]8;;\033\\\n\n", text, text);
  else
    g_string_append_printf(out, "%s\n\n", text);
  g_string_append(out, _("Select and copy it, then press Enter to return to bkt-auth."));
  g_string_append(out, " ");
  g_free(w->outside);
  w->outside = g_string_free(g_steal_pointer(&out), FALSE);
}

void
ui_wizard_open_browser(UiWizard *w)
{
  /* Over SSH without a display, say so rather than start a program that shows nothing. */
  const char *why_not = bkt_browser_unavailable_reason();
  if (why_not != NULL) {
    /* TRANSLATORS: %s says why, e.g. "this is an SSH session without a display" */
    g_autofree char *msg = g_strdup_printf(_("bkt-auth does not open a browser here: %s. Copy "
                                             "the address (c) or show it (u) instead."),
                                           why_not);
    ui_wizard_notice(w, TRUE, msg);
    return;
  }
  g_autoptr(GError) error = NULL;
  /* The browser gets the start address: its command line is for every user to read. */
  if (bkt_browser_open(bkt_login_browser_url(w->login), &error)) {
    w->browser_opened = TRUE;
    ui_wizard_notice(w, FALSE, _("Opened the browser."));
  } else {
    ui_wizard_notice_error(w, error);
  }
}

/* ---- moving between screens ---- */

static void
go(UiWizard *w, UiFlowEvent event)
{
  const UiScreen *from = screens[w->flow.screen];
  if (from->leave != NULL)
    from->leave(w);
  const UiScreen *to = screens[ui_flow_step(&w->flow, event)];
  g_clear_pointer(&w->notice, g_free);
  w->scroll = 0;
  w->follow_cursor = TRUE;
  w->dirty = TRUE;
  if (to->enter != NULL)
    to->enter(w);
}

static void
fail(UiWizard *w, GError *error)
{
  g_clear_error(&w->error);
  w->error = error;
  go(w, UI_FLOW_FAILED);
}

/*
 * Leave the loop. by_key: the screen's own quit key, which ends with the failure shown on the
 * failed screen. Anything else is a cancel; with a failure on the screen, its words say more
 * than "login cancelled". Once logged in there is nothing left to cancel: every way out of the
 * done screen, Ctrl-C included, ends logged in; likewise once an account was made active.
 */
static void
end(UiWizard *w, gboolean by_key)
{
  UiScreenId at = w->flow.screen;
  w->quit = TRUE;
  g_clear_error(&w->outcome);
  if ((at == UI_SCREEN_DONE && w->result != NULL) || (at == UI_SCREEN_SWITCH && w->switched))
    return;
  if (by_key && at == UI_SCREEN_FAILED && w->error != NULL) {
    w->outcome = g_error_copy(w->error);
    return;
  }
  w->outcome = g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED,
                                   at == UI_SCREEN_FAILED && w->error != NULL
                                     ? w->error->message
                                     : _("login cancelled"));
  if (w->login == NULL)
    return;
  bkt_login_cancel(w->login);
  /* A login that has changed the store puts it back before the wizard goes, as line mode
   * waits for it: the loop goes on until the login has finished (each step has its
   * deadline), and its words then say how the putting back went. */
  BktLoginStage stage = bkt_login_stage(w->login);
  if (stage != BKT_LOGIN_DONE && stage != BKT_LOGIN_FAILED) {
    w->quit = FALSE;
    w->cancelling = TRUE;
    ui_wizard_notice(w, FALSE, _("Cancelling: the store is being put back as it was..."));
  }
}

/* ---- the login, driven by events ---- */

static void
on_progress(BktLogin *login, BktLoginStage stage, gpointer user_data)
{
  UiWizard *w = user_data;
  w->dirty = TRUE;
}

static BktLoginOptions
login_options(const UiWizard *w)
{
  BktLoginOptions o = w->opts->login;
  o.kind = w->flow.kind;
  /* The wizard asks before a login replaces the same account's earlier one. */
  o.confirm_replace = TRUE;
  /* Another account on a stored host goes where its logins go: through the CA they were
   * given, and over http:// when they were allowed to. */
  if (w->base != NULL) {
    if (o.ca_file == NULL)
      o.ca_file = w->base->ca_file;
    o.allow_http = o.allow_http || g_str_has_prefix(w->base->base_url, "http://");
  }
  if (ui_wizard_redirect(w) != NULL)
    o.redirect_uri = ui_wizard_redirect(w);
  o.host = w->flow.kind == BKT_KIND_DC ? w->parsed.base_url : o.host;
  if (!ui_field_empty(&w->client_id))
    o.client_id = ui_field_text(&w->client_id);
  if (!ui_field_empty(&w->client_secret))
    o.client_secret = ui_field_text(&w->client_secret);
  return o;
}

gboolean
ui_wizard_start_login(UiWizard *w)
{
  g_clear_pointer(&w->login, bkt_login_free);
  g_clear_error(&w->error);
  w->browser_opened = FALSE;
  w->keep_earlier = FALSE;
  BktLoginOptions o = login_options(w);
  GError *error = NULL;
  w->login = bkt_login_new(&o, on_progress, w, &error);
  if (w->login == NULL) {
    fail(w, error);
    return FALSE;
  }
  return TRUE;
}

static void
login_finished(UiWizard *w)
{
  if (w->cancelling) {
    /* The cancel is complete: the login says whether what it changed was put back. */
    w->quit = TRUE;
    const GError *said = bkt_login_error(w->login);
    if (bkt_login_stage(w->login) == BKT_LOGIN_DONE) {
      g_clear_error(&w->outcome);
      w->result = bkt_host_entry_copy(bkt_login_result(w->login));
    } else if (said != NULL) {
      g_clear_error(&w->outcome);
      w->outcome = g_error_copy(said);
    }
    g_clear_pointer(&w->login, bkt_login_free);
    return;
  }
  if (bkt_login_stage(w->login) == BKT_LOGIN_DONE) {
    bkt_host_entry_free(w->result);
    w->result = bkt_host_entry_copy(bkt_login_result(w->login));
    g_clear_pointer(&w->login, bkt_login_free);
    go(w, UI_FLOW_LOGGED_IN);
  } else if (w->keep_earlier) {
    /* Nothing failed: the person kept the earlier login, and the engine says so. */
    w->quit = TRUE;
    g_clear_error(&w->outcome);
    w->outcome = g_error_copy(bkt_login_error(w->login));
    g_clear_pointer(&w->login, bkt_login_free);
  } else {
    GError *e = g_error_copy(bkt_login_error(w->login));
    g_clear_pointer(&w->login, bkt_login_free);
    fail(w, e);
  }
}

/* ---- the loop ---- */

/* Do what a screen asked for. */
static void
act(UiWizard *w, UiAction action)
{
  switch (action) {
  case UI_ACTION_STAY:
    break;
  case UI_ACTION_NEXT:
    go(w, UI_FLOW_NEXT);
    break;
  case UI_ACTION_BACK:
    go(w, UI_FLOW_BACK);
    break;
  case UI_ACTION_QUIT:
    end(w, TRUE);
    break;
  }
}

/* PgUp and PgDn (and the arrows where nothing else takes them) scroll the body. */
static gboolean
scroll_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (is_char)
    return FALSE;
  int page = MAX(1, w->body_rows - 1), by = 0;
  if (key == KEY_NPAGE)
    by = page;
  else if (key == KEY_PPAGE)
    by = -page;
  else if (screens[w->flow.screen]->arrows_scroll && (key == KEY_DOWN || key == KEY_UP))
    by = key == KEY_DOWN ? 1 : -1;
  else
    return FALSE;
  w->scroll = CLAMP(w->scroll + by, 0, MAX(0, w->content_rows - w->body_rows));
  w->follow_cursor = FALSE;
  w->dirty = TRUE;
  return TRUE;
}

static void
handle_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (!is_char && key == KEY_RESIZE) {
    w->dirty = TRUE;
    return;
  }
  if (w->cancelling) /* the screen says what is going on; it ends by itself */
    return;
  const UiScreen *s = screens[w->flow.screen];
  if (ui_frame_too_small()) {
    /* What the screen keeps in reach works there too. */
    if (ui_is_letter(is_char, key, 'q'))
      end(w, FALSE);
    else if (is_char && key < 128 && g_ascii_isalpha((int)key) && s->small_keys != NULL &&
             strchr(s->small_keys, g_ascii_tolower((int)key)) != NULL)
      act(w, s->key(w, is_char, key));
    return;
  }
  if (scroll_key(w, is_char, key))
    return;
  w->follow_cursor = TRUE;
  act(w, s->key(w, is_char, key));
}

static void
read_keys(UiWizard *w)
{
  wint_t key;
  int rc;
  /* Once text is to be shown outside, what follows is typed there. */
  while (!w->quit && w->outside == NULL && (rc = get_wch(&key)) != ERR)
    handle_key(w, rc == OK, key);
}

/* While text is shown outside the full screen, Enter brings the wizard back. */
static void
read_outside(UiWizard *w)
{
  char buf[256];
  ssize_t n = read(w->term.fd, buf, sizeof buf);
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\n' || buf[i] == '\r') {
      g_clear_pointer(&w->outside, g_free);
      return;
    }
}

/* Leave the full screen when there is text to show outside it, and come back after. */
static void
show_outside_or_resume(UiWizard *w)
{
  if (w->outside != NULL && !w->suspended) {
    ui_term_suspend(&w->term, w->outside);
    w->suspended = TRUE;
  } else if (w->outside == NULL && w->suspended) {
    w->suspended = FALSE;
    ui_term_resume(&w->term);
    w->dirty = TRUE;
  }
}

static int
min_timeout(int a, int b)
{
  return b < 0 ? a : a < 0 ? b : MIN(a, b);
}

static void
run_loop(UiWizard *w)
{
  while (!w->quit) {
    show_outside_or_resume(w);
    if (w->dirty && !w->suspended) {
      w->dirty = FALSE;
      ui_frame_draw(w);
    }
    struct pollfd fds[160];
    int n = 0;
    fds[n++] = (struct pollfd){ .fd = w->term.fd, .events = POLLIN };
    fds[n++] = (struct pollfd){ .fd = w->term.signal_fd, .events = POLLIN };
    int timeout = 1000; /* a clock on the screen, and a resize that slipped past poll */
    BktLogin *polled = w->login; /* a key may end it, or start another */
    int login_at = n, login_n = 0;
    if (w->login != NULL) {
      login_n = bkt_login_pollfds(w->login, fds + n, (int)G_N_ELEMENTS(fds) - n);
      n += login_n;
      timeout = min_timeout(timeout, bkt_login_timeout_ms(w->login));
    }
    if (w->check != NULL) {
      n += bkt_host_check_pollfds(w->check, fds + n, (int)G_N_ELEMENTS(fds) - n);
      timeout = min_timeout(timeout, bkt_host_check_timeout_ms(w->check));
    }
    if (w->lookup != NULL) {
      n += bkt_client_lookup_pollfds(w->lookup, fds + n, (int)G_N_ELEMENTS(fds) - n);
      timeout = min_timeout(timeout, bkt_client_lookup_timeout_ms(w->lookup));
    }
    if (w->switch_since != 0)
      timeout = min_timeout(timeout, BKT_LOCK_RETRY_MS); /* the lock is tried again */
    /* A resize interrupts poll: curses then has KEY_RESIZE for us. */
    gboolean interrupted = FALSE;
    if (poll(fds, (nfds_t)n, timeout) < 0) {
      if (errno != EINTR) {
        end(w, FALSE);
        break;
      }
      interrupted = TRUE;
    }

    if (ui_term_take_signal(&w->term) != 0) {
      end(w, FALSE);
      if (w->quit)
        break;
    }
    if (fds[0].revents != 0 || interrupted) {
      /* Outside the full screen the terminal reads lines and blocks: only what is there. */
      if (w->suspended) {
        if (fds[0].revents & POLLIN)
          read_outside(w);
      } else {
        read_keys(w);
      }
      if (w->quit)
        break;
    }
    if (w->login != NULL) {
      BktLoginStage before = bkt_login_stage(w->login);
      bkt_login_dispatch(w->login, fds + login_at, w->login == polled ? login_n : 0);
      BktLoginStage after = bkt_login_stage(w->login);
      /* The browser came back: show how the login goes on; a question stands alone. (Finding
       * the store, before the wait, is no reason: the address asked for then still holds.) */
      if (after != before && after > BKT_LOGIN_WAITING)
        g_clear_pointer(&w->outside, g_free);
      if (after != before && after == BKT_LOGIN_ASKING)
        ui_wizard_notice(w, FALSE, NULL);
      if (after == BKT_LOGIN_DONE || after == BKT_LOGIN_FAILED)
        login_finished(w);
    }
    if (w->check != NULL && bkt_host_check_dispatch(w->check))
      act(w, ui_host_check_done(w));
    if (w->lookup != NULL && bkt_client_lookup_dispatch(w->lookup))
      act(w, ui_accounts_lookup_done(w));
    if (w->switch_since != 0 && w->flow.screen == UI_SCREEN_SWITCH)
      act(w, ui_switch_retry(w));
    if (screens[w->flow.screen]->clock)
      w->dirty = TRUE;
  }
}

void
ui_wizard_result_clear(UiWizardResult *result)
{
  g_clear_pointer(&result->entry, bkt_host_entry_free);
}

gboolean
ui_wizard_run(const UiWizardOptions *opts, UiWizardResult *result, GError **error)
{
  *result = (UiWizardResult){ 0 };
  const BktLoginOptions *lo = &opts->login;
  UiWizard w = { .opts = opts, .dirty = TRUE, .follow_cursor = TRUE };
  ui_field_init(&w.host, FALSE);
  ui_field_init(&w.redirect, FALSE);
  ui_field_init(&w.client_id, FALSE);
  ui_field_init(&w.client_secret, TRUE);
  ui_field_init(&w.paste, FALSE);
  w.flow.kind = lo->kind;
  w.flow.cloud_consumer = bkt_cloud_consumer_known(lo->client_id, lo->client_secret);
  w.flow.dc_client = lo->client_id != NULL && lo->client_secret != NULL;
  w.flow.browser = !opts->no_browser && bkt_browser_unavailable_reason() == NULL;
  /* With logins stored and no host named, the first screen shows them. */
  if (lo->host == NULL && !opts->first_run) {
    g_autoptr(GPtrArray) stored = bkt_hosts_load(NULL);
    w.flow.logins = stored != NULL && stored->len > 0;
  }

  /* What the flags answered decides where to start. */
  gboolean ok = TRUE;
  if (lo->host != NULL) {
    BktHost h;
    ok = bkt_host_parse(lo->host, lo->kind, lo->allow_http, &h, error);
    if (ok) {
      w.flow.kind = h.kind;
      ui_field_set(&w.host, h.base_url);
      if (h.kind == BKT_KIND_DC)
        w.parsed = h;
      else
        bkt_host_clear(&h);
    }
  }
  if (lo->client_id != NULL)
    ui_field_set(&w.client_id, lo->client_id);
  if (lo->client_secret != NULL)
    ui_field_set(&w.client_secret, lo->client_secret);

  if (ok && ui_term_open(&w.term, error)) {
    ui_flow_start(&w.flow, opts->first_run);
    const UiScreen *first = screens[w.flow.screen];
    if (first->enter != NULL)
      first->enter(&w);
    /* A host from the command line is checked at once. */
    if (w.flow.screen == UI_SCREEN_HOST && w.parsed.key != NULL)
      ui_host_check_start(&w);
    run_loop(&w);
    ui_term_close(&w.term);
    ok = w.outcome == NULL;
    if (ok && w.switched != NULL)
      *result = (UiWizardResult){ UI_WIZARD_SWITCHED, g_steal_pointer(&w.switched) };
    else if (ok)
      *result = (UiWizardResult){ UI_WIZARD_LOGGED_IN, g_steal_pointer(&w.result),
                                  w.setup_bkt };
    else
      g_propagate_error(error, g_steal_pointer(&w.outcome));
  } else {
    ok = FALSE;
  }

  bkt_login_free(w.login);
  bkt_host_check_free(w.check);
  bkt_client_lookup_free(w.lookup);
  bkt_host_clear(&w.parsed);
  bkt_host_entry_free(w.result);
  bkt_host_entry_free(w.base);
  bkt_host_entry_free(w.switched);
  g_free(w.switch_host);
  if (w.hosts != NULL)
    g_ptr_array_unref(w.hosts);
  g_clear_error(&w.error);
  g_clear_error(&w.outcome);
  g_free(w.notice);
  g_free(w.outside);
  ui_field_clear(&w.host);
  ui_field_clear(&w.client_id);
  ui_field_clear(&w.client_secret);
  ui_field_clear(&w.paste);
  ui_field_clear(&w.redirect);
  return ok;
}
