/* SPDX-License-Identifier: MIT */
#pragma once

/* Inside the login: its state, and the one door events come in by (login.c, login-events.c). */

#include "login.h"

#include "callback.h"
#include "http.h"
#include "identity.h"
#include "loopback.h"
#include "oauth.h"
#include "store.h"

struct BktLogin {
  BktHost host;
  BktOAuthClient client;
  char *ca_file;
  int timeout_s;
  char *storage;
  char *state;
  BktSecret *verifier;
  char *authorize_url;
  BktLoopback *loopback;
  BktHttp *http;
  BktSecret *form;
  BktStoreOp *op;         /* finding the store, saving, or putting back */
  gboolean op_finished;
  BktStoreUndo *undo;     /* set while a saved login has not proved itself */
  BktLoginStage stage;
  gboolean cancelled;     /* asked to stop while an operation ends */
  gboolean undoing;       /* putting back what the login replaced, then failing */
  GError *error;          /* why it failed, or will once put back */
  gint64 deadline;
  BktTokens tokens;
  BktIdentity identity;
  int identity_step;
  gboolean owner_unknown; /* the redirect came over a connection of unknown owner */
  BktHostEntry *entry;
  BktSecret *confirm_token;
  int async_timeout_ms;
  BktLoginProgress progress;
  gpointer user_data;
};

/* What moves the login on. */
typedef enum {
  BKT_LOGIN_EV_OP_DONE,   /* the store operation finished */
  BKT_LOGIN_EV_REDIRECT,  /* the browser came back, or the person pasted where it ended */
  BKT_LOGIN_EV_TIMEOUT,   /* the browser did not come back in time */
  BKT_LOGIN_EV_ANSWER,    /* an HTTP answer arrived */
  BKT_LOGIN_EV_KEEP,      /* the person keeps the account */
  BKT_LOGIN_EV_DROP,      /* the person does not */
  BKT_LOGIN_EV_CANCEL,
} BktLoginEvent;

/* Move the login on by one event; cb only with BKT_LOGIN_EV_REDIRECT. */
void bkt_login_event(BktLogin *login, BktLoginEvent ev, const BktCallback *cb);
/* Turn store operations that finished into events, until nothing more is ready. */
void bkt_login_pump(BktLogin *login);
