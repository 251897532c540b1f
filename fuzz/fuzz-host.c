/* SPDX-License-Identifier: MIT */
/* What the user types as a host: parsing, normalising, and deciding Cloud or Data Center. */
#include <string.h>

#include "fuzz.h"
#include "host.h"
#include "tame.h"

static const BktKind kinds[] = { BKT_KIND_UNKNOWN, BKT_KIND_CLOUD, BKT_KIND_DC };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text(data, size);
  for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
    for (int allow_http = 0; allow_http <= 1; allow_http++) {
      BktHost host;
      g_autoptr(GError) error = NULL;
      if (!bkt_host_parse(text, kinds[k], allow_http, &host, &error)) {
        FUZZ_CHECK(fuzz_error_is_sentence(error));
        FUZZ_CHECK(host.key == NULL && host.base_url == NULL);
        continue;
      }
      FUZZ_CHECK(error == NULL && host.key != NULL && host.base_url != NULL);
      FUZZ_CHECK(host.kind == BKT_KIND_CLOUD || host.kind == BKT_KIND_DC);
      FUZZ_CHECK(kinds[k] == BKT_KIND_UNKNOWN || host.kind == kinds[k]);
      /* Tokens never travel over plain http:// unless it was allowed. */
      FUZZ_CHECK(g_str_has_prefix(host.base_url, "https://") ||
                 (g_str_has_prefix(host.base_url, "http://") &&
                  (allow_http || host.kind == BKT_KIND_CLOUD)));
      FUZZ_CHECK(strstr(host.key, "://") == NULL && *host.key != '\0');
      /* No userinfo, query or fragment survives into the address requests go to. */
      if (host.kind == BKT_KIND_DC) {
        g_autoptr(GUri) uri = g_uri_parse(host.base_url, G_URI_FLAGS_ENCODED, NULL);
        FUZZ_CHECK(uri != NULL);
        FUZZ_CHECK(g_uri_get_userinfo(uri) == NULL && g_uri_get_query(uri) == NULL &&
                   g_uri_get_fragment(uri) == NULL);
        /* The stored base parses back to the same host. */
        BktHost again;
        g_autoptr(GError) again_error = NULL;
        FUZZ_CHECK(bkt_host_parse(host.base_url, BKT_KIND_DC, TRUE, &again, &again_error));
        FUZZ_CHECK(strcmp(again.key, host.key) == 0);
        FUZZ_CHECK(strcmp(again.base_url, host.base_url) == 0);
        bkt_host_clear(&again);
      }
      bkt_host_clear(&host);
    }
  }
  g_free(bkt_host_key_for_input(text));
  (void)bkt_url_is_loopback(text);
  (void)bkt_host_is_loopback(text);
  return 0;
}
