/* SPDX-License-Identifier: MIT */
/* Token endpoint answers (code exchange and refresh), with the statuses servers send. */
#include "error.h"
#include "fuzz.h"
#include "oauth.h"

static const long statuses[] = { 200, 400, 401, 500 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++) {
    BktTokens tokens;
    g_autoptr(GError) error = NULL;
    if (bkt_oauth_parse_token_response(statuses[i], (const char *)data, size, "fuzz.example",
                                       &tokens, &error)) {
      FUZZ_CHECK(statuses[i] == 200 && error == NULL);
      FUZZ_CHECK(!bkt_secret_empty(tokens.access_token));
      FUZZ_CHECK(bkt_token_is_plain(bkt_secret_str(tokens.access_token)));
      FUZZ_CHECK(tokens.expires_in >= 0 && tokens.expires_in <= 1000000000);
      FUZZ_CHECK(fuzz_text_is_tame(tokens.scopes));
      bkt_tokens_clear(&tokens);
    } else {
      FUZZ_CHECK(fuzz_error_is_sentence(error) && error->domain == BKT_ERROR);
      FUZZ_CHECK(tokens.access_token == NULL && tokens.refresh_token == NULL);
    }
  }
  return 0;
}
