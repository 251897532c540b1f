/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* What `bkt-auth doctor` finds: a list of checks, each with a verdict and, when something is
 * wrong, the fix. The engine runs them; the front end shows them. */

typedef enum {
  BKT_CHECK_OK,
  BKT_CHECK_INFO,  /* worth knowing, not a problem */
  BKT_CHECK_WARN,  /* logins may be harder, but work */
  BKT_CHECK_FAIL,  /* this makes logins or tokens fail */
} BktCheckStatus;

typedef struct {
  const char *id;        /* stable name: see bkt_check_ids; never translated */
  char *host;            /* the host the check is about, or NULL */
  BktCheckStatus status;
  char *summary;         /* one sentence for people */
  char *fix;             /* what to do about it, or NULL */
  /* Facts for programs; NULL or 0 when the check has none. */
  char *daemon;          /* secret-service: the program that answers */
  char *path;            /* config-dir, config-file: the file or directory */
  char *version;         /* version: the Bitbucket version */
  gint64 expires_at;     /* login: when the access token expires */
  long http_status;      /* reachable: the status of the answer */
  gboolean has_skew;
  gint64 skew_seconds;   /* clock: the server's clock minus ours */
} BktCheck;

/* The ids a check may have, for documentation and tests. NULL-terminated. */
extern const char *const bkt_check_ids[];

void bkt_check_free(BktCheck *check);
/* "ok", "info", "warn", "fail": protocol strings for JSON. */
const char *bkt_check_status_to_string(BktCheckStatus status);

/* Called for each check as soon as it is done; the check stays the engine's. */
typedef void (*BktCheckFunc)(const BktCheck *check, gpointer user_data);

/*
 * Run every check. host_input names one host to reach (stored or not); NULL reaches every
 * stored host. FALSE only when host_input cannot be a host (error set); problems found are
 * checks, not errors.
 */
gboolean bkt_doctor_run(const char *host_input, BktCheckFunc report, gpointer user_data,
                        GError **error);
