/* SPDX-License-Identifier: MIT */
/* Reading what a person or a pipe gives: a line from the terminal, a file, standard input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "signals.h"

#define MAX_LINE 1024

BktSecret *
cli_read_all(int fd, size_t max, const char *what, GError **error)
{
  g_autoptr(BktSecret) s = bkt_secret_new(max);
  char buf[1024];
  ssize_t n;
  gboolean too_long = FALSE;
  int read_errno = 0;
  /* Stop at the cap: a pipe that never ends (yes, /dev/zero) must not hold the command. */
  while (!too_long && ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0 && !bkt_secret_append(s, buf, (size_t)n))
      too_long = TRUE;
  if (!too_long && n < 0)
    read_errno = errno;
  bkt_wipe(buf, sizeof buf);
  if (too_long) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                g_dngettext(GETTEXT_PACKAGE,
                            "%s holds more than %zu byte, too much for a token or a secret: "
                            "give it alone",
                            "%s holds more than %zu bytes, too much for a token or a secret: "
                            "give it alone",
                            max),
                what, max);
    return NULL;
  }
  if (read_errno != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE, _("cannot read %s: %s"), what,
                g_strerror(read_errno));
    return NULL;
  }
  return g_steal_pointer(&s);
}

BktSecret *
cli_read_secret_file(const char *path, GError **error)
{
  g_autofree char *shown = bkt_text_tame(path);
  BktSecret *secret;
  if (strcmp(path, "-") == 0) {
    secret = cli_read_all(STDIN_FILENO, BKT_SECRET_MAX, _("standard input"), error);
  } else {
    /* Read as standard input is, so a pipe (<(pass show x)) leaves no unwiped copy. */
    g_autofree char *what = g_strdup_printf(_("the client secret file %s"), shown);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE, _("cannot read %s: %s"), what,
                  g_strerror(errno));
      return NULL;
    }
    secret = cli_read_all(fd, BKT_SECRET_MAX, what, error);
    close(fd);
  }
  if (secret == NULL)
    return NULL;
  bkt_secret_strip(secret);
  if (bkt_secret_empty(secret) || strpbrk(bkt_secret_str(secret), "\r\n") != NULL) {
    bkt_secret_free(secret);
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("'%s' does not hold a client secret: it should contain the secret alone, on "
                  "one line"), shown);
    return NULL;
  }
  return secret;
}

/* One line from the terminal, a byte at a time so no buffer keeps a copy; FALSE when a
 * signal came first (*sig) or the terminal went away. */
static gboolean
read_tty_line(int fd, int sig_fd, BktSecret *line, int *sig)
{
  for (;;) {
    struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sig_fd, .events = POLLIN } };
    if (poll(p, sig_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      return FALSE;
    }
    if (p[1].revents != 0 && (*sig = bkt_signals_take()) != 0)
      return FALSE;
    if (p[0].revents == 0)
      continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return bkt_secret_len(line) > 0;
    if (c == '\n')
      return TRUE;
    if (bkt_secret_len(line) < MAX_LINE)
      bkt_secret_append_c(line, c);
  }
}

BktSecret *
cli_prompt(const char *question, gboolean secret, gboolean *cancelled)
{
  *cancelled = FALSE;
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return NULL;
  /* Ctrl-C comes through the signal pipe, so echo is always turned back on; it is open before
   * the question shows, so that no Ctrl-C in between ends the program unasked. */
  int sig_fd = bkt_signals_open();
  (void)!write(fd, question, strlen(question));
  struct termios saved, quiet;
  gboolean hide = secret && tcgetattr(fd, &saved) == 0;
  if (hide) {
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  BktSecret *line = bkt_secret_new(MAX_LINE);
  int sig = 0;
  gboolean got = read_tty_line(fd, sig_fd, line, &sig);
  if (hide) {
    tcsetattr(fd, TCSAFLUSH, &saved);
    (void)!write(fd, "\n", 1);
  }
  bkt_signals_close();
  close(fd);
  if (!got) {
    bkt_secret_free(line);
    *cancelled = sig != 0;
    return NULL;
  }
  bkt_secret_strip(line);
  return line;
}

int
cli_ask_yes_no(const char *question, gboolean *answer)
{
  gboolean cancelled;
  g_autoptr(BktSecret) line = cli_prompt(question, FALSE, &cancelled);
  if (line == NULL)
    return cancelled ? 2 : 1;
  /* TRANSLATORS: the letter (lower case) that answers "yes" to a y/n question */
  const char *yes = _("y");
  const char *text = bkt_secret_str(line);
  *answer = g_ascii_strcasecmp(text, "y") == 0 || g_ascii_strcasecmp(text, "yes") == 0 ||
            g_utf8_collate(text, yes) == 0;
  return 0;
}
