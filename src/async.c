/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "async.h"

#define MAX_FDS 32

GMainContext *
bkt_async_context(void)
{
  static GMainContext *ctx;
  if (ctx == NULL) {
    ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
  }
  return ctx;
}

int
bkt_async_pollfds(struct pollfd *fds, int max, int *timeout_ms)
{
  GMainContext *ctx = bkt_async_context();
  GPollFD gfds[MAX_FDS];
  int priority = 0, timeout = -1;
  if (!g_main_context_acquire(ctx))
    return 0;
  gboolean ready = g_main_context_prepare(ctx, &priority);
  int want = g_main_context_query(ctx, priority, &timeout, gfds, MAX_FDS);
  g_main_context_release(ctx);
  /* Something is ready now: the caller must not sleep. */
  if (ready)
    timeout = 0;
  int n = 0;
  for (int i = 0; i < MIN(want, MAX_FDS) && n < max; i++)
    fds[n++] = (struct pollfd){ .fd = gfds[i].fd, .events = (short)gfds[i].events };
  if (timeout >= 0 && (*timeout_ms < 0 || timeout < *timeout_ms))
    *timeout_ms = timeout;
  return n;
}

void
bkt_async_dispatch(void)
{
  GMainContext *ctx = bkt_async_context();
  while (g_main_context_iteration(ctx, FALSE))
    ;
}

void
bkt_async_run_until(const gboolean *done)
{
  GMainContext *ctx = bkt_async_context();
  while (!*done)
    g_main_context_iteration(ctx, TRUE);
}
