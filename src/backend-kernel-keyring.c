/* SPDX-License-Identifier: MIT */
/*
 * Secrets in the user's persistent kernel keyring (keyctl_get_persistent): held in kernel
 * memory, never on disk, reachable by the user's own processes only, and dropped at a reboot
 * or after the keyring has gone unused for /proc/sys/kernel/keys/persistent_keyring_expiry
 * seconds. Where no Secret Service can be used: SSH sessions, headless machines.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <keyutils.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "error.h"
#include "files.h"
#include "hosts.h"

#define KEY_TYPE "user"
/* What a key's name starts with: "bkt-auth:" then the folder's mark, the host, the account. */
#define NAME_PREFIX "bkt-auth"
/* Hex digits of the folder's SHA-256 kept in a name: 64 bits. */
#define FOLDER_MARK_LEN 16
/* The possessor may do everything; the user's other processes may see that it is there. */
#define KEY_PERM (KEY_POS_ALL | KEY_USR_VIEW)
#define KEYS_DIR "/proc/sys/kernel/keys/"

/*
 * The name of a login's key: "bkt-auth:<mark>:<host>" or "bkt-auth:<mark>:<host>#<account>",
 * where mark is the start of the SHA-256 of the configuration folder's real path, so two
 * folders of one user never share a key. A host key holds no '#' (host.c refuses fragments).
 */
static char *
key_name(const BktSecretKey *key)
{
  g_autofree char *dir = bkt_config_dir_path();
  char *real = realpath(dir, NULL);
  g_autofree char *path = real != NULL ? g_strdup(real) : g_canonicalize_filename(dir, NULL);
  free(real);
  g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, path, -1);
  sum[FOLDER_MARK_LEN] = '\0';
  if (key->account != NULL)
    return g_strdup_printf("%s:%s:%s#%s", NAME_PREFIX, sum, key->host, key->account);
  return g_strdup_printf("%s:%s:%s", NAME_PREFIX, sum, key->host);
}

/* A number from /proc/sys/kernel/keys/NAME, or -1. */
static long
keys_setting(const char *name)
{
  g_autofree char *path = g_strconcat(KEYS_DIR, name, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return -1;
  char *end = NULL;
  long value = strtol(text, &end, 10);
  return end != text && value >= 0 ? value : -1;
}

/* "3 days", "12 hours": how long the persistent keyring lasts unused; newly allocated. */
static char *
expiry_text(void)
{
  long s = keys_setting("persistent_keyring_expiry");
  if (s < 0)
    return g_strdup(_("some days"));
  if (s >= 86400 && s % 86400 == 0) {
    int days = (int)MIN(s / 86400, G_MAXINT);
    return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d day", "%d days", days), days);
  }
  if (s >= 3600) {
    int hours = (int)MIN(s / 3600, G_MAXINT);
    return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d hour", "%d hours", hours), hours);
  }
  int minutes = (int)MAX((s + 59) / 60, 1);
  return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes),
                         minutes);
}

/* The sentence for a keyring call that failed with errno e. */
static GError *
keyring_error(int e, const char *host)
{
  if (e == EDQUOT) {
    gboolean root = geteuid() == 0;
    long bytes = keys_setting(root ? "root_maxbytes" : "maxbytes");
    long keys = keys_setting(root ? "root_maxkeys" : "maxkeys");
    return g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                       _("the kernel keyring has no room left for the token: your keys already "
                         "fill your quota of %ld bytes or %ld keys (%s%s and %s%s; "
                         "/proc/key-users shows what is used): remove keys you no longer need "
                         "with keyctl, have the quota raised, or log in with "
                         "--insecure-storage to keep tokens in a file only you can read"),
                       bytes, keys, KEYS_DIR, root ? "root_maxbytes" : "maxbytes", KEYS_DIR,
                       root ? "root_maxkeys" : "maxkeys");
  }
  if ((e == EPERM || e == ENOSYS || e == EOPNOTSUPP) && host != NULL)
    return g_error_new(BKT_ERROR, BKT_ERROR_STORE_UNUSABLE,
                       _("the token for '%s' is kept in the kernel keyring, which this system "
                         "refuses (%s), as container sandboxes often do: run bkt-auth where "
                         "keyrings are allowed, or log in again here with --insecure-storage"),
                       host, g_strerror(e));
  if (e == EPERM || e == ENOSYS || e == EOPNOTSUPP)
    return g_error_new(BKT_ERROR, BKT_ERROR_STORE_UNUSABLE,
                       _("this system refuses the kernel keyring (%s), as container sandboxes "
                         "often do: log in with --insecure-storage to keep tokens in a file "
                         "only you can read"),
                       g_strerror(e));
  if (host != NULL)
    return g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                       _("cannot use the kernel keyring that keeps the token for '%s': %s"),
                       host, g_strerror(e));
  return g_error_new(BKT_ERROR, BKT_ERROR_STORE, _("cannot use the kernel keyring: %s"),
                     g_strerror(e));
}

