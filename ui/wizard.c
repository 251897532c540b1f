/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "wizard.h"

#include <curses.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "client.h"
#include "error.h"
#include "http.h"
#include "probe.h"
#include "secret.h"
#include "tame.h"
#include "term.h"
#include "timefmt.h"
#include "widgets.h"

#define MIN_COLS 60
#define MIN_LINES 18
#define MAX_WIDTH 80

typedef enum {
  S_WELCOME,
  S_KIND,
  S_HOST,
  S_GUIDE,
  S_CREDS,
  S_LAUNCH,
  S_WAIT,
  S_DONE,
  S_FAILED,
  S_COUNT,
} ScreenId;

typedef enum {
  ACT_STAY,
  ACT_NEXT,
  ACT_BACK,
  ACT_QUIT,
} Action;

typedef struct Wizard Wizard;

/* One step of the wizard: enter prepares, draw shows state, key changes state (never draws). */
typedef struct {
  const char *title;
  void (*enter)(Wizard *w);
  void (*draw)(Wizard *w, int y, int x, int width, int height);
  Action (*key)(Wizard *w, gboolean is_char, wint_t key);
  const char *keys;
} Screen;

struct Wizard {
  UiTerm term;
  const BktWizardOptions *opts;
  ScreenId screen;
  ScreenId history[S_COUNT];
  int depth;
  gboolean dirty;
  gboolean quit;
  int exit_code;
  char *notice;           /* a short line under the body: "Copied", a problem */
  gboolean notice_is_error;

  BktKind kind;
  int kind_choice;        /* 0 Cloud, 1 Data Center */

  UiField host;
  BktHost parsed;
  BktHttp *probe;         /* while asking the host what it is */
  char *version;

  UiField client_id;
  UiField client_secret;
  int focus;              /* 0: client id, 1: secret */
  gboolean admin_message; /* the guide shows the message for an admin */

  BktLogin *login;
  GError *error;          /* why the last attempt failed */
  gboolean browser_opened;
  gboolean pasting;
  UiField paste;
  gboolean suspended;     /* the URL is printed outside the full screen */

  BktHostEntry *result;
};

static const Screen screens[S_COUNT];

/* ---- small helpers ---- */

static void
set_notice(Wizard *w, gboolean is_error, const char *text)
{
  g_free(w->notice);
  w->notice = g_strdup(text);
  w->notice_is_error = is_error;
  w->dirty = TRUE;
}

static const char *
glyph(const Wizard *w, const char *utf8, const char *ascii)
{
  return w->term.utf8 ? utf8 : ascii;
}

static gboolean
is_enter(gboolean is_char, wint_t key)
{
  return (is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER);
}

static gboolean
is_letter(gboolean is_char, wint_t key, char letter)
{
  return is_char && (key == (wint_t)letter || key == (wint_t)g_ascii_toupper(letter));
}

static gboolean
is_escape(gboolean is_char, wint_t key)
{
  return is_char && key == 27;
}

static int
key_attr(const Wizard *w)
{
  return ui_attr(&w->term, UI_PAIR_KEY, A_BOLD) | A_BOLD;
}

/* A line of key hints: "Enter open  c copy  q quit", the keys highlighted. */
static void
draw_keys(Wizard *w, int y, int x, int width, const char *hints)
{
  g_auto(GStrv) items = g_strsplit(hints, "  ", -1);
  int col = 0;
  for (char **it = items; *it; it++) {
    const char *space = strchr(*it, ' ');
    int klen = space ? (int)(space - *it) : (int)strlen(*it);
    int need = ui_width(*it) + 2;
    if (col + need > width)
      break;
    g_autofree char *k = g_strndup(*it, (gsize)klen);
    ui_line(stdscr, y, x + col, width - col, key_attr(w), k);
    ui_line(stdscr, y, x + col + ui_width(k), width - col - ui_width(k), A_NORMAL,
            space ? space : "");
    col += need;
  }
}

static BktLoginOptions
login_options(const Wizard *w)
{
  BktLoginOptions o = w->opts->login;
  o.kind = w->kind;
  o.host = w->kind == BKT_KIND_DC ? w->parsed.base_url : o.host;
  if (!ui_field_empty(&w->client_id))
    o.client_id = ui_field_text(&w->client_id);
  if (!ui_field_empty(&w->client_secret))
    o.client_secret = ui_field_text(&w->client_secret);
  return o;
}

static gboolean
needs_credentials(const Wizard *w)
{
  const BktLoginOptions *o = &w->opts->login;
  if (w->kind == BKT_KIND_CLOUD)
    return !bkt_cloud_consumer_known(o->client_id, o->client_secret);
  return o->client_id == NULL || o->client_secret == NULL;
}

static char *
redirect_for_guide(const Wizard *w)
{
  if (w->opts->login.redirect_uri != NULL)
    return g_strdup(w->opts->login.redirect_uri);
  if (w->kind == BKT_KIND_CLOUD)
    return g_strdup("http://127.0.0.1");
  return g_strdup_printf("http://localhost:%d/callback", BKT_DC_REDIRECT_PORT);
}

/* ---- moving between screens ---- */

static void
go(Wizard *w, ScreenId next, gboolean remember)
{
  if (remember && w->depth < S_COUNT)
    w->history[w->depth++] = w->screen;
  w->screen = next;
  g_clear_pointer(&w->notice, g_free);
  w->dirty = TRUE;
  if (screens[next].enter != NULL)
    screens[next].enter(w);
}

