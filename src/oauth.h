/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"
#include "http.h"

/* An OAuth client against one Bitbucket: Cloud and DC differ only in this profile. */
typedef struct {
  BktKind kind;
  char *authorize_url;
  char *token_url;
  char *client_id;
  char *client_secret; /* secret */
  char *redirect_uri;
  char *scopes;        /* space separated, or NULL for the consumer's own (Cloud) */
} BktOAuthClient;

/* Endpoints for host; the credentials and redirect are filled in by the caller. */
void bkt_oauth_client_init(BktOAuthClient *client, const BktHost *host);
void bkt_oauth_client_clear(BktOAuthClient *client);

/* Default scopes to request: NULL on Cloud (the consumer's), "REPO_READ REPO_WRITE" on DC. */
const char *bkt_oauth_default_scopes(BktKind kind);

/* The authorize URL the browser opens; newly allocated. */
char *bkt_oauth_authorize_url(const BktOAuthClient *client, const char *state,
                              const char *challenge);

/* A token request; req borrows from client and from form, which the caller frees. */
void bkt_oauth_code_request(const BktOAuthClient *client, const char *code,
                            const char *verifier, GString *form, BktHttpRequest *req);
void bkt_oauth_refresh_request(const BktOAuthClient *client, const char *refresh_token,
                               GString *form, BktHttpRequest *req);

typedef struct {
  char *access_token;  /* secret */
  char *refresh_token; /* secret, may be NULL */
  gint64 expires_in;   /* seconds; 0 when not given */
  char *scopes;        /* space separated, or NULL */
  char *token_type;
} BktTokens;

void bkt_tokens_clear(BktTokens *tokens);

/*
 * Interpret a token endpoint answer. Errors: BKT_ERROR_INVALID_GRANT for invalid_grant,
 * BKT_ERROR_PROTOCOL for anything else the server said, each one sentence with its text.
 */
gboolean bkt_oauth_parse_token_response(long status, const char *body, size_t len,
                                        const char *host, BktTokens *out, GError **error);
