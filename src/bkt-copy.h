/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"
#include "secret.h"

/*
 * bkt's copy of a login: what setup-bkt writes so that plain bkt works (a host entry in bkt's
 * config.yml with auth_method bearer, a context when bkt has no active one, the token in bkt's
 * keyring), and keeps fresh afterwards. bkt holds one account per host: its copy follows the
 * host's active account. What was written is remembered in bkt.json beside hosts.json, so
 * that refresh, switch and logout change only what setup-bkt made. None of these ask for a
 * password, but setup-bkt (which may make bkt's keyring).
 */

/* Asked when bkt holds a login of its own for the host (bkt_key), which setup-bkt would
 * replace: TRUE to go on. FALSE with an error when nobody can be asked. */
typedef gboolean (*BktBktConfirm)(const char *bkt_key, const char *config_path,
                                  gpointer user_data, GError **error);

/* What setup-bkt did. */
typedef struct {
  char *host;           /* bkt-auth's host */
  char *who;            /* the account whose token bkt now holds, for people */
  char *bkt_key;        /* bkt's name of the host: "api.bitbucket.org" */
  char *config_path;    /* bkt's config.yml */
  char *backup_path;    /* the config.yml it replaced a login of bkt's own in, kept; or NULL */
  char *context;        /* the context made and made active, or NULL */
  char *other_context;  /* bkt's active context, when it is for another host; else NULL */
  gboolean ssh;         /* over SSH without a display: bkt needs KEYRING_BACKEND=secret-service */
} BktBktSetup;

void bkt_bkt_setup_clear(BktBktSetup *setup);

/*
 * setup-bkt: give bkt the login of the host the rules of choose.h find (its active account),
 * refreshed first when needed. Makes bkt's keyring when it is missing, and unlocks it, which
 * the Secret Service asks the person for. Where bkt already holds a login of its own for the
 * host, confirm decides (NULL: refused), and the old config.yml is kept beside the new one.
 * Running it again rewrites the copy.
 */
gboolean bkt_bkt_setup(const char *host_input, BktBktConfirm confirm, gpointer user_data,
                       BktBktSetup *out, GError **error);

typedef enum {
  BKT_BKT_TIMER_ENABLED,     /* bkt-auth-refresh.timer is enabled and started */
  BKT_BKT_TIMER_NO_MANAGER,  /* no systemd user manager runs here */
  BKT_BKT_TIMER_FAILED,      /* systemctl failed: the error says why */
} BktBktTimer;

/* Enable and start bkt-auth-refresh.timer in the user's systemd manager, where one runs. */
BktBktTimer bkt_bkt_enable_timer(GError **error);

/* ---- keeping the copy ---- */

/* What happened to bkt's copy of a host. */
typedef enum {
  BKT_BKT_COPY_NONE,       /* bkt holds no copy of this host's login */
  BKT_BKT_COPY_CURRENT,    /* it holds the current token; nothing to do */
  BKT_BKT_COPY_WRITTEN,    /* it was rewritten */
  BKT_BKT_COPY_REMOVED,    /* the host has no login left: the copy and its entry are gone */
  BKT_BKT_COPY_LOCKED,     /* bkt's keyring is locked: nothing was written */
  BKT_BKT_COPY_MISSING,    /* bkt's keyring is gone: nothing was written */
  BKT_BKT_COPY_FAILED,     /* the Secret Service failed (the error says how) */
} BktBktCopy;

/*
 * A refresh of entry stored token (under the store lock, which the caller holds): when bkt
 * holds a copy of the host and entry is its active account, rewrite it without a prompt.
 */
void bkt_bkt_copy_refreshed(const BktHostEntry *entry, const BktSecret *token,
                            gint64 expires_at);

/*
 * After a switch, a logout or a login: make bkt's copy of the host follow its active
 * account, under the store lock; remove it, its host entry and the context setup-bkt made
 * when the host has no account left. Never prompts.
 */
BktBktCopy bkt_bkt_copy_follow(const char *key, GError **error);

/* How long before its expiry the timer (every 15 minutes) refreshes a token bkt holds. */
#define BKT_BKT_REFRESH_AHEAD (20 * 60)

/* For the timer: refresh the host's active account when its token has less than margin
 * seconds left, then make bkt's copy follow it. */
BktBktCopy bkt_bkt_copy_keep_fresh(const char *key, gint64 margin, GError **error);

/* The hosts bkt holds copies of, by bkt-auth's host key; newly allocated strings. */
GPtrArray *bkt_bkt_copies(void);

/* What status shows about an account's copy. */
typedef struct {
  char *bkt_key;
  gint64 expires_at;  /* of the token bkt holds; 0 when unknown */
  char *problem;      /* one sentence, or NULL when bkt holds a token that works */
} BktBktCopyState;

/* TRUE with *state filled when bkt holds a copy of this account's login. */
gboolean bkt_bkt_copy_state(const BktHostEntry *entry, BktBktCopyState *state);
void bkt_bkt_copy_state_clear(BktBktCopyState *state);
