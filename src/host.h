/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

typedef enum {
  BKT_KIND_UNKNOWN = 0,
  BKT_KIND_CLOUD,
  BKT_KIND_DC,
} BktKind;

/* A Bitbucket the user named, normalised. */
typedef struct {
  BktKind kind;
  char *key;      /* the stored name: "bitbucket.org" or "git.example.com/bitbucket" */
  char *base_url; /* web base without trailing slash: "https://git.example.com/bitbucket" */
} BktHost;

/*
 * Parse what the user typed ("bitbucket.org", "https://git.example.com/bitbucket/") into out.
 * kind_hint is BKT_KIND_UNKNOWN to decide from the name. http:// needs allow_http.
 * On failure the error is one sentence for people; out is left cleared.
 */
gboolean bkt_host_parse(const char *input, BktKind kind_hint, gboolean allow_http,
                        BktHost *out, GError **error);
void bkt_host_clear(BktHost *host);

/* The stored key a user-typed name refers to, for lookups; NULL when it cannot be one. */
char *bkt_host_key_for_input(const char *input);

/* "cloud" / "dc"; kind names are protocol strings, never translated. */
const char *bkt_kind_to_string(BktKind kind);
BktKind bkt_kind_from_string(const char *s);
/* "Bitbucket Cloud" / "Bitbucket Data Center", translated. */
const char *bkt_kind_display_name(BktKind kind);

/* Cloud endpoints: BKT_CLOUD_URL / BKT_CLOUD_API_URL or the public defaults. Static strings. */
const char *bkt_cloud_web_url(void);
const char *bkt_cloud_api_url(void);

/* TRUE for "localhost" and addresses of this machine only (127.0.0.0/8, ::1, bracketed or
 * not): the one test of "this machine" for URLs, redirects and pasted addresses. */
gboolean bkt_host_is_loopback(const char *host);
/* TRUE when a URL's host is this machine only. */
gboolean bkt_url_is_loopback(const char *url);

/* host[:port] as stored and compared: lowercase, an IPv6 address in brackets, no port when it
 * is the scheme's default (port <= 0: none). Newly allocated. */
char *bkt_authority(const char *scheme, const char *host, int port);
