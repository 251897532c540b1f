/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"

/* Where secrets of a host live. Protocol strings in hosts.json, never translated. */
#define BKT_STORAGE_SECRET_SERVICE "secret-service"
#define BKT_STORAGE_FILE "file"

/* What hosts.json knows about one host: nothing secret. */
typedef struct {
  char *key;          /* "bitbucket.org", "git.example.com/bitbucket" */
  BktKind kind;
  char *base_url;
  char *username;
  char *display_name;
  char *auth;         /* "oauth" or "token" */
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

/* The configuration directory, created 0700 when missing; newly allocated. */
char *bkt_config_dir(GError **error);

/* All stored hosts (an array of BktHostEntry that frees them); empty when none. */
GPtrArray *bkt_hosts_load(GError **error);
/* Write hosts.json atomically (temp file, fsync, rename), mode 0600. */
gboolean bkt_hosts_save(GPtrArray *hosts, GError **error);
/*
 * The entry the user means by input (a name or URL); with input NULL, the only one stored.
 * Borrowed from hosts. Errors: BKT_ERROR_NOT_LOGGED_IN, BKT_ERROR_USAGE when ambiguous.
 */
BktHostEntry *bkt_hosts_lookup(GPtrArray *hosts, const char *input, GError **error);
/* The stored hosts, or only the one input names when it is not NULL (then an error when that
 * one is not stored). */
GPtrArray *bkt_hosts_load_selected(const char *input, GError **error);
/* Add or replace the entry with the same key; takes ownership. */
void bkt_hosts_put(GPtrArray *hosts, BktHostEntry *entry);
gboolean bkt_hosts_remove(GPtrArray *hosts, const char *key);

/* The secret part of a host's credentials, kept together so one write replaces all. */
typedef struct {
  char *access_token;
  char *refresh_token;
  char *client_secret;
  gint64 expires_at;
  gint64 issued_at;  /* when the access token was obtained; 0 when unknown */
} BktSecrets;

void bkt_secrets_clear(BktSecrets *secrets);
/* BKT_ERROR_NOT_LOGGED_IN when nothing is stored; BKT_ERROR_STORE when the store fails. */
gboolean bkt_secrets_load(const BktHostEntry *entry, BktSecrets *out, GError **error);
gboolean bkt_secrets_save(const BktHostEntry *entry, const BktSecrets *secrets, GError **error);
gboolean bkt_secrets_delete(const BktHostEntry *entry, GError **error);
/* Remove what the other back end may still hold for the entry's host (left from a login that
 * used it); best effort, silent. */
void bkt_secrets_delete_elsewhere(const BktHostEntry *entry);

/* Whether the Secret Service answers, within a few seconds. */
gboolean bkt_secret_service_check(GError **error);

/* Where a host's token is kept, for people; newly allocated. */
char *bkt_storage_describe(const char *storage);

/* Serialise refreshes and writes across processes; returns a descriptor for unlock. */
int bkt_store_lock(GError **error);
void bkt_store_unlock(int fd);

/* Parse hosts.json text into hosts (exposed for tests and fuzzing). */
gboolean bkt_hosts_parse(const char *text, size_t len, GPtrArray *hosts, GError **error);
