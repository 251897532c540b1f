/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "cli.h"
#include "error.h"
#include "hostcheck.h"
#include "signals.h"
#include "token-login.h"
#include "wizard-module.h"

#define MAX_TOKEN_INPUT (BKT_SECRET_MAX + 1024)

typedef struct {
  char *kind;
  gboolean web;
  gboolean interactive;
  gboolean no_interactive;
  gboolean with_token;
  char *client_id;
  char *client_secret_file;
  char *redirect_uri;
  char *scopes;
  gboolean no_browser;
  int timeout;
  char *ca_file;
  gboolean allow_http;
  gboolean insecure_storage;
  char *storage;
  gboolean json;
} LoginFlags;

/* Whether this process has a controlling terminal, where the wizard draws. */
static gboolean
have_tty(void)
{
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  close(fd);
  return TRUE;
}

static BktKind
kind_of(const char *host, BktKind hint)
{
  BktHost h;
  if (!bkt_host_parse(host != NULL ? host : "bitbucket.org", hint, TRUE, &h, NULL))
    return BKT_KIND_UNKNOWN;
  BktKind kind = h.kind;
  bkt_host_clear(&h);
  return kind;
}

/* Ask a Data Center what it is before asking the person anything about it, as the wizard does:
 * 0 when it is one, else the exit code after saying why (or that Ctrl-C cancelled). */
static int
probe_host(const BktHost *h, const char *ca_file)
{
  /* Ctrl-C cancels from the moment the line says so. */
  int sig_fd = bkt_signals_open();
  fprintf(stderr,
          g_dngettext(GETTEXT_PACKAGE,
                      "Asking %s what it is (at most %d second; Ctrl-C cancels)...\n",
                      "Asking %s what it is (at most %d seconds; Ctrl-C cancels)...\n",
                      BKT_PROBE_TIMEOUT_S),
          h->key, BKT_PROBE_TIMEOUT_S);
  GError *error = NULL;
  BktHostCheck *check = bkt_host_check_new(h, ca_file, &error);
  if (check == NULL) {
    bkt_signals_close();
    return cli_fail(error);
  }
  gboolean cancelled = bkt_signals_take() != 0;
  while (!cancelled && !bkt_host_check_dispatch(check)) {
    struct pollfd fds[64];
    int n = 0;
    fds[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
    n += bkt_host_check_pollfds(check, fds + n, (int)G_N_ELEMENTS(fds) - n);
    if (poll(fds, (nfds_t)n, bkt_host_check_timeout_ms(check)) < 0 && errno != EINTR)
      break;
    cancelled = bkt_signals_take() != 0;
  }
  g_autofree char *version = NULL;
  gboolean ok = !cancelled && bkt_host_check_finish(check, &version, &error);
  bkt_host_check_free(check);
  bkt_signals_close();
  if (cancelled)
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
  if (!ok)
    return cli_fail(error);
  fprintf(stderr, _("%s runs Bitbucket Data Center %s.\n"), h->key, version != NULL ? version : "?");
  return 0;
}

/* Interactive line mode: check the Data Center, and ask for the client credentials the flags
 * left open. */
static int
ask_dc_credentials(const BktLoginOptions *opts, char **client_id, BktSecret **secret)
{
  BktHost h;
  if (!bkt_host_parse(opts->host != NULL ? opts->host : "bitbucket.org", opts->kind,
                      opts->allow_http, &h, NULL))
    return 0; /* the login itself will say what is wrong */
  gboolean dc = h.kind == BKT_KIND_DC;
  int code = dc ? probe_host(&h, opts->ca_file) : 0;
  if (code != 0) {
    bkt_host_clear(&h);
    return code;
  }
  g_autofree char *default_redirect =
    g_strdup_printf("http://localhost:%d/callback", BKT_DC_REDIRECT_PORT);
  if (dc && (*client_id == NULL || *secret == NULL))
    fprintf(stderr, _("A Data Center login needs the Client ID and Client secret of an incoming "
                      "application link on %s (Administration > Application links; its "
                      "Redirect URL must be %s).\n"),
            h.base_url, opts->redirect_uri != NULL ? opts->redirect_uri : default_redirect);
  bkt_host_clear(&h);
  gboolean cancelled = FALSE;
  bkt_signals_open();
  if (dc && *client_id == NULL) {
    g_autoptr(BktSecret) id = cli_prompt(_("Client ID: "), FALSE, &cancelled);
    *client_id = id != NULL ? g_strdup(bkt_secret_str(id)) : NULL;
  }
  if (dc && *secret == NULL && !cancelled)
    *secret = cli_prompt(_("Client secret (not shown): "), TRUE, &cancelled);
  bkt_signals_close();
  if (cancelled)
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
  return 0;
}

/* The token, and for a Cloud API token the e-mail, from the terminal or standard input. */
static BktSecret *
token_input(const BktLoginOptions *opts, int *code)
{
  *code = 0;
  if (!isatty(STDIN_FILENO)) {
    GError *error = NULL;
    BktSecret *text = cli_read_all(STDIN_FILENO, MAX_TOKEN_INPUT, _("standard input"), &error);
    if (text == NULL)
      *code = cli_fail(error);
    return text;
  }
  /* At a terminal: ask for each part, and never echo the token. Ctrl-C cancels from the first
   * question to the last, the moment between them included. */
  gboolean cancelled = FALSE;
  g_autoptr(BktSecret) email = NULL;
  bkt_signals_open();
  if (kind_of(opts->host, opts->kind) == BKT_KIND_CLOUD)
    email = cli_prompt(_("Atlassian e-mail, for an API token (Enter for an access token): "),
                       FALSE, &cancelled);
  g_autoptr(BktSecret) token =
    cancelled ? NULL : cli_prompt(_("Token (not shown): "), TRUE, &cancelled);
  bkt_signals_close();
  if (cancelled) {
    *code = cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_CANCELLED, _("login cancelled")));
    return NULL;
  }
  BktSecret *text = bkt_secret_new(MAX_TOKEN_INPUT);
  bkt_secret_append(text, bkt_secret_str(email), bkt_secret_len(email));
  bkt_secret_append_c(text, '\n');
  bkt_secret_append(text, bkt_secret_str(token), bkt_secret_len(token));
  return text;
}

