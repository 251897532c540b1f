/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "browser.h"
#include "cli.h"
#include "error.h"
#include "login.h"
#include "secure.h"
#include "session.h"
#include "sigpipe.h"
#include "term.h"
#include "wizard.h"

#define MAX_PASTE 16384

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
  gboolean json;
} LoginFlags;

/* Read a secret from FILE ('-': stdin), without its trailing newline. */
static char *
read_secret_file(const char *path, GError **error)
{
  char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (strcmp(path, "-") == 0) {
    GString *s = g_string_new(NULL);
    char buf[512];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0)
        g_string_append_len(s, buf, n);
    bkt_wipe(buf, sizeof buf);
    len = s->len;
    text = g_string_free(s, FALSE);
  } else if (!g_file_get_contents(path, &text, &len, &local)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE, _("cannot read the client secret: %s"),
                local->message);
    return NULL;
  }
  char *secret = g_strdup(g_strstrip(text));
  bkt_wipe(text, len);
  g_free(text);
  if (*secret == '\0' || strchr(secret, '\n') != NULL) {
    bkt_secret_free(secret);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("'%s' does not hold a client secret: it should contain the secret alone, on "
                  "one line"), path);
    return NULL;
  }
  return secret;
}

/* The terminal's settings while echo is off, to put back if a signal ends the program. */
static int quiet_fd = -1;
static struct termios quiet_saved;

static void
on_signal_while_quiet(int sig)
{
  if (quiet_fd >= 0)
    tcsetattr(quiet_fd, TCSAFLUSH, &quiet_saved);
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Turn echo off on fd (for a secret), or back on; Ctrl-C in between restores it too. */
static gboolean
echo_off(int fd, gboolean off)
{
  static struct sigaction before[3];
  static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
  if (off) {
    if (tcgetattr(fd, &quiet_saved) != 0)
      return FALSE;
    quiet_fd = fd;
    struct sigaction sa = { .sa_handler = on_signal_while_quiet };
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
      sigaction(sigs[i], &sa, &before[i]);
    struct termios quiet = quiet_saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fd, TCSAFLUSH, &quiet);
    return TRUE;
  }
  tcsetattr(fd, TCSAFLUSH, &quiet_saved);
  quiet_fd = -1;
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &before[i], NULL);
  return TRUE;
}

/* Read one line from fd with read(2): no stdio buffer keeps a copy of a secret. */
static char *
read_line_fd(int fd)
{
  GString *s = g_string_sized_new(1025);
  char c;
  ssize_t n;
  while ((n = read(fd, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
    if (n == 1 && c == '\n')
      break;
    if (n == 1 && s->len < 1024)
      g_string_append_c(s, c);
  }
  if (n == 0 && s->len == 0) {
    g_string_free(s, TRUE);
    return NULL;
  }
  char *line = g_strdup(g_strstrip(s->str));
  bkt_wipe(s->str, s->len);
  g_string_free(s, TRUE);
  return line;
}

/* Ask on the terminal for one line; without echo for secrets. NULL when there is no terminal. */
static char *
prompt_line(const char *question, gboolean secret)
{
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return NULL;
  (void)!write(fd, question, strlen(question));
  gboolean hide = secret && echo_off(fd, TRUE);
  char *line = read_line_fd(fd);
  if (hide) {
    echo_off(fd, FALSE);
    (void)!write(fd, "\n", 1);
  }
  close(fd);
  return line;
}

/* Interactive line mode: ask for the Data Center client credentials the flags left open. */
static gboolean
ask_dc_credentials(const char *host, BktKind kind, gboolean allow_http, const char *redirect,
                   char **client_id, char **secret)
{
  BktHost h;
  if (!bkt_host_parse(host != NULL ? host : "bitbucket.org", kind, allow_http, &h, NULL))
    return TRUE; /* the login itself will say what is wrong */
  gboolean dc = h.kind == BKT_KIND_DC;
  g_autofree char *default_redirect =
    g_strdup_printf("http://localhost:%d/callback", BKT_DC_REDIRECT_PORT);
  if (dc && (*client_id == NULL || *secret == NULL))
    fprintf(stderr, _("A Data Center login needs the Client ID and Client secret of an incoming "
                      "application link on %s (Administration > Application links; its "
                      "Redirect URL must be %s).\n"),
            h.base_url, redirect != NULL ? redirect : default_redirect);
  bkt_host_clear(&h);
  if (!dc)
    return TRUE;
  if (*client_id == NULL)
    *client_id = prompt_line(_("Client ID: "), FALSE);
  if (*secret == NULL)
    *secret = prompt_line(_("Client secret (not shown): "), TRUE);
  return *client_id != NULL && *secret != NULL;
}

static void
print_result_json(const BktHostEntry *e)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "host", e->key);
  cJSON_AddStringToObject(o, "kind", bkt_kind_to_string(e->kind));
  cJSON_AddStringToObject(o, "base_url", e->base_url);
  if (e->username != NULL)
    cJSON_AddStringToObject(o, "username", e->username);
  if (e->display_name != NULL)
    cJSON_AddStringToObject(o, "display_name", e->display_name);
  cJSON_AddStringToObject(o, "auth", e->auth);
  cJSON_AddStringToObject(o, "storage", e->storage);
  if (e->expires_at > 0) {
    g_autofree char *iso = bkt_iso_time(e->expires_at);
    cJSON_AddStringToObject(o, "expires_at", iso);
  } else {
    cJSON_AddNullToObject(o, "expires_at");
  }
  cJSON *scopes = cJSON_AddArrayToObject(o, "scopes");
  g_auto(GStrv) parts = g_strsplit(e->scopes != NULL ? e->scopes : "", " ", -1);
  for (char **p = parts; *p; p++)
    if (**p)
      cJSON_AddItemToArray(scopes, cJSON_CreateString(*p));
  char *text = cJSON_Print(o);
  printf("%s\n", text);
  cJSON_free(text);
  cJSON_Delete(o);
}

