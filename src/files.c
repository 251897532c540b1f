/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "signals.h"
#include "tame.h"

#define LOCK_FILE "lock"
#define LOCK_TIMEOUT_DEFAULT 60
/* Temporary files are ".hosts.json.bkt-new-XXXXXX": hidden, and plainly ours. */
#define TEMP_INFIX ".bkt-new-"

char *
bkt_config_dir_path(void)
{
  const char *env = g_getenv("BKT_AUTH_CONFIG_DIR");
  if (env != NULL && *env != '\0')
    return g_strdup(env);
  return g_build_filename(g_get_user_config_dir(), "bkt-auth", NULL);
}

static gboolean
others_may_write(const struct stat *st)
{
  return (st->st_mode & 022) != 0;
}

/* The folder itself and every file in it: ours, and not writable by others. */
static gboolean
check_own(const char *path, const struct stat *st, gboolean is_dir, GError **error)
{
  g_autofree char *arg = bkt_text_shell_arg(path);
  unsigned mode = st->st_mode & 07777;
  if (st->st_uid != geteuid()) {
    if (is_dir)
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("the configuration directory '%s' belongs to another user, so what it holds "
                    "cannot be trusted: take it back with 'chown %s %s', or set "
                    "BKT_AUTH_CONFIG_DIR to a directory of your own"),
                  path, g_get_user_name(), arg);
    else
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("'%s' belongs to another user, so it cannot be trusted: look at it, then "
                    "take it back with 'chown %s %s' or remove it"),
                  path, g_get_user_name(), arg);
    return FALSE;
  }
  if (others_may_write(st)) {
    if (is_dir)
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("the configuration directory '%s' can be changed by other users (mode %04o), "
                    "so what it holds cannot be trusted: make it private with 'chmod 700 %s'"),
                  path, mode, arg);
    else
      g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                  _("'%s' can be changed by other users (mode %04o), so it cannot be trusted: "
                    "look at it, then make it private with 'chmod 600 %s'"),
                  path, mode, arg);
    return FALSE;
  }
  return TRUE;
}

/* A folder above: owned by root or the user, and writable by others only with the sticky
 * bit (as /tmp is). */
static gboolean
check_parent(const char *path, GError **error)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return TRUE; /* the creation or the next open says what is wrong */
  g_autofree char *arg = bkt_text_shell_arg(path);
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("the directory '%s' above the configuration directory belongs to another user, "
                  "who could replace what bkt-auth keeps: set BKT_AUTH_CONFIG_DIR to a directory "
                  "in a place of your own"),
                path);
    return FALSE;
  }
  if (others_may_write(&st) && (st.st_mode & S_ISVTX) == 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("the directory '%s' above the configuration directory can be changed by other "
                  "users (mode %04o), who could replace what bkt-auth keeps: fix it with "
                  "'chmod go-w %s', or set BKT_AUTH_CONFIG_DIR to a directory in a private place"),
                path, (unsigned)(st.st_mode & 07777), arg);
    return FALSE;
  }
  return TRUE;
}

gboolean
bkt_config_dir_check(const char *dir, GError **error)
{
  struct stat st;
  if (stat(dir, &st) < 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("cannot use the configuration directory '%s': %s"), dir, g_strerror(e));
    return FALSE;
  }
  if (!S_ISDIR(st.st_mode)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("'%s' is not a directory: move it aside, or set BKT_AUTH_CONFIG_DIR to a directory "
                  "of your own"), dir);
    return FALSE;
  }
  if (!check_own(dir, &st, TRUE, error))
    return FALSE;

  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    struct stat fst;
    if (stat(path, &fst) == 0 && !check_own(path, &fst, FALSE, error)) {
      g_dir_close(d);
      return FALSE;
    }
  }
  if (d != NULL)
    g_dir_close(d);

  /* Up to $HOME when the folder is under it, else up to the root. */
  g_autofree char *real = realpath(dir, NULL);
  g_autofree char *home = realpath(g_get_home_dir(), NULL);
  if (real == NULL)
    return TRUE;
  gboolean under_home = home != NULL && strcmp(home, "/") != 0 && g_str_has_prefix(real, home) &&
                        real[strlen(home)] == '/';
  g_autofree char *up = g_path_get_dirname(real);
  for (;;) {
    if (!check_parent(up, error))
      return FALSE;
    if ((under_home && strcmp(up, home) == 0) || strcmp(up, "/") == 0)
      return TRUE;
    char *next = g_path_get_dirname(up);
    g_free(up);
    up = next;
  }
}

char *
bkt_config_dir(GError **error)
{
  char *dir = bkt_config_dir_path();
  if (g_mkdir_with_parents(dir, 0700) < 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE,
                _("cannot create the configuration directory '%s': %s; set BKT_AUTH_CONFIG_DIR "
                  "to a directory you can write"), dir, g_strerror(e));
    g_free(dir);
    return NULL;
  }
  if (!bkt_config_dir_check(dir, error)) {
    g_free(dir);
    return NULL;
  }
  return dir;
}

char *
bkt_config_path(const char *name, GError **error)
{
  g_autofree char *dir = bkt_config_dir(error);
  return dir != NULL ? g_build_filename(dir, name, NULL) : NULL;
}

gboolean
bkt_file_read(const char *path, char **text, size_t *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize n = 0;
  *text = NULL;
  *len = 0;
  if (!g_file_get_contents(path, text, &n, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot read '%s': %s"), path,
                local->message);
    return FALSE;
  }
  *len = n;
  return TRUE;
}

