/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"

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

gboolean
cli_one_host(const char *command, int argc, char **argv, const char **host)
{
  *host = argc > 1 ? argv[1] : NULL;
  if (argc <= 2)
    return TRUE;
  fprintf(stderr, _("bkt-auth: '%s' takes at most one host, but got '%s' too: see 'bkt-auth %s "
                    "--help'\n"), command, argv[2], command);
  return FALSE;
}

static char *
describe_span(gint64 seconds)
{
  gint64 minutes = (seconds + 59) / 60;
  if (minutes < 60)
    return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d minute", "%d minutes", minutes),
                           (int)minutes);
  gint64 hours = minutes / 60;
  if (hours < 48)
    return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d hour", "%d hours", hours),
                           (int)hours);
  gint64 days = hours / 24;
  return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d day", "%d days", days), (int)days);
}

char *
cli_describe_expiry(gint64 expires_at)
{
  if (expires_at <= 0)
    return g_strdup(_("does not expire"));
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(expires_at);
  g_autofree char *clock = g_date_time_format(when, "%Y-%m-%d %H:%M");
  if (expires_at <= now) {
    g_autofree char *span = describe_span(now - expires_at);
    /* TRANSLATORS: the first %s is a date and time, the second how long ago, e.g. "3 minutes" */
    return g_strdup_printf(_("expired %s (%s ago)"), clock, span);
  }
  g_autofree char *span = describe_span(expires_at - now);
  /* TRANSLATORS: the first %s is a date and time, the second a span, e.g. "2 hours" */
  return g_strdup_printf(_("expires %s (in %s)"), clock, span);
}

char *
cli_iso_time(gint64 unix_seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_seconds);
  return g_date_time_format_iso8601(t);
}
