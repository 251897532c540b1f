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
} BktWizardOptions;

/*
 * Run the full-screen wizard on /dev/tty until the person is logged in or gives up. Returns
 * the exit code; on success *result receives what was stored (free with bkt_host_entry_free).
 * The terminal is left as it was found on every path, signals included.
 */
int bkt_wizard_run(const BktWizardOptions *opts, BktHostEntry **result);
