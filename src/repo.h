/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* The git repository a command runs in, read to find which stored host it is about. */

/*
 * The URLs of the current repository's remotes, in the order that decides: the remote of
 * the current branch's upstream and origin first (*n_first of them: each decides alone, in
 * turn), then the others as git lists them (which decide together). NULL outside a
 * repository (git is not run then); git runs once otherwise.
 */
GPtrArray *bkt_repo_remote_urls(guint *n_first);

/*
 * Where a remote URL leads: its scheme ("https", "http" or "ssh"), host name (lowercase; an
 * SSH alias resolved through `ssh -G` when resolve_alias is set), port (-1: none) and path.
 * FALSE when it is neither a web address nor an SSH one (a local path, a file:// URL).
 */
gboolean bkt_repo_parse_url(const char *url, gboolean resolve_alias, char **scheme,
                            char **host, int *port, char **path);
