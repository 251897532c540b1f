/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

/*
 * The engine's main context: where asynchronous work (the Secret Service, the store's jobs,
 * the lock's retries) calls back. A front end's poll loop waits on its descriptors through
 * the login (bkt_login_pollfds) and lets it run with a non-blocking dispatch; a command that
 * has nothing else to do runs it until its work is done.
 */

/* The context, made the thread-default context of the calling (main) thread at first use. */
GMainContext *bkt_async_context(void);

/* What to poll for the context: fills fds (at most max), returns how many, and lowers
 * *timeout_ms (-1: none) to the context's next deadline. */
int bkt_async_pollfds(struct pollfd *fds, int max, int *timeout_ms);

/* Run what is ready, without waiting. */
void bkt_async_dispatch(void);

/* Run the context, waiting, until *done is set. */
void bkt_async_run_until(const gboolean *done);
