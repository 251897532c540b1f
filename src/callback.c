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

/* Made harmless, and without the blanks around it (a control character becomes one). */
static void
tame_in_place(char **text)
{
  char *tamed = bkt_text_tame(*text);
  g_free(*text);
  *text = tamed != NULL ? g_strstrip(tamed) : NULL;
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
  /* The provider's words reach a terminal and a web page: no escapes, valid UTF-8. Tamed
   * before they are judged, as an error made of invisible or control characters alone is
   * none. */
  tame_in_place(&out->error);
  tame_in_place(&out->error_description);
  if (!ok || (bkt_secret_empty(out->code) && (out->error == NULL || *out->error == '\0'))) {
    bkt_callback_clear(out);
    return FALSE;
  }
  return TRUE;
}

gboolean
bkt_callback_parse_url(const char *text, const char *redirect_uri, BktCallback *out,
                       GError **error)
{
  memset(out, 0, sizeof *out);
  /* The query holds the code: only the part before it is handed to GUri, which keeps copies. */
  g_autoptr(BktSecret) pasted = bkt_secret_new_from(text != NULL ? text : "");
  if (pasted != NULL)
    bkt_secret_strip(pasted);
  const char *t = bkt_secret_str(pasted);
  if (*t == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("nothing was pasted: paste the whole address from the browser's "
                          "address bar"));
    return FALSE;
  }
  const char *mark = strchr(t, '?');
  if (*t != '?') {
    g_autofree char *head = g_strndup(t, mark != NULL ? (size_t)(mark - t) : strlen(t));
    g_autoptr(GUri) uri = g_uri_parse(head, G_URI_FLAGS_ENCODED, NULL);
    g_autoptr(GUri) expected = g_uri_parse(redirect_uri, G_URI_FLAGS_ENCODED, NULL);
    if (uri == NULL || expected == NULL || g_uri_get_host(uri) == NULL) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                          _("that is not a web address: paste the whole address from the "
                            "browser's address bar, starting with http://"));
      return FALSE;
    }
    if (!bkt_host_is_loopback(g_uri_get_host(uri)) ||
        g_strcmp0(g_uri_get_path(uri), g_uri_get_path(expected)) != 0) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("that address is not the redirect bkt-auth waits for: paste the address "
                    "that starts with %s"), redirect_uri);
      return FALSE;
    }
  }
  /* The query, without a fragment. */
  g_autoptr(BktSecret) query = NULL;
  if (mark != NULL)
    query = bkt_secret_new_len(mark + 1, strcspn(mark + 1, "#"));
  if (query == NULL || !bkt_callback_parse_query(bkt_secret_str(query), out)) {
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

/* Whether text is the provider's sign-in page (the authorize address, whatever its query), or
 * an error page of the provider that names the redirect. Only the part before the query is
 * handed to GUri, which keeps copies: a redirect's query holds the code. */
static gboolean
is_refused_redirect(const char *text, const char *authorize_url)
{
  const char *mark = strchr(text, '?');
  g_autofree char *head = g_strndup(text, mark != NULL ? (size_t)(mark - text) : strlen(text));
  g_autoptr(GUri) uri = g_uri_parse(head, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) authorize = g_uri_parse(authorize_url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || authorize == NULL || g_uri_get_host(uri) == NULL)
    return FALSE;
  gboolean same_host = g_ascii_strcasecmp(g_uri_get_host(uri), g_uri_get_host(authorize)) == 0 &&
                       g_uri_get_port(uri) == g_uri_get_port(authorize);
  if (!same_host)
    return FALSE;
  /* The provider's own address: its query is the provider's, not a redirect's. */
  return g_strcmp0(g_uri_get_path(uri), g_uri_get_path(authorize)) == 0 ||
         query_names_redirect(mark != NULL ? mark + 1 : NULL);
}

gboolean
bkt_callback_parse_paste(const char *text, const BktPasteCheck *check, BktCallback *out,
                         GError **error)
{
  memset(out, 0, sizeof *out);
  /* What was pasted may hold the code: kept in wiped memory only. */
  g_autoptr(BktSecret) pasted = bkt_secret_new_from(text != NULL ? text : "");
  if (pasted == NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("that is not a web address: paste the whole address from the "
                          "browser's address bar, starting with http://"));
    return FALSE;
  }
  bkt_secret_strip(pasted);
  if (looks_like_bare_code(bkt_secret_str(pasted))) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("that looks like the code alone: paste the whole address from the browser's "
                  "address bar, which starts with %s?code="),
                check->redirect_uri);
    return FALSE;
  }
  /* "code=...&state=..." is the query without its '?'. */
  const char *t = bkt_secret_str(pasted);
  if (g_str_has_prefix(t, "code=") || g_str_has_prefix(t, "state="))
    bkt_secret_insert(pasted, 0, "?", 1);
  else if (strstr(t, "://") != NULL && is_refused_redirect(t, check->authorize_url)) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE, check->refused);
    return FALSE;
  }
  /* Cut inside a parameter's name ("...&sta"): what came before may still be whole. */
  const char *whole = bkt_secret_str(pasted);
  const char *last = strrchr(whole, '&');
  if (last != NULL && strchr(whole, '?') != NULL && last > strchr(whole, '?') &&
      strchr(last, '=') == NULL)
    bkt_secret_truncate(pasted, (size_t)(last - whole));
  if (!bkt_callback_parse_url(bkt_secret_str(pasted), check->redirect_uri, out, error))
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
