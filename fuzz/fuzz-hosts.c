/* SPDX-License-Identifier: MIT */
/* hosts.json as bkt-auth reads it back, whatever an editor or a crash left there. */
#include <string.h>

#include "fuzz.h"
#include "store.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func((GDestroyNotify)bkt_host_entry_free);
  g_autoptr(GError) error = NULL;
  if (!bkt_hosts_parse((const char *)data, size, hosts, &error)) {
    FUZZ_CHECK(fuzz_error_is_sentence(error));
    return 0;
  }
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    FUZZ_CHECK(e->key != NULL && *e->key != '\0');
    FUZZ_CHECK(e->kind == BKT_KIND_CLOUD || e->kind == BKT_KIND_DC);
    FUZZ_CHECK(e->storage != NULL && e->expires_at >= 0);
    /* One entry per key. */
    for (guint j = i + 1; j < hosts->len; j++)
      FUZZ_CHECK(strcmp(e->key, ((BktHostEntry *)g_ptr_array_index(hosts, j))->key) != 0);
    BktHostEntry *copy = bkt_host_entry_copy(e);
    bkt_host_entry_free(copy);
  }
  g_autoptr(GError) lookup_error = NULL;
  BktHostEntry *only = bkt_hosts_lookup(hosts, NULL, &lookup_error);
  FUZZ_CHECK((only != NULL) == (hosts->len == 1));
  if (hosts->len > 0) {
    g_autoptr(GError) by_name_error = NULL;
    (void)bkt_hosts_lookup(hosts, ((BktHostEntry *)g_ptr_array_index(hosts, 0))->key,
                           &by_name_error);
  }
  return 0;
}
