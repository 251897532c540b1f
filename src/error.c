/* SPDX-License-Identifier: MIT */
#include "error.h"

G_DEFINE_QUARK(bkt-auth-error-quark, bkt_error)

int
bkt_error_exit_code(const GError *error)
{
  if (error == NULL || error->domain != BKT_ERROR)
    return 1;
  switch ((BktErrorCode)error->code) {
  case BKT_ERROR_CANCELLED:
  case BKT_ERROR_DENIED:
    return 2;
  case BKT_ERROR_NOT_LOGGED_IN:
  case BKT_ERROR_EXPIRED:
    return 4;
  default:
    return 1;
  }
}
