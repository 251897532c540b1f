/* SPDX-License-Identifier: MIT */
#pragma once

/* Inside the wizard: its state, the screens' interface, and what the screens share. */

#include <curses.h>
#include <glib.h>

#include "client.h"
#include "clientlookup.h"
#include "flow.h"
#include "hostcheck.h"
#include "login.h"
#include "term.h"
#include "widgets.h"
#include "wizard.h"

typedef struct UiWizard UiWizard;

/* What a key asks for. */
typedef enum {
  UI_ACTION_STAY, /* handled here, or ignored */
  UI_ACTION_NEXT, /* this screen is done: on as the flow says (on a failure: try again) */
  UI_ACTION_BACK, /* to the last screen that asked something */
  UI_ACTION_QUIT, /* leave: logged in from the done screen, with the failure from the failed
                     one, cancelled from any other */
} UiAction;

/*
 * One screen of the wizard. enter prepares it and is the last thing a move does, so it may move
 * on at once (a login that cannot start goes to the failure screen); leave tidies up before the
 * next screen enters. draw shows the state from row y down, as far as the body goes: the frame
 * scrolls what does not fit. It changes nothing; a field or a list's chosen entry puts the
 * cursor there (ui_cursor). key changes the state and says what to do next; it never draws.
 */
typedef struct {
  const char *title; /* N_() */
  const char *keys;  /* N_(): "Enter next  q quit", each key then what it does */
  void (*enter)(UiWizard *w);                                       /* or NULL */
  void (*leave)(UiWizard *w);                                       /* or NULL */
  void (*draw)(const UiWizard *w, int y, int x, int width);
  UiAction (*key)(UiWizard *w, gboolean is_char, wint_t key);
  /* Or NULL: a title and keys that depend on the state, translated. */
  void (*labels)(const UiWizard *w, const char **title, const char **keys);
  /* Or NULL: what must stay in reach on a terminal below the minimum size, drawn under the
   * message in height rows, and the letters its key function takes there. */
  void (*small)(const UiWizard *w, int y, int x, int width, int height);
  const char *small_keys;
  gboolean clock;         /* shows the time: redrawn every second */
  gboolean arrows_scroll; /* no list or field takes the arrow keys: they scroll the body */
} UiScreen;

/* ui_screen_welcome, ui_screen_kind, ...: one per file, screen-NAME.c. */
#define UI_SCREEN_DECLARE(id, name) extern const UiScreen ui_screen_##name;
UI_SCREENS(UI_SCREEN_DECLARE)
#undef UI_SCREEN_DECLARE

struct UiWizard {
  UiTerm term;
  const UiWizardOptions *opts;
  UiFlow flow;            /* the screen shown, the kind chosen, the way back */
  gboolean dirty;         /* draw before waiting again */
  gboolean quit;          /* leave the loop */
  gboolean cancelling;    /* cancelled: the login puts back what it changed, then the loop
                             ends */
  GError *outcome;        /* once quit: why there is no login, or NULL when logged in */
  char *notice;           /* a short line under the body: "Copied", a problem */
  gboolean notice_is_error;
  char *outside;          /* text to show outside the full screen until Enter, or NULL */
  gboolean suspended;     /* the loop has left the full screen to show it */
  int scroll;             /* rows of the body scrolled out of view at the top */
  int body_rows;          /* as last drawn: the rows the body had, and the rows it took */
  int content_rows;
  gboolean follow_cursor; /* bring the cursor into view at the next draw */

  GPtrArray *hosts;       /* accounts, switch, done: the stored logins, as last read */
  int account_choice;     /* accounts: the entry of its list chosen */
  BktHostEntry *base;     /* another account: the active login of the stored host it joins */
  BktClientLookup *lookup; /* another account: reading that host's client credentials */
  char *switch_host;      /* switch: the host whose active account to choose */
  int switch_choice;      /* switch: the account chosen */
  BktHostEntry *switched; /* switch: the account made active, which ends the wizard */
  gint64 switch_since;    /* switch: since when it waits for another bkt-auth's lock, or 0 */
  gboolean bkt_on_path;   /* done: the bkt CLI is installed here */
  gboolean setup_bkt;     /* done: set bkt up to use this login once the wizard is gone */

