/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <locale.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "access.h"
#include "error.h"
#include "store.h"
#include "http.h"
#include "wizard-module.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "login", cmd_login, N_("log in to Bitbucket Cloud or a Bitbucket Data Center") },
  { "status", cmd_status, N_("show which hosts you are logged in to") },
  { "token", cmd_token, N_("print a valid access token, refreshing it when needed") },
  { "refresh", cmd_refresh, N_("refresh the access token now") },
  { "logout", cmd_logout, N_("remove the stored login of an account") },
  { "switch", cmd_switch, N_("make another account of a host the active one") },
  { "exec", cmd_exec, N_("run a command, such as bkt, with a fresh token in its environment") },
  { "setup-git", cmd_setup_git, N_("make git use bkt-auth for your Bitbucket hosts") },
  { "setup-bkt", cmd_setup_bkt, N_("let plain bkt use a login of bkt-auth, kept fresh") },
  { "git-credential", cmd_git_credential, N_("answer git's credential requests (git runs it)") },
  { "doctor", cmd_doctor, N_("find what makes logins fail, and how to fix it") },
};

static void
usage(FILE *out)
{
  fprintf(out, _("Usage: bkt-auth [COMMAND] [HOST] [OPTIONS]\n\n"
                 "Sign in to Bitbucket with OAuth 2.0 and hand fresh tokens to git, the bkt "
                 "CLI and scripts.\n\nCommands:\n"));
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-15s %s\n", commands[i].name, _(commands[i].summary));
  fprintf(out, _("\nWithout a command: the status of the stored logins, or the login wizard "
                 "when nothing is stored.\n"
                 "Run 'bkt-auth COMMAND --help' for the options of a command.\n\n"
                 "Exit codes: 0 success, 1 failure, 2 cancelled or denied, 4 not logged in or "
                 "session expired.\n"
                 "Environment: BKT_TOKEN, BKT_OAUTH_CLIENT_ID, BKT_OAUTH_CLIENT_SECRET, "
                 "BKT_AUTH_CONFIG_DIR, BKT_AUTH_LOCK_TIMEOUT, BKT_CLOUD_URL, BKT_CLOUD_API_URL, "
                 "BKT_CONFIG_DIR, BROWSER, NO_COLOR.\n"));
}

/* Edits (insert, delete, change, swap two neighbours) from a to b: optimal string alignment. */
static size_t
edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  g_autofree size_t *d = g_new0(size_t, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (size_t i = 0; i <= la; i++)
    D(i, 0) = i;
  for (size_t j = 0; j <= lb; j++)
    D(0, j) = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = MIN(MIN(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        best = MIN(best, D(i - 2, j - 2) + 1);
      D(i, j) = best;
    }
  size_t result = D(la, lb);
#undef D
  return result;
}

/* The command name is closest to, when it is close enough to be a slip; else NULL. */
static const char *
nearest_command(const char *name)
{
  const char *best = NULL;
  size_t best_d = G_MAXSIZE;
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
    size_t d = edit_distance(name, commands[i].name);
    if (d < best_d) {
      best_d = d;
      best = commands[i].name;
    }
  }
  return best_d <= MAX(1, strlen(best) / 3) ? best : NULL;
}

/* The version, and those of the libraries it runs on (loading the wizard and libcurl to ask
 * them). */
static int
version(void)
{
  printf("bkt-auth %s\n", PACKAGE_VERSION);
  printf("  glib %u.%u.%u\n", glib_major_version, glib_minor_version, glib_micro_version);
  printf("  libsecret %d.%d.%d\n", SECRET_MAJOR_VERSION, SECRET_MINOR_VERSION,
         SECRET_MICRO_VERSION);
  printf("  cJSON %s\n", cJSON_Version());
  g_autoptr(GError) error = NULL;
  g_autofree char *curses = cli_wizard_library_version(&error);
  if (curses != NULL)
    printf("  %s\n", curses);
  else
    fprintf(stderr, "bkt-auth: %s\n", error->message);
  g_clear_error(&error);
  g_autofree char *curl = bkt_http_library_version(&error);
  if (curl != NULL)
    printf("  %s\n", curl);
  else
    fprintf(stderr, "bkt-auth: %s\n", error->message);
  return cli_finish_stdout(0);
}

/*
 * A process of bkt-auth may hold tokens and client secrets: no core dump may carry them, and
 * no other process of the user may read its memory through ptrace or /proc. (The sanitizer
 * builds keep their tracer: their leak checker stops the process with ptrace, and they write
 * no core dumps anyway.)
 */
static struct rlimit core_before;
static gboolean core_changed;

static void
protect_memory(void)
{
  struct rlimit core;
  if (getrlimit(RLIMIT_CORE, &core) == 0) {
    core_before = core;
    core.rlim_cur = 0;
    core_changed = setrlimit(RLIMIT_CORE, &core) == 0;
  }
#if !defined(__SANITIZE_ADDRESS__)
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

void
cli_restore_limits(void)
{
  if (core_changed)
    setrlimit(RLIMIT_CORE, &core_before);
}

int
main(int argc, char **argv)
{
  protect_memory();
  setlocale(LC_ALL, "");
  /* BKT_AUTH_LOCALEDIR points at catalogues that are not installed yet, as in the tests. */
  const char *localedir = g_getenv("BKT_AUTH_LOCALEDIR");
  bindtextdomain(GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
  textdomain(GETTEXT_PACKAGE);
  g_set_prgname("bkt-auth");
  /* stdout carries only what a program reads: debug and warnings from libraries go to stderr. */
  g_log_writer_default_set_use_stderr(TRUE);

  const char *name = argc >= 2 ? argv[1] : "status";
  gboolean informs = g_str_has_prefix(name, "-") || strcmp(name, "help") == 0 ||
                     strcmp(name, "doctor") == 0;
  /* What an older release stored moves to the layout of several accounts first (doctor reads
   * either and tells). */
  GError *error = NULL;
  if (!informs && !bkt_store_upgrade(&error))
    return cli_fail(error);

  if (argc < 2) {
    /* First run on a terminal: the wizard's welcome; otherwise the status of what is stored. */
    g_autoptr(GPtrArray) hosts = bkt_hosts_load(NULL);
    if (hosts != NULL && hosts->len == 0 && !bkt_env_token_set() && isatty(STDIN_FILENO) &&
        isatty(STDOUT_FILENO) && cli_wizard_unavailable_reason() == NULL) {
      BktLoginOptions opts = { 0 };
      return cli_wizard(&opts, FALSE, TRUE, FALSE);
    }
    char *args[] = { (char *)"status", NULL };
    return cmd_status(1, args);
  }
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
    return version();
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(name, commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  g_autofree char *shown = bkt_text_tame(name);
  const char *nearest = nearest_command(name);
  if (nearest != NULL)
    /* TRANSLATORS: what was typed, then the command it is closest to */
    fprintf(stderr, _("bkt-auth: unknown command '%s': did you mean '%s'? See 'bkt-auth "
                      "--help'\n"), shown, nearest);
  else
    fprintf(stderr, _("bkt-auth: unknown command '%s': see 'bkt-auth --help'\n"), shown);
  return 1;
}
