/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "callback.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "tame.h"

void
bkt_callback_clear(BktCallback *cb)
{
  bkt_secret_free(cb->code);
  g_free(cb->state);
  g_free(cb->error);
  g_free(cb->error_description);
  memset(cb, 0, sizeof *cb);
}

static void
tame_in_place(char **text)
{
  char *tamed = bkt_text_tame(*text);
  g_free(*text);
  *text = tamed;
}

gboolean
bkt_callback_parse_query(const char *query, BktCallback *out)
{
  memset(out, 0, sizeof *out);
  if (query == NULL)
    return FALSE;
  GUriParamsIter iter;
  g_uri_params_iter_init(&iter, query, -1, "&", G_URI_PARAMS_WWW_FORM);
  char *name = NULL, *value = NULL;
  gboolean ok = TRUE;
  GError *error = NULL;
  while (ok && g_uri_params_iter_next(&iter, &name, &value, &error)) {
    /* Each value is a copy glib made: the code's is wiped once kept. */
    gboolean is_code = strcmp(name, "code") == 0;
    char **slot = strcmp(name, "state") == 0               ? &out->state
                  : strcmp(name, "error") == 0             ? &out->error
                  : strcmp(name, "error_description") == 0 ? &out->error_description
                                                           : NULL;
    if (is_code) {
      ok = out->code == NULL && strlen(value) <= BKT_SECRET_MAX;
      if (ok)
        out->code = bkt_secret_new_from(value);
    } else if (slot != NULL) {
      ok = *slot == NULL;
      if (ok)
        *slot = g_strdup(value);
    }
    bkt_wipe_free(value);
    g_free(name);
  }
  if (error != NULL) {
    g_error_free(error);
    ok = FALSE;
  }
  if (!ok || (bkt_secret_empty(out->code) && (out->error == NULL || *out->error == '\0'))) {
    bkt_callback_clear(out);
    return FALSE;
  }
  /* The provider's words reach a terminal and a web page: no escapes, valid UTF-8. */
  tame_in_place(&out->error);
  tame_in_place(&out->error_description);
  return TRUE;
}

gboolean
bkt_callback_parse_url(const char *text, const char *redirect_uri, BktCallback *out,
                       GError **error)
{
  memset(out, 0, sizeof *out);
  g_autofree char *t = g_strstrip(g_strdup(text != NULL ? text : ""));
  if (*t == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("nothing was pasted: paste the whole address from the browser's "
                          "address bar"));
    return FALSE;
  }
  const char *query = NULL;
  g_autoptr(GUri) uri = NULL;
  if (*t == '?') {
    query = t + 1;
  } else {
    uri = g_uri_parse(t, G_URI_FLAGS_ENCODED, NULL);
    g_autoptr(GUri) expected = g_uri_parse(redirect_uri, G_URI_FLAGS_ENCODED, NULL);
    if (uri == NULL || expected == NULL || g_uri_get_host(uri) == NULL) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                          _("that is not a web address: paste the whole address from the "
                            "browser's address bar, starting with http://"));
      return FALSE;
    }
    const char *host = g_uri_get_host(uri);
    if (!bkt_host_is_loopback(host) || g_strcmp0(g_uri_get_path(uri), g_uri_get_path(expected)) != 0) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("that address is not the redirect bkt-auth waits for: paste the address "
                    "that starts with %s"), redirect_uri);
      return FALSE;
    }
    query = g_uri_get_query(uri);
  }
  if (!bkt_callback_parse_query(query, out)) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("the pasted address carries no authorization code: paste the whole "
                          "address, including everything after '?'"));
    return FALSE;
  }
  return TRUE;
}

/* Longest a code alone is taken to be: longer runs of letters are no code. */
#define MAX_BARE_CODE 512

/* Text that could be an authorization code copied alone: one run of the characters codes are
 * made of, no address, no parameter. */
static gboolean
looks_like_bare_code(const char *t)
{
  size_t len = strlen(t);
  if (len < 8 || len > MAX_BARE_CODE)
    return FALSE;
  /* A code is random: it mixes kinds of characters, where words keep to one kind. */
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, mark = FALSE;
  for (const char *c = t; *c; c++) {
    if (!g_ascii_isalnum(*c) && strchr("-_.~+", *c) == NULL)
      return FALSE;
    lower |= g_ascii_islower(*c);
    upper |= g_ascii_isupper(*c);
    digit |= g_ascii_isdigit(*c);
    mark |= !g_ascii_isalnum(*c);
  }
  return lower + upper + digit + mark >= 2;
}

/* Whether a parameter of query (the provider's error page) speaks of the redirect. */
static gboolean
query_names_redirect(const char *query)
{
  if (query == NULL)
    return FALSE;
  g_autoptr(GHashTable) params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  if (params == NULL)
    return FALSE;
  const char *names[] = { "error", "error_description", "message" };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    const char *v = g_hash_table_lookup(params, names[i]);
    g_autofree char *lower = v != NULL ? g_ascii_strdown(v, -1) : NULL;
    if (lower != NULL && strstr(lower, "redirect") != NULL)
      return TRUE;
  }
  return FALSE;
}