static void
go_back(Wizard *w)
{
  /* Screens that only show progress are not worth returning to. */
  while (w->depth > 0) {
    ScreenId prev = w->history[--w->depth];
    if (prev != S_LAUNCH && prev != S_WAIT && prev != S_FAILED) {
      go(w, prev, FALSE);
      return;
    }
  }
  go(w, S_KIND, FALSE);
}

/* The screen after the current one: the flow lives here and nowhere else. */
static ScreenId
next_screen(const Wizard *w)
{
  switch (w->screen) {
  case S_WELCOME:
    if (w->kind == BKT_KIND_UNKNOWN)
      return S_KIND;
    /* fall through */
  case S_KIND:
    if (w->kind == BKT_KIND_DC)
      return S_HOST;
    return needs_credentials(w) ? S_GUIDE : S_LAUNCH;
  case S_HOST:
    return needs_credentials(w) ? S_GUIDE : S_LAUNCH;
  case S_GUIDE:
    return S_CREDS;
  case S_CREDS:
    return S_LAUNCH;
  case S_LAUNCH:
    return S_WAIT;
  default:
    return w->screen;
  }
}

/* ---- the login, driven by events ---- */

static void
on_progress(BktLogin *login, BktLoginStage stage, gpointer user_data)
{
  Wizard *w = user_data;
  w->dirty = TRUE;
}

static void
fail_with(Wizard *w, GError *error)
{
  g_clear_error(&w->error);
  w->error = error;
  go(w, S_FAILED, TRUE);
}

static void
login_finished(Wizard *w)
{
  if (bkt_login_stage(w->login) == BKT_LOGIN_DONE) {
    bkt_host_entry_free(w->result);
    w->result = bkt_host_entry_copy(bkt_login_result(w->login));
    g_clear_pointer(&w->login, bkt_login_free);
    go(w, S_DONE, TRUE);
  } else if (bkt_login_stage(w->login) == BKT_LOGIN_FAILED) {
    GError *e = g_error_copy(bkt_login_error(w->login));
    g_clear_pointer(&w->login, bkt_login_free);
    fail_with(w, e);
  }
}

/* ---- welcome ---- */

static void
welcome_draw(Wizard *w, int y, int x, int width, int height)
{
  int n = ui_text(stdscr, y, x, width, height, A_BOLD,
                  _("Welcome to bkt-auth. Let's sign you in to Bitbucket."));
  n++;
  n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL,
               _("bkt-auth logs you in with OAuth in your browser, keeps the token in your "
                 "desktop's keyring, and refreshes it by itself. Git, the bkt CLI and scripts "
                 "then get a fresh token from 'bkt-auth token' whenever they need one."));
  n++;
  ui_text(stdscr, y + n, x, width, height - n, A_NORMAL,
          _("It takes about a minute. You need your Bitbucket account, and for a company "
            "server (Data Center) the address of that server."));
}

static Action
welcome_key(Wizard *w, gboolean is_char, wint_t key)
{
  return is_enter(is_char, key) ? ACT_NEXT : ACT_STAY;
}

/* ---- Cloud or Data Center ---- */

static void
kind_enter(Wizard *w)
{
  w->kind_choice = w->kind == BKT_KIND_DC ? 1 : 0;
}

static void
kind_draw(Wizard *w, int y, int x, int width, int height)
{
  int n = ui_text(stdscr, y, x, width, height, A_NORMAL, _("Where is your Bitbucket?"));
  n++;
  const char *labels[2] = {
    _("Bitbucket Cloud: bitbucket.org"),
    _("Bitbucket Data Center: your company's own server"),
  };
  for (int i = 0; i < 2; i++) {
    gboolean on = w->kind_choice == i;
    g_autofree char *row = g_strdup_printf("%s %s", on ? glyph(w, "›", ">") : " ", labels[i]);
    ui_line(stdscr, y + n + i, x + 2, width - 2, on ? A_REVERSE | A_BOLD : A_NORMAL, row);
  }
}

static Action
kind_key(Wizard *w, gboolean is_char, wint_t key)
{
  if ((!is_char && (key == KEY_UP || key == KEY_DOWN)) || is_letter(is_char, key, 'j') ||
      is_letter(is_char, key, 'k') || (is_char && key == '\t')) {
    w->kind_choice = 1 - w->kind_choice;
    w->dirty = TRUE;
    return ACT_STAY;
  }
  if (is_letter(is_char, key, 'c'))
    w->kind_choice = 0;
  else if (is_letter(is_char, key, 'd'))
    w->kind_choice = 1;
  else if (!is_enter(is_char, key))
    return ACT_STAY;
  w->kind = w->kind_choice == 0 ? BKT_KIND_CLOUD : BKT_KIND_DC;
  return ACT_NEXT;
}

/* ---- the Data Center's address ---- */

/* Parse the field as the person types; the engine says what is wrong. */
static gboolean
host_check(Wizard *w, GError **error)
{
  bkt_host_clear(&w->parsed);
  return bkt_host_parse(ui_field_text(&w->host), BKT_KIND_DC, w->opts->login.allow_http, &w->parsed,
                        error);
}

static void
host_enter(Wizard *w)
{
  curs_set(1);
}

static void
probe_start(Wizard *w)
{
  g_autoptr(GError) error = NULL;
  if (!host_check(w, &error)) {
    set_notice(w, TRUE, error->message);
    return;
  }
  BktHttpRequest req;
  g_autofree char *url = NULL;
  bkt_probe_request(&w->parsed, &req, &url);
  w->probe = bkt_http_new(w->opts->login.ca_file, &error);
  if (w->probe == NULL || !bkt_http_start(w->probe, &req, &error)) {
    g_clear_pointer(&w->probe, bkt_http_free);
    set_notice(w, TRUE, error->message);
    return;
  }
  g_autofree char *msg = g_strdup_printf(_("Asking %s what it is..."), w->parsed.key);
  set_notice(w, FALSE, msg);
}