static void
print_result(const BktHostEntry *e)
{
  const char *who = e->username != NULL ? e->username : _("an unnamed account");
  if (e->display_name != NULL)
    fprintf(stderr, _("Logged in to %s as %s (%s).\n"), e->key, who, e->display_name);
  else
    fprintf(stderr, _("Logged in to %s as %s.\n"), e->key, who);
  g_autofree char *where = bkt_storage_describe(e->storage);
  fprintf(stderr, _("The token is kept in %s.\n"), where);
  if (e->expires_at > 0) {
    g_autofree char *when = bkt_describe_expiry(e->expires_at);
    /* TRANSLATORS: %s is "expires 2026-01-31 14:00 (in 2 hours)" or "expired ... (... ago)" */
    fprintf(stderr, _("It %s and is refreshed by itself when it is used.\n"), when);
  } else {
    fprintf(stderr, _("It does not expire on its own; 'bkt-auth logout' removes it.\n"));
  }
  if (e->scopes != NULL && *e->scopes)
    fprintf(stderr, _("Scopes: %s\n"), e->scopes);
}

static void
on_progress(BktLogin *login, BktLoginStage stage, gpointer user_data)
{
  switch (stage) {
  case BKT_LOGIN_EXCHANGING:
    fprintf(stderr, _("Authorization received; exchanging it for tokens...\n"));
    break;
  case BKT_LOGIN_VERIFYING:
    fprintf(stderr, _("Checking who the token belongs to...\n"));
    break;
  case BKT_LOGIN_STORING:
    fprintf(stderr, _("Storing the token...\n"));
    break;
  case BKT_LOGIN_CONFIRMING:
    fprintf(stderr, _("Checking the stored token works...\n"));
    break;
  default:
    break;
  }
}