/* The user's persistent keyring, linked into this process's keyring so that it is possessed
 * (asking resets its expiry); -1 with the reason. */
static key_serial_t
persistent_keyring(const char *host, GError **error)
{
  long id = keyctl_get_persistent((uid_t)-1, KEY_SPEC_PROCESS_KEYRING);
  if (id < 0) {
    *error = keyring_error(errno, host);
    return -1;
  }
  return (key_serial_t)id;
}

/* The key of a login: its serial, 0 when there is none, -1 with the reason. */
static key_serial_t
find_key(const BktSecretKey *key, key_serial_t *ring, GError **error)
{
  *ring = persistent_keyring(key->host, error);
  if (*ring < 0)
    return -1;
  g_autofree char *name = key_name(key);
  long id = keyctl_search(*ring, KEY_TYPE, name, 0);
  if (id >= 0)
    return (key_serial_t)id;
  if (errno == ENOKEY || errno == EKEYEXPIRED || errno == EKEYREVOKED)
    return 0;
  *error = keyring_error(errno, key->host);
  return -1;
}

/* What a key holds; NULL with the reason. */
static BktSecret *
read_key(key_serial_t id, const char *host, GError **error)
{
  long size = keyctl_read(id, NULL, 0);
  while (size >= 0 && size <= BKT_SECRET_MAX) {
    char *buf = g_malloc((size_t)size + 1);
    long n = keyctl_read(id, buf, (size_t)size);
    int e = errno;
    BktSecret *value = n >= 0 && n <= size ? bkt_secret_new_len(buf, (size_t)n) : NULL;
    bkt_wipe(buf, (size_t)size + 1);
    g_free(buf);
    if (value != NULL || n < 0) {
      if (n < 0)
        *error = keyring_error(e, host);
      return value;
    }
    size = n; /* it grew between the two reads */
  }
  if (size < 0)
    *error = keyring_error(errno, host);
  else
    *error = g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                         _("the kernel keyring holds something too large for '%s': log in "
                           "again"), host);
  return NULL;
}

static void
kk_lookup(const BktSecretKey *key, GTask *task)
{
  GError *error = NULL;
  key_serial_t ring;
  key_serial_t id = find_key(key, &ring, &error);
  BktSecret *value = id > 0 ? read_key(id, key->host, &error) : NULL;
  if (error != NULL)
    g_task_return_error(task, error);
  else
    g_task_return_pointer(task, value, (GDestroyNotify)bkt_secret_free);
}

static void
kk_store(const BktSecretKey *key, const BktSecret *value, GTask *task)
{
  GError *error = NULL;
  key_serial_t ring = persistent_keyring(key->host, &error);
  if (ring < 0) {
    g_task_return_error(task, error);
    return;
  }
  g_autofree char *name = key_name(key);
  /* A key of that name in the keyring is updated in place. */
  key_serial_t id = add_key(KEY_TYPE, name, bkt_secret_str(value), bkt_secret_len(value), ring);
  if (id < 0 || keyctl_setperm(id, KEY_PERM) < 0) {
    g_task_return_error(task, keyring_error(errno, key->host));
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void
kk_clear(const BktSecretKey *key, GTask *task)
{
  GError *error = NULL;
  key_serial_t ring;
  key_serial_t id = find_key(key, &ring, &error);
  /* Invalidated, the key is gone from every keyring at once, not only from this one. */
  if (id > 0 && keyctl_invalidate(id) < 0 && errno != ENOKEY)
    error = keyring_error(errno, key->host);
  if (error != NULL)
    g_task_return_error(task, error);
  else
    g_task_return_boolean(task, TRUE);
}

static void
kk_probe(GTask *task)
{
  GError *error = NULL;
  if (persistent_keyring(NULL, &error) < 0)
    g_task_return_error(task, error);
  else
    g_task_return_boolean(task, TRUE);
}

static gboolean
kk_absent(void)
{
  return FALSE;
}

static char *
kk_describe(void)
{
  g_autofree char *days = expiry_text();
  /* TRANSLATORS: follows "The token is kept in"; %s is "3 days" */
  return g_strdup_printf(_("the kernel keyring of this machine (in memory only: a reboot, or "
                           "%s without use, clears it, and then you log in again)"),
                         days);
}

static char *
kk_forgotten(const char *host)
{
  g_autofree char *days = expiry_text();
  return g_strdup_printf(_("the kernel keyring no longer holds the token for '%s': it forgets "
                           "tokens at a reboot and after %s without use; log in again with "
                           "'bkt-auth login %s'"),
                         host, days, host);
}

const BktBackend bkt_backend_kernel_keyring = {
  .storage = BKT_STORAGE_KERNEL_KEYRING,
  .lookup = kk_lookup,
  .store = kk_store,
  .clear = kk_clear,
  .probe = kk_probe,
  .absent = kk_absent,
  .describe = kk_describe,
  .forgotten = kk_forgotten,
};