/* Read the token (and for a Cloud API token, the e-mail) and store them. */
static int
run_with_token(const BktLoginOptions *opts, gboolean json)
{
  int code;
  g_autoptr(BktSecret) text = token_input(opts, &code);
  if (text == NULL)
    return code;
  /* Up to two lines that say something: the token alone, or an e-mail and the token. */
  g_autoptr(BktSecret) token = NULL;
  g_autofree char *email = NULL;
  int count = 0;
  gboolean first_has_at = FALSE;
  const char *p = bkt_secret_str(text), *end = p + bkt_secret_len(text);
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
    g_autoptr(BktSecret) line = bkt_secret_new_len(p, len);
    p += len + 1;
    bkt_secret_strip(line);
    if (bkt_secret_empty(line))
      continue;
    if (count == 0)
      first_has_at = strchr(bkt_secret_str(line), '@') != NULL;
    if (count == 1) {
      email = g_strdup(bkt_secret_str(token));
      bkt_secret_replace(&token, NULL);
    }
    if (count < 2)
      token = g_steal_pointer(&line);
    count++;
  }
  if (count == 0 || count > 2 || (count == 2 && !first_has_at))
    return cli_fail(g_error_new_literal(
      BKT_ERROR, BKT_ERROR_USAGE,
      count == 0 ? _("no token on standard input: pipe the token in, for example 'bkt-auth "
                     "login HOST --with-token < token.txt'")
                 : _("standard input should hold the token alone, or an Atlassian e-mail on "
                     "the first line and the API token on the second")));
  GError *error = NULL;
  gboolean replaced = FALSE;
  BktHostEntry *e = bkt_login_with_token(opts, token, email, &replaced, &error);
  if (e == NULL) {
    if (email == NULL && kind_of(opts->host, opts->kind) == BKT_KIND_CLOUD &&
        g_error_matches(error, BKT_ERROR, BKT_ERROR_PROTOCOL)) {
      GError *better = g_error_new(BKT_ERROR, BKT_ERROR_PROTOCOL,
                                   _("%s (a Bitbucket Cloud API token also needs your "
                                     "Atlassian e-mail: put it on the first line of "
                                     "standard input and the token on the second)"),
                                   error->message);
      g_clear_error(&error);
      error = better;
    }
    return cli_fail(error);
  }
  if (replaced)
    fprintf(stderr, _("Already logged in to %s as %s: that login was replaced.\n"), e->key,
            e->username != NULL ? e->username : e->account);
  cli_print_result(e);
  cli_after_login(e);
  if (json)
    cli_print_entry_json(e);
  bkt_host_entry_free(e);
  return 0;
}