/* Explain where the browser should go and how to come back. */
static void
announce(BktLogin *login, gboolean no_browser, int timeout)
{
  const BktHost *host = bkt_login_host(login);
  const char *url = bkt_login_authorize_url(login);
  fprintf(stderr, _("Logging in to %s (%s).\n"), host->key, bkt_kind_display_name(host->kind));
  const char *why_not = no_browser ? _("--no-browser was given") : bkt_browser_unavailable_reason();
  g_autoptr(GError) error = NULL;
  /* The browser gets the start address: its command line is for every user to read. */
  if (why_not == NULL && bkt_browser_open(bkt_login_browser_url(login), &error)) {
    fprintf(stderr, _("Opened the browser. If it did not open, visit this address:\n"));
  } else {
    if (why_not == NULL)
      why_not = error->message;
    /* TRANSLATORS: %s says why no browser was started, e.g. "there is no graphical display" */
    fprintf(stderr, _("Open this address in a browser to authorize bkt-auth (%s):\n"), why_not);
  }
  /* The URL alone on its line, unbroken, so the terminal's own selection takes all of it. */
  fprintf(stderr, "\n%s\n\n", url);
  if (bkt_env_is_ssh()) {
    g_autofree char *fwd = bkt_ssh_forward_command(bkt_login_port(login));
    fprintf(stderr, _("The browser will return to %s, which is on this machine, not on yours. "
                      "Either forward the port from your own machine first:\n  %s\n"
                      "or, when the browser shows an error page, copy its address and paste "
                      "it here.\n"),
            bkt_login_redirect_uri(login), fwd);
  }
  int minutes = (timeout + 59) / 60;
  fprintf(stderr,
          g_dngettext(GETTEXT_PACKAGE,
                      "Waiting for the browser (up to %d minute). You may also paste the address "
                      "the browser ended on and press Enter. Ctrl-C cancels.\n",
                      "Waiting for the browser (up to %d minutes). You may also paste the address "
                      "the browser ended on and press Enter. Ctrl-C cancels.\n",
                      minutes),
          minutes);
}

/* Hand one pasted line to the login; say what is wrong with it, if anything. */
static void
submit_paste(BktLogin *login, GString *line)
{
  g_autoptr(GError) error = NULL;
  if (*g_strstrip(line->str) != '\0' && bkt_login_stage(login) == BKT_LOGIN_WAITING &&
      !bkt_login_paste(login, line->str, &error))
    fprintf(stderr, _("bkt-auth: %s\nPaste again, or finish in the browser.\n"),
            error->message);
  bkt_wipe(line->str, line->len);
  g_string_truncate(line, 0);
}

/*
 * Feed lines from stdin to the login as pasted URLs; poll said it is readable, so one read
 * does not block. FALSE at end of input, after the last line (with or without its newline).
 */
static gboolean
read_paste(BktLogin *login, GString *line)
{
  char buf[1024];
  ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR;
  if (n == 0) {
    submit_paste(login, line);
    return FALSE;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == '\n')
      submit_paste(login, line);
    else if (line->len < MAX_PASTE)
      g_string_append_c(line, buf[i]);
  }
  bkt_wipe(buf, sizeof buf);
  return TRUE;
}

/* Drive the login by poll until it ends: the line-mode front end. */
static int
run_lines(const BktLoginOptions *opts, gboolean no_browser, gboolean json)
{
  GError *error = NULL;
  int signal_fd = bkt_sigpipe_open();
  BktLogin *login = bkt_login_new(opts, on_progress, NULL, &error);
  if (login == NULL)
    return cli_fail(error);
  announce(login, no_browser, opts->timeout_s > 0 ? opts->timeout_s : 300);

  gboolean stdin_open = fcntl(STDIN_FILENO, F_GETFL) >= 0;
  /* Sized once so that no copy of a pasted code is left behind by a reallocation. */
  GString *line = g_string_sized_new(MAX_PASTE + 1);

  while (bkt_login_stage(login) != BKT_LOGIN_DONE &&
         bkt_login_stage(login) != BKT_LOGIN_FAILED) {
    struct pollfd fds[160];
    int n = 0;
    fds[n++] = (struct pollfd){ .fd = signal_fd, .events = POLLIN };
    int stdin_at = -1;
    if (stdin_open && bkt_login_stage(login) == BKT_LOGIN_WAITING) {
      stdin_at = n;
      fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
    }
    n += bkt_login_pollfds(login, fds + n, (int)G_N_ELEMENTS(fds) - n);
    int rc = poll(fds, (nfds_t)n, bkt_login_timeout_ms(login));
    if (rc < 0 && errno != EINTR)
      break;
    if (bkt_sigpipe_take() != 0) {
      bkt_login_cancel(login);
      break;
    }
    if (stdin_at >= 0 && fds[stdin_at].revents != 0)
      stdin_open = read_paste(login, line);
    bkt_login_dispatch(login, fds, n);
  }
  bkt_wipe(line->str, line->len);
  g_string_free(line, TRUE);
  bkt_sigpipe_close();

  int code = 0;
  if (bkt_login_stage(login) == BKT_LOGIN_DONE) {
    const BktHostEntry *e = bkt_login_result(login);
    print_result(e);
    if (bkt_login_needs_account_confirmation(login))
      fprintf(stderr, _("bkt-auth could not tell which user's program brought the browser "
                        "back (Windows relays it under WSL): if %s is not your account, "
                        "remove this login with 'bkt-auth logout %s'.\n"),
              e->username != NULL ? e->username : _("an unnamed account"), e->key);
    if (json)
      print_result_json(e);
  } else {
    const GError *e = bkt_login_error(login);
    code = cli_fail(e != NULL ? g_error_copy(e) : NULL);
  }
  bkt_login_free(login);
  return code;
}

