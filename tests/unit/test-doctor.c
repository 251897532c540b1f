/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "doctor.h"
#include "http.h"

static void
test_http_date(void)
{
  static const struct {
    const char *text;
    gboolean ok;
    gint64 when;
  } cases[] = {
    { "Sun, 06 Nov 1994 08:49:37 GMT", TRUE, 784111777 },
    { "Sunday, 06-Nov-94 08:49:37 GMT", TRUE, 784111777 },
    { "Sun Nov  6 08:49:37 1994", TRUE, 784111777 },
    { "Sat, 28 Nov 2026 13:53:00 GMT", TRUE, 1795873980 },
    { "Thu, 01 Jan 1970 00:00:00 GMT", TRUE, 0 },
    { "Sun, 06 Foo 1994 08:49:37 GMT", FALSE, 0 },
    { "Sun, 32 Nov 1994 08:49:37 GMT", FALSE, 0 },
    { "Sun, 06 Nov 1994 25:49:37 GMT", FALSE, 0 },
    { "yesterday", FALSE, 0 },
    { "", FALSE, 0 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    gint64 when = -1;
    g_test_message("%s", cases[i].text);
    g_assert_cmpint(bkt_http_parse_date(cases[i].text, &when), ==, cases[i].ok);
    if (cases[i].ok)
      g_assert_cmpint(when, ==, cases[i].when);
  }
  gint64 when;
  g_assert_false(bkt_http_parse_date(NULL, &when));
}

static void
test_ids_and_statuses(void)
{
  guint n = 0;
  for (const char *const *id = bkt_check_ids; *id != NULL; id++, n++)
    for (const char *const *other = id + 1; *other != NULL; other++)
      g_assert_cmpstr(*id, !=, *other);
  g_assert_cmpuint(n, ==, 12);
  g_assert_cmpstr(bkt_check_status_to_string(BKT_CHECK_OK), ==, "ok");
  g_assert_cmpstr(bkt_check_status_to_string(BKT_CHECK_INFO), ==, "info");
  g_assert_cmpstr(bkt_check_status_to_string(BKT_CHECK_WARN), ==, "warn");
  g_assert_cmpstr(bkt_check_status_to_string(BKT_CHECK_FAIL), ==, "fail");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/doctor/http-date", test_http_date);
  g_test_add_func("/doctor/ids-and-statuses", test_ids_and_statuses);
  return g_test_run();
}