int
cli_wizard(const BktLoginOptions *opts, gboolean no_browser, gboolean first_run, gboolean json)
{
  UiWizardOptions wo = { .login = *opts, .no_browser = no_browser, .first_run = first_run };
  UiWizardResult result;
  GError *error = NULL;
  if (!cli_wizard_run(&wo, &result, &error))
    return cli_fail(error);
  /* The screen is gone: leave a line in the scrollback to say what happened. */
  const BktHostEntry *e = result.entry;
  if (result.end == UI_WIZARD_SWITCHED)
    fprintf(stderr, _("The active account of %s is now %s.\n"), e->key,
            e->username != NULL ? e->username : e->account);
  else
    fprintf(stderr, _("Logged in to %s as %s.\n"), e->key, e->username ? e->username : "?");
  /* bkt's copy follows the active account, after a switch too; or bkt is set up now, as the
   * person asked on the Done screen. The login stands either way: a setup-bkt that fails says
   * so, and the exit code stays the login's. */
  if (result.setup_bkt)
    cli_setup_bkt(e->key);
  else
    cli_after_login(e);
  /* A switch, too, leaves an account logged in and active: the one a caller is to use. */
  if (json)
    cli_print_entry_json(e);
  cli_wizard_result_clear(&result);
  return 0;
}

/* What is wrong with the flags, or NULL. */
static GError *
check_flags(const LoginFlags *f, BktLoginOptions *opts)
{
  GError *error = NULL;
  if (bkt_env_token_set())
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                               _("BKT_TOKEN is set, and it overrides any login: unset it "
                                 "before logging in"));
  if (f->kind != NULL && (opts->kind = bkt_kind_from_string(f->kind)) == BKT_KIND_UNKNOWN) {
    g_autofree char *shown = bkt_text_tame(f->kind);
    return g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                       _("unknown kind '%s': use '--kind cloud' or '--kind dc'"), shown);
  }
  if (f->with_token && f->web)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                               _("--with-token and --web exclude each other: choose one way "
                                 "to log in"));
  if (f->interactive && f->no_interactive)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                               _("--interactive and --no-interactive exclude each other"));
  if (f->timeout < 0 || f->timeout > 86400)
    return g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                       _("--timeout %d is out of range: give a number of seconds from 1 to "
                         "86400"), f->timeout);
  if (f->ca_file != NULL && access(f->ca_file, R_OK) != 0) {
    int e = errno;
    g_autofree char *shown = bkt_text_tame(f->ca_file);
    return g_error_new(BKT_ERROR, BKT_ERROR_USAGE, _("cannot read the CA file '%s': %s"), shown,
                       g_strerror(e));
  }
  if (f->storage != NULL && (opts->storage = bkt_storage_from_string(f->storage, &error)) == NULL)
    return error;
  if (f->insecure_storage && opts->storage != NULL &&
      strcmp(opts->storage, BKT_STORAGE_FILE) != 0)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                               _("--insecure-storage means --storage file: give one of them"));
  if (f->insecure_storage)
    opts->storage = BKT_STORAGE_FILE;
  if (f->with_token && f->client_secret_file != NULL && strcmp(f->client_secret_file, "-") == 0)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                               _("stdin cannot carry both the token and the client secret: "
                                 "a token login needs no client secret"));
  return NULL;
}

