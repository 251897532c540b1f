/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "term.h"
#include "wizard.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "signals.h"

static FILE *tty_file;
static SCREEN *screen;

gboolean
ui_term_open(UiTerm *term, GError **error)
{
  memset(term, 0, sizeof *term);
  term->fd = term->signal_fd = -1;
  tty_file = fopen("/dev/tty", "r+e");
  if (tty_file == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot open the terminal: %s"),
                g_strerror(errno));
    return FALSE;
  }
  screen = newterm(NULL, tty_file, tty_file);
  if (screen == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("the terminal type '%s' is unknown: set TERM, or use --no-interactive"),
                g_getenv("TERM"));
    fclose(tty_file);
    tty_file = NULL;
    return FALSE;
  }
  set_term(screen);
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  term->fd = fileno(tty_file);
  term->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
  const char *no_color = g_getenv("NO_COLOR");
  if (has_colors() && (no_color == NULL || *no_color == '\0')) {
    start_color();
    use_default_colors();
    init_pair(UI_PAIR_TITLE, COLOR_CYAN, -1);
    init_pair(UI_PAIR_OK, COLOR_GREEN, -1);
    init_pair(UI_PAIR_ERROR, COLOR_RED, -1);
    init_pair(UI_PAIR_KEY, COLOR_YELLOW, -1);
    init_pair(UI_PAIR_DIM, COLOR_BLUE, -1);
    term->color = TRUE;
  }
  term->signal_fd = bkt_signals_open();
  return TRUE;
}

void
ui_term_close(UiTerm *term)
{
  if (screen == NULL)
    return;
  curs_set(1);
  endwin();
  delscreen(screen);
  screen = NULL;
  fclose(tty_file);
  tty_file = NULL;
  bkt_signals_close();
  term->fd = term->signal_fd = -1;
}

int
ui_term_take_signal(UiTerm *term)
{
  return bkt_signals_take();
}

void
ui_term_suspend(UiTerm *term, const char *text)
{
  def_prog_mode();
  endwin();
  fputs(text, tty_file);
  fflush(tty_file);
}

void
ui_term_resume(UiTerm *term)
{
  reset_prog_mode();
  clearok(curscr, TRUE);
  refresh();
}

void
ui_term_copy(UiTerm *term, const char *text)
{
  g_autofree char *b64 = g_base64_encode((const guchar *)text, strlen(text));
  /* Inside tmux the sequence travels wrapped in a passthrough, so the outer terminal sees it. */
  if (g_getenv("TMUX") != NULL)
    fprintf(tty_file, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
  fprintf(tty_file, "\033]52;c;%s\a", b64);
  fflush(tty_file);
}

int
ui_attr(const UiTerm *term, int pair, int fallback)
{
  return term->color ? (int)COLOR_PAIR(pair) : fallback;
}

const char *
ui_wizard_library_version(void)
{
  return curses_version();
}
