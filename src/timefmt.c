/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "timefmt.h"

#include <glib/gi18n.h>

gint64
bkt_now(void)
{
  return g_get_real_time() / G_USEC_PER_SEC;
}

char *
bkt_describe_span(gint64 seconds)
{
  gint64 minutes = (MAX(seconds, 0) + 59) / 60;
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
bkt_describe_expiry(gint64 expires_at)
{
  if (expires_at <= 0)
    return g_strdup(_("does not expire"));
  gint64 now = bkt_now();
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(expires_at);
  g_autofree char *clock = g_date_time_format(when, "%Y-%m-%d %H:%M");
  if (expires_at <= now) {
    g_autofree char *span = bkt_describe_span(now - expires_at);
    /* TRANSLATORS: the first %s is a date and time, the second how long ago, e.g. "3 minutes" */
    return g_strdup_printf(_("expired %s (%s ago)"), clock, span);
  }
  g_autofree char *span = bkt_describe_span(expires_at - now);
  /* TRANSLATORS: the first %s is a date and time, the second a span, e.g. "2 hours" */
  return g_strdup_printf(_("expires %s (in %s)"), clock, span);
}

char *
bkt_iso_time(gint64 unix_seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_seconds);
  return g_date_time_format_iso8601(t);
}
