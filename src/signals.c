/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <unistd.h>

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

static struct sigaction before_pipe[G_N_ELEMENTS(caught)];
static int pipe_fds[2] = { -1, -1 };
static int pipe_users;

static struct sigaction before_hold[G_N_ELEMENTS(caught)];
static volatile sig_atomic_t held_signal;

static void
on_signal(int sig)
{
  int saved = errno;
  unsigned char c = (unsigned char)sig;
  (void)!write(pipe_fds[1], &c, 1);
  errno = saved;
}

static void
install(void (*handler)(int), int flags, struct sigaction *saved)
{
  struct sigaction sa = { .sa_handler = handler, .sa_flags = flags };
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaction(caught[i], &sa, &saved[i]);
}

static void
restore(const struct sigaction *saved)
{
  for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaction(caught[i], &saved[i], NULL);
}

int
bkt_signals_open(void)
{
  if (pipe_users > 0) {
    pipe_users++;
    return pipe_fds[0];
  }
  if (!g_unix_open_pipe(pipe_fds, FD_CLOEXEC, NULL))
    return -1;
  g_unix_set_fd_nonblocking(pipe_fds[0], TRUE, NULL);
  g_unix_set_fd_nonblocking(pipe_fds[1], TRUE, NULL);
  install(on_signal, 0, before_pipe);
  pipe_users = 1;
  return pipe_fds[0];
}

int
bkt_signals_take(void)
{
  unsigned char c = 0, last = 0;
  while (pipe_fds[0] >= 0 && read(pipe_fds[0], &c, 1) == 1)
    last = c;
  return last;
}

void
bkt_signals_close(void)
{
  if (pipe_users == 0 || --pipe_users > 0)
    return;
  restore(before_pipe);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  pipe_fds[0] = pipe_fds[1] = -1;
}

static void
on_held_signal(int sig)
{
  held_signal = sig;
}

void
bkt_signals_hold(void)
{
  held_signal = 0;
  install(on_held_signal, SA_RESTART, before_hold);
}

void
bkt_signals_release(void)
{
  restore(before_hold);
  if (held_signal != 0)
    raise(held_signal);
}
