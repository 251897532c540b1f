/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"

/*
 * The wizard's screens and which one follows which. Nothing here draws or knows curses, so
 * the flow can be tested on its own.
 */

/* The screens, in the order a login meets them (a first run at the welcome, a later one at the
 * accounts): the one list of them. X(ID, name) makes UI_SCREEN_ID, and the screen's table is
 * ui_screen_name (screen-name.c). */
#define UI_SCREENS(X) \
  X(WELCOME, welcome) \
  X(ACCOUNTS, accounts) \
  X(SWITCH, switch) \
  X(KIND, kind) \
  X(HOST, host) \
  X(GUIDE, guide) \
  X(CREDS, creds) \
  X(LAUNCH, launch) \
  X(WAIT, wait) \
  X(DONE, done) \
  X(FAILED, failed)

typedef enum {
#define UI_SCREEN_ID(id, name) UI_SCREEN_##id,
  UI_SCREENS(UI_SCREEN_ID)
#undef UI_SCREEN_ID
  UI_SCREEN_COUNT,
} UiScreenId;

/* What moves the wizard on. */
typedef enum {
  UI_FLOW_NEXT,      /* the screen is done with; on a failure, try again */
  UI_FLOW_BACK,      /* to the last screen that asked something */
  UI_FLOW_LOGGED_IN, /* the login finished well */
  UI_FLOW_FAILED,    /* the attempt failed, or could not start */
} UiFlowEvent;

/* What the accounts screen chose. */
typedef enum {
  UI_CHOICE_HOST,    /* log in to another host: as a first login goes */
  UI_CHOICE_ACCOUNT, /* another account on a stored host: its kind and address are known */
  UI_CHOICE_SWITCH,  /* make another stored account of a host its active one */
} UiChoice;

typedef struct {
  /* What the flow decides by; the wizard keeps it current. */
  BktKind kind;            /* BKT_KIND_UNKNOWN until chosen or given */
  gboolean cloud_consumer; /* Cloud: a consumer is known (built in, environment, flags, or the
                              host's stored logins) */
  gboolean dc_client;      /* Data Center: client ID and secret are known (the command line,
                              or the host's stored logins) */
  gboolean browser;        /* a browser may be opened here */
  gboolean logins;         /* logins are stored and no host was given: start at the accounts */
  UiChoice choice;         /* what the accounts screen chose */
  /* Where the wizard is, and the screens that asked something, to go back to. */
  UiScreenId screen;
  UiScreenId trail[UI_SCREEN_COUNT];
  int depth;
} UiFlow;

/* Where the wizard opens: the welcome on a first run, the accounts when logins are stored,
 * else the first question the command line left open. Sets flow->screen and empties the
 * trail. */
void ui_flow_start(UiFlow *flow, gboolean first_run);

/* Whether the person has to paste client credentials (or a Cloud consumer) first. */
gboolean ui_flow_needs_credentials(const UiFlow *flow);

/* Move on for event; returns the new flow->screen. */
UiScreenId ui_flow_step(UiFlow *flow, UiFlowEvent event);

/* "welcome", "kind", ...: the screen's name in the code, for tests and logs. */
const char *ui_flow_screen_name(UiScreenId id);
