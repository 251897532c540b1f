/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A tiny HTTP server on 127.0.0.1 for unit tests: it answers each request with the canned
 * answer of the first route whose path prefix matches, from a thread of its own, and counts
 * what it served. Answers may change between requests (canned_set).
 */

#include <glib.h>

typedef struct Canned Canned;

Canned *canned_start(void);
void canned_stop(Canned *c);

/* "http://127.0.0.1:PORT" */
const char *canned_url(const Canned *c);

/* Answer requests whose path starts with prefix: status, extra header lines ("Name: value",
 * "\r\n"-separated, or NULL), body. Replaces an earlier route of the same prefix. */
void canned_set(Canned *c, const char *prefix, int status, const char *headers,
                const char *body);

/* How many requests came for paths starting with prefix. */
int canned_count(Canned *c, const char *prefix);

/* The body of the last request for prefix (newly allocated), or NULL. */
char *canned_last_body(Canned *c, const char *prefix);
