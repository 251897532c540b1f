/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"

/*
 * Make git ask bkt-auth for a stored host's HTTPS remotes, in the person's global git
 * configuration (what 'bkt-auth setup-git' does, and the wizard's g once logged in). git runs
 * with no terminal: its output is read, never shown.
 */

/* The helper line git is to run: "!/usr/bin/bkt-auth git-credential", the path quoted where it
 * needs to be; newly allocated. */
char *bkt_git_helper_command(GError **error);

/* Configure git for entry with helper (credential.URL.helper, and useHttpPath where several
 * Data Centers share an address); *changed says whether anything was written. Running it
 * again changes nothing. */
gboolean bkt_git_setup(const BktHostEntry *entry, const char *helper, gboolean *changed,
                       GError **error);
