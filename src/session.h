/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "store.h"

/* Seconds before expiry at which a token counts as stale and is refreshed first (for tokens
 * that live less than twice as long, half their lifetime). */
#define BKT_REFRESH_MARGIN 60

/*
 * A valid access token for the host the user named (NULL: the only one stored), refreshed
 * first when less than BKT_REFRESH_MARGIN seconds are left or when force is set. Refreshes
 * run under the store lock: a process that waited for another's refresh takes its result
 * instead of refreshing again. *token_out is a secret (free with bkt_secret_free); *entry_out
 * (optional) receives a copy of the host entry as stored afterwards.
 */
gboolean bkt_session_token(const char *host_input, gboolean force, char **token_out,
                           BktHostEntry **entry_out, GError **error);

/* Remove a host's credentials and entry. */
gboolean bkt_session_logout(const char *host_input, char **key_out, GError **error);

/* BKT_TOKEN when set and not empty. */
const char *bkt_env_token(void);
