/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"

/* Where secrets of a host live. Protocol strings in hosts.json, never translated. */
#define BKT_STORAGE_SECRET_SERVICE "secret-service"
#define BKT_STORAGE_FILE "file"

/* How the stored credential was obtained. */
typedef enum {
  BKT_AUTH_OAUTH,  /* an OAuth login: refreshable */
  BKT_AUTH_TOKEN,  /* an API token or a personal access token given with --with-token */
} BktAuth;

/* "oauth" / "token": protocol strings, never translated. */
const char *bkt_auth_to_string(BktAuth auth);

/* What hosts.json knows about one login: nothing secret. */
typedef struct {
  char *key;          /* "bitbucket.org", "git.example.com/bitbucket" */
  BktKind kind;
  char *base_url;
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
} BktHostEntry;

BktHostEntry *bkt_host_entry_new(void);
void bkt_host_entry_free(BktHostEntry *entry);
BktHostEntry *bkt_host_entry_copy(const BktHostEntry *entry);
/* TRUE when every field of a and b is the same. */
gboolean bkt_host_entry_equal(const BktHostEntry *a, const BktHostEntry *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktHostEntry, bkt_host_entry_free)

/* An empty list of entries that frees them. */
GPtrArray *bkt_hosts_new(void);

/*
 * Parse hosts.json text into hosts. The file is read whole or not at all: anything it cannot
 * read (a field of the wrong type, an unknown kind or storage, a host twice, a key it does not
 * know) makes it damaged, and nothing is taken.
 */
gboolean bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, GError **error);
/* hosts.json text for hosts; newly allocated. */
char *bkt_hosts_print(GPtrArray *hosts);

/* All stored logins (empty when none). A damaged file is an error naming it. */
GPtrArray *bkt_hosts_load(GError **error);
/* Write hosts.json atomically, mode 0600. */
gboolean bkt_hosts_save(GPtrArray *hosts, GError **error);

/*
 * The entry the user means by input (a name or URL); with input NULL, the only one stored.
 * Borrowed from hosts. Errors: BKT_ERROR_NOT_LOGGED_IN, BKT_ERROR_USAGE when ambiguous.
 */
BktHostEntry *bkt_hosts_lookup(GPtrArray *hosts, const char *input, GError **error);
/* The entry with this stored key, or NULL. Borrowed. */
BktHostEntry *bkt_hosts_find(GPtrArray *hosts, const char *key);
/* The stored hosts, or only the one input names when it is not NULL (then an error when that
 * one is not stored). */
GPtrArray *bkt_hosts_load_selected(const char *input, GError **error);
/* Add or replace the entry with the same key; takes ownership. */
void bkt_hosts_put(GPtrArray *hosts, BktHostEntry *entry);
gboolean bkt_hosts_remove(GPtrArray *hosts, const char *key);
