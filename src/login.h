/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "host.h"
#include "store.h"

/*
 * One login attempt as a state machine. A front end creates it, shows the authorize URL,
 * then feeds it events from its own poll loop: descriptors ready (bkt_login_dispatch, which
 * also handles the clock), a pasted redirect URL, or cancel. Progress is reported through a
 * callback at each change of stage; nothing here touches a terminal.
 */
typedef struct BktLogin BktLogin;

typedef enum {
  BKT_LOGIN_WAITING,    /* for the browser's redirect or a pasted URL */
  BKT_LOGIN_EXCHANGING, /* the code for tokens */
  BKT_LOGIN_VERIFYING,  /* who the token belongs to */
  BKT_LOGIN_STORING,    /* into the secret store */
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
  gboolean insecure_storage; /* fall back to a 0600 file without a Secret Service */
  int timeout_s;             /* how long to wait for the browser; 0: 300 */
} BktLoginOptions;

typedef void (*BktLoginProgress)(BktLogin *login, BktLoginStage stage, gpointer user_data);

/* Check the options, bind the listener, make state and PKCE. NULL with an error on failure. */
BktLogin *bkt_login_new(const BktLoginOptions *opts, BktLoginProgress progress,
                        gpointer user_data, GError **error);
void bkt_login_free(BktLogin *login);

const BktHost *bkt_login_host(const BktLogin *login);
const char *bkt_login_authorize_url(const BktLogin *login);
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
/* Microseconds (monotonic) at which waiting for the browser gives up. */
gint64 bkt_login_deadline(const BktLogin *login);

int bkt_login_pollfds(BktLogin *login, struct pollfd *fds, int max);
/* How long the caller may sleep before calling dispatch even with nothing ready. */
int bkt_login_timeout_ms(BktLogin *login);
void bkt_login_dispatch(BktLogin *login, const struct pollfd *fds, int n);

/*
 * The URL the browser ended on, pasted by the user. FALSE with a sentence in error when it is
 * not a redirect of this attempt; the login then goes on waiting.
 */
gboolean bkt_login_paste(BktLogin *login, const char *text, GError **error);
void bkt_login_cancel(BktLogin *login);

BktLoginStage bkt_login_stage(const BktLogin *login);
const GError *bkt_login_error(const BktLogin *login);
/* After BKT_LOGIN_DONE: what was stored. Owned by login. */
const BktHostEntry *bkt_login_result(const BktLogin *login);

/*
 * Store a token the user already has (API token, PAT): verify it against the host, then keep
 * it. basic_user is the Atlassian e-mail for a Cloud API token, or NULL for Bearer.
 */
BktHostEntry *bkt_login_with_token(const BktLoginOptions *opts, const char *token,
                                   const char *basic_user, GError **error);

/* Whether a Cloud login has a consumer: the given key and secret, the environment's, or the
 * one built in. */
gboolean bkt_cloud_consumer_known(const char *client_id, const char *client_secret);

/*
 * Check the shape of client credentials before a round trip fails on them: both present, no
 * spaces, and for a Data Center the lengths its application links issue. *bad_field says which
 * is wrong: 0 the ID, 1 the secret.
 */
gboolean bkt_client_credentials_check(BktKind kind, const char *client_id,
                                      const char *client_secret, int *bad_field,
                                      GError **error);

/* Pick the store: the Secret Service, else with insecure the file; else an error. */
gboolean bkt_choose_storage(gboolean insecure, char **storage_out, GError **error);
