/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"

/* The OAuth client's own credentials: where they come from, and the shape they must have. */

/* Whether a Cloud login has a consumer: the given key and secret, the environment's, or the
 * one built in. */
gboolean bkt_cloud_consumer_known(const char *client_id, const char *client_secret);

/*
 * The client's ID and secret: the ones given, else for Cloud BKT_OAUTH_CLIENT_ID and
 * BKT_OAUTH_CLIENT_SECRET, else the consumer built in (borrowed strings). The error says where
 * to get them.
 */
gboolean bkt_client_credentials_resolve(BktKind kind, const char **client_id,
                                        const char **client_secret, GError **error);

/*
 * Check the shape of client credentials before a round trip fails on them: both present, no
 * spaces, and for a Data Center the lengths its application links issue. *bad_field says which
 * is wrong: 0 the ID, 1 the secret.
 */
gboolean bkt_client_credentials_check(BktKind kind, const char *client_id,
                                      const char *client_secret, int *bad_field,
                                      GError **error);
