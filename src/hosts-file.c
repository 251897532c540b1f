/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "hosts.h"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "files.h"

/* hosts.json on disk: read (once for each version of the file), written whole, and an older
 * format kept beside the new one. */

#define HOSTS_FILE "hosts.json"

/* The list as this process read it last, and the file it was read from: a command reads
 * hosts.json more than once (the upgrade's look, then the command's own), and with many
 * accounts parsing is most of what `token` does besides the keyring. A file replaced (every
 * write renames a new one into place) or changed in place is read again. */
static struct {
  GPtrArray *hosts;
  char *path;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
} last_read;

static gboolean
same_file(const char *path, const struct stat *st)
{
  return last_read.hosts != NULL && g_strcmp0(last_read.path, path) == 0 &&
         last_read.dev == st->st_dev && last_read.ino == st->st_ino &&
         last_read.size == st->st_size && last_read.mtime.tv_sec == st->st_mtim.tv_sec &&
         last_read.mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static GPtrArray *
copy_of(GPtrArray *hosts)
{
  GPtrArray *copy = bkt_hosts_new();
  for (guint i = 0; i < hosts->len; i++)
    g_ptr_array_add(copy, bkt_host_entry_copy(g_ptr_array_index(hosts, i)));
  return copy;
}

static void
remember(const char *path, const struct stat *st, GPtrArray *hosts)
{
  g_clear_pointer(&last_read.hosts, g_ptr_array_unref);
  g_free(last_read.path);
  last_read.path = g_strdup(path);
  last_read.dev = st->st_dev;
  last_read.ino = st->st_ino;
  last_read.size = st->st_size;
  last_read.mtime = st->st_mtim;
  last_read.hosts = copy_of(hosts);
}

GPtrArray *
bkt_hosts_load(GError **error)
{
  /* The folder and its files are checked on every call, as before any read. */
  g_autofree char *path = bkt_config_path(HOSTS_FILE, error);
  if (path == NULL)
    return NULL;
  /* Looked at before it is read: a file replaced meanwhile is not taken for this one. */
  struct stat st;
  gboolean seen = stat(path, &st) == 0;
  if (seen && same_file(path, &st))
    return copy_of(last_read.hosts);
  g_autofree char *text = NULL;
  size_t len = 0;
  if (!bkt_file_read(path, &text, &len, error))
    return NULL;
  GPtrArray *hosts = bkt_hosts_new();
  g_autoptr(GError) local = NULL;
  int version = 0;
  if (text != NULL && !bkt_hosts_parse(text, len, hosts, &version, &local)) {
    if (version > BKT_HOSTS_VERSION)
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("'%s' was written by a newer bkt-auth (format %d; this one reads up to "
                    "%d), so it is left as it is: upgrade bkt-auth"), path, version,
                  BKT_HOSTS_VERSION);
    else
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("'%s' is damaged and cannot be read: move it aside and log in again"), path);
    g_ptr_array_unref(hosts);
    return NULL;
  }
  if (seen && text != NULL)
    remember(path, &st, hosts);
  return hosts;
}

gboolean
bkt_hosts_save(GPtrArray *hosts, GError **error)
{
  g_autofree char *path = bkt_config_path(HOSTS_FILE, error);
  if (path == NULL)
    return FALSE;
  g_autofree char *text = bkt_hosts_print(hosts);
  return bkt_file_write(path, text, strlen(text), error);
}

gboolean
bkt_hosts_keep_old(int version, GError **error)
{
  g_autofree char *path = bkt_config_path(HOSTS_FILE, error);
  g_autofree char *text = NULL;
  size_t len = 0;
  if (path == NULL || !bkt_file_read(path, &text, &len, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  g_autofree char *old = g_strdup_printf("%s.v%d", path, version);
  return bkt_file_write(old, text, len, error);
}
