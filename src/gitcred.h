/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "hosts.h"
#include "secret.h"

/* Cloud's git user names: OAuth and access tokens, and Atlassian API tokens. */
#define BKT_GIT_USER_TOKEN "x-token-auth"
#define BKT_GIT_USER_API_TOKEN "x-bitbucket-api-token-auth"

/* The most git's credential protocol may send us, in bytes. */
#define BKT_GIT_REQUEST_MAX (64 * 1024)

/* What git says about the credential it wants (see gitcredentials(7)). */
typedef struct {
  char *protocol;  /* "https", "http" */
  char *host;      /* host[:port] as git sends it */
  char *path;      /* only with credential.useHttpPath; NULL otherwise */
  char *username;
  BktSecret *password;  /* git sends it with store and erase */
} BktGitRequest;

void bkt_git_request_clear(BktGitRequest *req);

/*
 * Parse git's key=value lines up to a blank line or the end of text. Unknown keys are ignored
 * (git adds new ones over time); a line without '=' is an error. Secrets in the text stay the
 * caller's to wipe.
 */
gboolean bkt_git_request_parse(const char *text, size_t len, BktGitRequest *out, GError **error);

/*
 * The stored login a request is for, borrowed from hosts; NULL when there is none, so that git
 * asks its other helpers. A Data Center with a context path ("/bitbucket") matches when git
 * sends a path under it; without a path, a host without a context path wins, then a lone one.
 * *ambiguous (optional) is set when several Data Centers share the address and git sent no path.
 * On that host, a user name in the request picks that account (none when the host has no
 * account of that name); without one, the host's active account.
 */
BktHostEntry *bkt_git_match(GPtrArray *hosts, const BktGitRequest *req, gboolean *ambiguous);

/* TRUE when the request is for Bitbucket Cloud's web host (bitbucket.org or BKT_CLOUD_URL). */
gboolean bkt_git_is_cloud(const BktGitRequest *req);

/* The user name git must send with the entry's token. Static or borrowed from entry. */
const char *bkt_git_username(const BktHostEntry *entry);

/* The URL a credential.<url>.* section names for the entry; newly allocated. */
char *bkt_git_config_url(const BktHostEntry *entry);

/* TRUE when git must send paths for the entry (a Data Center under a context path). */
gboolean bkt_git_needs_path(const BktHostEntry *entry);
