/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* The format of hosts.json this release writes, and the newest it reads. */
#define BKT_HOSTS_VERSION 2

#include "host.h"

/* Where secrets of a login live. Protocol strings in hosts.json, never translated. */
#define BKT_STORAGE_SECRET_SERVICE "secret-service"
#define BKT_STORAGE_KERNEL_KEYRING "kernel-keyring"
#define BKT_STORAGE_FILE "file"

/* How the stored credential was obtained. */
typedef enum {
  BKT_AUTH_OAUTH,  /* an OAuth login: refreshable */
  BKT_AUTH_TOKEN,  /* an API token or a personal access token given with --with-token */
} BktAuth;

/* "oauth" / "token": protocol strings, never translated. */
const char *bkt_auth_to_string(BktAuth auth);

/*
 * What hosts.json knows about one login, an account on a host: nothing secret. A host holds
 * several accounts, one of them active; each entry carries its host's fields too.
 */
typedef struct {
  char *key;          /* the host: "bitbucket.org", "git.example.com/bitbucket" */
  BktKind kind;
  char *base_url;
  char *account;      /* who it is, as the server keys people (Cloud account_id, DC user id) */
  gboolean active;    /* the host's active account */
  char *username;
  char *display_name;
  BktAuth auth;
  char *login;        /* Cloud API token: the e-mail sent as Basic user; else NULL */
  char *client_id;
  char *redirect_uri;
  char *scopes;
  char *storage;      /* BKT_STORAGE_* */
  char *ca_file;      /* extra CA bundle given at login, or NULL */
  gint64 expires_at;  /* unix seconds; 0 when the credential does not expire */
  gint64 last_used;   /* unix seconds of the last login or switch to it; 0 unknown */
  gboolean legacy;    /* read from hosts.json version 1: its secrets are kept under the host
                         alone, until the upgrade moves them (store.h) */
} BktHostEntry;

BktHostEntry *bkt_host_entry_new(void);
void bkt_host_entry_free(BktHostEntry *entry);
BktHostEntry *bkt_host_entry_copy(const BktHostEntry *entry);
/* TRUE when every field of a and b is the same. */
gboolean bkt_host_entry_equal(const BktHostEntry *a, const BktHostEntry *b);
/* TRUE when both are the same account of the same host. */
gboolean bkt_host_entry_same(const BktHostEntry *a, const BktHostEntry *b);
/* TRUE when the new login e is the person of the stored entry: the same account, or the same
 * user of a login upgraded from version 1, which knew no account ID and is keyed by the user
 * name until the person logs in again. */
gboolean bkt_host_entry_same_person(const BktHostEntry *stored, const BktHostEntry *e);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktHostEntry, bkt_host_entry_free)

/* An empty list of entries that frees them. */
GPtrArray *bkt_hosts_new(void);

/*
 * Parse hosts.json text into hosts; *version (optional) receives the format read (1: one
 * login per host, the entries marked legacy; 2: accounts). The file is read whole or not at
 * all: anything it cannot read (a field of the wrong type, an unknown kind or storage, a host
 * or an account twice, a key it does not know) makes it damaged, and nothing is taken; a
 * format newer than this program knows is refused (BKT_ERROR_STORE, its own sentence).
 */
gboolean bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, int *version,
                         GError **error);
/* hosts.json text (the newest format) for hosts; newly allocated. */
char *bkt_hosts_print(GPtrArray *hosts);

/* All stored logins (empty when none). A damaged file is an error naming it. */
GPtrArray *bkt_hosts_load(GError **error);
/* Write hosts.json atomically, mode 0600. */
gboolean bkt_hosts_save(GPtrArray *hosts, GError **error);
/* Keep the file as it is beside it, as hosts.json.vVERSION, before an upgrade rewrites it. */
gboolean bkt_hosts_keep_old(int version, GError **error);

/* The hosts, each once, in the order of hosts.json (borrowed strings). */
GPtrArray *bkt_hosts_keys(GPtrArray *hosts);
/* How many accounts the host has. */
guint bkt_hosts_count(GPtrArray *hosts, const char *key);
/* The host's active account, or NULL when the host is not stored. Borrowed. */
BktHostEntry *bkt_hosts_active(GPtrArray *hosts, const char *key);
/* The account of a host, by its account key; NULL when none. Borrowed. */
BktHostEntry *bkt_hosts_find(GPtrArray *hosts, const char *key, const char *account);
/* The account of a host that a person names: its user name (or account key); NULL when none.
 * Borrowed. */
BktHostEntry *bkt_hosts_find_user(GPtrArray *hosts, const char *key, const char *user);
/* The stored account that the new login e replaces (bkt_host_entry_same_person), or NULL.
 * Borrowed. */
BktHostEntry *bkt_hosts_find_same(GPtrArray *hosts, const BktHostEntry *e);
/* The host used most recently by a login or a switch, or NULL. Borrowed. */
const char *bkt_hosts_last_used(GPtrArray *hosts);

/* Add the entry (takes it), replacing the same person's login (bkt_hosts_find_same); when it is active,
 * the host's other accounts are not. */
void bkt_hosts_put(GPtrArray *hosts, BktHostEntry *entry);
/* Make the entry (one of hosts) its host's active account, used now. */
void bkt_hosts_set_active(GPtrArray *hosts, BktHostEntry *entry);
/* Remove an account; when it was active, the host's most recently used other account becomes
 * active. FALSE when there was none. */
gboolean bkt_hosts_remove(GPtrArray *hosts, const char *key, const char *account);
