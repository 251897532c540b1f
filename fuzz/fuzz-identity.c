/* SPDX-License-Identifier: MIT */
/*
 * Identity answers: Cloud /2.0/user, DC application-properties and /users/<slug>. The first
 * line of the input is the header the step reads (x-oauth-scopes or X-AUSERNAME), the rest
 * is the body.
 */
#include <string.h>

#include "fuzz.h"
#include "identity.h"

static const long statuses[] = { 200, 401, 500 };

static void
check(const BktIdentity *id)
{
  FUZZ_CHECK(fuzz_text_is_tame(id->username));
  FUZZ_CHECK(fuzz_text_is_tame(id->display_name));
  FUZZ_CHECK(fuzz_text_is_tame(id->scopes));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *nl = memchr(text, '\n', size);
  g_autofree char *header = nl != NULL ? g_strndup(text, (size_t)(nl - text)) : NULL;
  const char *body = nl != NULL ? nl + 1 : text;
  size_t body_len = size - (size_t)(body - text);

  BktIdentity id = { 0 };
  bkt_identity_parse_cloud_user(body, body_len, &id);
  bkt_identity_parse_dc_user(body, body_len, &id);
  check(&id);
  bkt_identity_clear(&id);

  BktHost hosts[] = {
    { BKT_KIND_CLOUD, (char *)"bitbucket.org", (char *)"https://bitbucket.org" },
    { BKT_KIND_DC, (char *)"git.example.com", (char *)"https://git.example.com" },
  };
  for (size_t h = 0; h < G_N_ELEMENTS(hosts); h++) {
    for (size_t s = 0; s < G_N_ELEMENTS(statuses); s++) {
      for (int step = 0; step <= 1; step++) {
        BktSecret *copy = bkt_secret_new(body_len);
        bkt_secret_append(copy, body, body_len);
        BktHttpResponse resp = { statuses[s], copy,
                                 g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };
        if (header != NULL) {
          g_hash_table_insert(resp.headers, g_strdup("x-oauth-scopes"), g_strdup(header));
          g_hash_table_insert(resp.headers, g_strdup("x-ausername"), g_strdup(header));
        }
        g_autoptr(GError) error = NULL;
        if (bkt_identity_take(&hosts[h], step, &resp, &id, &error))
          FUZZ_CHECK(error == NULL);
        else
          FUZZ_CHECK(fuzz_error_is_sentence(error));
        check(&id);
        bkt_http_response_clear(&resp);
      }
      bkt_identity_clear(&id);
    }
  }
  return 0;
}
