/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "text.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

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
bkt_describe_expiry(gint64 expires_at)
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
bkt_iso_time(gint64 unix_seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_seconds);
  return g_date_time_format_iso8601(t);
}

char *
bkt_text_tame(const char *s)
{
  if (s == NULL)
    return NULL;
  g_autofree char *valid = g_utf8_make_valid(s, -1);
  GString *out = g_string_new(NULL);
  glong n = 0;
  for (const char *p = valid; *p && n < 200; p = g_utf8_next_char(p), n++) {
    gunichar c = g_utf8_get_char(p);
    g_string_append_unichar(out, g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 ? ' ' : c);
  }
  return g_string_free(out, FALSE);
}

gboolean
bkt_host_is_loopback(const char *host)
{
  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp(host, "localhost") == 0)
    return TRUE;
  g_autofree char *bare = g_strdup(host);
  if (bare[0] == '[' && bare[strlen(bare) - 1] == ']') {
    bare[strlen(bare) - 1] = '\0';
    memmove(bare, bare + 1, strlen(bare));
  }
  GInetAddress *addr = g_inet_address_new_from_string(bare);
  gboolean loopback = addr != NULL && g_inet_address_get_is_loopback(addr);
  if (addr != NULL)
    g_object_unref(addr);
  return loopback;
}
