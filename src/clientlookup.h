/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "hosts.h"
#include "secret.h"

/*
 * The client credentials a stored host's logins use, so that another account can log in there
 * without being asked for them again: the client ID of the host's active account (else of its
 * most recently used account that has one), and the client secret kept in the secrets of an
 * account with that ID, read from the store from the caller's poll loop. The caller polls the
 * descriptors and calls dispatch until it returns TRUE, then finish. Freeing a lookup cancels
 * it.
 */
typedef struct BktClientLookup BktClientLookup;

/* Start reading the client credentials of host key in hosts (nothing of hosts is kept). */
BktClientLookup *bkt_client_lookup_new(GPtrArray *hosts, const char *key);
void bkt_client_lookup_free(BktClientLookup *lookup);

int bkt_client_lookup_pollfds(BktClientLookup *lookup, struct pollfd *fds, int max);
/* How long the caller may sleep before calling dispatch; -1: until a descriptor is ready. */
int bkt_client_lookup_timeout_ms(BktClientLookup *lookup);
/* Let the lookup progress; TRUE once it has finished (well or not). */
gboolean bkt_client_lookup_dispatch(BktClientLookup *lookup);

/*
 * After dispatch returned TRUE: TRUE with the client ID (newly allocated) and its secret; FALSE
 * with *error unset when no account of the host keeps both (a token login, say), or with the
 * reason the store could not be read.
 */
gboolean bkt_client_lookup_finish(BktClientLookup *lookup, char **client_id,
                                  BktSecret **client_secret, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktClientLookup, bkt_client_lookup_free)