/*
 * Remove what writes killed half-way left behind: beside secrets.json they hold tokens that a
 * logout would never reach. Only those older than a few seconds, so that a write in progress
 * in another process keeps its own.
 */
static void
remove_leftovers(const char *dir, const char *prefix)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_prefix(name, prefix))
      continue;
    g_autofree char *full = g_build_filename(dir, name, NULL);
    GStatBuf st;
    if (g_lstat(full, &st) == 0 && S_ISREG(st.st_mode) && now - (gint64)st.st_mtime > 10)
      g_unlink(full);
  }
  g_dir_close(d);
}

gboolean
bkt_file_write(const char *path, const char *text, size_t len, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *prefix = g_strconcat(".", base, TEMP_INFIX, NULL);
  remove_leftovers(dir, prefix);
  g_autofree char *tmp = g_strconcat(dir, G_DIR_SEPARATOR_S, prefix, "XXXXXX", NULL);
  int err = 0;
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = errno;
  } else {
    size_t off = 0;
    while (off < len && err == 0) {
      ssize_t n = write(fd, text + off, len - off);
      if (n < 0 && errno != EINTR)
        err = errno;
      else if (n > 0)
        off += (size_t)n;
    }
    if (err == 0 && fsync(fd) < 0)
      err = errno;
    if (close(fd) < 0 && err == 0)
      err = errno;
    if (err == 0 && rename(tmp, path) < 0)
      err = errno;
    if (err != 0)
      g_unlink(tmp);
  }
  if (err != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot write '%s': %s"), path,
                g_strerror(err));
    return FALSE;
  }
  /* The rename survives a power cut once the folder is on disk too. */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)fsync(dfd);
    close(dfd);
  }
  return TRUE;
}

/* ---- the lock ---- */

struct BktLock {
  int fd;
};

int
bkt_lock_timeout_s(void)
{
  const char *env = g_getenv("BKT_AUTH_LOCK_TIMEOUT");
  gint64 v = 0;
  if (env != NULL && g_ascii_string_to_signed(env, 10, 0, 86400, &v, NULL))
    return (int)v;
  return LOCK_TIMEOUT_DEFAULT;
}

BktLock *
bkt_lock_try(gboolean *busy, GError **error)
{
  *busy = FALSE;
  g_autofree char *path = bkt_config_path(LOCK_FILE, error);
  if (path == NULL)
    return NULL;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot open the lock file '%s': %s"),
                path, g_strerror(e));
    return NULL;
  }
  while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EINTR)
      continue;
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) {
      *busy = TRUE;
      return NULL;
    }
    g_set_error(error, BKT_ERROR, BKT_ERROR_STORE, _("cannot lock '%s': %s"), path,
                g_strerror(e));
    return NULL;
  }
  BktLock *lock = g_new(BktLock, 1);
  lock->fd = fd;
  return lock;
}

GError *
bkt_lock_timeout_error(int waited_s)
{
  g_autofree char *dir = bkt_config_dir_path();
  g_autofree char *path = g_build_filename(dir, LOCK_FILE, NULL);
  g_autofree char *arg = bkt_text_shell_arg(path);
  return g_error_new(BKT_ERROR, BKT_ERROR_STORE,
                     g_dngettext(GETTEXT_PACKAGE,
                                 "another bkt-auth still holds the lock '%s' after %d second, "
                                 "so nothing was changed: try again once it has finished (one "
                                 "suspended with Ctrl-Z holds it too; 'fuser -v %s' shows "
                                 "which), or wait longer with BKT_AUTH_LOCK_TIMEOUT",
                                 "another bkt-auth still holds the lock '%s' after %d seconds, "
                                 "so nothing was changed: try again once it has finished (one "
                                 "suspended with Ctrl-Z holds it too; 'fuser -v %s' shows "
                                 "which), or wait longer with BKT_AUTH_LOCK_TIMEOUT",
                                 waited_s),
                     path, waited_s, arg);
}

BktLock *
bkt_lock_take(GError **error)
{
  gboolean busy;
  BktLock *lock = bkt_lock_try(&busy, error);
  if (lock != NULL || !busy)
    return lock;
  gint64 start = g_get_monotonic_time();
  gint64 deadline = start + (gint64)bkt_lock_timeout_s() * G_USEC_PER_SEC;
  int sig_fd = bkt_signals_open();
  while (lock == NULL && busy) {
    gint64 now = g_get_monotonic_time();
    if (now >= deadline) {
      g_propagate_error(error, bkt_lock_timeout_error((int)((now - start) / G_USEC_PER_SEC)));
      break;
    }
    struct pollfd p = { .fd = sig_fd, .events = POLLIN };
    int wait_ms = (int)MIN((deadline - now + 999) / 1000, BKT_LOCK_RETRY_MS);
    if (poll(&p, sig_fd >= 0 ? 1 : 0, wait_ms) > 0 && bkt_signals_take() != 0) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_CANCELLED,
                          _("cancelled while waiting for another bkt-auth to finish"));
      break;
    }
    lock = bkt_lock_try(&busy, error);
  }
  bkt_signals_close();
  return lock;
}

void
bkt_lock_release(BktLock *lock)
{
  if (lock == NULL)
    return;
  close(lock->fd);
  g_free(lock);
}
