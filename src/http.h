/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <poll.h>

#include "secret.h"

/*
 * HTTP for the engine: one request at a time, driven by the caller's poll loop (or run to the
 * end with bkt_http_perform). TLS verification is always on; bodies are capped.
 */
typedef struct BktHttp BktHttp;

typedef struct {
  const char *method;         /* "GET" or "POST" */
  const char *url;
  const char *bearer;         /* Authorization: Bearer, or NULL */
  const char *basic_user;     /* Authorization: Basic, or NULL */
  const char *basic_password;
  const BktSecret *form;      /* POST body, application/x-www-form-urlencoded */
  int timeout_s;              /* give up after this long; 0: 30 seconds */
} BktHttpRequest;

typedef struct {
  long status;
  BktSecret *body;      /* it may hold tokens */
  GHashTable *headers;  /* lowercase name -> value, last one wins */
} BktHttpResponse;

/* ca_file: an extra CA bundle, or NULL. */
BktHttp *bkt_http_new(const char *ca_file, GError **error);
void bkt_http_free(BktHttp *http);

/* Start a request; the strings in req need only live until this returns. */
gboolean bkt_http_start(BktHttp *http, const BktHttpRequest *req, GError **error);
int bkt_http_pollfds(BktHttp *http, struct pollfd *fds, int max);
int bkt_http_timeout_ms(BktHttp *http);
/* Let the transfer progress; returns TRUE once it has finished (well or not). */
gboolean bkt_http_dispatch(BktHttp *http);
/* After dispatch returned TRUE: the response, or why there is none. */
gboolean bkt_http_finish(BktHttp *http, BktHttpResponse *out, GError **error);
void bkt_http_cancel(BktHttp *http);

/* Start, wait and finish in one call. */
gboolean bkt_http_perform(BktHttp *http, const BktHttpRequest *req, BktHttpResponse *out,
                          GError **error);

/* After a failed bkt_http_finish or bkt_http_perform: TRUE when TLS (the certificate or the
 * handshake) was the reason. */
gboolean bkt_http_failed_on_tls(const BktHttp *http);

/* "libcurl 7.88.1 (OpenSSL/3.0.15)", loading libcurl to ask it; newly allocated. */
char *bkt_http_library_version(GError **error);

const char *bkt_http_response_header(const BktHttpResponse *resp, const char *name);
void bkt_http_response_clear(BktHttpResponse *resp);

/* Append name=value to a form body (or a query), percent-encoded; FALSE when it would pass
 * the form's most. */
gboolean bkt_form_add(BktSecret *form, const char *name, const char *value);

/* An HTTP date (RFC 9110, with the obsolete forms) as unix seconds, by libcurl's parser; FALSE
 * when it is none or libcurl cannot be loaded. */
gboolean bkt_http_parse_date(const char *text, gint64 *unix_seconds);
