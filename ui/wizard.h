/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "login.h"
#include "store.h"

/* What the command line already answered; the wizard asks for the rest. */
typedef struct {
  BktLoginOptions login;  /* host, kind, client credentials, redirect, scopes, ... */
  gboolean no_browser;
  gboolean first_run;     /* open at the welcome screen */
} UiWizardOptions;

/* How the wizard ended well. */
typedef enum {
  UI_WIZARD_LOGGED_IN, /* a new login was stored */
  UI_WIZARD_SWITCHED,  /* another stored account of a host was made its active one */
} UiWizardEnd;

typedef struct {
  UiWizardEnd end;
  BktHostEntry *entry; /* logged in: what was stored; switched: the account now active */
  gboolean setup_bkt;  /* logged in: the person asked for setup-bkt, to run once the wizard
                          is gone (it may ask questions, and the desktop for a password) */
} UiWizardResult;

void ui_wizard_result_clear(UiWizardResult *result);

/*
 * Run the full-screen wizard on /dev/tty until the person is logged in, has switched accounts,
 * or gives up. On success *result says which, and holds the account (ui_wizard_result_clear
 * frees it). Otherwise FALSE with the reason in error: BKT_ERROR_CANCELLED when the person gave
 * up (or kept an earlier login rather than replace it), the failure when they left it on the
 * failure screen, or why the wizard could not start. The terminal is left as it was found on
 * every path, signals included.
 */
gboolean ui_wizard_run(const UiWizardOptions *opts, UiWizardResult *result, GError **error);

/* The terminal library's version, for bkt-auth --version ("ncurses 6.4.20221231"). */
const char *ui_wizard_library_version(void);
