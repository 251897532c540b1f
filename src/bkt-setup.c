/* SPDX-License-Identifier: MIT */
/* setup-bkt: bkt's own configuration and keyring item for a login, and the refresh timer. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/wait.h>

#include "access.h"
#include "bkt-args.h"
#include "bkt-config.h"
#include "bkt-copy-private.h"
#include "bkt-keyring.h"
#include "choose.h"
#include "error.h"
#include "files.h"
#include "json.h"
#include "store.h"

#define TIMER_UNIT "bkt-auth-refresh.timer"
#define BACKUP_SUFFIX ".before-setup-bkt"

void
bkt_bkt_setup_clear(BktBktSetup *s)
{
  g_free(s->host);
  g_free(s->who);
  g_free(s->bkt_key);
  g_free(s->config_path);
  g_free(s->backup_path);
  g_free(s->context);
  g_free(s->other_context);
  memset(s, 0, sizeof *s);
}

/* A name for a new context of the host: its key, in the letters bkt's names take. */
static char *
context_name(const BktBktConfig *config, const char *key)
{
  g_autofree char *base = g_strdup(key);
  for (char *p = base; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
      *p = '-';
  char *name = g_strdup(base);
  for (int n = 2; bkt_bkt_config_has_context(config, name); n++) {
    g_free(name);
    name = g_strdup_printf("%s-%d", base, n);
  }
  return name;
}

static GError *
keyring_error(BktBktKeyringResult result, GError *cause)
{
  if (result == BKT_BKT_KEYRING_FAILED)
    return cause;
  g_clear_error(&cause);
  if (result == BKT_BKT_KEYRING_LOCKED)
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE,
                               _("bkt's own keyring (the collection 'bkt' of the Secret "
                                 "Service) is locked and was not unlocked: unlock it in your "
                                 "keyring manager and run 'bkt-auth setup-bkt' again, or run "
                                 "bkt as 'bkt-auth exec -- bkt'"));
  if (bkt_bkt_headless_ssh())
    return g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE,
                               _("over SSH no password prompt can be shown, so bkt's own "
                                 "keyring (the collection 'bkt' of the Secret Service) cannot "
                                 "be made here, and over SSH bkt reads it only with "
                                 "KEYRING_BACKEND=secret-service set: run bkt as 'bkt-auth exec "
                                 "-- bkt' instead (alias bkt='bkt-auth exec -- bkt')"));
  return g_error_new_literal(BKT_ERROR, BKT_ERROR_STORE,
                             _("bkt's own keyring (the collection 'bkt' of the Secret Service) "
                               "does not exist and could not be made, as no password prompt "
                               "could be shown or it was dismissed: run bkt as 'bkt-auth exec "
                               "-- bkt' instead (alias bkt='bkt-auth exec -- bkt'), or run "
                               "setup-bkt again at the desktop"));
}

/* Whether bkt holds a login of its own for its host key, which setup-bkt would replace. */
static gboolean
bkt_has_own_login(const BktBktConfig *config, const char *bkt_key)
{
  if (bkt_bkt_config_has_host(config, bkt_key))
    return TRUE;
  gboolean found = FALSE;
  return bkt_bkt_keyring_find(bkt_key, &found, NULL) == BKT_BKT_KEYRING_DONE && found;
}

