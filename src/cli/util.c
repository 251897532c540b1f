/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "json.h"
#include "timefmt.h"

int
cli_fail(GError *error)
{
  int code = bkt_error_exit_code(error);
  fprintf(stderr, "bkt-auth: %s\n", error != NULL ? error->message : _("failed"));
  g_clear_error(&error);
  return code;
}

gboolean
cli_parse(GOptionContext *ctx, const char *command, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strconcat("bkt-auth ", command, NULL);
  g_set_prgname(name);
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  if (g_option_context_parse(ctx, argc, argv, &error))
    return TRUE;
  fprintf(stderr, _("bkt-auth: %s: see 'bkt-auth %s --help'\n"), error->message, command);
  return FALSE;
}

int
cli_finish_stdout(int code)
{
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, _("bkt-auth: cannot write the result to standard output: %s\n"),
            g_strerror(errno));
    return 1;
  }
  return code;
}

gboolean
cli_one_host(const char *command, int argc, char **argv, const char **host)
{
  *host = argc > 1 ? argv[1] : NULL;
  if (argc <= 2)
    return TRUE;
  g_autofree char *shown = bkt_text_tame(argv[2]);
  fprintf(stderr, _("bkt-auth: '%s' takes at most one host, but got '%s' too: see 'bkt-auth %s "
                    "--help'\n"), command, shown, command);
  return FALSE;
}

const char *
cli_check_mark(void)
{
  return g_get_charset(NULL) ? "\u2713" : "+";
}

cJSON *
cli_entry_json(const BktHostEntry *e, gint64 expires_at)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "host", e->key);
  cJSON_AddStringToObject(o, "kind", bkt_kind_to_string(e->kind));
  cJSON_AddStringToObject(o, "base_url", e->base_url != NULL ? e->base_url : "");
  if (e->username != NULL)
    cJSON_AddStringToObject(o, "username", e->username);
  if (e->display_name != NULL)
    cJSON_AddStringToObject(o, "display_name", e->display_name);
  if (e->account != NULL && !e->legacy)
    cJSON_AddStringToObject(o, "account", e->account);
  cJSON_AddStringToObject(o, "auth", bkt_auth_to_string(e->auth));
  cJSON_AddStringToObject(o, "storage", e->storage);
  if (expires_at > 0) {
    g_autofree char *iso = bkt_iso_time(expires_at);
    cJSON_AddStringToObject(o, "expires_at", iso);
  } else {
    cJSON_AddNullToObject(o, "expires_at");
  }
  cJSON *scopes = cJSON_AddArrayToObject(o, "scopes");
  g_auto(GStrv) parts = g_strsplit(e->scopes != NULL ? e->scopes : "", " ", -1);
  for (char **p = parts; *p; p++)
    if (**p)
      cJSON_AddItemToArray(scopes, cJSON_CreateString(*p));
  return o;
}

void
cli_print_json(cJSON *root)
{
  g_autoptr(BktSecret) text = bkt_json_print_secret(root, TRUE);
  bkt_json_wipe_delete(root);
  fwrite(bkt_secret_str(text), 1, bkt_secret_len(text), stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

void
cli_print_entry_json(const BktHostEntry *e)
{
  cli_print_json(cli_entry_json(e, e->expires_at));
}
