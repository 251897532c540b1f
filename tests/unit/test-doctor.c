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

/* The check ids a document lists: the words of the list that starts after `opening` and ends
 * at the first ')', each a match of `word` (its first group), with the man page's "\-" read
 * as "-". */
static GPtrArray *
documented_ids(const char *relative, const char *opening, const char *word)
{
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", relative, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, &error));
  g_assert_no_error(error);
  const char *start = strstr(text, opening);
  g_assert_nonnull(start);
  start += strlen(opening);
  const char *end = strchr(start, ')');
  g_assert_nonnull(end);
  g_autofree char *list = g_strndup(start, (size_t)(end - start));
  g_auto(GStrv) parts = g_strsplit(list, "\\-", -1);
  g_autofree char *plain = g_strjoinv("-", parts);

  GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GRegex) re = g_regex_new(word, 0, 0, NULL);
  g_autoptr(GMatchInfo) m = NULL;
  for (g_regex_match(re, plain, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL))
    g_ptr_array_add(ids, g_match_info_fetch(m, 1));
  return ids;
}

/* id as found among the n of list, or NULL: for assertions that name the id. */
static const char *
find(const char *const *list, guint n, const char *id)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0(list[i], id) == 0)
      return list[i];
  return NULL;
}

/* Each id a check may have is told to programs: the doctor JSON schema in docs/ and the man
 * page list exactly the ids of bkt_check_ids, each once. (The integration tests hold every id
 * doctor --json emits to the docs' list.) */
static void
test_ids_documented(void)
{
  guint n = g_strv_length((char **)bkt_check_ids);
  g_assert_cmpuint(n, >, 0);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr(find(bkt_check_ids + i + 1, n - i - 1, bkt_check_ids[i]), ==, NULL);

  static const struct {
    const char *file, *opening, *word;
  } docs[] = {
    { "docs/status-json.md", "Each check has `check` (one of ", "`([^`]+)`" },
    { "doc/bkt-auth.1", ".B check\n(one of\n", "(?<![.\\w])([a-z][a-z-]*)" },
  };
  for (size_t d = 0; d < G_N_ELEMENTS(docs); d++) {
    g_test_message("the ids %s lists", docs[d].file);
    g_autoptr(GPtrArray) ids = documented_ids(docs[d].file, docs[d].opening, docs[d].word);
    const char *const *listed = (const char *const *)ids->pdata;
    for (guint i = 0; i < ids->len; i++) {
      g_assert_cmpstr(find(bkt_check_ids, n, listed[i]), ==, listed[i]);
      g_assert_cmpstr(find(listed + i + 1, ids->len - i - 1, listed[i]), ==, NULL);
    }
    for (guint i = 0; i < n; i++)
      g_assert_cmpstr(find(listed, ids->len, bkt_check_ids[i]), ==, bkt_check_ids[i]);
  }
}

static void
test_statuses(void)
{
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
  g_test_add_func("/doctor/ids-documented", test_ids_documented);
  g_test_add_func("/doctor/statuses", test_statuses);
  return g_test_run();
}
