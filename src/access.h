/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"
#include "secret.h"

/* Seconds before expiry at which a token counts as stale and is refreshed first (for tokens
 * that live less than twice as long, half their lifetime). */
#define BKT_REFRESH_MARGIN 60

/*
 * A valid access token for the login choose.h finds (the host named, or found; the account
 * user names, or the active one), refreshed first when less than BKT_REFRESH_MARGIN seconds
 * are left or when force is set. Refreshes run under the store lock: a process that waited
 * for another's refresh takes its result instead of refreshing again; SIGINT while waiting
 * for the lock cancels. *entry_out (optional) receives a copy of the entry as stored
 * afterwards.
 */
gboolean bkt_access_token(const char *host_input, const char *user, gboolean force,
                          BktSecret **token_out, BktHostEntry **entry_out, GError **error);

/*
 * BKT_TOKEN, trimmed of white space as bkt trims it: TRUE with *token NULL when it is not set
 * (or set to nothing); FALSE with a sentence naming the variable when what is left is empty or
 * not one line of visible characters.
 */
gboolean bkt_env_token(BktSecret **token, GError **error);

/* Whether BKT_TOKEN is set to anything, for what people are told. */
gboolean bkt_env_token_set(void);