static void
probe_finished(Wizard *w)
{
  BktHttpResponse resp;
  g_autoptr(GError) error = NULL;
  gboolean ok = bkt_http_finish(w->probe, &resp, &error);
  g_clear_pointer(&w->probe, bkt_http_free);
  g_clear_pointer(&w->version, g_free);
  if (ok) {
    ok = bkt_probe_take(&w->parsed, &resp, &w->version, &error);
    bkt_http_response_clear(&resp);
  }
  if (!ok) {
    set_notice(w, TRUE, error->message);
    return;
  }
  go(w, next_screen(w), TRUE);
}

static void
host_draw(Wizard *w, int y, int x, int width, int height)
{
  int n = ui_text(stdscr, y, x, width, height, A_NORMAL,
                  _("The address of your Bitbucket Data Center, as you open it in a browser "
                    "(for example https://git.example.com or https://example.com/bitbucket):"));
  n++;
  int field_row = y + n;
  n += 2;
  /* Say as the person types whether the address can be one. */
  if (!ui_field_empty(&w->host) && w->probe == NULL && w->notice == NULL) {
    g_autoptr(GError) error = NULL;
    BktHost h;
    if (bkt_host_parse(ui_field_text(&w->host), BKT_KIND_DC, w->opts->login.allow_http, &h, &error)) {
      /* TRANSLATORS: a check mark, then the address of the Data Center */
      g_autofree char *ok = g_strdup_printf(_("%s Bitbucket Data Center at %s"),
                                            glyph(w, "✓", "ok:"), h.base_url);
      ui_text(stdscr, y + n, x, width, 2, ui_attr(&w->term, UI_PAIR_OK, A_NORMAL), ok);
      bkt_host_clear(&h);
    } else {
      ui_text(stdscr, y + n, x, width, 3, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
              error->message);
    }
  }
  ui_field_draw(stdscr, field_row, x, width, &w->host, TRUE, w->term.utf8);
}

static Action
host_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (w->probe != NULL) {
    if (is_escape(is_char, key)) {
      g_clear_pointer(&w->probe, bkt_http_free);
      g_clear_pointer(&w->notice, g_free);
      w->dirty = TRUE;
    }
    return ACT_STAY;
  }
  if (is_enter(is_char, key)) {
    probe_start(w);
    return ACT_STAY;
  }
  if (is_escape(is_char, key))
    return ACT_BACK;
  if (ui_field_key(&w->host, is_char, key)) {
    g_clear_pointer(&w->notice, g_free);
    w->dirty = TRUE;
  }
  return ACT_STAY;
}

/* ---- how to get client credentials ---- */

static void
guide_enter(Wizard *w)
{
  w->admin_message = FALSE;
}

static char *
admin_message(const Wizard *w)
{
  g_autofree char *redirect = redirect_for_guide(w);
  return g_strdup_printf(
    _("Hello, could you create an application link on %s for bkt-auth? Administration > "
      "Applications > Application links > Create link > External application, direction "
      "Incoming. Name: bkt-auth. Redirect URL: %s. Permissions: Repositories: Write. Then send "
      "me the Client ID and the Client secret (by a private channel). Thank you!"),
    w->parsed.base_url, redirect);
}

static void
guide_draw(Wizard *w, int y, int x, int width, int height)
{
  g_autofree char *redirect = redirect_for_guide(w);
  int n = 0;
  if (w->admin_message) {
    n += ui_text(stdscr, y, x, width, height, A_NORMAL,
                 _("Send this to a Bitbucket admin (c copies it, u shows it outside this "
                   "screen):"));
    n++;
    g_autofree char *msg = admin_message(w);
    ui_text(stdscr, y + n, x + 2, width - 2, height - n, A_BOLD, msg);
    return;
  }
  if (w->kind == BKT_KIND_CLOUD) {
    n += ui_text(stdscr, y, x, width, height, A_NORMAL,
                 _("This build of bkt-auth has no OAuth consumer for Bitbucket Cloud. Add one "
                   "to a workspace you administer:"));
    n++;
    const char *steps[] = {
      _("1. Workspace settings > Apps and features > OAuth consumers > Add consumer"),
      _("2. Name: bkt-auth. Callback URL:"),
      _("3. Leave 'This is a private consumer' unticked"),
      _("4. Permissions: Account: Read, Repositories: Write (and what else you need)"),
      _("5. Save, then open the consumer to see its Key and Secret"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps) && n < height; i++) {
      n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, steps[i]);
      if (i == 1)
        ui_line(stdscr, y + n++, x + 3, width - 3, A_BOLD, redirect);
    }
    return;
  }
  n += ui_text(stdscr, y, x, width, height, A_NORMAL,
               _("bkt-auth needs an application link on your Bitbucket. An admin creates it "
                 "once (if you are not one, press m for a message to send):"));
  n++;
  const char *steps[] = {
    _("1. Administration > Applications > Application links > Create link"),
    _("2. External application, direction Incoming. Name: bkt-auth"),
    _("3. Redirect URL, exactly:"),
    _("4. Permissions: Repositories: Write (Account: Write for profile access)"),
    _("5. Save, then copy the Client ID and the Client secret"),
  };
  for (size_t i = 0; i < G_N_ELEMENTS(steps) && n < height; i++) {
    n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, steps[i]);
    if (i == 2)
      ui_line(stdscr, y + n++, x + 3, width - 3, A_BOLD, redirect);
  }
}

static void
show_outside(Wizard *w, const char *intro, const char *text, gboolean link);

