/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "error.h"
#include "identity.h"
#include "oauth.h"

static gboolean
parse(long status, const char *body, BktTokens *t, GError **error)
{
  return bkt_oauth_parse_token_response(status, body, strlen(body), "bitbucket.org", t, error);
}

static void
test_cloud_scopes_old_and_new(void)
{
  BktTokens t;
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"refresh_token\":\"R\",\"expires_in\":7200,"
                           "\"token_type\":\"bearer\",\"scopes\":\"account repository\"}", &t, NULL));
  g_assert_cmpstr(bkt_secret_str(t.access_token), ==, "A");
  g_assert_cmpstr(bkt_secret_str(t.refresh_token), ==, "R");
  g_assert_cmpint(t.expires_in, ==, 7200);
  g_assert_cmpstr(t.scopes, ==, "account repository");
  bkt_tokens_clear(&t);
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"expires_in\":3600,\"scope\":\"REPO_READ\"}", &t, NULL));
  g_assert_cmpstr(t.scopes, ==, "REPO_READ");
  bkt_tokens_clear(&t);
  /* Lifetimes: bounded, or given as strings; the caller assumes one when none is given. */
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"refresh_token\":\"R\",\"expires_in\":\"99999999999999999999\"}", &t, NULL));
  g_assert_cmpint(t.expires_in, ==, 0);
  bkt_tokens_clear(&t);
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"expires_in\":\"7200\"}", &t, NULL));
  g_assert_cmpint(t.expires_in, ==, 7200);
  bkt_tokens_clear(&t);
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"expires_in\":1e300}", &t, NULL));
  g_assert_cmpint(t.expires_in, ==, 0);
  bkt_tokens_clear(&t);
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"expires_in\":3600,\"scope\":\"REPO_READ\"}", &t, NULL));
  g_assert_cmpstr(t.scopes, ==, "REPO_READ");
  g_assert_null(t.refresh_token);
  bkt_tokens_clear(&t);
}

static void
test_long_refresh_token(void)
{
  GString *body = g_string_new("{\"access_token\":\"A\",\"refresh_token\":\"");
  for (int i = 0; i < 3000; i++)
    g_string_append_c(body, 'a' + i % 26);
  g_string_append(body, "\",\"expires_in\":7200}");
  BktTokens t;
  g_assert_true(parse(200, body->str, &t, NULL));
  g_assert_cmpuint(bkt_secret_len(t.refresh_token), ==, 3000);
  bkt_tokens_clear(&t);
  g_string_free(body, TRUE);
}

/* Tokens no store could keep are refused before anything is stored or spent. */
static void
test_tokens_too_large(void)
{
  for (int refresh = 0; refresh < 2; refresh++) {
    GString *body = g_string_new("{\"access_token\":\"");
    for (int i = 0; i < BKT_TOKENS_MAX / 2 + 1; i++)
      g_string_append_c(body, 'a');
    g_string_append(body, "\",\"refresh_token\":\"");
    for (int i = 0; i < (refresh ? BKT_TOKENS_MAX / 2 : 1); i++)
      g_string_append_c(body, 'r');
    g_string_append(body, "\",\"expires_in\":7200}");
    BktTokens t;
    GError *error = NULL;
    if (refresh) {
      g_assert_false(parse(200, body->str, &t, &error));
      g_assert_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL);
      g_assert_nonnull(strstr(error->message, "more than the 16384 bkt-auth can keep"));
      g_clear_error(&error);
    } else {
      /* Half of the room for each is no limit: the two together are. */
      g_assert_true(parse(200, body->str, &t, &error));
      g_assert_no_error(error);
      bkt_tokens_clear(&t);
    }
    g_string_free(body, TRUE);
  }
}

static void
test_errors(void)
{
  BktTokens t;
  g_autoptr(GError) e1 = NULL;
  g_assert_false(parse(400, "{\"error\":\"invalid_grant\",\"error_description\":\"gone\"}", &t, &e1));
  g_assert_error(e1, BKT_ERROR, BKT_ERROR_INVALID_GRANT);
  g_assert_nonnull(strstr(e1->message, "gone"));

  g_autoptr(GError) e2 = NULL;
  g_assert_false(parse(401, "{\"error\":\"invalid_client\"}", &t, &e2));
  g_assert_error(e2, BKT_ERROR, BKT_ERROR_PROTOCOL);
  g_assert_nonnull(strstr(e2->message, "client"));

  g_autoptr(GError) e3 = NULL;
  g_assert_false(parse(500, "<html>oops</html>", &t, &e3));
  g_assert_error(e3, BKT_ERROR, BKT_ERROR_PROTOCOL);
  g_assert_nonnull(strstr(e3->message, "500"));

  g_autoptr(GError) e4 = NULL;
  g_assert_false(parse(200, "{\"access_token\":\"A\",\"refr", &t, &e4));
  g_assert_error(e4, BKT_ERROR, BKT_ERROR_PROTOCOL);

  g_autoptr(GError) e5 = NULL;
  g_assert_false(parse(200, "{\"token_type\":\"bearer\"}", &t, &e5));
  g_assert_error(e5, BKT_ERROR, BKT_ERROR_PROTOCOL);

  /* Server text is tamed: no control characters reach a terminal. */
  g_autoptr(GError) e6 = NULL;
  g_assert_false(parse(400, "{\"error\":\"x\\u001b[31m\",\"error_description\":\"a\\nb\"}", &t, &e6));
  g_assert_null(strchr(e6->message, '\033'));
  g_assert_null(strchr(e6->message, '\n'));
}

