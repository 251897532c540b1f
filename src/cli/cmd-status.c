/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "bkt-copy.h"
#include "choose.h"
#include "cli.h"
#include "error.h"
#include "json.h"
#include "timefmt.h"

/* "at-1a2b…" with all but the first few characters hidden; newly allocated. */
static char *
mask_token(const BktSecret *token)
{
  size_t shown = bkt_secret_len(token) > 12 ? 4 : 0;
  return g_strdup_printf("%.*s%s", (int)shown, bkt_secret_str(token), "****************");
}

/* One login as it stands: its secrets, and what is wrong with it. */
typedef struct {
  const BktHostEntry *e;
  BktSecrets s;
  gboolean have;
  GError *problem;
  const char *safer;  /* for a login kept in the file: a safer store usable here, or NULL */
} Login;

static void
login_read(Login *l, const BktHostEntry *e)
{
  memset(l, 0, sizeof *l);
  l->e = e;
  l->have = bkt_secrets_load(e, &l->s, &l->problem);
  if (l->have && !bkt_secrets_refreshable(e, &l->s) && l->s.expires_at != 0 &&
      l->s.expires_at <= bkt_now())
    l->problem = g_error_new(BKT_ERROR, BKT_ERROR_EXPIRED,
                             _("the token has expired: log in again with 'bkt-auth login %s'"),
                             e->key);
}

static void
login_clear(Login *l)
{
  if (l->have)
    bkt_secrets_clear(&l->s);
  g_clear_error(&l->problem);
}

static cJSON *
login_json(const Login *l, gboolean show_token)
{
  cJSON *o = cli_entry_json(l->e, l->have ? l->s.expires_at : l->e->expires_at);
  if (l->safer != NULL)
    cJSON_AddStringToObject(o, "safer_storage", l->safer);
  cJSON_AddBoolToObject(o, "active", l->e->active);
  cJSON_AddBoolToObject(o, "refreshable", l->have && bkt_secrets_refreshable(l->e, &l->s));
  cJSON_AddBoolToObject(o, "ok", l->problem == NULL);
  if (l->problem != NULL)
    cJSON_AddStringToObject(o, "problem", l->problem->message);
  if (show_token && l->have)
    cJSON_AddStringToObject(o, "token", bkt_secret_str(l->s.access_token));
  BktBktCopyState copy;
  if (bkt_bkt_copy_state(l->e, &copy)) {
    cJSON *b = cJSON_AddObjectToObject(o, "bkt");
    cJSON_AddStringToObject(b, "host", copy.bkt_key);
    if (copy.expires_at > 0) {
      g_autofree char *iso = bkt_iso_time(copy.expires_at);
      cJSON_AddStringToObject(b, "expires_at", iso);
    } else {
      cJSON_AddNullToObject(b, "expires_at");
    }
    cJSON_AddBoolToObject(b, "ok", copy.problem == NULL);
    if (copy.problem != NULL)
      cJSON_AddStringToObject(b, "problem", copy.problem);
    bkt_bkt_copy_state_clear(&copy);
  }
  return o;
}

/* The line about bkt's copy of the login, when bkt holds one. */
static void
copy_text(const BktHostEntry *e)
{
  BktBktCopyState copy;
  if (!bkt_bkt_copy_state(e, &copy))
    return;
  if (copy.problem != NULL)
    fprintf(stderr, _("  - bkt (as host %s): %s\n"), copy.bkt_key, copy.problem);
  else
    /* TRANSLATORS: bkt is the Bitbucket CLI; %s is its name of the host */
    fprintf(stderr, _("  - bkt uses this login too (as host %s), kept fresh\n"), copy.bkt_key);
  bkt_bkt_copy_state_clear(&copy);
}

/* "'account', 'repository'" as gh shows scopes; newly allocated. */
static char *
quoted_scopes(const char *scopes)
{
  GString *out = g_string_new(NULL);
  g_auto(GStrv) parts = g_strsplit(scopes != NULL ? scopes : "", " ", -1);
  for (char **p = parts; *p; p++)
    if (**p)
      g_string_append_printf(out, "%s'%s'", out->len > 0 ? ", " : "", *p);
  return g_string_free(out, FALSE);
}

