/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "host.h"
#include "hostcheck.h" /* BKT_PROBE_TIMEOUT_S */
#include "http.h"

/* Oldest Bitbucket Data Center with OAuth 2.0 for external applications. */
#define BKT_DC_MIN_MAJOR 7
#define BKT_DC_MIN_MINOR 20

/*
 * Ask a Data Center whether it is a Bitbucket and which version: GET
 * <base>/rest/api/1.0/application-properties. The caller makes the request
 * (bkt_probe_request) and hands the answer to bkt_probe_take; hostcheck.h does both from a
 * poll loop.
 */
void bkt_probe_request(const BktHost *host, BktHttpRequest *req, char **url);

/* The version ("8.19.1") when the answer is a Bitbucket new enough for OAuth 2.0; else a
 * sentence saying what it is instead and what to do. */
gboolean bkt_probe_take(const BktHost *host, const BktHttpResponse *resp, char **version,
                        GError **error);
