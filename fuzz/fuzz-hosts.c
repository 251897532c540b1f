/* SPDX-License-Identifier: MIT */
/* hosts.json as bkt-auth reads it back, whatever an editor, a crash or another release left
 * there: read whole or refused with a sentence, and what is read survives a write and a
 * read again. */
#include <string.h>

#include "fuzz.h"
#include "hosts.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) hosts = bkt_hosts_new();
  g_autoptr(GError) error = NULL;
  int version = 0;
  if (!bkt_hosts_parse((const char *)data, size, hosts, &version, &error)) {
    FUZZ_CHECK(fuzz_error_is_sentence(error));
    FUZZ_CHECK(hosts->len == 0);
    return 0;
  }
  FUZZ_CHECK(version == 1 || version == 2);
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    FUZZ_CHECK(e->key != NULL && *e->key != '\0' && e->account != NULL);
    FUZZ_CHECK(e->kind == BKT_KIND_CLOUD || e->kind == BKT_KIND_DC);
    FUZZ_CHECK(e->storage != NULL && e->expires_at >= 0);
    FUZZ_CHECK(e->legacy == (version == 1));
    /* One entry per account of a host. */
    for (guint j = i + 1; j < hosts->len; j++)
      FUZZ_CHECK(!bkt_host_entry_same(e, g_ptr_array_index(hosts, j)));
    FUZZ_CHECK(bkt_hosts_find(hosts, e->key, e->account) == e);
  }
  /* Each host has one active account, its own kind and address. */
  g_autoptr(GPtrArray) keys = bkt_hosts_keys(hosts);
  guint accounts = 0;
  for (guint k = 0; k < keys->len; k++) {
    const char *key = g_ptr_array_index(keys, k);
    const BktHostEntry *active = bkt_hosts_active(hosts, key);
    FUZZ_CHECK(active != NULL && active->active);
    accounts += bkt_hosts_count(hosts, key);
  }
  FUZZ_CHECK(accounts == hosts->len);
  /* Written and read again: the same entries (a version 1 list is written as version 2). */
  g_autofree char *text = bkt_hosts_print(hosts);
  g_autoptr(GPtrArray) back = bkt_hosts_new();
  int back_version = 0;
  FUZZ_CHECK(bkt_hosts_parse(text, strlen(text), back, &back_version, NULL));
  FUZZ_CHECK(back_version == 2 && back->len == hosts->len);
  for (guint i = 0; i < hosts->len; i++) {
    BktHostEntry *e = g_ptr_array_index(hosts, i);
    e->legacy = FALSE;
    FUZZ_CHECK(bkt_host_entry_equal(bkt_hosts_find(back, e->key, e->account), e));
  }
  return 0;
}
