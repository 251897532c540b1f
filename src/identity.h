/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"
#include "http.h"

/* Who a credential belongs to. */
typedef struct {
  char *account;      /* who it is, as the server keys people: Cloud account_id (else uuid),
                         DC X-AUSERID; never what was typed */
  char *username;     /* Cloud: username, else account_id; DC: the user slug */
  char *display_name;
  char *scopes;       /* granted scopes when the server says (Cloud x-oauth-scopes) */
} BktIdentity;

void bkt_identity_clear(BktIdentity *id);

/* How a credential is presented. */
typedef struct {
  const char *token;      /* access token, PAT or API token (borrowed) */
  const char *basic_user; /* Cloud API tokens: the Atlassian e-mail; NULL for Bearer */
} BktCredential;

/*
 * The identity lookup as a sequence of requests, so a poll loop can drive it: step 0, 1, ...
 * Fills req (and *url, owned by the caller) for the given step and returns TRUE, or FALSE
 * when there are no more steps.
 */
gboolean bkt_identity_request(const BktHost *host, const BktCredential *cred,
                              const BktIdentity *so_far, int step, BktHttpRequest *req,
                              char **url);

/* Take the answer to step into id. The error is one sentence that names the host. */
gboolean bkt_identity_take(const BktHost *host, int step, const BktHttpResponse *resp,
                           BktIdentity *id, GError **error);

/* Run all the steps synchronously. */
gboolean bkt_identity_fetch(BktHttp *http, const BktHost *host, const BktCredential *cred,
                            BktIdentity *id, GError **error);

/* Parsers for the JSON bodies, exposed for tests. */
gboolean bkt_identity_parse_cloud_user(const char *body, size_t len, BktIdentity *id);
gboolean bkt_identity_parse_dc_user(const char *body, size_t len, BktIdentity *id);
