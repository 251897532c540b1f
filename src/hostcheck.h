/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "host.h"

/* A host that takes the connection but never answers is given up on after this long. */
#define BKT_PROBE_TIMEOUT_S 10

/*
 * Ask a Data Center, from the caller's poll loop, whether it is a Bitbucket new enough for
 * OAuth 2.0. The request starts in bkt_host_check_new; the caller polls the descriptors and
 * calls dispatch until it returns TRUE, then finish. Freeing a check cancels it. A host that
 * does not answer is given up on after BKT_PROBE_TIMEOUT_S seconds.
 */
typedef struct BktHostCheck BktHostCheck;

/* Start the check of host (copied); NULL with an error when it cannot start. ca_file: an
 * extra CA bundle, or NULL. */
BktHostCheck *bkt_host_check_new(const BktHost *host, const char *ca_file, GError **error);
void bkt_host_check_free(BktHostCheck *check);

int bkt_host_check_pollfds(BktHostCheck *check, struct pollfd *fds, int max);
/* How long the caller may sleep before calling dispatch; -1 once the check has finished. */
int bkt_host_check_timeout_ms(BktHostCheck *check);
/* Let the check progress; TRUE once it has finished (well or not). */
gboolean bkt_host_check_dispatch(BktHostCheck *check);

/*
 * After dispatch returned TRUE: the version ("8.19.1", newly allocated; version may be NULL)
 * when the host is a Bitbucket Data Center with OAuth 2.0; else FALSE with a sentence saying
 * what it is instead, or why it did not answer, and what to do.
 */
gboolean bkt_host_check_finish(BktHostCheck *check, char **version, GError **error);