/* Where the token is kept, in a word or two. */
static const char *
storage_word(const BktHostEntry *e)
{
  /* TRANSLATORS: where the token is kept, in brackets after the account */
  if (g_strcmp0(e->storage, BKT_STORAGE_FILE) == 0)
    return _("file");
  /* TRANSLATORS: where the token is kept, in brackets after the account */
  if (g_strcmp0(e->storage, BKT_STORAGE_KERNEL_KEYRING) == 0)
    return _("kernel keyring");
  /* TRANSLATORS: where the token is kept, in brackets after the account */
  return _("keyring");
}

static void
login_text(const Login *l, gboolean show_token)
{
  const BktHostEntry *e = l->e;
  const char *where_short = storage_word(e);
  const char *who = e->username ? e->username : "?";
  if (l->problem != NULL) {
    fprintf(stderr, _("  X Failed to log in to %s account %s (%s)\n"), e->key, who,
            where_short);
    fprintf(stderr, "  - %s\n", l->problem->message);
    return;
  }
  if (e->display_name != NULL)
    /* TRANSLATORS: a check mark, the host, the user name, the display name, "file" or "keyring" */
    fprintf(stderr, _("  %s Logged in to %s account %s (%s) (%s)\n"), cli_check_mark(),
            e->key, who, e->display_name, where_short);
  else
    fprintf(stderr, _("  %s Logged in to %s account %s (%s)\n"), cli_check_mark(), e->key, who,
            where_short);
  /* As gh says it: "true" or "false", left untranslated like a value. */
  fprintf(stderr, _("  - Active account: %s\n"), e->active ? "true" : "false");
  g_autofree char *where = bkt_storage_describe(e->storage);
  fprintf(stderr, _("  - Token kept in: %s\n"), where);
  if (l->safer != NULL) {
    g_autofree char *better = bkt_storage_describe(l->safer);
    fprintf(stderr, _("  - A safer store can be used here now: %s. Log in again to move the "
                      "token there: bkt-auth login %s\n"), better, e->key);
  }
  g_autofree char *when = bkt_describe_expiry(l->s.expires_at);
  if (bkt_secrets_refreshable(e, &l->s))
    /* TRANSLATORS: %s is "expires 2026-01-31 14:00 (in 2 hours)" or "expired ... (... ago)" */
    fprintf(stderr, _("  - Token %s; it is refreshed by itself\n"), when);
  else
    fprintf(stderr, _("  - Token %s\n"), when);
  g_autofree char *masked = show_token ? NULL : mask_token(l->s.access_token);
  fprintf(stderr, _("  - Token: %s\n"), show_token ? bkt_secret_str(l->s.access_token) : masked);
  if (e->scopes != NULL && *e->scopes) {
    g_autofree char *scopes = quoted_scopes(e->scopes);
    fprintf(stderr, _("  - Token scopes: %s\n"), scopes);
  }
  copy_text(e);
}

/* The hosts to show: the one named, else all of them, the one a command would pick first. */
static GPtrArray *
hosts_to_show(GPtrArray *hosts, const char *host, GError **error)
{
  GPtrArray *keys = g_ptr_array_new();
  if (host != NULL) {
    const char *key = bkt_choose_host(hosts, host, FALSE, error);
    if (key == NULL) {
      g_ptr_array_unref(keys);
      return NULL;
    }
    g_ptr_array_add(keys, (gpointer)key);
    return keys;
  }
  const char *first = bkt_choose_host(hosts, NULL, TRUE, NULL);
  if (first != NULL)
    g_ptr_array_add(keys, (gpointer)first);
  g_autoptr(GPtrArray) all = bkt_hosts_keys(hosts);
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0(g_ptr_array_index(all, i), first) != 0)
      g_ptr_array_add(keys, g_ptr_array_index(all, i));
  return keys;
}