static Action
guide_key(Wizard *w, gboolean is_char, wint_t key)
{
  g_autofree char *redirect = redirect_for_guide(w);
  if (is_letter(is_char, key, 'm') && w->kind == BKT_KIND_DC) {
    w->admin_message = !w->admin_message;
    w->dirty = TRUE;
  } else if (is_letter(is_char, key, 'c')) {
    g_autofree char *msg = w->admin_message ? admin_message(w) : NULL;
    ui_term_copy(&w->term, msg != NULL ? msg : redirect);
    set_notice(w, FALSE, msg != NULL ? _("Copied the message to the clipboard.")
                                     : _("Copied the redirect URL to the clipboard."));
  } else if (is_letter(is_char, key, 'u')) {
    g_autofree char *msg = w->admin_message ? admin_message(w) : NULL;
    show_outside(w, msg != NULL ? _("The message for your admin:") : _("The redirect URL:"),
                 msg != NULL ? msg : redirect, FALSE);
  } else if (is_enter(is_char, key)) {
    return ACT_NEXT;
  } else if (is_escape(is_char, key) || is_letter(is_char, key, 'b')) {
    return ACT_BACK;
  }
  return ACT_STAY;
}

/* ---- client ID and secret ---- */

static void
creds_enter(Wizard *w)
{
  w->focus = !ui_field_empty(&w->client_id) ? 1 : 0;
  curs_set(1);
}

static void
creds_draw(Wizard *w, int y, int x, int width, int height)
{
  gboolean cloud = w->kind == BKT_KIND_CLOUD;
  int n = ui_text(stdscr, y, x, width, height, A_NORMAL,
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
  ui_field_draw(stdscr, secret_row, x, width, &w->client_secret, w->focus == 1, w->term.utf8);
  ui_field_draw(stdscr, id_row, x, width, &w->client_id, w->focus == 0, w->term.utf8);
  if (w->focus == 1)
    ui_field_draw(stdscr, secret_row, x, width, &w->client_secret, TRUE, w->term.utf8);
}

/* A Data Center's credentials have a known shape; say so before a round trip fails. */
static gboolean
creds_check(Wizard *w)
{
  int bad_field = 0;
  g_autoptr(GError) error = NULL;
  if (bkt_client_credentials_check(w->kind, ui_field_text(&w->client_id), ui_field_text(&w->client_secret),
                                   &bad_field, &error))
    return TRUE;
  set_notice(w, TRUE, error->message);
  w->focus = bad_field;
  return FALSE;
}

static Action
creds_key(Wizard *w, gboolean is_char, wint_t key)
{
  if ((is_char && key == '\t') || (!is_char && (key == KEY_DOWN || key == KEY_UP ||
                                               key == KEY_BTAB))) {
    w->focus = 1 - w->focus;
    w->dirty = TRUE;
    return ACT_STAY;
  }
  if (is_enter(is_char, key)) {
    if (w->focus == 0 && ui_field_empty(&w->client_secret)) {
      w->focus = 1;
      w->dirty = TRUE;
      return ACT_STAY;
    }
    return creds_check(w) ? ACT_NEXT : ACT_STAY;
  }
  if (is_escape(is_char, key))
    return ACT_BACK;
  UiField *f = w->focus == 0 ? &w->client_id : &w->client_secret;
  if (ui_field_key(f, is_char, key)) {
    g_clear_pointer(&w->notice, g_free);
    w->dirty = TRUE;
  }
  return ACT_STAY;
}

/* ---- ready to open the browser ---- */

static void
launch_enter(Wizard *w)
{
  curs_set(0);
  g_clear_pointer(&w->login, bkt_login_free);
  w->browser_opened = FALSE;
  BktLoginOptions o = login_options(w);
  GError *error = NULL;
  w->login = bkt_login_new(&o, on_progress, w, &error);
  if (w->login == NULL) {
    fail_with(w, error);
    return;
  }
  /* Nowhere to open a browser: straight to the address and the paste-back. */
  if (w->opts->no_browser || bkt_browser_unavailable_reason() != NULL)
    go(w, S_WAIT, FALSE);
}

static void
launch_draw(Wizard *w, int y, int x, int width, int height)
{
  const BktHost *h = bkt_login_host(w->login);
  g_autofree char *what = g_strdup_printf(
    _("Next, your browser opens %s's sign-in page. Sign in if asked, then grant bkt-auth "
      "access. The browser then comes back to bkt-auth by itself."), h->key);
  int n = ui_text(stdscr, y, x, width, height, A_NORMAL, what);
  n++;
  ui_text(stdscr, y + n, x, width, height - n, A_BOLD, _("Press Enter to open the browser."));
}

static void
open_browser(Wizard *w)
{
  g_autoptr(GError) error = NULL;
  if (bkt_browser_open(bkt_login_authorize_url(w->login), &error)) {
    w->browser_opened = TRUE;
    set_notice(w, FALSE, _("Opened the browser."));
  } else {
    set_notice(w, TRUE, error->message);
  }
}

static Action
launch_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (is_enter(is_char, key)) {
    open_browser(w);
    return ACT_NEXT;
  }
  if (is_letter(is_char, key, 's')) {
    go(w, S_WAIT, TRUE);
    return ACT_STAY;
  }
  if (is_escape(is_char, key) || is_letter(is_char, key, 'b')) {
    g_clear_pointer(&w->login, bkt_login_free);
    return ACT_BACK;
  }
  return ACT_STAY;
}

/* ---- waiting for the browser, then the checklist ---- */