/* Another stored host whose copy bkt keeps under the same key: bkt has room for one. */
static gboolean
check_key_free(cJSON *record, const char *key, const char *bkt_key, GError **error)
{
  cJSON *rec;
  cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(record, "copies")) {
    if (strcmp(rec->string, key) != 0 &&
        g_strcmp0(bkt_json_string(rec, "bkt_host"), bkt_key) == 0) {
      g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                  _("bkt keeps one login per server address, and its '%s' already holds "
                    "bkt-auth's login of %s: log out of that one first, or run bkt as "
                    "'bkt-auth exec %s -- bkt' for this one"), bkt_key, rec->string, key);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean write_rest(const BktHostEntry *e, BktBktConfig *config, cJSON *record,
                           cJSON *rec, const char *before, gboolean theirs, BktBktSetup *out,
                           GError **error);

/* Under the lock: the keyring item, then config.yml, then the record. */
static gboolean
write_all(const BktHostEntry *e, BktBktConfig *config, cJSON *record, gboolean theirs,
          BktBktSetup *out, GError **error)
{
  BktSecrets s;
  /* The token as stored now: another process may have refreshed it meanwhile. */
  if (!bkt_secrets_load(e, &s, error))
    return FALSE;
  const cJSON *had = bkt_copy_record_get(record, e->key);
  gboolean fresh = had == NULL;
  g_autofree char *before = g_strdup(bkt_json_string(had, "context"));
  cJSON *rec = bkt_copy_record_put(record, e->key);
  bkt_copy_set_string(rec, "bkt_host", out->bkt_key);
  GError *local = NULL;
  BktBktCopy done = bkt_copy_write(rec, e, s.access_token, s.expires_at, TRUE, &local);
  bkt_secrets_clear(&s);
  if (done != BKT_BKT_COPY_WRITTEN) {
    g_propagate_error(error, keyring_error(done == BKT_BKT_COPY_LOCKED    ? BKT_BKT_KEYRING_LOCKED
                                           : done == BKT_BKT_COPY_MISSING ? BKT_BKT_KEYRING_MISSING
                                                                          : BKT_BKT_KEYRING_FAILED,
                                           local));
    return FALSE;
  }
  if (write_rest(e, config, record, rec, before, theirs, out, error))
    return TRUE;
  /* A copy no record names would outlive logout: a new one goes again. (One set up before
   * keeps its record, which now names the token just written.) */
  if (fresh)
    bkt_bkt_keyring_remove(out->bkt_key, NULL);
  return FALSE;
}

/* config.yml and the record, once bkt's keyring holds the token. */
static gboolean
write_rest(const BktHostEntry *e, BktBktConfig *config, cJSON *record, cJSON *rec,
           const char *before, gboolean theirs, BktBktSetup *out, GError **error)
{
  g_autofree char *base = bkt_bkt_base_url(e);
  const char *original = bkt_bkt_config_original(config);
  if (theirs && original != NULL) {
    out->backup_path = g_strconcat(out->config_path, BACKUP_SUFFIX, NULL);
    if (!bkt_file_write(out->backup_path, original, strlen(original), error))
      return FALSE;
  }
  BktBktHost host = {
    .kind = bkt_kind_to_string(e->kind),
    .base_url = base,
    .username = bkt_bkt_username(e),
    .auth_method = bkt_bkt_auth_method(e),
  };
  bkt_bkt_config_set_host(config, out->bkt_key, &host);
  g_autofree char *active = bkt_bkt_config_active(config);
  g_autofree char *active_host = active != NULL ? bkt_bkt_config_context_host(config, active)
                                                : NULL;
  const char *made = before;
  if (active_host == NULL) {
    /* No context bkt could use: one for this host, made active. */
    g_autofree char *host_of_before = before != NULL ? bkt_bkt_config_context_host(config, before)
                                                     : NULL;
    if (before == NULL || (host_of_before != NULL && strcmp(host_of_before, out->bkt_key) != 0))
      out->context = context_name(config, e->key);
    else
      out->context = g_strdup(before);
    bkt_bkt_config_set_context(config, out->context, out->bkt_key);
    bkt_bkt_config_set_active(config, out->context);
    made = out->context;
  } else if (strcmp(active_host, out->bkt_key) != 0) {
    out->other_context = g_strdup(active);
  }
  if (!bkt_bkt_config_save(config, error))
    return FALSE;
  bkt_copy_set_string(rec, "config", out->config_path);
  bkt_copy_set_string(rec, "base_url", host.base_url);
  bkt_copy_set_string(rec, "auth_method", host.auth_method);
  bkt_copy_set_string(rec, "context", made);
  return bkt_copy_record_save(record, error);
}

gboolean
bkt_bkt_setup(const char *host_input, BktBktConfirm confirm, gpointer user_data,
              BktBktSetup *out, GError **error)
{
  memset(out, 0, sizeof *out);
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(error);
  const BktHostEntry *chosen = hosts != NULL ? bkt_choose_login(hosts, host_input, NULL, TRUE,
                                                                error)
                                             : NULL;
  g_autoptr(BktSecret) token = NULL;
  g_autoptr(BktHostEntry) e = NULL;
  /* Refreshed first when needed: bkt gets a token with its whole life ahead. */
  if (chosen == NULL || !bkt_access_token(chosen->key, chosen->account, FALSE, &token, &e, error))
    return FALSE;
  g_autofree char *base = bkt_bkt_base_url(e);
  out->host = g_strdup(e->key);
  out->who = g_strdup(e->username != NULL ? e->username : e->account);
  out->bkt_key = bkt_bkt_host_key(base);
  out->ssh = bkt_bkt_headless_ssh();
  if (out->bkt_key == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("the address of '%s' has no host name"),
                e->key);
    return FALSE;
  }
  g_autoptr(BktBktConfig) config = bkt_bkt_config_load(error);
  if (config == NULL)
    return FALSE;
  out->config_path = g_strdup(bkt_bkt_config_file(config));
  cJSON *record = bkt_copy_record_load(error);
  if (record == NULL)
    return FALSE;
  cJSON *rec = bkt_copy_record_get(record, e->key);
  gboolean ours = rec != NULL && g_strcmp0(bkt_json_string(rec, "bkt_host"), out->bkt_key) == 0;
  gboolean ok = check_key_free(record, e->key, out->bkt_key, error);
  gboolean theirs = ok && !ours && bkt_has_own_login(config, out->bkt_key);
  if (theirs && confirm == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt already holds a login of its own for %s, which setup-bkt would "
                  "replace"), out->bkt_key);
    ok = FALSE;
  } else if (theirs) {
    ok = confirm(out->bkt_key, out->config_path, user_data, error);
  }
  cJSON_Delete(record);
  if (!ok)
    return FALSE;

  g_autoptr(BktLock) lock = bkt_lock_take(error);
  if (lock == NULL || (record = bkt_copy_record_load(error)) == NULL)
    return FALSE;
  ok = write_all(e, config, record, theirs, out, error);
  cJSON_Delete(record);
  return ok;
}

/* ---- the timer ---- */

BktBktTimer
bkt_bkt_enable_timer(GError **error)
{
  g_autofree char *manager = g_build_filename(g_get_user_runtime_dir(), "systemd", "private",
                                              NULL);
  g_autofree char *systemctl = g_find_program_in_path("systemctl");
  if (systemctl == NULL || !g_file_test(manager, G_FILE_TEST_EXISTS))
    return BKT_BKT_TIMER_NO_MANAGER;
  const char *argv[] = { systemctl, "--user", "enable", "--now", TIMER_UNIT, NULL };
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr(GError) local = NULL;
  if (!g_spawn_sync(NULL, (char **)argv, NULL,
                    G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                    &err, &status, &local)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot run systemctl: %s"),
                local->message);
    return BKT_BKT_TIMER_FAILED;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    g_autofree char *what = g_strstrip(g_strdup(err != NULL ? err : ""));
    char *nl = strchr(what, '\n');
    if (nl != NULL)
      *nl = '\0';
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("'systemctl --user enable --now %s' failed: %s"), TIMER_UNIT,
                *what ? what : _("it stopped without saying why"));
    return BKT_BKT_TIMER_FAILED;
  }
  return BKT_BKT_TIMER_ENABLED;
}
