/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"
#include "login.h"
#include "secret.h"

/*
 * Store a token the user already has (an API token, a personal access token): check its
 * shape, verify it against the host, then keep it, as a login keeps its tokens. basic_user is
 * the Atlassian e-mail for a Cloud API token, or NULL for Bearer. Returns what was stored;
 * *replaced says whether it took the place of the same account's earlier login.
 */
BktHostEntry *bkt_login_with_token(const BktLoginOptions *opts, const BktSecret *token,
                                   const char *basic_user, gboolean *replaced,
                                   GError **error);