static void
wait_enter(Wizard *w)
{
  curs_set(0);
  w->pasting = FALSE;
  /* The browser was opened, or the address is shown: the wait for it starts now. */
  bkt_login_start_clock(w->login);
}

static void
format_clock(char *buf, size_t len, gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  g_snprintf(buf, len, "%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

static void
checklist_draw(Wizard *w, int y, int x, int width, int height)
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
  int n = ui_text(stdscr, y, x, width, height, ui_attr(&w->term, UI_PAIR_OK, A_BOLD),
                  _("The browser came back with an authorization."));
  n++;
  for (size_t i = 0; i < G_N_ELEMENTS(steps) && n < height; i++) {
    const char *mark = stage > steps[i].stage   ? glyph(w, "✓", "[x]")
                       : stage == steps[i].stage ? glyph(w, "›", "[>]")
                                                 : glyph(w, "·", "[ ]");
    int attr = stage > steps[i].stage ? ui_attr(&w->term, UI_PAIR_OK, A_NORMAL)
               : stage == steps[i].stage ? (int)A_BOLD
                                         : ui_attr(&w->term, UI_PAIR_DIM, A_DIM);
    g_autofree char *row = g_strdup_printf("%s %s", mark, _(steps[i].label));
    gint64 since = bkt_login_lock_waiting_since(w->login);
    if (stage == steps[i].stage && stage == BKT_LOGIN_STORING && since > 0) {
      int waited = (int)((g_get_monotonic_time() - since) / G_USEC_PER_SEC);
      g_autofree char *wait = g_strdup_printf(
        /* TRANSLATORS: after "Storing the token in the keyring" while another bkt-auth holds
           the store's lock */
        g_dngettext(GETTEXT_PACKAGE, " (another bkt-auth holds the store: waited %d second)",
                    " (another bkt-auth holds the store: waited %d seconds)", waited),
        waited);
      char *longer = g_strconcat(row, wait, NULL);
      g_free(row);
      row = longer;
    }
    ui_line(stdscr, y + n++, x + 2, width - 2, attr, row);
  }
}

static void wait_explain(Wizard *w, int y, int x, int width, int height);

/* The browser came back over a connection whose owner is unknown: the person decides. */
static void
ask_draw(Wizard *w, int y, int x, int width, int height)
{
  const BktHostEntry *e = bkt_login_entry(w->login);
  g_autofree char *q =
    g_strdup_printf(_("Logged in as %s on %s: keep this login? (y/n) "),
                    e->username != NULL ? e->username : "?", e->key);
  int n = ui_text(stdscr, y, x, width, height, A_BOLD, q);
  n++;
  ui_text(stdscr, y + n, x, width, height - n, A_NORMAL,
          _("The browser came back over a connection bkt-auth cannot trace to you. Keep the "
            "login only if that is your account."));
}

static void
wait_draw(Wizard *w, int y, int x, int width, int height)
{
  if (w->login == NULL)
    return;
  if (bkt_login_stage(w->login) == BKT_LOGIN_ASKING) {
    ask_draw(w, y, x, width, height);
    return;
  }
  if (bkt_login_stage(w->login) > BKT_LOGIN_WAITING) {
    checklist_draw(w, y, x, width, height);
    return;
  }
  /* The paste field keeps its rows at the bottom; the explanation gets what is left. */
  if (w->pasting) {
    const char *prompt = _("Paste the address from the browser's address bar, then Enter:");
    g_auto(GStrv) lines = ui_wrap(prompt, width);
    int prompt_rows = (int)g_strv_length(lines);
    int field_row = y + height - 1;
    ui_text(stdscr, field_row - prompt_rows, x, width, prompt_rows, A_BOLD, prompt);
    height -= prompt_rows + 2;
    wait_explain(w, y, x, width, height);
    ui_field_draw(stdscr, field_row, x, width, &w->paste, TRUE, w->term.utf8);
    curs_set(1);
    return;
  }
  curs_set(0);
  wait_explain(w, y, x, width, height);
}

/* What to do while the browser has not come back, the listener and the clock. */
static void
wait_explain(Wizard *w, int y, int x, int width, int height)
{
  int n = 0;
  int budget = height - 2; /* the last two rows: the listener and the clock */
  gboolean ssh = bkt_env_is_ssh() && bkt_browser_unavailable_reason() != NULL;
  const char *redirect = bkt_login_redirect_uri(w->login);
  if (ssh) {
    n += ui_text(stdscr, y + n, x, width, budget - n, A_BOLD,
                 _("You are on SSH: your browser cannot reach this machine by itself."));
    n += ui_text(stdscr, y + n, x, width, budget - n, A_NORMAL,
                 _("Copy the address (c) and open it in your browser. When the browser ends on "
                   "an error page, copy the address it shows and paste it here (p). Or forward "
                   "the port from your computer first:"));
    g_autofree char *fwd = bkt_ssh_forward_command(bkt_login_port(w->login));
    if (n < budget)
      ui_line(stdscr, y + n++, x + 2, width - 2, A_BOLD, fwd);
  } else if (w->browser_opened) {
    n += ui_text(stdscr, y + n, x, width, budget - n, A_NORMAL,
                 _("Waiting for you to grant access in the browser. If no browser opened, copy "
                   "the address (c) or show it (u), and open it yourself."));
  } else {
    const char *why = w->opts->no_browser ? _("--no-browser was given")
                                          : bkt_browser_unavailable_reason();
    g_autofree char *msg = g_strdup_printf(
      _("Open the sign-in address in a browser (%s here): copy it (c) or show it to select "
        "(u). If the browser ends on an error page, paste its address here (p)."),
      why != NULL ? why : "");
    n += ui_text(stdscr, y + n, x, width, budget - n, A_NORMAL, msg);
  }
  n = MIN(n + 1, budget);
  /* TRANSLATORS: %s is the redirect URL bkt-auth waits on, e.g. http://127.0.0.1:8080/callback */
  g_autofree char *listen = g_strdup_printf(_("Listening on %s"), redirect);
  gint64 now = g_get_monotonic_time();
  gint64 left = (bkt_login_deadline(w->login) - now) / G_USEC_PER_SEC;
  char left_s[16];
  format_clock(left_s, sizeof left_s, left);
  /* TRANSLATORS: %s is minutes and seconds, e.g. 4:59 */
  g_autofree char *clock = g_strdup_printf(_("Time left: %s"), left_s);
  ui_line(stdscr, y + n++, x, width, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL), listen);
  ui_line(stdscr, y + n, x, width, A_NORMAL, clock);
}

