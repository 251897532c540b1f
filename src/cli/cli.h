/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "login.h"
#include "store.h"
#include "text.h"

/* Each command takes the arguments after its name (argv[0] is the command) and returns the exit code. */
int cmd_login(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_git_credential(int argc, char **argv);
int cmd_setup_git(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/* Run the wizard; prints the JSON result when asked. Returns the exit code. */
int cli_wizard(const BktLoginOptions *opts, gboolean no_browser, gboolean first_run,
               gboolean json);

/* "bkt-auth: <message>" on stderr; returns the exit code for error and frees it. */
int cli_fail(GError *error);
/* Parse options for a command; on a bad option prints one sentence and returns FALSE. */
gboolean cli_parse(GOptionContext *ctx, const char *command, int *argc, char ***argv);
/* Flush stdout; on a write error (a full disk, a closed pipe) say so and return 1, else code. */
int cli_finish_stdout(int code);
/* "✓" for what went well ("+" where the terminal's character set has no check mark). */
const char *cli_check_mark(void);
/* At most one HOST argument; FALSE (after saying so) when there are more. */
gboolean cli_one_host(const char *command, int argc, char **argv, const char **host);
