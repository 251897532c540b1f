/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"
#include "http.h"
#include "secret.h"

/* The access and refresh token together, at most: room is left in every store (a kernel key
 * holds 32,767 bytes) for the client secret and the rest of a login's secrets. */
#define BKT_TOKENS_MAX (16 * 1024)

/* An OAuth client against one Bitbucket: Cloud and DC differ only in this profile. */
typedef struct {
  BktKind kind;
  char *authorize_url;
  char *token_url;
  char *client_id;
  BktSecret *client_secret;
  char *redirect_uri;
  char *scopes;        /* space separated, or NULL for the consumer's own (Cloud) */
} BktOAuthClient;

/* Endpoints for host; the credentials and redirect are filled in by the caller. */
void bkt_oauth_client_init(BktOAuthClient *client, const BktHost *host);
void bkt_oauth_client_clear(BktOAuthClient *client);

/*
 * The client's ID and secret: the ones given, else for Cloud BKT_OAUTH_CLIENT_ID and
 * BKT_OAUTH_CLIENT_SECRET, else the consumer built in. The error says where to get them.
 */
gboolean bkt_oauth_client_set_credentials(BktOAuthClient *client, const char *client_id,
                                          const char *client_secret, GError **error);

/* Default scopes to request: NULL on Cloud (the consumer's), "REPO_READ REPO_WRITE" on DC. */
const char *bkt_oauth_default_scopes(BktKind kind);

/* The authorize URL the browser opens; newly allocated. */
char *bkt_oauth_authorize_url(const BktOAuthClient *client, const char *state,
                              const char *challenge);

/* A token request; req borrows from client and from form, which the caller owns. */
void bkt_oauth_code_request(const BktOAuthClient *client, const BktSecret *code,
                            const BktSecret *verifier, BktSecret *form, BktHttpRequest *req);
void bkt_oauth_refresh_request(const BktOAuthClient *client, const BktSecret *refresh_token,
                               BktSecret *form, BktHttpRequest *req);

typedef struct {
  BktSecret *access_token;
  BktSecret *refresh_token; /* may be NULL */
  gint64 expires_in;        /* seconds; 0 when not given */
  char *scopes;             /* space separated, or NULL */
} BktTokens;

void bkt_tokens_clear(BktTokens *tokens);

/* TRUE when a token holds only visible ASCII (0x21-0x7E), at most BKT_SECRET_MAX of them: what
 * can travel in a header, a git credential and an environment variable, and reach a terminal
 * unchanged. */
gboolean bkt_token_is_plain(const char *token);

/*
 * Interpret a token endpoint answer. Errors: BKT_ERROR_INVALID_GRANT for invalid_grant,
 * BKT_ERROR_PROTOCOL for anything else the server said or sent (a token type other than
 * bearer, a token with characters no token has), each one sentence with its text.
 */
gboolean bkt_oauth_parse_token_response(long status, const char *body, size_t len,
                                        const char *host, BktTokens *out, GError **error);