int
cli_wizard(const BktLoginOptions *opts, gboolean no_browser, gboolean first_run, gboolean json)
{
  BktWizardOptions wo = { .login = *opts, .no_browser = no_browser, .first_run = first_run };
  BktHostEntry *e = NULL;
  int code = bkt_wizard_run(&wo, &e);
  if (e != NULL) {
    /* The screen is gone: leave a line in the scrollback to say what happened. */
    fprintf(stderr, _("Logged in to %s as %s.\n"), e->key, e->username ? e->username : "?");
    if (json)
      print_result_json(e);
    bkt_host_entry_free(e);
  }
  return code;
}

/* Read the token (and for a Cloud API token, the e-mail) and store them. */
static int
run_with_token(const BktLoginOptions *opts, gboolean json)
{
  GError *error = NULL;
  char *text = NULL;
  if (isatty(STDIN_FILENO)) {
    /* At a terminal: ask for each part, and never echo the token. */
    BktHost h;
    gboolean cloud = FALSE;
    if (bkt_host_parse(opts->host ? opts->host : "bitbucket.org", opts->kind, TRUE, &h, NULL)) {
      cloud = h.kind == BKT_KIND_CLOUD;
      bkt_host_clear(&h);
    }
    g_autofree char *email =
      cloud ? prompt_line(_("Atlassian e-mail, for an API token (Enter for an access token): "),
                          FALSE)
            : NULL;
    char *token = prompt_line(_("Token (not shown): "), TRUE);
    text = g_strconcat(email != NULL ? email : "", "\n", token != NULL ? token : "", NULL);
    bkt_secret_free(token);
  } else {
    /* Sized once: no reallocation leaves a copy of the token behind. */
    GString *s = g_string_sized_new(65536 + 1024);
    char buf[1024];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0 && s->len + (size_t)n <= 65536)
        g_string_append_len(s, buf, n);
    bkt_wipe(buf, sizeof buf);
    text = g_string_free(s, FALSE);
  }
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  bkt_secret_free(text);
  const char *first = NULL, *second = NULL;
  int count = 0;
  for (char **l = lines; *l; l++) {
    g_strstrip(*l);
    if (**l == '\0')
      continue;
    if (count == 0)
      first = *l;
    else if (count == 1)
      second = *l;
    count++;
  }
  int code = 0;
  if (count == 0 || count > 2 || (count == 2 && strchr(first, '@') == NULL)) {
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                count == 0 ? _("no token on standard input: pipe the token in, "
                                               "for example 'bkt-auth login HOST --with-token "
                                               "< token.txt'")
                                           : _("standard input should hold the token alone, or "
                                               "an Atlassian e-mail on the first line and the "
                                               "API token on the second"));
    code = cli_fail(error);
  } else {
    const char *token = count == 2 ? second : first;
    const char *email = count == 2 ? first : NULL;
    BktHostEntry *e = bkt_login_with_token(opts, token, email, &error);
    if (e == NULL && email == NULL && error != NULL) {
      BktHost h;
      if (bkt_host_parse(opts->host ? opts->host : "bitbucket.org", opts->kind, TRUE, &h, NULL)) {
        if (h.kind == BKT_KIND_CLOUD && g_error_matches(error, BKT_ERROR, BKT_ERROR_PROTOCOL)) {
          GError *better = g_error_new(BKT_ERROR, BKT_ERROR_PROTOCOL,
                                       _("%s (a Bitbucket Cloud API token also needs your "
                                         "Atlassian e-mail: put it on the first line of "
                                         "standard input and the token on the second)"),
                                       error->message);
          g_clear_error(&error);
          error = better;
        }
        bkt_host_clear(&h);
      }
    }
    if (e == NULL) {
      code = cli_fail(error);
    } else {
      print_result(e);
      if (json)
        print_result_json(e);
      bkt_host_entry_free(e);
    }
  }
  for (char **l = lines; *l; l++)
    bkt_wipe(*l, strlen(*l));
  return code;
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
    { "insecure-storage", 0, 0, G_OPTION_ARG_NONE, &f.insecure_storage,
      N_("without a Secret Service, keep tokens in a file only you can read"), NULL },
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
  char *secret = NULL;
  g_autofree char *ca_file = NULL;
  if (!cli_parse(ctx, "login", &argc, &argv))
    goto out;
  const char *host;
  if (!cli_one_host("login", argc, argv, &host))
    goto out;

  GError *error = NULL;
  BktLoginOptions opts = { .host = host, .allow_http = f.allow_http,
                           .insecure_storage = f.insecure_storage };
  if (bkt_env_token() != NULL) {
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                _("BKT_TOKEN is set, and it overrides any login: unset it "
                                  "before logging in"));
  } else if (f.kind != NULL && (opts.kind = bkt_kind_from_string(f.kind)) == BKT_KIND_UNKNOWN) {
    error = g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                        _("unknown kind '%s': use '--kind cloud' or '--kind dc'"), f.kind);
  } else if (f.with_token && f.web) {
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                _("--with-token and --web exclude each other: choose one way "
                                  "to log in"));
  } else if (f.interactive && f.no_interactive) {
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                _("--interactive and --no-interactive exclude each other"));
  } else if (f.timeout < 0 || f.timeout > 86400) {
    error = g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                        _("--timeout %d is out of range: give a number of seconds from 1 to "
                          "86400"), f.timeout);
  } else if (f.ca_file != NULL && access(f.ca_file, R_OK) != 0) {
    error = g_error_new(BKT_ERROR, BKT_ERROR_USAGE,
                        _("cannot read the CA file '%s': %s"), f.ca_file, g_strerror(errno));
  } else if (f.with_token && f.client_secret_file != NULL &&
             strcmp(f.client_secret_file, "-") == 0) {
    error = g_error_new_literal(BKT_ERROR, BKT_ERROR_USAGE,
                                _("stdin cannot carry both the token and the client secret: "
                                  "a token login needs no client secret"));
  } else if (f.client_secret_file != NULL &&
             (secret = read_secret_file(f.client_secret_file, &error)) == NULL) {
    /* error is set */
  }
  if (error != NULL) {
    code = cli_fail(error);
    goto out;
  }
  opts.client_id = f.client_id;
  opts.client_secret = secret;
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
  if (f.interactive || (on_terminal && !f.no_interactive)) {
    const char *why_not = ui_term_unavailable_reason();
    if (why_not == NULL) {
      code = cli_wizard(&opts, f.no_browser, FALSE, f.json);
      goto out;
    }
    if (f.interactive)
      fprintf(stderr, "bkt-auth: %s.\n", why_not);
    ask_dc_credentials(host, opts.kind, f.allow_http, f.redirect_uri, &f.client_id, &secret);
    opts.client_id = f.client_id;
    opts.client_secret = secret;
  }
  code = run_lines(&opts, f.no_browser, f.json);

out:
  bkt_secret_free(secret);
  g_free(f.kind);
  g_free(f.client_id);
  g_free(f.client_secret_file);
  g_free(f.redirect_uri);
  g_free(f.scopes);
  g_free(f.ca_file);
  return f.json ? cli_finish_stdout(code) : code;
}