static Action
wait_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (w->login == NULL)
    return ACT_STAY;
  if (bkt_login_stage(w->login) == BKT_LOGIN_ASKING &&
      (is_letter(is_char, key, 'y') || is_letter(is_char, key, 'n'))) {
    bkt_login_keep_account(w->login, is_letter(is_char, key, 'y'));
    return ACT_STAY;
  }
  if (bkt_login_stage(w->login) > BKT_LOGIN_WAITING) {
    if (is_letter(is_char, key, 'q') || is_escape(is_char, key)) {
      bkt_login_cancel(w->login);
      w->exit_code = 2;
      return ACT_QUIT;
    }
    return ACT_STAY;
  }
  if (w->pasting) {
    if (is_escape(is_char, key)) {
      w->pasting = FALSE;
      w->dirty = TRUE;
    } else if (is_enter(is_char, key)) {
      g_autoptr(GError) error = NULL;
      if (bkt_login_paste(w->login, ui_field_text(&w->paste), &error)) {
        w->pasting = FALSE;
        ui_field_set(&w->paste, "");
        g_clear_pointer(&w->notice, g_free);
      } else {
        set_notice(w, TRUE, error->message);
      }
    } else if (ui_field_key(&w->paste, is_char, key)) {
      w->dirty = TRUE;
    }
    return ACT_STAY;
  }
  const char *url = bkt_login_authorize_url(w->login);
  if (is_letter(is_char, key, 'o')) {
    open_browser(w);
  } else if (is_letter(is_char, key, 'c')) {
    ui_term_copy(&w->term, url);
    set_notice(w, FALSE, _("Copied the address to the clipboard (if your terminal allows it)."));
  } else if (is_letter(is_char, key, 'u')) {
    show_outside(w, _("Open this address in a browser:"), url, TRUE);
  } else if (is_letter(is_char, key, 'p')) {
    w->pasting = TRUE;
    ui_field_set(&w->paste, "");
    w->dirty = TRUE;
  } else if (is_letter(is_char, key, 'q') || is_escape(is_char, key)) {
    bkt_login_cancel(w->login);
    w->exit_code = 2;
    return ACT_QUIT;
  }
  return ACT_STAY;
}

/* ---- logged in ---- */

static void
done_draw(Wizard *w, int y, int x, int width, int height)
{
  const BktHostEntry *e = w->result;
  /* TRANSLATORS: a check mark, the host, the user name, and the display name */
  g_autofree char *who =
    e->display_name != NULL
      ? g_strdup_printf(_("%s Logged in to %s as %s (%s)."), glyph(w, "✓", "OK"), e->key,
                        e->username ? e->username : "?", e->display_name)
      : g_strdup_printf(_("%s Logged in to %s as %s."), glyph(w, "✓", "OK"), e->key,
                        e->username ? e->username : "?");
  int n = ui_text(stdscr, y, x, width, height, ui_attr(&w->term, UI_PAIR_OK, A_BOLD) | A_BOLD,
                  who);
  n++;
  g_autofree char *where = bkt_storage_describe(e->storage);
  g_autofree char *kept = g_strdup_printf(_("The token is kept in %s."), where);
  n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, kept);
  if (e->expires_at > 0) {
    g_autofree char *when = bkt_describe_expiry(e->expires_at);
    /* TRANSLATORS: %s is "expires 2026-01-31 14:00 (in 2 hours)" or "expired ... (... ago)" */
    g_autofree char *line = g_strdup_printf(_("It %s and is refreshed by itself."), when);
    n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, line);
  } else {
    n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL,
                 _("It does not expire on its own; 'bkt-auth logout' removes it."));
  }
  if (e->scopes != NULL && *e->scopes) {
    g_autofree char *scopes = g_strdup_printf(_("Scopes: %s"), e->scopes);
    n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, scopes);
  }
  n++;
  ui_text(stdscr, y + n, x, width, height - n, ui_attr(&w->term, UI_PAIR_DIM, A_NORMAL),
          _("Next: 'bkt-auth token' prints a fresh token for git and scripts; 'bkt-auth "
            "status' shows this again."));
}

static Action
done_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (is_enter(is_char, key) || is_letter(is_char, key, 'q') || is_escape(is_char, key)) {
    w->exit_code = 0;
    return ACT_QUIT;
  }
  return ACT_STAY;
}

/* ---- something went wrong ---- */

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

static void
failed_draw(Wizard *w, int y, int x, int width, int height)
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
}

static Action
failed_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (is_letter(is_char, key, 'r')) {
    go(w, S_LAUNCH, FALSE);
    return ACT_STAY;
  }
  if (is_letter(is_char, key, 'b')) {
    g_clear_error(&w->error);
    return ACT_BACK;
  }
  if (is_letter(is_char, key, 'q') || is_escape(is_char, key)) {
    w->exit_code = bkt_error_exit_code(w->error);
    return ACT_QUIT;
  }
  return ACT_STAY;
}