int
cmd_status(int argc, char **argv)
{
  gboolean json = FALSE, show_token = FALSE;
  char *user = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("only this account of the host"), "USER" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print JSON on stdout"), NULL },
    { "show-token", 0, 0, G_OPTION_ARG_NONE, &show_token, N_("show the whole token"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - show which Bitbucket hosts you are logged in to"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Shows every account of every stored host (or of HOST), which one of each host is "
           "active, where its token is kept and when it expires."));
  const char *host;
  if (!cli_parse(ctx, "status", &argc, &argv) || !cli_one_host("status", argc, argv, &host)) {
    g_free(user);
    return 1;
  }
  g_autofree char *owned_user = user;

  GError *error = NULL;
  g_autoptr(GPtrArray) hosts = bkt_hosts_load(&error);
  if (hosts == NULL)
    return cli_fail(error);
  gboolean env = bkt_env_token_set();
  if (env && !json)
    fprintf(stderr, _("BKT_TOKEN is set: it is used instead of any stored login.\n"));
  if (hosts->len == 0 && !env) {
    if (json) {
      printf("{\n\t\"version\":\t1,\n\t\"env_token\":\tfalse,\n\t\"hosts\":\t[]\n}\n");
      fflush(stdout);
    }
    return cli_fail(g_error_new_literal(BKT_ERROR, BKT_ERROR_NOT_LOGGED_IN,
                                        _("not logged in to any Bitbucket: run 'bkt-auth login'")));
  }
  g_autoptr(GPtrArray) keys = hosts->len > 0 ? hosts_to_show(hosts, host, &error)
                                             : g_ptr_array_new();
  const BktHostEntry *only = NULL;
  if (keys != NULL && user != NULL &&
      (only = bkt_choose_login(hosts, keys->len > 0 ? g_ptr_array_index(keys, 0) : NULL, user,
                               TRUE, &error)) == NULL)
    g_clear_pointer(&keys, g_ptr_array_unref);
  if (keys == NULL)
    return cli_fail(error);

  /* A login kept in the file is pointed out once a safer store can be used. */
  g_autofree char *safer = NULL;
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if (g_strcmp0(e->storage, BKT_STORAGE_FILE) == 0) {
      safer = bkt_store_safer_than_file();
      break;
    }
  }

  int code = 0;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "version", 1);
  cJSON_AddBoolToObject(root, "env_token", env);
  cJSON *list = cJSON_AddArrayToObject(root, "hosts");
  for (guint k = 0; k < keys->len; k++) {
    const char *key = only != NULL ? only->key : g_ptr_array_index(keys, k);
    if (!json)
      fprintf(stderr, "%s%s (%s)\n", k > 0 ? "\n" : "", key,
              bkt_kind_display_name(bkt_hosts_active(hosts, key)->kind));
    /* The host's object is its active account, with all of them in "accounts". */
    cJSON *host_json = NULL, *accounts = cJSON_CreateArray();
    for (guint i = 0; i < hosts->len; i++) {
      const BktHostEntry *e = g_ptr_array_index(hosts, i);
      if (strcmp(e->key, key) != 0 || (only != NULL && e != only))
        continue;
      Login l;
      login_read(&l, e);
      l.safer = g_strcmp0(e->storage, BKT_STORAGE_FILE) == 0 ? safer : NULL;
      if (l.problem != NULL && code == 0)
        code = bkt_error_exit_code(l.problem);
      if (json && (e->active || only != NULL))
        host_json = login_json(&l, show_token);
      if (json)
        cJSON_AddItemToArray(accounts, login_json(&l, show_token));
      else
        login_text(&l, show_token);
      login_clear(&l);
    }
    if (host_json != NULL) {
      cJSON_AddItemToObject(host_json, "accounts", accounts);
      cJSON_AddItemToArray(list, host_json);
    } else {
      bkt_json_wipe_delete(accounts);
    }
    if (only != NULL)
      break;
  }
  if (json)
    cli_print_json(root);
  else
    bkt_json_wipe_delete(root);
  return json ? cli_finish_stdout(code) : code;
}
