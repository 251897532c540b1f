/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <cjson/cJSON.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "cli.h"
#include "doctor.h"
#include "timefmt.h"

typedef struct {
  gboolean json;
  cJSON *list;
  guint problems;
  guint warnings;
} Report;

static const char *
mark(BktCheckStatus status)
{
  switch (status) {
  case BKT_CHECK_OK: return cli_check_mark();
  case BKT_CHECK_INFO: return "-";
  case BKT_CHECK_WARN: return "!";
  case BKT_CHECK_FAIL: return "X";
  }
  return "?";
}

static cJSON *
check_json(const BktCheck *c)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "check", c->id);
  cJSON_AddStringToObject(o, "status", bkt_check_status_to_string(c->status));
  if (c->host != NULL)
    cJSON_AddStringToObject(o, "host", c->host);
  else
    cJSON_AddNullToObject(o, "host");
  cJSON_AddStringToObject(o, "summary", c->summary);
  if (c->fix != NULL)
    cJSON_AddStringToObject(o, "fix", c->fix);
  else
    cJSON_AddNullToObject(o, "fix");
  if (c->daemon != NULL)
    cJSON_AddStringToObject(o, "daemon", c->daemon);
  if (c->path != NULL)
    cJSON_AddStringToObject(o, "path", c->path);
  if (c->version != NULL)
    cJSON_AddStringToObject(o, "bitbucket_version", c->version);
  if (c->expires_at > 0) {
    g_autofree char *iso = bkt_iso_time(c->expires_at);
    cJSON_AddStringToObject(o, "expires_at", iso);
  }
  if (c->http_status > 0)
    cJSON_AddNumberToObject(o, "http_status", (double)c->http_status);
  if (c->has_skew)
    cJSON_AddNumberToObject(o, "clock_skew_seconds", (double)c->skew_seconds);
  return o;
}

static void
on_check(const BktCheck *c, gpointer user_data)
{
  Report *r = user_data;
  if (c->status == BKT_CHECK_FAIL)
    r->problems++;
  else if (c->status == BKT_CHECK_WARN)
    r->warnings++;
  if (r->json) {
    cJSON_AddItemToArray(r->list, check_json(c));
    return;
  }
  fprintf(stderr, "%s %s\n", mark(c->status), c->summary);
  if (c->fix != NULL && c->status != BKT_CHECK_OK)
    /* TRANSLATORS: what to do about the problem on the line above */
    fprintf(stderr, _("  Fix: %s\n"), c->fix);
  fflush(stderr);
}

int
cmd_doctor(int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print the findings as JSON on stdout"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new(_("[HOST] - find what makes logins or tokens fail, and how to fix it"));
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description(
    ctx, _("Checks the secret store, the configuration files, each stored login, the browser "
           "and the display, and for each stored host (or HOST alone) that it answers, its "
           "TLS certificate, its Bitbucket version, the clock, and the stored token.\n"
           "Exits 0 when nothing is wrong (warnings allowed), 1 when something is."));
  const char *host;
  if (!cli_parse(ctx, "doctor", &argc, &argv) || !cli_one_host("doctor", argc, argv, &host))
    return 1;

  Report r = { .json = json };
  cJSON *root = NULL;
  if (json) {
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    r.list = cJSON_CreateArray();
  }
  GError *error = NULL;
  if (!bkt_doctor_run(host, on_check, &r, &error)) {
    cJSON_Delete(root);
    cJSON_Delete(r.list);
    return cli_fail(error);
  }
  int code = r.problems > 0 ? 1 : 0;
  if (json) {
    cJSON_AddBoolToObject(root, "ok", r.problems == 0);
    cJSON_AddNumberToObject(root, "problems", r.problems);
    cJSON_AddNumberToObject(root, "warnings", r.warnings);
    cJSON_AddItemToObject(root, "checks", r.list);
    char *text = cJSON_Print(root);
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(root);
    return cli_finish_stdout(code);
  }
  if (r.problems > 0)
    fprintf(stderr, g_dngettext(GETTEXT_PACKAGE, "\n%u problem found.\n",
                                "\n%u problems found.\n", r.problems), r.problems);
  else if (r.warnings > 0)
    fprintf(stderr, g_dngettext(GETTEXT_PACKAGE, "\nNo problems found; %u warning.\n",
                                "\nNo problems found; %u warnings.\n", r.warnings), r.warnings);
  else
    fprintf(stderr, _("\nNo problems found.\n"));
  return code;
}