static const Screen screens[S_COUNT] = {
  [S_WELCOME] = { N_("Welcome"), NULL, welcome_draw, welcome_key,
                  N_("Enter start  q quit") },
  [S_KIND] = { N_("Cloud or Data Center"), kind_enter, kind_draw, kind_key,
               N_("↑↓ choose  c Cloud  d Data Center  Enter next  q quit") },
  [S_HOST] = { N_("Your Bitbucket"), host_enter, host_draw, host_key,
               N_("Enter check  Esc back  ^C quit") },
  [S_GUIDE] = { N_("Application link"), guide_enter, guide_draw, guide_key,
                N_("Enter next  c copy  u show  m message for an admin  b back  q quit") },
  [S_CREDS] = { N_("Client credentials"), creds_enter, creds_draw, creds_key,
                N_("Tab switch  Enter next  Esc back  ^C quit") },
  [S_LAUNCH] = { N_("Sign in"), launch_enter, launch_draw, launch_key,
                 N_("Enter open browser  s show the address instead  b back  q quit") },
  [S_WAIT] = { N_("Waiting for the browser"), wait_enter, wait_draw, wait_key,
               N_("o browser  c copy  u show  p paste  q cancel") },
  [S_DONE] = { N_("Logged in"), NULL, done_draw, done_key, N_("Enter finish") },
  [S_FAILED] = { N_("Not logged in"), NULL, failed_draw, failed_key,
                 N_("r retry  b back  q quit") },
};

/* ---- outside the full screen: text the terminal can select whole ---- */

static void
show_outside(Wizard *w, const char *intro, const char *text, gboolean link)
{
  g_autoptr(GString) out = g_string_new("\n");
  g_string_append_printf(out, "%s\n\n", intro);
  if (link) /* OSC 8: terminals that know it make the address clickable. */
    g_string_append_printf(out, "\033]8;;%s\033\\%s\033]8;;\033\\\n\n", text, text);
  else
    g_string_append_printf(out, "%s\n\n", text);
  g_string_append(out, _("Select and copy it, then press Enter to return to bkt-auth."));
  g_string_append(out, " ");
  ui_term_suspend(&w->term, out->str);
  w->suspended = TRUE;
}

static void
resume(Wizard *w)
{
  w->suspended = FALSE;
  ui_term_resume(&w->term);
  w->dirty = TRUE;
}

/* ---- the loop ---- */

static void
draw(Wizard *w)
{
  erase();
  if (COLS < MIN_COLS || LINES < MIN_LINES) {
    curs_set(0);
    g_autofree char *msg = g_strdup_printf(
      _("bkt-auth needs a terminal of at least %d×%d; this one is %d×%d. Make it larger, or "
        "press q to quit."), MIN_COLS, MIN_LINES, COLS, LINES);
    ui_text(stdscr, 0, 0, COLS, LINES, A_BOLD, msg);
    refresh();
    return;
  }
  const Screen *s = &screens[w->screen];
  const char *screen_title = _(s->title), *keys = _(s->keys);
  if (w->screen == S_WAIT && w->login != NULL && bkt_login_stage(w->login) > BKT_LOGIN_WAITING) {
    screen_title = _("Finishing");
    keys = _("q cancel");
  }
  int width = MIN(COLS, MAX_WIDTH) - 4;
  int x = (COLS - width) / 2;
  int title_attr = ui_attr(&w->term, UI_PAIR_TITLE, A_BOLD) | A_BOLD;
  g_autofree char *title = g_strdup_printf("bkt-auth  %s  %s", glyph(w, "·", "-"), screen_title);
  ui_line(stdscr, 1, x, width, title_attr, title);
  mvhline(2, x, ACS_HLINE, width);
  int body_y = 4, body_h = LINES - body_y - 4;
  if (w->notice != NULL) {
    int attr = w->notice_is_error ? ui_attr(&w->term, UI_PAIR_ERROR, A_BOLD) | A_BOLD : A_BOLD;
    ui_text(stdscr, LINES - 4, x, width, 2, attr, w->notice);
    body_h -= 1;
  }
  mvhline(LINES - 2, x, ACS_HLINE, width);
  draw_keys(w, LINES - 1, x, width, keys);
  /* The body draws last so that a focused field keeps the cursor. */
  s->draw(w, body_y, x, width, body_h);
  refresh();
}

static void
handle_key(Wizard *w, gboolean is_char, wint_t key)
{
  if (!is_char && key == KEY_RESIZE) {
    w->dirty = TRUE;
    return;
  }
  if (COLS < MIN_COLS || LINES < MIN_LINES) {
    if (is_letter(is_char, key, 'q')) {
      if (w->login != NULL)
        bkt_login_cancel(w->login);
      w->exit_code = 2;
      w->quit = TRUE;
    }
    return;
  }
  /* q quits from screens without a text field; ^C is a signal and handled apart. */
  gboolean typing = w->screen == S_HOST || w->screen == S_CREDS || w->pasting;
  if (!typing && w->screen != S_WAIT && w->screen != S_DONE && w->screen != S_FAILED &&
      is_letter(is_char, key, 'q')) {
    w->exit_code = 2;
    w->quit = TRUE;
    return;
  }
  switch (screens[w->screen].key(w, is_char, key)) {
  case ACT_STAY:
    break;
  case ACT_NEXT:
    go(w, next_screen(w), TRUE);
    break;
  case ACT_BACK:
    go_back(w);
    break;
  case ACT_QUIT:
    w->quit = TRUE;
    break;
  }
}

