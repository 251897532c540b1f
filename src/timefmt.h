/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* Words for people about times, shared by both front ends and doctor. */

/* "5 minutes", "2 hours", "3 days", rounded up to the minute; newly allocated. */
char *bkt_describe_span(gint64 seconds);

/* "expires 2026-11-28 16:04 (in 2 hours)" or "expired ... (3 minutes ago)"; newly allocated. */
char *bkt_describe_expiry(gint64 expires_at);

/* ISO 8601 UTC for JSON; newly allocated. */
char *bkt_iso_time(gint64 unix_seconds);

/* Seconds since the epoch, now. */
gint64 bkt_now(void);
