/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* One error vocabulary for the engine: a GError domain whose codes map onto the exit codes. */
#define BKT_ERROR (bkt_error_quark())

typedef enum {
  BKT_ERROR_FAILED,        /* anything else: exit 1 */
  BKT_ERROR_USAGE,         /* bad flags, bad host, bad file: exit 1 */
  BKT_ERROR_CANCELLED,     /* the user gave up: exit 2 */
  BKT_ERROR_DENIED,        /* denied in the browser: exit 2 */
  BKT_ERROR_NOT_LOGGED_IN, /* nothing stored for the host: exit 4 */
  BKT_ERROR_EXPIRED,       /* the session is over, log in again: exit 4 */
  BKT_ERROR_INVALID_GRANT, /* the token endpoint said invalid_grant */
  BKT_ERROR_TIMEOUT,       /* the browser never came back: exit 1 */
  BKT_ERROR_NETWORK,       /* cannot reach the host, TLS: exit 1 */
  BKT_ERROR_PROTOCOL,      /* the server answered something we cannot use: exit 1 */
  BKT_ERROR_STORE,         /* the secret store failed or is absent: exit 1 */
  BKT_ERROR_STORE_UNUSABLE, /* the store cannot be used here (no bus, refused): exit 1 */
} BktErrorCode;

GQuark bkt_error_quark(void);

/* The documented exit code for an error (1 when error is NULL or foreign). */
int bkt_error_exit_code(const GError *error);
