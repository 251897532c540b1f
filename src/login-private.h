/* SPDX-License-Identifier: MIT */
#pragma once

/* The login's state, shared by login.c (the state machine) and login-new.c (making one). */

#include "callback.h"
#include "http.h"
#include "identity.h"
#include "login.h"
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
  char *browser_url;      /* the listener's start address, which redirects to authorize_url */
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
  gboolean confirm_replace; /* ask before replacing the same account's login */
  gboolean replacing;     /* the store holds this account of this host already */
  BktLoginQuestion question;
  BktHostEntry *entry;
  BktSecret *confirm_token;
  int async_timeout_ms;
  BktLoginProgress progress;
  gpointer user_data;
};

/* A store operation of the login finished (a BktStoreDone). */
void bkt_login_op_done(BktStoreOp *op, gpointer user_data);
