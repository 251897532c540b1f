/* SPDX-License-Identifier: MIT */
/* The line-mode front end of a login: plain lines on stderr, a poll loop, paste on stdin. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "cli.h"
#include "signals.h"
#include "timefmt.h"

#define MAX_PASTE 16384

typedef struct {
  gboolean no_browser;
  int timeout_s;
} Lines;

void
cli_print_result(const BktHostEntry *e)
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

/* Explain where the browser should go and how to come back, and start the clock. */
static void
announce(BktLogin *login, const Lines *lines)
{
  const BktHost *host = bkt_login_host(login);
  const char *url = bkt_login_authorize_url(login);
  fprintf(stderr, _("Logging in to %s (%s).\n"), host->key, bkt_kind_display_name(host->kind));
  const char *why_not = lines->no_browser ? _("--no-browser was given")
                                          : bkt_browser_unavailable_reason();
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
  /* Pasting is offered to a person at a terminal; a pipe may still carry the address. */
  gboolean can_paste = isatty(STDIN_FILENO);
  if (bkt_env_is_ssh()) {
    g_autofree char *fwd = bkt_ssh_forward_command(bkt_login_port(login));
    if (can_paste)
      fprintf(stderr, _("The browser will return to %s, which is on this machine, not on yours. "
                        "Either forward the port from your own machine first:\n  %s\n"
                        "or, when the browser shows an error page, copy its address and paste "
                        "it here.\n"),
              bkt_login_redirect_uri(login), fwd);
    else
      fprintf(stderr, _("The browser will return to %s, which is on this machine, not on yours: "
                        "forward the port from your own machine first:\n  %s\n"),
              bkt_login_redirect_uri(login), fwd);
  }
  g_autofree char *advice = bkt_login_redirect_advice(login);
  if (advice != NULL)
    fprintf(stderr, "%s\n", advice);
  int minutes = (lines->timeout_s + 59) / 60;
  if (can_paste)
    fprintf(stderr,
            g_dngettext(GETTEXT_PACKAGE,
                        "Waiting for the browser (up to %d minute). You may also paste the "
                        "address the browser ended on and press Enter. Ctrl-C cancels.\n",
                        "Waiting for the browser (up to %d minutes). You may also paste the "
                        "address the browser ended on and press Enter. Ctrl-C cancels.\n",
                        minutes),
            minutes);
  else
    fprintf(stderr,
            g_dngettext(GETTEXT_PACKAGE,
                        "Waiting for the browser (up to %d minute). Ctrl-C cancels.\n",
                        "Waiting for the browser (up to %d minutes). Ctrl-C cancels.\n", minutes),
            minutes);
  bkt_login_start_clock(login);
}

static void
on_progress(BktLogin *login, BktLoginStage stage, gpointer user_data)
{
  switch (stage) {
  case BKT_LOGIN_WAITING:
    announce(login, user_data);
    break;
  case BKT_LOGIN_EXCHANGING:
    fprintf(stderr, _("Authorization received; exchanging it for tokens...\n"));
    break;
  case BKT_LOGIN_VERIFYING:
    fprintf(stderr, _("Checking who the token belongs to...\n"));
    break;
  case BKT_LOGIN_STORING:
    if (bkt_login_replaces(login)) {
      const BktHostEntry *e = bkt_login_entry(login);
      fprintf(stderr, _("Already logged in to %s as %s: replacing that login.\n"), e->key,
              e->username != NULL ? e->username : e->account);
    }
    fprintf(stderr, _("Storing the token...\n"));
    break;
  case BKT_LOGIN_CONFIRMING:
    fprintf(stderr, _("Checking the stored token works...\n"));
    break;
  default:
    break;
  }
}

/* Hand one pasted line to the login; say what is wrong with it, if anything. */
static void
submit_paste(BktLogin *login, BktSecret *line)
{
  g_autoptr(GError) error = NULL;
  bkt_secret_strip(line);
  if (!bkt_secret_empty(line) && bkt_login_stage(login) == BKT_LOGIN_WAITING &&
      !bkt_login_paste(login, bkt_secret_str(line), &error))
    fprintf(stderr, _("bkt-auth: %s\nPaste again, or finish in the browser.\n"),
            error->message);
  bkt_secret_truncate(line, 0);
}

/*
 * Feed lines from stdin to the login as pasted URLs; poll said it is readable, so one read
 * does not block. FALSE at end of input, after the last line (with or without its newline).
 */
static gboolean
read_paste(BktLogin *login, BktSecret *line)
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
    else
      bkt_secret_append_c(line, buf[i]); /* past MAX_PASTE: dropped, the paste is cut */
  }
  bkt_wipe(buf, sizeof buf);
  return TRUE;
}

/* The browser came back over a connection whose owner is unknown: the person decides. */
static void
ask_account(BktLogin *login)
{
  const BktHostEntry *e = bkt_login_entry(login);
  const char *who = e->username != NULL ? e->username : "?";
  fprintf(stderr, _("bkt-auth could not tell which user's program brought the browser back "
                    "(Windows relays it under WSL), so the account is yours to confirm.\n"));
  g_autofree char *question =
    g_strdup_printf(_("Logged in as %s on %s: keep this login? (y/n) "), who, e->key);
  gboolean keep = FALSE;
  int rc = cli_ask_yes_no(question, &keep);
  if (rc == 2)
    bkt_login_cancel(login);
  else
    bkt_login_keep_account(login, rc == 0 && keep);
}

int
cli_login_lines(const BktLoginOptions *opts, gboolean no_browser, gboolean json)
{
  GError *error = NULL;
  Lines lines = { no_browser, opts->timeout_s > 0 ? opts->timeout_s : 300 };
  int signal_fd = bkt_signals_open();
  BktLogin *login = bkt_login_new(opts, on_progress, &lines, &error);
  if (login == NULL) {
    bkt_signals_close();
    return cli_fail(error);
  }
  gboolean stdin_open = fcntl(STDIN_FILENO, F_GETFL) >= 0;
  BktSecret *line = bkt_secret_new(MAX_PASTE);

  /* After a cancel the loop goes on until the login has put back what it changed. */
  while (bkt_login_stage(login) != BKT_LOGIN_DONE &&
         bkt_login_stage(login) != BKT_LOGIN_FAILED) {
    if (bkt_login_stage(login) == BKT_LOGIN_ASKING) {
      ask_account(login);
      continue;
    }
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
    if (bkt_signals_take() != 0)
      bkt_login_cancel(login);
    if (stdin_at >= 0 && fds[stdin_at].revents != 0)
      stdin_open = read_paste(login, line);
    bkt_login_dispatch(login, fds, n);
  }
  bkt_secret_free(line);
  bkt_signals_close();

  int code = 0;
  if (bkt_login_stage(login) == BKT_LOGIN_DONE) {
    const BktHostEntry *e = bkt_login_result(login);
    cli_print_result(e);
    cli_after_login(e);
    if (json)
      cli_print_entry_json(e);
  } else {
    const GError *e = bkt_login_error(login);
    code = cli_fail(e != NULL ? g_error_copy(e) : NULL);
  }
  bkt_login_free(login);
  return code;
}