/* Whether uri is the provider's sign-in page (the authorize address, whatever its query), or
 * an error page of the provider that names the redirect. */
static gboolean
is_refused_redirect(GUri *uri, const char *authorize_url)
{
  g_autoptr(GUri) authorize = g_uri_parse(authorize_url, G_URI_FLAGS_ENCODED, NULL);
  if (authorize == NULL)
    return FALSE;
  gboolean same_host = g_ascii_strcasecmp(g_uri_get_host(uri), g_uri_get_host(authorize)) == 0 &&
                       g_uri_get_port(uri) == g_uri_get_port(authorize);
  if (same_host && g_strcmp0(g_uri_get_path(uri), g_uri_get_path(authorize)) == 0)
    return TRUE;
  return same_host && query_names_redirect(g_uri_get_query(uri));
}

gboolean
bkt_callback_parse_paste(const char *text, const BktPasteCheck *check, BktCallback *out,
                         GError **error)
{
  memset(out, 0, sizeof *out);
  g_autofree char *t = g_strstrip(g_strdup(text != NULL ? text : ""));
  if (looks_like_bare_code(t)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("that looks like the code alone: paste the whole address from the browser's "
                  "address bar, which starts with %s?code="),
                check->redirect_uri);
    return FALSE;
  }
  /* "code=...&state=..." is the query without its '?'. */
  g_autofree char *query_only = g_str_has_prefix(t, "code=") || g_str_has_prefix(t, "state=")
                                  ? g_strconcat("?", t, NULL)
                                  : NULL;
  if (query_only == NULL && strstr(t, "://") != NULL) {
    g_autoptr(GUri) uri = g_uri_parse(t, G_URI_FLAGS_ENCODED, NULL);
    if (uri != NULL && g_uri_get_host(uri) != NULL &&
        is_refused_redirect(uri, check->authorize_url)) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE, check->refused);
      return FALSE;
    }
  }
  /* Cut inside a parameter's name ("...&sta"): what came before may still be whole. */
  char *whole = query_only != NULL ? query_only : t;
  char *last = strrchr(whole, '&');
  if (last != NULL && strchr(whole, '?') != NULL && last > strchr(whole, '?') &&
      strchr(last, '=') == NULL)
    *last = '\0';
  if (!bkt_callback_parse_url(whole, check->redirect_uri, out, error))
    return FALSE;
  /* A copy cut short loses the state first: it comes last. */
  size_t got = out->state != NULL ? strlen(out->state) : 0, want = strlen(check->state);
  if (got < want) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        got == 0 ? _("the address is incomplete: it ends before the state; "
                                     "copy the whole address from the browser's address bar")
                                 : _("the address is incomplete: it ends inside the state; "
                                     "copy the whole address from the browser's address bar"));
    bkt_callback_clear(out);
    return FALSE;
  }
  if (!bkt_str_equal_ct(out->state, check->state)) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("the pasted address belongs to another login attempt (its state "
                          "does not match): paste the address from the browser tab this "
                          "login opened"));
    bkt_callback_clear(out);
    return FALSE;
  }
  return TRUE;
}

BktRequestStatus
bkt_http_request_parse(const char *buf, size_t len, char **method, char **target)
{
  *method = NULL;
  *target = NULL;
  const char *line_end = memchr(buf, '\n', len);
  if (line_end == NULL)
    return BKT_REQUEST_INCOMPLETE;
  /* The head ends at a blank line: "\r\n\r\n" or "\n\n". */
  gboolean complete = memmem(buf, len, "\n\r\n", 3) != NULL || memmem(buf, len, "\n\n", 2) != NULL;
  if (memchr(buf, '\0', len) != NULL)
    return BKT_REQUEST_BAD;

  size_t line_len = (size_t)(line_end - buf);
  if (line_len > 0 && buf[line_len - 1] == '\r')
    line_len--;
  g_autofree char *line = g_strndup(buf, line_len);
  g_auto(GStrv) parts = g_strsplit(line, " ", -1);
  if (g_strv_length(parts) != 3 || !g_str_has_prefix(parts[2], "HTTP/1.") ||
      *parts[0] == '\0' || parts[1][0] != '/')
    return BKT_REQUEST_BAD;
  for (const char *c = parts[0]; *c; c++)
    if (!g_ascii_isupper(*c))
      return BKT_REQUEST_BAD;
  if (!complete)
    return BKT_REQUEST_INCOMPLETE;
  *method = g_strdup(parts[0]);
  *target = g_strdup(parts[1]);
  return BKT_REQUEST_OK;
}
