/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "wizard.h"

/* The full-screen wizard, loaded from its module on first use (wizard-module.c). */

/* Why the wizard cannot run here (translated), or NULL when it can. Loads nothing. */
const char *cli_wizard_unavailable_reason(void);

/* ui_wizard_run, from the module; FALSE with one sentence when the module cannot be loaded. */
gboolean cli_wizard_run(const UiWizardOptions *opts, UiWizardResult *result, GError **error);
void cli_wizard_result_clear(UiWizardResult *result);

/* The version of the terminal library the wizard runs on ("ncurses 6.4.20221231"), or NULL
 * with the reason the module cannot be loaded. */
char *cli_wizard_library_version(GError **error);