int
cmd_login(int argc, char **argv)
{
  LoginFlags f = { 0 };
  GOptionEntry entries[] = {
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &f.kind,
      N_("cloud or dc (default: cloud for bitbucket.org, dc otherwise)"), "KIND" },
    { "web", 'w', 0, G_OPTION_ARG_NONE, &f.web,
      N_("log in with OAuth in the browser (the default)"), NULL },
    { "oauth", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &f.web, NULL, NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &f.interactive,
      N_("ask on the terminal for what the flags leave open"), NULL },
    { "no-interactive", 0, 0, G_OPTION_ARG_NONE, &f.no_interactive,
      N_("plain lines on stderr, no cursor tricks"), NULL },
    { "with-token", 0, 0, G_OPTION_ARG_NONE, &f.with_token,
      N_("read an API token or personal access token from stdin"), NULL },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &f.client_id,
      N_("Client ID of the application link (DC) or OAuth consumer key (Cloud)"), "ID" },
    { "client-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &f.client_secret_file,
      N_("read the client secret from FILE ('-' for stdin)"), "FILE" },
    { "redirect-uri", 0, 0, G_OPTION_ARG_STRING, &f.redirect_uri,
      N_("the exact Redirect URL registered on the application link (DC)"), "URI" },
    { "scopes", 0, 0, G_OPTION_ARG_STRING, &f.scopes, N_("scopes to request"), "\"A B\"" },
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &f.no_browser,
      N_("do not start a browser: show the address and accept the pasted redirect"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &f.timeout,
      N_("how long to wait for the browser (default 300)"), "SECONDS" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &f.ca_file,
      N_("extra CA certificates for a private certificate authority"), "FILE" },
    { "allow-http", 0, 0, G_OPTION_ARG_NONE, &f.allow_http,
      N_("permit an http:// host (test instances only)"), NULL },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &f.storage,
      N_("where to keep the tokens: secret-service, kernel-keyring or file (default: the "
         "Secret Service when it can be used here, else the kernel keyring)"), "STORE" },
    { "insecure-storage", 0, 0, G_OPTION_ARG_NONE, &f.insecure_storage,
      N_("keep tokens in a file only you can read (as --storage file)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &f.json,
      N_("print the result as JSON on stdout (never the token)"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new(_("[HOST] - log in to Bitbucket"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("HOST is bitbucket.org (the default) or the address of a Bitbucket Data Center, "
           "such as https://git.example.com/bitbucket.\n\nExamples:\n"
           "  bkt-auth login\n"
           "  bkt-auth login https://git.example.com --client-id ID --client-secret-file "
           "secret.txt\n"
           "  bkt-auth login git.example.com --with-token < token.txt\n"));
  int code = 1;
  g_autoptr(BktSecret) secret = NULL;
  g_autofree char *ca_file = NULL;
  const char *host;
  GError *error = NULL;
  BktLoginOptions opts = { 0 };
  if (!cli_parse(ctx, "login", &argc, &argv) || !cli_one_host("login", argc, argv, &host))
    goto out;
  opts.host = host;
  opts.allow_http = f.allow_http;
  if ((error = check_flags(&f, &opts)) != NULL ||
      (f.client_secret_file != NULL &&
       (secret = cli_read_secret_file(f.client_secret_file, &error)) == NULL)) {
    code = cli_fail(error);
    goto out;
  }
  opts.client_id = f.client_id;
  opts.client_secret = secret != NULL ? bkt_secret_str(secret) : NULL;
  opts.redirect_uri = f.redirect_uri;
  opts.scopes = f.scopes;
  /* Stored for later refreshes, which may run from any directory: keep it absolute. */
  ca_file = f.ca_file != NULL ? g_canonicalize_filename(f.ca_file, NULL) : NULL;
  opts.ca_file = ca_file;
  opts.timeout_s = f.timeout;
  if (f.with_token) {
    code = run_with_token(&opts, f.json);
    goto out;
  }
  /* The wizard when asked, or by default on a terminal; else (or without one) line mode. */
  gboolean on_terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  /* A program that asked for the wizard learns at once that there is nowhere to draw it. */
  if (f.interactive && !have_tty()) {
    code = cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                        _("--interactive needs a terminal, and this process "
                                          "has none (no /dev/tty): log in line by line with "
                                          "--no-interactive")));
    goto out;
  }
  if (f.interactive || (on_terminal && !f.no_interactive)) {
    const char *why_not = cli_wizard_unavailable_reason();
    if (why_not == NULL) {
      code = cli_wizard(&opts, f.no_browser, FALSE, f.json);
      goto out;
    }
    if (f.interactive)
      fprintf(stderr, "bkt-auth: %s.\n", why_not);
    if ((code = ask_dc_credentials(&opts, &f.client_id, &secret)) != 0)
      goto out;
    opts.client_id = f.client_id;
    opts.client_secret = secret != NULL ? bkt_secret_str(secret) : NULL;
  }
  code = cli_login_lines(&opts, f.no_browser, f.json);

out:
  g_free(f.kind);
  g_free(f.client_id);
  g_free(f.client_secret_file);
  g_free(f.redirect_uri);
  g_free(f.scopes);
  g_free(f.ca_file);
  g_free(f.storage);
  return f.json ? cli_finish_stdout(code) : code;
}
