/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "callback.h"
#include "loopback.h"
#include "error.h"

static void
test_query(void)
{
  BktCallback cb;
  g_assert_true(bkt_callback_parse_query("code=abc%2Bdef&state=xyz&extra=1", &cb));
  g_assert_cmpstr(bkt_secret_str(cb.code), ==, "abc+def");
  g_assert_cmpstr(cb.state, ==, "xyz");
  g_assert_null(cb.error);
  bkt_callback_clear(&cb);

  g_assert_true(bkt_callback_parse_query(
    "error=access_denied&error_description=The+user+said+%3Cno%3E&state=s", &cb));
  g_assert_cmpstr(cb.error, ==, "access_denied");
  g_assert_cmpstr(cb.error_description, ==, "The user said <no>");
  bkt_callback_clear(&cb);

  /* Terminal escapes and invisible formatting from the provider are made harmless. */
  g_assert_true(bkt_callback_parse_query(
    "error=x%1B%5D52%3Bc%3Bpwn%07&error_description=%E2%80%AEtxt.exe%1B%5B2J&state=s", &cb));
  g_assert_null(strchr(cb.error, '\033'));
  g_assert_null(strchr(cb.error, '\a'));
  g_assert_null(strchr(cb.error_description, '\033'));
  g_assert_null(strstr(cb.error_description, "\u202e"));
  g_assert_true(g_utf8_validate(cb.error_description, -1, NULL));
  bkt_callback_clear(&cb);
}

static void
test_query_bad(void)
{
  static const char *const bad[] = {
    "",                          /* nothing */
    "state=x",                   /* neither code nor error */
    "code=a&code=b&state=x",     /* duplicated code */
    "code=a&state=x&state=y",    /* duplicated state */
    "code=%zz&state=x",          /* bad escape */
    "code=a%00b&state=x",        /* embedded NUL */
    "code=&state=x",             /* empty code */
    "code=%FF&state=x",          /* not UTF-8 */
    "error=%E2%80%AD&state=x",   /* an error of invisible characters alone (fuzz-request) */
    "error=%1B&state=x",         /* an error of a terminal escape alone */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    BktCallback cb;
    g_test_message("query '%s'", bad[i]);
    g_assert_false(bkt_callback_parse_query(bad[i], &cb));
    g_assert_null(cb.code);
    g_assert_null(cb.state);
  }
}

static void
test_url(void)
{
  const char *redirect = "http://localhost:48657/callback";
  BktCallback cb;
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_callback_parse_url("  http://localhost:48657/callback?code=c1&state=s1\n",
                                       redirect, &cb, &error));
  g_assert_cmpstr(bkt_secret_str(cb.code), ==, "c1");
  bkt_callback_clear(&cb);
  /* The browser may show 127.0.0.1 for localhost, or drop the port from view: only the path counts. */
  g_assert_true(bkt_callback_parse_url("http://127.0.0.1:48657/callback?code=c2&state=s2",
                                       redirect, &cb, &error));
  g_assert_cmpstr(bkt_secret_str(cb.code), ==, "c2");
  bkt_callback_clear(&cb);
  g_assert_true(bkt_callback_parse_url("?code=c3&state=s3", redirect, &cb, &error));
  g_assert_cmpstr(cb.state, ==, "s3");
  bkt_callback_clear(&cb);
}

static void
test_url_bad(void)
{
  const char *redirect = "http://127.0.0.1:5000/callback";
  static const char *const bad[] = {
    "",
    "not a url",
    "https://evil.example.com/callback?code=c&state=s",
    "http://127.0.0.1:5000/other?code=c&state=s",
    "http://127.0.0.1:5000/callback",
    "http://127.0.0.1:5000/callback?state=s",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    BktCallback cb;
    g_autoptr(GError) error = NULL;
    g_test_message("url '%s'", bad[i]);
    g_assert_false(bkt_callback_parse_url(bad[i], redirect, &cb, &error));
    g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
  }
}

