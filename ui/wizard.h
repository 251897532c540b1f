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

/*
 * Run the full-screen wizard on /dev/tty until the person is logged in or gives up. On success
 * *result receives what was stored (free with bkt_host_entry_free). Otherwise FALSE with the
 * reason in error: BKT_ERROR_CANCELLED when the person gave up, the failure when they left it
 * on the failure screen, or why the wizard could not start. The terminal is left as it was
 * found on every path, signals included.
 */
gboolean ui_wizard_run(const UiWizardOptions *opts, BktHostEntry **result, GError **error);
