/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>
#include <glib.h>

#include "bkt-copy.h"
#include "hosts.h"
#include "login.h"
#include "secret.h"
#include "store.h"
#include "tame.h"

/* Each command takes the arguments after its name (argv[0] is the command) and returns the exit code. */
int cmd_login(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_switch(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_setup_bkt(int argc, char **argv);
int cmd_git_credential(int argc, char **argv);
int cmd_setup_git(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/* Run the wizard; prints the JSON result when asked. Returns the exit code. */
int cli_wizard(const BktLoginOptions *opts, gboolean no_browser, gboolean first_run,
               gboolean json);
/* The line-mode login: plain lines on stderr, a pasted address on stdin. Returns the exit
 * code. */
int cli_login_lines(const BktLoginOptions *opts, gboolean no_browser, gboolean json);
/* What a login stored, in a few lines on stderr. */
void cli_print_result(const BktHostEntry *e);
/* After a login: bkt's copy of the host follows it; where bkt is installed and holds none,
 * a line says how it can use the login. */
void cli_after_login(const BktHostEntry *e);
/* setup-bkt for host (NULL: as the rules of choose.h find it), saying what it did; the exit
 * code. */
int cli_setup_bkt(const char *host);
/* One line on stderr about what happened to bkt's copy of a host (nothing when nothing
 * changed); for a failure, the error's sentence and its exit code (takes error). */
int cli_say_copy(const char *key, BktBktCopy done, GError *error);

/* Put back the limits main() lowered for itself (core dumps), before running another program. */
void cli_restore_limits(void);

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

/* A stored login as JSON, the fields of docs/status-json.md that need no secret. */
cJSON *cli_entry_json(const BktHostEntry *e, gint64 expires_at);
/* The JSON of a login on stdout (never the token). */
void cli_print_entry_json(const BktHostEntry *e);
/* A tree on stdout, formatted, printed through a buffer that is wiped (it may hold a token);
 * the tree is wiped and freed. */
void cli_print_json(cJSON *root);

/* ---- reading what a person or a pipe gives ---- */

/* All of fd, at most max bytes; NULL with one sentence when more came (it stops reading
 * there) or reading failed. what names the source in that sentence ("standard input"). */
BktSecret *cli_read_all(int fd, size_t max, const char *what, GError **error);
/* A client secret from FILE ('-': stdin), alone on one line. */
BktSecret *cli_read_secret_file(const char *path, GError **error);
/* Ask on the terminal for one line; without echo for secrets. NULL when there is no terminal,
 * or with *cancelled when Ctrl-C came first. */
BktSecret *cli_prompt(const char *question, gboolean secret, gboolean *cancelled);
/* A y/n question on the terminal: 0 with *answer, 1 without a terminal, 2 on Ctrl-C. */
int cli_ask_yes_no(const char *question, gboolean *answer);
