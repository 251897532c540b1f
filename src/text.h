/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* Words for people about times, shared by both front ends. */

/* "expires 2026-11-28 16:04 (in 2 hours)" or "expired ... (3 minutes ago)"; newly allocated. */
char *bkt_describe_expiry(gint64 expires_at);

/*
 * Server or browser text made safe to show and store: valid UTF-8, no control characters (no
 * terminal escapes), at most 200 characters. NULL stays NULL. Newly allocated.
 */
char *bkt_text_tame(const char *s);

/* TRUE for "localhost" and addresses of this machine only (127.0.0.0/8, ::1). */
gboolean bkt_host_is_loopback(const char *host);

/* ISO 8601 UTC for JSON; newly allocated. */
char *bkt_iso_time(gint64 unix_seconds);
