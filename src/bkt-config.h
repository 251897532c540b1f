/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/*
 * bkt's own configuration: the config.yml of the Go bkt CLI, read and changed with libyaml
 * without losing what bkt-auth does not know (other hosts and contexts, keys of later bkt
 * releases). Comments are not kept; bkt drops them too whenever it writes the file.
 *
 * Its shape (bkt 0.31): version: 1, active_context: NAME, contexts: {NAME: {host: KEY, ...}},
 * hosts: {KEY: {kind, base_url, username, auth_method, ...}}.
 */
typedef struct BktBktConfig BktBktConfig;

/* $BKT_CONFIG_DIR/config.yml, else $XDG_CONFIG_HOME/bkt/config.yml; newly allocated. */
char *bkt_bkt_config_path(void);

/* Read bkt's config.yml; an empty configuration when there is none. A file bkt cannot have
 * written (not YAML, not laid out as bkt lays it out, a version other than 1) is an error
 * naming it. */
BktBktConfig *bkt_bkt_config_load(GError **error);
/* The same, from text read from path (named in errors); text NULL: no file. */
BktBktConfig *bkt_bkt_config_parse(const char *text, size_t len, const char *path,
                                   GError **error);
void bkt_bkt_config_free(BktBktConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BktBktConfig, bkt_bkt_config_free)

/* The file it was read from, and its text as read (NULL when there was no file). Borrowed. */
const char *bkt_bkt_config_file(const BktBktConfig *config);
const char *bkt_bkt_config_original(const BktBktConfig *config);

/* The active context's name, or NULL. Newly allocated. */
char *bkt_bkt_config_active(const BktBktConfig *config);
gboolean bkt_bkt_config_has_context(const BktBktConfig *config, const char *name);
/* The host key a context names; NULL when there is no such context, or it names none. */
char *bkt_bkt_config_context_host(const BktBktConfig *config, const char *name);
gboolean bkt_bkt_config_has_host(const BktBktConfig *config, const char *key);
/* A text field of hosts.KEY ("kind", "base_url", "username", "auth_method", "token"), or NULL
 * when the host or the field is missing. Newly allocated. */
char *bkt_bkt_config_host_field(const BktBktConfig *config, const char *key, const char *field);

/* A host entry as bkt-auth writes it: every field but these goes. */
typedef struct {
  const char *kind;         /* "cloud" or "dc" */
  const char *base_url;
  const char *username;     /* NULL: none */
  const char *auth_method;  /* "bearer", or "basic" for a Cloud API token */
} BktBktHost;

/* Replace hosts.KEY whole. */
void bkt_bkt_config_set_host(BktBktConfig *config, const char *key, const BktBktHost *host);
/* Remove hosts.KEY; FALSE when there was none. */
gboolean bkt_bkt_config_remove_host(BktBktConfig *config, const char *key);
/* Add (or replace) the context NAME: {host: KEY}. */
void bkt_bkt_config_set_context(BktBktConfig *config, const char *name, const char *key);
gboolean bkt_bkt_config_remove_context(BktBktConfig *config, const char *name);
/* Make NAME the active context; NULL: none. */
void bkt_bkt_config_set_active(BktBktConfig *config, const char *name);

/* The YAML text as it would be written; newly allocated. */
char *bkt_bkt_config_print(BktBktConfig *config, GError **error);
/* Write it where it was read from, atomically: mode 0600, the folder made 0700 if missing. */
gboolean bkt_bkt_config_save(BktBktConfig *config, GError **error);
