/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "callback.h"

/*
 * The one-shot HTTP listener for the OAuth redirect. It binds loopback only, answers GET on
 * its path only, checks state in constant time, ignores requests with a wrong state and keeps
 * waiting, caps size and read time per connection, and stops listening once a result arrives.
 * It never blocks: the caller polls the descriptors it hands out and calls dispatch.
 */
typedef struct BktLoopback BktLoopback;

/*
 * Listen on bind_host ("127.0.0.1", "::1", or "localhost" for both) at port (0: ephemeral)
 * for GET requests on path carrying state.
 */
BktLoopback *bkt_loopback_new(const char *bind_host, guint16 port, const char *path,
                              const char *state, GError **error);
void bkt_loopback_free(BktLoopback *lb);

guint16 bkt_loopback_port(const BktLoopback *lb);

/* Fill fds (at most max) with what to poll; returns how many. */
int bkt_loopback_pollfds(const BktLoopback *lb, struct pollfd *fds, int max);

/* Milliseconds until the next per-connection deadline, or -1. */
int bkt_loopback_timeout_ms(const BktLoopback *lb, gint64 now_us);

/* Act on poll results (fds may hold others' entries too) and expired deadlines. */
void bkt_loopback_dispatch(BktLoopback *lb, const struct pollfd *fds, int n, gint64 now_us);

/* The callback with the right state, once one arrived; NULL until then. Owned by lb. */
const BktCallback *bkt_loopback_result(const BktLoopback *lb);

/* How many connections are open now (for tests and the waiting screen). */
int bkt_loopback_connections(const BktLoopback *lb);
