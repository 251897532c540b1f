/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "bkt-config.h"
#include "hosts.h"

/*
 * How bkt (the Go CLI, 0.31) names a host, and where it sends the token it is handed in
 * BKT_TOKEN: to the host of the active context, of the context named with -c/--context, of
 * --host, or of an absolute URL given to 'bkt api'. exec reads bkt's command line with this
 * before it hands a token over, so that a token never goes to another host.
 */

/* What a bkt command line names that decides where its token goes (each NULL when it names
 * nothing). */
typedef struct {
  char *context;     /* -c/--context NAME */
  char *host;        /* --host VALUE */
  GPtrArray *urls;   /* the absolute URLs among the arguments of 'bkt api' */
} BktBktArgs;

/* Read bkt's arguments: those after the program's name, NULL-terminated. */
void bkt_bkt_args_parse(char **args, BktBktArgs *out);
void bkt_bkt_args_clear(BktBktArgs *args);

/* Whether the program a command runs is bkt (by its file name). */
gboolean bkt_bkt_is_bkt(const char *program);
/* Whether bkt can be found on PATH, so that a front end may offer setup-bkt. */
gboolean bkt_bkt_on_path(void);

/* The base URL bkt uses for a login: Cloud's API with /2.0 ("https://api.bitbucket.org/2.0"),
 * a Data Center's base URL. Newly allocated. */
char *bkt_bkt_base_url(const BktHostEntry *e);
/* bkt's key for a base URL: its host and port as written ("api.bitbucket.org",
 * "git.example.com:7990"); NULL when it has no host. Newly allocated. */
char *bkt_bkt_host_key(const char *base_url);
/* The base URL bkt uses for a value of its --host: the host of that key in its
 * configuration, else the address as bkt normalises it. Newly allocated; NULL when empty. */
char *bkt_bkt_host_url(const char *value, const BktBktConfig *config);

/* Whether a URL bkt sends a token to is the login's host: its base URL (within FALSE), or an
 * address under it (within TRUE). */
gboolean bkt_bkt_url_is(const char *url, const BktHostEntry *e, gboolean within);
/* The stored host whose active account bkt reaches at base_url; borrowed, NULL when none. */
BktHostEntry *bkt_bkt_find_login(GPtrArray *hosts, const char *base_url);

/* The user name bkt can use for a login: the e-mail of a Cloud API token, a Data Center's
 * user slug, a Cloud username (not an account ID standing in for one); else NULL. */
const char *bkt_bkt_username(const BktHostEntry *e);
/* How bkt sends the login's token: "bearer", or "basic" for a Cloud API token (with the
 * e-mail). */
const char *bkt_bkt_auth_method(const BktHostEntry *e);
