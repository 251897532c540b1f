/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "host.h"
#include "hosts.h"

/*
 * One login attempt as a state machine. A front end creates it, shows the authorize URL once
 * the login waits for the browser, then feeds it events from its own poll loop: descriptors
 * ready (bkt_login_dispatch, which also handles the clock), a pasted redirect URL, the
 * person's answer, or cancel. Every wait is on a descriptor or a deadline the login hands
 * out; nothing here blocks or touches a terminal. Progress is reported through a callback at
 * each change of stage.
 */
typedef struct BktLogin BktLogin;

typedef enum {
  BKT_LOGIN_STARTING,   /* finding the secret store */
  BKT_LOGIN_WAITING,    /* for the browser's redirect or a pasted URL */
  BKT_LOGIN_EXCHANGING, /* the code for tokens */
  BKT_LOGIN_VERIFYING,  /* who the token belongs to */
  BKT_LOGIN_ASKING,     /* whether to keep the account: bkt_login_keep_account() */
  BKT_LOGIN_STORING,    /* into the secret store, under its lock */
  BKT_LOGIN_CONFIRMING, /* one call with the token read back from the store */
  BKT_LOGIN_DONE,
  BKT_LOGIN_FAILED,     /* see bkt_login_error(); cancelled is a failure with BKT_ERROR_CANCELLED */
} BktLoginStage;

typedef struct {
  const char *host;          /* what the user typed; NULL means Bitbucket Cloud */
  BktKind kind;              /* BKT_KIND_UNKNOWN: decide from the host */
  const char *client_id;     /* NULL: Cloud takes BKT_OAUTH_CLIENT_ID or the built-in one */
  const char *client_secret; /* likewise */
  const char *redirect_uri;  /* NULL: Cloud 127.0.0.1 on a free port, DC the documented one */
  const char *scopes;        /* NULL: the platform's default */
  const char *ca_file;
  gboolean allow_http;
  const char *storage;       /* BKT_STORAGE_*; NULL: BKT_AUTH_STORAGE, else chosen */
  int timeout_s;             /* how long to wait for the browser; 0: 300 */
  gboolean confirm_replace;  /* stop in BKT_LOGIN_ASKING before replacing the same account */
} BktLoginOptions;

/* What BKT_LOGIN_ASKING asks. */
typedef enum {
  BKT_LOGIN_ASK_NOTHING,
  BKT_LOGIN_ASK_OWNER,   /* the browser came back over a connection of unknown owner: is
                            this account yours? */
  BKT_LOGIN_ASK_REPLACE, /* this account is logged in already: replace that login? */
} BktLoginQuestion;

typedef void (*BktLoginProgress)(BktLogin *login, BktLoginStage stage, gpointer user_data);

/*
 * Check the options, bind the listener, make state and PKCE, and start finding the store
 * (BKT_LOGIN_STARTING; BKT_LOGIN_WAITING follows). NULL with an error on bad options.
 */
BktLogin *bkt_login_new(const BktLoginOptions *opts, BktLoginProgress progress,
                        gpointer user_data, GError **error);
void bkt_login_free(BktLogin *login);

const BktHost *bkt_login_host(const BktLogin *login);
/* The whole authorize URL: to show for copying. */
const char *bkt_login_authorize_url(const BktLogin *login);
/* What a browser started here is handed: a local start address that redirects to the
 * authorize URL for the user's own programs only, so another user who reads the browser's
 * command line learns nothing. */
const char *bkt_login_browser_url(const BktLogin *login);
/*
 * What to hand a browser: a local start address that redirects to the authorize URL, so that
 * the browser's command line carries neither state nor code_challenge.
 */
const char *bkt_login_browser_url(const BktLogin *login);
/*
 * TRUE once the browser's redirect came from a program whose owner could not be found (a
 * connection relayed from Windows under WSL, a kernel without /proc/net/tcp): the account
 * the code belongs to must be shown and confirmed before the login is kept.
 */
gboolean bkt_login_needs_account_confirmation(const BktLogin *login);
const char *bkt_login_redirect_uri(const BktLogin *login);
guint16 bkt_login_port(const BktLogin *login);

/* Start the clock of the wait for the browser: when the browser is opened or the address is
 * shown. Until then the wait has no end. */
void bkt_login_start_clock(BktLogin *login);
/* Microseconds (monotonic) at which waiting for the browser gives up; 0 before the clock
 * starts. */
gint64 bkt_login_deadline(const BktLogin *login);
/* While storing: since when (monotonic microseconds) the store has waited for another
 * process's lock; 0 when it does not wait. */
gint64 bkt_login_lock_waiting_since(const BktLogin *login);

int bkt_login_pollfds(BktLogin *login, struct pollfd *fds, int max);
/* How long the caller may sleep before calling dispatch even with nothing ready. */
int bkt_login_timeout_ms(BktLogin *login);
void bkt_login_dispatch(BktLogin *login, const struct pollfd *fds, int n);

/*
 * The URL the browser ended on, pasted by the user. FALSE with a sentence in error when it is
 * not a redirect of this attempt (saying what it is instead: the code alone, an address cut
 * off, the provider's own page after a refused redirect, another attempt's); the login then
 * goes on waiting.
 */
gboolean bkt_login_paste(BktLogin *login, const char *text, GError **error);
/* What to check when the browser shows an error about the redirect (a sentence, newly
 * allocated), or NULL when there is nothing the person could change (Cloud's built-in
 * consumer). */
char *bkt_login_redirect_advice(const BktLogin *login);
/* BKT_LOGIN_ASKING: what it asks. */
BktLoginQuestion bkt_login_question(const BktLogin *login);
/* BKT_LOGIN_ASKING: keep the account the browser came back with, or not (the login fails). */
void bkt_login_keep_account(BktLogin *login, gboolean keep);
/* From BKT_LOGIN_ASKING on: whether the login replaces the same account's earlier one. */
gboolean bkt_login_replaces(const BktLogin *login);
/* Give up. A login already stored is put back first, so the stage may stay for a moment. */
void bkt_login_cancel(BktLogin *login);

BktLoginStage bkt_login_stage(const BktLogin *login);
const GError *bkt_login_error(const BktLogin *login);
/* From BKT_LOGIN_ASKING on: the login as it is (or will be) stored. Owned by login. */
const BktHostEntry *bkt_login_entry(const BktLogin *login);
/* After BKT_LOGIN_DONE: what was stored. Owned by login. */
const BktHostEntry *bkt_login_result(const BktLogin *login);