static void
read_keys(Wizard *w)
{
  wint_t key;
  int rc;
  while ((rc = get_wch(&key)) != ERR && !w->quit)
    handle_key(w, rc == OK, key);
}

/* While the URL is shown outside the full screen, Enter brings the wizard back. */
static void
read_suspended(Wizard *w)
{
  char buf[256];
  ssize_t n = read(w->term.fd, buf, sizeof buf);
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\n' || buf[i] == '\r') {
      resume(w);
      return;
    }
}

static int
run_loop(Wizard *w)
{
  while (!w->quit) {
    if (w->dirty && !w->suspended) {
      w->dirty = FALSE;
      draw(w);
    }
    struct pollfd fds[160];
    int n = 0;
    fds[n++] = (struct pollfd){ .fd = w->term.fd, .events = POLLIN };
    fds[n++] = (struct pollfd){ .fd = w->term.signal_fd, .events = POLLIN };
    int first_engine = n;
    int timeout = 1000; /* the clock on the waiting screen */
    if (w->login != NULL) {
      n += bkt_login_pollfds(w->login, fds + n, (int)G_N_ELEMENTS(fds) - n);
      int t = bkt_login_timeout_ms(w->login);
      if (t >= 0)
        timeout = MIN(timeout, t);
    }
    if (w->probe != NULL) {
      n += bkt_http_pollfds(w->probe, fds + n, (int)G_N_ELEMENTS(fds) - n);
      timeout = MIN(timeout, bkt_http_timeout_ms(w->probe));
    }
    /* A resize interrupts poll: curses then has KEY_RESIZE for us. */
    gboolean interrupted = FALSE;
    if (poll(fds, (nfds_t)n, timeout) < 0) {
      if (errno != EINTR)
        break;
      interrupted = TRUE;
    }

    if (ui_term_take_signal(&w->term) != 0) {
      if (w->login != NULL)
        bkt_login_cancel(w->login);
      w->exit_code = 2;
      break;
    }
    if (fds[0].revents != 0 || interrupted) {
      if (w->suspended)
        read_suspended(w);
      else
        read_keys(w);
    }
    if (w->login != NULL) {
      BktLoginStage before = bkt_login_stage(w->login);
      bkt_login_dispatch(w->login, fds + first_engine, n - first_engine);
      BktLoginStage after = w->login != NULL ? bkt_login_stage(w->login) : before;
      if (after == BKT_LOGIN_DONE || after == BKT_LOGIN_FAILED) {
        if (w->suspended)
          resume(w);
        login_finished(w);
      } else if (after != before && w->suspended) {
        resume(w);
      }
    }
    if (w->probe != NULL && bkt_http_dispatch(w->probe))
      probe_finished(w);
    if (w->screen == S_WAIT)
      w->dirty = TRUE;
  }
  return w->exit_code;
}

int
bkt_wizard_run(const BktWizardOptions *opts, BktHostEntry **result)
{
  *result = NULL;
  Wizard w = { .opts = opts, .dirty = TRUE, .exit_code = 2 };
  ui_field_init(&w.host, FALSE);
  ui_field_init(&w.client_id, FALSE);
  ui_field_init(&w.client_secret, TRUE);
  ui_field_init(&w.paste, FALSE);
  w.kind = opts->login.kind;

  /* What the flags answered decides where to start. */
  GError *error = NULL;
  if (opts->login.host != NULL) {
    BktHost h;
    if (!bkt_host_parse(opts->login.host, opts->login.kind, opts->login.allow_http, &h, &error)) {
      fprintf(stderr, "bkt-auth: %s\n", error->message);
      int code = bkt_error_exit_code(error);
      g_clear_error(&error);
      return code;
    }
    w.kind = h.kind;
    ui_field_set(&w.host, h.base_url);
    if (h.kind == BKT_KIND_DC)
      w.parsed = h;
    else
      bkt_host_clear(&h);
  }
  if (opts->login.client_id != NULL)
    ui_field_set(&w.client_id, opts->login.client_id);
  if (opts->login.client_secret != NULL)
    ui_field_set(&w.client_secret, opts->login.client_secret);

  if (!ui_term_open(&w.term, &error)) {
    fprintf(stderr, "bkt-auth: %s\n", error->message);
    g_clear_error(&error);
    return 1;
  }
  ScreenId start = opts->first_run ? S_WELCOME : S_KIND;
  if (!opts->first_run && w.kind != BKT_KIND_UNKNOWN) {
    w.screen = S_KIND;
    start = next_screen(&w);
  }
  w.screen = start;
  if (start == S_HOST && w.parsed.key != NULL) {
    /* The host came on the command line: check it at once. */
    go(&w, S_HOST, FALSE);
    probe_start(&w);
  } else {
    go(&w, start, FALSE);
  }
  int code = run_loop(&w);
  ui_term_close(&w.term);

  if (code == 0 && w.result != NULL)
    *result = g_steal_pointer(&w.result);
  else if (code == 2 && w.error == NULL)
    fprintf(stderr, _("bkt-auth: login cancelled\n"));
  else if (w.error != NULL && code != 0)
    fprintf(stderr, "bkt-auth: %s\n", w.error->message);

  bkt_login_free(w.login);
  bkt_http_free(w.probe);
  bkt_host_clear(&w.parsed);
  bkt_host_entry_free(w.result);
  g_clear_error(&w.error);
  g_free(w.notice);
  g_free(w.version);
  ui_field_clear(&w.host);
  ui_field_clear(&w.client_id);
  ui_field_clear(&w.client_secret);
  ui_field_clear(&w.paste);
  return code;
}
