/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* The full-screen terminal on /dev/tty: curses, signals, and the way back. */
typedef struct {
  int fd;             /* the terminal, to poll */
  int signal_fd;      /* readable when SIGINT, SIGTERM or SIGHUP arrived */
  gboolean color;     /* colours in use (a terminal with them, NO_COLOR unset) */
  gboolean utf8;      /* the locale can show ✓ and friends */
} UiTerm;

enum {
  UI_PAIR_TITLE = 1,
  UI_PAIR_OK,
  UI_PAIR_ERROR,
  UI_PAIR_KEY,
  UI_PAIR_DIM,
};

gboolean ui_term_open(UiTerm *term, GError **error);
/* Leave the full screen and restore the terminal as it was; safe to call twice. */
void ui_term_close(UiTerm *term);

/* Which signal arrived (0: none), draining the pipe. */
int ui_term_take_signal(UiTerm *term);

/* Leave the full screen for a moment to print text the terminal can select whole. */
void ui_term_suspend(UiTerm *term, const char *text);
void ui_term_resume(UiTerm *term);

/* Put text on the system clipboard with OSC 52 (through SSH and tmux in most terminals). */
void ui_term_copy(UiTerm *term, const char *text);

/* An attribute for a colour pair, or the plain attribute to use without colours. */
int ui_attr(const UiTerm *term, int pair, int fallback);
