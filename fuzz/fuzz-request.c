/* SPDX-License-Identifier: MIT */
/* The loopback listener's HTTP request parser, and the query of what it accepts. */
#include <string.h>

#include "callback.h"
#include "loopback.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *method = NULL, *target = NULL;
  BktRequestStatus status = bkt_loopback_parse_request((const char *)data, size, &method, &target);
  if (status != BKT_REQUEST_OK) {
    FUZZ_CHECK(method == NULL && target == NULL);
    return 0;
  }
  FUZZ_CHECK(method != NULL && *method != '\0' && target != NULL && target[0] == '/');
  FUZZ_CHECK(strchr(target, ' ') == NULL && strchr(target, '\n') == NULL);
  const char *q = strchr(target, '?');
  BktCallback cb;
  if (q != NULL && bkt_callback_parse_query(q + 1, &cb)) {
    FUZZ_CHECK(!bkt_secret_empty(cb.code) || (cb.error != NULL && *cb.error != '\0'));
    FUZZ_CHECK(fuzz_text_is_tame(cb.error) && fuzz_text_is_tame(cb.error_description));
    bkt_callback_clear(&cb);
  }
  g_free(method);
  g_free(target);
  return 0;
}
