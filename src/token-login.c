/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "token-login.h"

#include <glib/gi18n.h>

#include "error.h"
#include "http.h"
#include "identity.h"
#include "oauth.h"
#include "store.h"

/* Find where to keep the token, waiting for the answer. */
static char *
choose_storage(const char *wanted, GError **error)
{
  BktStoreOp *op = bkt_store_choose(wanted, NULL, NULL);
  bkt_store_op_wait(op);
  char *storage = bkt_store_choose_finish(op, error);
  bkt_store_op_free(op);
  return storage;
}

BktHostEntry *
bkt_login_with_token(const BktLoginOptions *opts, const BktSecret *token,
                     const char *basic_user, gboolean *replaced, GError **error)
{
  *replaced = FALSE;
  if (!bkt_token_is_plain(bkt_secret_str(token))) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("that is not a token: a token is one line of visible characters, "
                          "without spaces; copy it again"));
    return NULL;
  }
  BktHost host;
  const char *name = opts->host != NULL ? opts->host : "bitbucket.org";
  if (!bkt_host_parse(name, opts->kind, opts->allow_http, &host, error))
    return NULL;
  g_autofree char *storage = NULL;
  BktHostEntry *entry = NULL;
  BktIdentity id = { 0 };
  BktHttp *http = NULL;
  BktCredential cred = { bkt_secret_str(token), basic_user };
  if ((storage = choose_storage(opts->storage, error)) == NULL ||
      (http = bkt_http_new(opts->ca_file, error)) == NULL ||
      !bkt_identity_fetch(http, &host, &cred, &id, error))
    goto out;
  entry = bkt_host_entry_new();
  entry->key = g_strdup(host.key);
  entry->kind = host.kind;
  entry->base_url = g_strdup(host.base_url);
  entry->account = g_strdup(id.account != NULL ? id.account : id.username);
  entry->active = TRUE;
  entry->last_used = g_get_real_time() / G_USEC_PER_SEC;
  entry->username = g_strdup(id.username);
  entry->display_name = g_strdup(id.display_name);
  entry->auth = BKT_AUTH_TOKEN;
  entry->login = g_strdup(basic_user);
  entry->scopes = g_strdup(id.scopes);
  g_free(entry->storage);
  entry->storage = g_strdup(storage);
  entry->ca_file = g_strdup(opts->ca_file);
  GPtrArray *hosts = bkt_hosts_load(NULL);
  *replaced = hosts != NULL && bkt_hosts_find_same(hosts, entry) != NULL;
  if (hosts != NULL)
    g_ptr_array_unref(hosts);
  /* A token someone made keeps the lifetime they gave it: none that bkt-auth knows. */
  BktSecrets secrets = { .access_token = (BktSecret *)token };
  BktStoreOp *op = bkt_store_save_login(entry, &secrets, NULL, NULL);
  bkt_store_op_wait(op);
  if (!bkt_store_save_login_finish(op, NULL, NULL, error))
    g_clear_pointer(&entry, bkt_host_entry_free);
  bkt_store_op_free(op);
out:
  bkt_http_free(http);
  bkt_identity_clear(&id);
  bkt_host_clear(&host);
  return entry;
}
