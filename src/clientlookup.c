/* SPDX-License-Identifier: MIT */
/* What another account on a stored host reuses: the client credentials its logins used. */
#include "config.h"

#include "clientlookup.h"

#include <gio/gio.h>
#include <string.h>

#include "async.h"
#include "store-private.h"

struct BktClientLookup {
  GPtrArray *accounts;  /* copies of the accounts with the client ID, in the order tried */
  guint next;           /* the next one to read */
  char *client_id;
  BktSecret *client_secret;
  GError *error;
  GCancellable *cancel;
  gboolean idle;        /* no read is under way (one that is still calls back) */
  gboolean finished;
  int timeout_ms;       /* the engine's context's, as last polled */
};

/* The active account first, then the most recently used. */
static gint
by_use(gconstpointer a, gconstpointer b)
{
  const BktHostEntry *x = *(BktHostEntry *const *)a, *y = *(BktHostEntry *const *)b;
  if (x->active != y->active)
    return x->active ? -1 : 1;
  return x->last_used > y->last_used ? -1 : x->last_used < y->last_used ? 1 : 0;
}

static void read_next(BktClientLookup *lookup);

static void
on_read(GObject *source, GAsyncResult *result, gpointer data)
{
  BktClientLookup *lookup = data;
  lookup->idle = TRUE;
  GError *error = NULL;
  g_autoptr(BktSecret) value = g_task_propagate_pointer(G_TASK(result), &error);
  BktSecrets secrets = { 0 };
  if (error != NULL) {
    lookup->error = error;
    lookup->finished = TRUE;
  } else if (value != NULL && bkt_store_secrets_from_value(value, &secrets) &&
             !bkt_secret_empty(secrets.client_secret)) {
    lookup->client_secret = g_steal_pointer(&secrets.client_secret);
    lookup->finished = TRUE;
  } else {
    read_next(lookup);
  }
  bkt_secrets_clear(&secrets);
}

static void
read_next(BktClientLookup *lookup)
{
  if (lookup->next >= lookup->accounts->len) {
    lookup->finished = TRUE;
    return;
  }
  const BktHostEntry *e = g_ptr_array_index(lookup->accounts, lookup->next++);
  lookup->idle = FALSE;
  bkt_store_call(bkt_store_backend_of(e), CALL_LOOKUP, e, NULL,
                 g_task_new(NULL, lookup->cancel, on_read, lookup));
}

BktClientLookup *
bkt_client_lookup_new(GPtrArray *hosts, const char *key)
{
  bkt_async_context();
  BktClientLookup *lookup = g_new0(BktClientLookup, 1);
  lookup->cancel = g_cancellable_new();
  lookup->timeout_ms = -1;
  lookup->idle = TRUE;
  g_autoptr(GPtrArray) mine = g_ptr_array_new();
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (strcmp(e->key, key) == 0 && e->auth == BKT_AUTH_OAUTH && e->client_id != NULL)
      g_ptr_array_add(mine, e);
  }
  g_ptr_array_sort(mine, by_use);
  lookup->accounts = bkt_hosts_new();
  for (guint i = 0; i < mine->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(mine, i);
    if (lookup->client_id == NULL)
      lookup->client_id = g_strdup(e->client_id);
    if (strcmp(e->client_id, lookup->client_id) == 0)
      g_ptr_array_add(lookup->accounts, bkt_host_entry_copy(e));
  }
  read_next(lookup);
  return lookup;
}

void
bkt_client_lookup_free(BktClientLookup *lookup)
{
  if (lookup == NULL)
    return;
  /* The read's callback must not outlive the lookup: cancelled, it comes soon. */
  if (!lookup->idle) {
    g_cancellable_cancel(lookup->cancel);
    bkt_async_run_until(&lookup->idle);
  }
  g_ptr_array_unref(lookup->accounts);
  g_free(lookup->client_id);
  bkt_secret_free(lookup->client_secret);
  g_clear_error(&lookup->error);
  g_object_unref(lookup->cancel);
  g_free(lookup);
}

int
bkt_client_lookup_pollfds(BktClientLookup *lookup, struct pollfd *fds, int max)
{
  lookup->timeout_ms = -1;
  return lookup->finished ? 0 : bkt_async_pollfds(fds, max, &lookup->timeout_ms);
}

int
bkt_client_lookup_timeout_ms(BktClientLookup *lookup)
{
  return lookup->finished ? -1 : lookup->timeout_ms;
}

gboolean
bkt_client_lookup_dispatch(BktClientLookup *lookup)
{
  if (!lookup->finished)
    bkt_async_dispatch();
  return lookup->finished;
}

gboolean
bkt_client_lookup_finish(BktClientLookup *lookup, char **client_id, BktSecret **client_secret,
                         GError **error)
{
  *client_id = NULL;
  *client_secret = NULL;
  if (lookup->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&lookup->error));
    return FALSE;
  }
  if (lookup->client_secret == NULL)
    return FALSE;
  *client_id = g_strdup(lookup->client_id);
  *client_secret = g_steal_pointer(&lookup->client_secret);
  return TRUE;
}
