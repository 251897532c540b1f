/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <unistd.h>

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction previous[G_N_ELEMENTS(caught)];
static int pipe_fds[2] = { -1, -1 };

static void
on_signal(int sig)
{
  int saved = errno;
  unsigned char c = (unsigned char)sig;
  (void)!write(pipe_fds[1], &c, 1);
  errno = saved;
}

int
bkt_sigpipe_open(void)
{
  if (pipe_fds[0] >= 0)
    return pipe_fds[0];
  if (!g_unix_open_pipe(pipe_fds, FD_CLOEXEC, NULL))
    return -1;
  g_unix_set_fd_nonblocking(pipe_fds[0], TRUE, NULL);
  g_unix_set_fd_nonblocking(pipe_fds[1], TRUE, NULL);
  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaction(caught[i], &sa, &previous[i]);
  return pipe_fds[0];
}

int
bkt_sigpipe_take(void)
{
  unsigned char c = 0, last = 0;
  while (pipe_fds[0] >= 0 && read(pipe_fds[0], &c, 1) == 1)
    last = c;
  return last;
}

void
bkt_sigpipe_close(void)
{
  if (pipe_fds[0] < 0)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaction(caught[i], &previous[i], NULL);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  pipe_fds[0] = pipe_fds[1] = -1;
}
