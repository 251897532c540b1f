/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"

/*
 * Which stored login a command is for, found rather than asked: the host named; else the only
 * host stored; else, inside a git repository, the stored host its remotes lead to (the
 * upstream's remote, then origin, then the others together; HTTPS and SSH remotes, SSH
 * aliases resolved); else (with guess_last) the host used most recently by a login or a
 * switch. Then the account named by user (its user name or account key), else the host's
 * active one. Borrowed from hosts.
 */
BktHostEntry *bkt_choose_login(GPtrArray *hosts, const char *host_input, const char *user,
                               gboolean guess_last, GError **error);

/* The host alone, by the same rules; borrowed from hosts. */
const char *bkt_choose_host(GPtrArray *hosts, const char *host_input, gboolean guess_last,
                            GError **error);

/* The stored hosts a remote URL leads to (borrowed keys); exposed for tests. */
GPtrArray *bkt_choose_hosts_for_url(GPtrArray *hosts, const char *url);
