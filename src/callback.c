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
