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
 *
 * Each complete request is judged by the owner of the program that sent it (peer.h): another
 * user's is refused (403) and never taken; one whose sender closed or reset the connection is
 * dropped unanswered; one whose owner cannot be found (no table lists it, or under WSL, where
 * Windows relays the browser's connection, any other user's) is answered, and a result it
 * brings is marked as of unknown owner. The listener also answers GET on a start address
 * without secrets with a redirect to the authorize URL: that address is what a browser is
 * handed, so that no command line shows state or code_challenge.
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

/* Redirect GET on the start address to authorize_url (copied) from now on. */
void bkt_loopback_set_start(BktLoopback *lb, const char *authorize_url);
/* "http://HOST:PORT/start", HOST as bind_host names the machine; owned by lb. */
const char *bkt_loopback_start_url(const BktLoopback *lb);

/* Fill fds (at most max) with what to poll; returns how many. */
int bkt_loopback_pollfds(const BktLoopback *lb, struct pollfd *fds, int max);

/* Milliseconds until the next per-connection deadline, or -1. */
int bkt_loopback_timeout_ms(const BktLoopback *lb, gint64 now_us);

/* Act on poll results (fds may hold others' entries too) and expired deadlines. */
void bkt_loopback_dispatch(BktLoopback *lb, const struct pollfd *fds, int n, gint64 now_us);

/* The callback with the right state, once one arrived; NULL until then. Owned by lb. */
const BktCallback *bkt_loopback_result(const BktLoopback *lb);
/* Whether the result came from a program of our own user (FALSE: unknown, or no result). */
gboolean bkt_loopback_result_owner_known(const BktLoopback *lb);

/* How many connections are open now (for tests and the waiting screen). */
int bkt_loopback_connections(const BktLoopback *lb);

typedef enum {
  BKT_REQUEST_INCOMPLETE, /* no end of headers yet */
  BKT_REQUEST_OK,
  BKT_REQUEST_BAD,
} BktRequestStatus;

/*
 * Parse an HTTP/1.x request head from buf. On BKT_REQUEST_OK, *method and *target are set
 * (newly allocated). Only the request line is interpreted; headers are skipped.
 */
BktRequestStatus bkt_loopback_parse_request(const char *buf, size_t len, char **method,
                                            char **target);