/* What a pasted address says about itself: each mistake people make gets its own words. */
static void
test_paste(void)
{
  const BktPasteCheck check = {
    .redirect_uri = "http://127.0.0.1:5000/callback",
    .authorize_url = "https://git.example.com/rest/oauth2/latest/authorize?client_id=c&"
                     "redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&state=0123456789abcdef",
    .state = "0123456789abcdef",
    .refused = "REFUSED",
  };
  static const struct {
    const char *text;
    const char *words; /* in the message; NULL: accepted */
  } cases[] = {
    { "http://127.0.0.1:5000/callback?code=c1&state=0123456789abcdef", NULL },
    { "code=c1&state=0123456789abcdef", NULL },
    { "?code=c1&state=0123456789abcdef", NULL },
    /* Cut off: before the state, at "&state", inside it. */
    { "http://127.0.0.1:5000/callback?code=c1", "it ends before the state" },
    { "http://127.0.0.1:5000/callback?code=c1&", "it ends before the state" },
    { "http://127.0.0.1:5000/callback?code=c1&state", "it ends before the state" },
    { "http://127.0.0.1:5000/callback?code=c1&state=", "it ends before the state" },
    { "http://127.0.0.1:5000/callback?code=c1&state=0123456", "it ends inside the state" },
    { "http://127.0.0.1:5000/callback?code=c1&state=0123456789abcde", "it ends inside the state" },
    /* A whole state of another attempt. */
    { "http://127.0.0.1:5000/callback?code=c1&state=fedcba9876543210", "another login attempt" },
    { "http://127.0.0.1:5000/callback?code=c1&state=0123456789abcdef0", "another login attempt" },
    /* The code alone. */
    { "Xy7kP2qR9sT4", "the code alone" },
    { "  b2f1c0de-77a1-4d2e  ", "the code alone" },
    /* The provider's own page: the browser stayed on it, the redirect was refused. */
    { "https://git.example.com/rest/oauth2/latest/authorize?client_id=c&state=x", "REFUSED" },
    { "https://GIT.example.com/rest/oauth2/latest/authorize", "REFUSED" },
    { "https://git.example.com/login?error=invalid_request&error_description=Invalid+redirect_uri",
      "REFUSED" },
    /* Elsewhere on that host, or another site: not the redirect. */
    { "https://git.example.com/dashboard", "not the redirect bkt-auth waits for" },
    { "https://evil.example.com/rest/oauth2/latest/authorize", "not the redirect" },
    /* Not codes: words, one letter many times. */
    { "hello there", "not a web address" },
    { "xxxxxxxxxxxxxxxxxxxx", "not a web address" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    BktCallback cb;
    g_autoptr(GError) error = NULL;
    g_test_message("paste '%s'", cases[i].text);
    gboolean ok = bkt_callback_parse_paste(cases[i].text, &check, &cb, &error);
    if (cases[i].words == NULL) {
      g_assert_no_error(error);
      g_assert_true(ok);
      g_assert_cmpstr(bkt_secret_str(cb.code), ==, "c1");
      bkt_callback_clear(&cb);
      continue;
    }
    g_assert_false(ok);
    g_assert_null(cb.code);
    g_assert_error(error, BKT_ERROR, BKT_ERROR_USAGE);
    if (strstr(error->message, cases[i].words) == NULL)
      g_error("pasting '%s' says '%s', not '%s'", cases[i].text, error->message, cases[i].words);
  }
}

static void
test_request(void)
{
  char *method, *target;
  const char *ok = "GET /callback?code=a&state=b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_assert_cmpint(bkt_loopback_parse_request(ok, strlen(ok), &method, &target), ==, BKT_REQUEST_OK);
  g_assert_cmpstr(method, ==, "GET");
  g_assert_cmpstr(target, ==, "/callback?code=a&state=b");
  g_free(method);
  g_free(target);

  const char *lf = "GET / HTTP/1.0\n\n";
  g_assert_cmpint(bkt_loopback_parse_request(lf, strlen(lf), &method, &target), ==, BKT_REQUEST_OK);
  g_free(method);
  g_free(target);

  const char *partial = "GET /callback HTTP/1.1\r\nHost: x\r\n";
  g_assert_cmpint(bkt_loopback_parse_request(partial, strlen(partial), &method, &target), ==,
                  BKT_REQUEST_INCOMPLETE);
  g_assert_cmpint(bkt_loopback_parse_request("GET /ca", 7, &method, &target), ==,
                  BKT_REQUEST_INCOMPLETE);
  g_assert_null(method);

  static const char *const bad[] = {
    "GET\r\n\r\n",
    "GET /x\r\n\r\n",
    "GET x HTTP/1.1\r\n\r\n",
    "get /x HTTP/1.1\r\n\r\n",
    "GET /x HTTP/2\r\n\r\n",
    "GET /x  HTTP/1.1\r\n\r\n",
    "\x16\x03\x01\x02\x01\n\n",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    g_assert_cmpint(bkt_loopback_parse_request(bad[i], strlen(bad[i]), &method, &target), ==,
                    BKT_REQUEST_BAD);
  const char nul[] = "GET /x HTTP/1.1\r\nA: \0\r\n\r\n";
  g_assert_cmpint(bkt_loopback_parse_request(nul, sizeof nul - 1, &method, &target), ==,
                  BKT_REQUEST_BAD);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/callback/query", test_query);
  g_test_add_func("/callback/query-bad", test_query_bad);
  g_test_add_func("/callback/url", test_url);
  g_test_add_func("/callback/url-bad", test_url_bad);
  g_test_add_func("/callback/paste", test_paste);
  g_test_add_func("/callback/request", test_request);
  return g_test_run();
}