  int kind_choice;        /* kind: 0 Cloud, 1 Data Center */

  UiField host;           /* host: what the person typed */
  BktHost parsed;         /* and what it means, once checked or given */
  BktHostCheck *check;    /* while asking the host what it is */

  gboolean admin_message; /* guide: the message for an admin instead of the steps */
  UiField client_id;      /* creds */
  UiField client_secret;
  int focus;              /* creds: 0 the client ID, 1 the secret */

  UiField redirect;       /* guide: the redirect URI, as --redirect-uri gives it */
  gboolean editing_redirect;

  BktLogin *login;        /* the attempt, from the sign-in until it ends */
  gboolean open_browser;  /* wait: open the browser on entering (Enter on the sign-in) */
  gboolean browser_opened;
  gboolean pasting;       /* wait: the paste field is open */
  UiField paste;
  gboolean keep_earlier;  /* wait: the person kept the earlier login of the same account
                             rather than replace it, which ends the wizard */

  BktHostEntry *result;   /* done: what was stored */
  GError *error;          /* failed: why the last attempt failed */
};

/* Keys (is_char: a character, else a KEY_* code). */
gboolean ui_is_enter(gboolean is_char, wint_t key);
gboolean ui_is_escape(gboolean is_char, wint_t key);
/* The letter in either case. */
gboolean ui_is_letter(gboolean is_char, wint_t key, char letter);

/* utf8 when the terminal can show it, else ascii. */
const char *ui_wizard_glyph(const UiWizard *w, const char *utf8, const char *ascii);
/* text with the glyphs the terminal cannot show ("↑↓", "×") in ASCII; newly allocated. */
char *ui_wizard_plain(const UiWizard *w, const char *text);
const UiScreen *ui_wizard_screen(UiScreenId id);
/* The redirect URI the login will listen on: the one the person set, or NULL for the
 * platform's. */
const char *ui_wizard_redirect(const UiWizard *w);

/* The frame (frame.c): the title, the scrolling body, the notice and the keys. */
gboolean ui_frame_too_small(void);
void ui_frame_draw(UiWizard *w);
/* Say text under the body until the next move; NULL clears it. */
void ui_wizard_notice(UiWizard *w, gboolean is_error, const char *text);
/* An engine's message (lower case, to follow "bkt-auth: "), standing alone: with a capital
 * and a full stop; newly allocated. */
char *ui_wizard_sentence(const char *message);
/* Say what went wrong under the body, as a sentence. */
void ui_wizard_notice_error(UiWizard *w, const GError *error);
/* "Another bkt-auth is using the store ...: waited N seconds. q cancels."; newly allocated. */
char *ui_wizard_lock_wait(int waited);
/* Leave the full screen to show text the terminal can select whole; Enter comes back. link:
 * text is an address to make clickable. */
void ui_wizard_show_outside(UiWizard *w, const char *intro, const char *text, gboolean link);
/* Start a new attempt with what the person gave; FALSE after moving to the failure screen. */
gboolean ui_wizard_start_login(UiWizard *w);
/* Open the attempt's authorize URL in the browser, saying how that went. */
void ui_wizard_open_browser(UiWizard *w);

/* The host screen's check (screen-host.c): start it for the host in the field, and act on its
 * answer once bkt_host_check_dispatch says it has one. */
void ui_host_check_start(UiWizard *w);
UiAction ui_host_check_done(UiWizard *w);
/* The switch screen's try again, while another bkt-auth holds the store's lock (screen-switch.c):
 * called from the loop every little while as long as w->switch_since is set. */
UiAction ui_switch_retry(UiWizard *w);

/* The accounts screen's reading of a stored host's client credentials (screen-accounts.c): act
 * on it once bkt_client_lookup_dispatch says it has finished. */
UiAction ui_accounts_lookup_done(UiWizard *w);

/* "alice (Alice Example)": an account as people know it; newly allocated. */
char *ui_account_name(const BktHostEntry *e);
/* The accounts of host key in hosts, in the order stored (borrowed). */
GPtrArray *ui_host_accounts(GPtrArray *hosts, const char *key);
