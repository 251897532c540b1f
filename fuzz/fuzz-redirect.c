/* SPDX-License-Identifier: MIT */
/* The redirect URL a user pastes, against the redirect URIs bkt-auth listens on. */
#include "callback.h"
#include "fuzz.h"

static const char *const redirects[] = {
  "http://127.0.0.1:43123/callback",
  "http://localhost:48657/callback",
  "http://[::1]:8080/oauth/done",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text(data, size);
  for (size_t i = 0; i < G_N_ELEMENTS(redirects); i++) {
    BktCallback cb;
    g_autoptr(GError) error = NULL;
    if (bkt_callback_parse_url(text, redirects[i], &cb, &error)) {
      FUZZ_CHECK(error == NULL);
      FUZZ_CHECK(!bkt_secret_empty(cb.code) ||
                 (cb.error != NULL && *cb.error != '\0'));
      FUZZ_CHECK(fuzz_text_is_tame(cb.error) && fuzz_text_is_tame(cb.error_description));
      bkt_callback_clear(&cb);
    } else {
      FUZZ_CHECK(fuzz_error_is_sentence(error));
      FUZZ_CHECK(cb.code == NULL && cb.state == NULL);
    }
  }
  /* The same text as a paste into a login waiting on the first redirect. */
  const BktPasteCheck check = {
    .redirect_uri = redirects[0],
    .authorize_url = "https://git.example.com/rest/oauth2/latest/authorize?client_id=c&state=s",
    .state = "0123456789abcdef0123456789abcdef0123456789a",
    .refused = "the pasted address is the sign-in page",
  };
  BktCallback cb;
  g_autoptr(GError) error = NULL;
  if (bkt_callback_parse_paste(text, &check, &cb, &error)) {
    FUZZ_CHECK(error == NULL && g_strcmp0(cb.state, check.state) == 0);
    bkt_callback_clear(&cb);
  } else {
    FUZZ_CHECK(fuzz_error_is_sentence(error));
    FUZZ_CHECK(cb.code == NULL && cb.state == NULL);
  }
  return 0;
}