static void
test_token_type_and_shape(void)
{
  BktTokens t;
  /* Bearer in any case, or no type at all. */
  g_assert_true(parse(200, "{\"access_token\":\"A\",\"token_type\":\"Bearer\"}", &t, NULL));
  bkt_tokens_clear(&t);
  g_assert_true(parse(200, "{\"access_token\":\"A=b\"}", &t, NULL));
  bkt_tokens_clear(&t);
  g_autoptr(GError) e1 = NULL;
  g_assert_false(parse(200, "{\"access_token\":\"A\",\"token_type\":\"mac\"}", &t, &e1));
  g_assert_error(e1, BKT_ERROR, BKT_ERROR_PROTOCOL);
  g_assert_nonnull(strstr(e1->message, "mac"));
  g_assert_null(t.access_token);
  /* Only visible ASCII: no spaces, controls, or anything a terminal would act on. */
  const char *bad[] = {
    "{\"access_token\":\"A B\"}",
    "{\"access_token\":\"A\\u001b[2J\"}",
    "{\"access_token\":\"A\\u202eB\"}",
    "{\"access_token\":\"A\",\"refresh_token\":\"R\\nX\"}",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) e = NULL;
    g_assert_false(parse(200, bad[i], &t, &e));
    g_assert_error(e, BKT_ERROR, BKT_ERROR_PROTOCOL);
    g_assert_null(strchr(e->message, '\033'));
  }
  g_assert_true(bkt_token_is_plain("at-ABC_def.123~+/="));
  g_assert_false(bkt_token_is_plain(""));
  g_assert_false(bkt_token_is_plain("caf\xc3\xa9"));
}

static void
test_authorize_url(void)
{
  BktHost host = { BKT_KIND_DC, (char *)"git.example.com", (char *)"https://git.example.com" };
  BktOAuthClient c;
  bkt_oauth_client_init(&c, &host);
  c.client_id = g_strdup("cid");
  c.redirect_uri = g_strdup("http://localhost:48657/callback");
  c.scopes = g_strdup("REPO_READ REPO_WRITE");
  g_autofree char *url = bkt_oauth_authorize_url(&c, "st", "ch");
  g_assert_cmpstr(url, ==,
                  "https://git.example.com/rest/oauth2/latest/authorize?client_id=cid&"
                  "response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A48657%2Fcallback&"
                  "state=st&scope=REPO_READ%20REPO_WRITE&code_challenge=ch&"
                  "code_challenge_method=S256");
  g_assert_cmpstr(c.token_url, ==, "https://git.example.com/rest/oauth2/latest/token");

  /* DC authenticates the client in the form; Cloud with Basic. */
  g_autoptr(BktSecret) form = bkt_secret_new(4096);
  g_autoptr(BktSecret) code = bkt_secret_new_from("the code");
  g_autoptr(BktSecret) verifier = bkt_secret_new_from("ver");
  g_autoptr(BktSecret) refresh = bkt_secret_new_from("rt");
  BktHttpRequest req;
  c.client_secret = bkt_secret_new_from("sec");
  bkt_oauth_code_request(&c, code, verifier, form, &req);
  g_assert_cmpstr(bkt_secret_str(form), ==, "grant_type=authorization_code&code=the%20code&redirect_uri="
                                 "http%3A%2F%2Flocalhost%3A48657%2Fcallback&code_verifier=ver&"
                                 "client_id=cid&client_secret=sec");
  g_assert_null(req.basic_user);
  bkt_secret_truncate(form, 0);
  c.kind = BKT_KIND_CLOUD;
  bkt_oauth_refresh_request(&c, refresh, form, &req);
  g_assert_cmpstr(bkt_secret_str(form), ==, "grant_type=refresh_token&refresh_token=rt");
  g_assert_cmpstr(req.basic_user, ==, "cid");
  g_assert_cmpstr(req.basic_password, ==, "sec");
  bkt_oauth_client_clear(&c);
}

static void
test_identity(void)
{
  BktIdentity id = { 0 };
  const char *u = "{\"username\":\"alice\",\"display_name\":\"Alice\",\"account_id\":\"1:2\"}";
  g_assert_true(bkt_identity_parse_cloud_user(u, strlen(u), &id));
  g_assert_cmpstr(id.username, ==, "alice");
  g_assert_cmpstr(id.display_name, ==, "Alice");
  bkt_identity_clear(&id);
  const char *v = "{\"display_name\":\"Bob\",\"account_id\":\"557058:99\"}";
  g_assert_true(bkt_identity_parse_cloud_user(v, strlen(v), &id));
  g_assert_cmpstr(id.username, ==, "557058:99");
  bkt_identity_clear(&id);
  g_assert_false(bkt_identity_parse_cloud_user("[]", 2, &id));
  g_assert_false(bkt_identity_parse_cloud_user("{\"username\":5}", 14, &id));
  const char *d = "{\"name\":\"carol\",\"displayName\":\"Carol C\"}";
  g_assert_true(bkt_identity_parse_dc_user(d, strlen(d), &id));
  g_assert_cmpstr(id.display_name, ==, "Carol C");
  bkt_identity_clear(&id);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/oauth/scopes-old-and-new", test_cloud_scopes_old_and_new);
  g_test_add_func("/oauth/long-refresh-token", test_long_refresh_token);
  g_test_add_func("/oauth/errors", test_errors);
  g_test_add_func("/oauth/tokens-too-large", test_tokens_too_large);
  g_test_add_func("/oauth/token-type-and-shape", test_token_type_and_shape);
  g_test_add_func("/oauth/authorize-url", test_authorize_url);
  g_test_add_func("/identity/parse", test_identity);
  return g_test_run();
}
