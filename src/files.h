/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "secret.h"

/* The configuration folder and the files in it: found, checked before they are trusted,
 * written atomically, and the lock that serialises changes across processes. */

/* $BKT_AUTH_CONFIG_DIR, else $XDG_CONFIG_HOME/bkt-auth; newly allocated, nothing checked. */
char *bkt_config_dir_path(void);

/*
 * The configuration folder, created 0700 when missing, and checked the way ssh checks
 * ~/.ssh: owned by the user and not writable by others, nor any file in it, nor a folder
 * above it up to $HOME (one that others may write needs the sticky bit). The error names
 * what is wrong and the chmod or chown that fixes it. Newly allocated.
 */
char *bkt_config_dir(GError **error);

/* The checks of bkt_config_dir on dir as it is, creating nothing (for doctor). */
gboolean bkt_config_dir_check(const char *dir, GError **error);

/* A file of the configuration folder: bkt_config_dir() / name. Newly allocated. */
char *bkt_config_path(const char *name, GError **error);

/* A whole file as text (NUL-terminated); *text NULL when it does not exist. */
gboolean bkt_file_read(const char *path, char **text, size_t *len, GError **error);

/* Write text to path atomically with mode 0600: a temporary file beside it, fsync, rename,
 * fsync the folder. A secret text leaves no copy behind: the caller wipes its own. */
gboolean bkt_file_write(const char *path, const char *text, size_t len, GError **error);

/* ---- the lock ---- */

typedef struct BktLock BktLock;

/* How often a wait for the lock tries it again. */
#define BKT_LOCK_RETRY_MS 100

/* How long a command waits for the lock: BKT_AUTH_LOCK_TIMEOUT seconds, default 60. */
int bkt_lock_timeout_s(void);

/* Take the lock if nobody holds it; otherwise NULL with *busy set (and no error). */
BktLock *bkt_lock_try(gboolean *busy, GError **error);

/*
 * Take the lock, waiting up to bkt_lock_timeout_s() for another process to let go. SIGINT,
 * SIGTERM and SIGHUP end the wait (BKT_ERROR_CANCELLED); the deadline ends it with a sentence
 * that names the lock (BKT_ERROR_STORE).
 */
BktLock *bkt_lock_take(GError **error);

/* The sentence for a lock still held after waited seconds. */
GError *bkt_lock_timeout_error(int waited_s);

void bkt_lock_release(BktLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktLock, bkt_lock_release)
