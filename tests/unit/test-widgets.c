/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "widgets.h"

/* ui_wrap(text, width) gives exactly the lines want (NULL-terminated). */
static void
assert_wrap(const char *text, int width, const char *const *want)
{
  g_auto(GStrv) got = ui_wrap(text, width);
  g_autofree char *shown = g_strjoinv("|", got);
  guint n = g_strv_length((char **)want);
  g_assert_cmpuint(g_strv_length(got), ==, n);
  for (guint i = 0; i < n; i++) {
    if (g_strcmp0(got[i], want[i]) != 0)
      g_error("wrapping '%s' at %d: line %u is '%s', want '%s' (all: %s)", text, width, i,
              got[i], want[i], shown);
  }
}

static void
test_width(void)
{
  g_assert_cmpint(ui_width(""), ==, 0);
  g_assert_cmpint(ui_width("bkt-auth"), ==, 8);
  g_assert_cmpint(ui_width("Größe"), ==, 5);
  g_assert_cmpint(ui_width("✓ › ·"), ==, 5);
  /* Wide characters take two columns. */
  g_assert_cmpint(ui_width("日本語"), ==, 6);
  g_assert_cmpint(ui_width("ab日本c"), ==, 7);
  g_assert_cmpint(ui_width("ﾃｽﾄ"), ==, 3); /* half-width katakana */
  g_assert_cmpint(ui_width("ＡＢ"), ==, 4);  /* full-width Latin */
  /* Combining marks take none. */
  g_assert_cmpint(ui_width("e\xcc\x81"), ==, 1);             /* e + U+0301 */
  g_assert_cmpint(ui_width("a\xcc\x88o\xcc\x88"), ==, 2);    /* a, o + U+0308 */
  g_assert_cmpint(ui_width("\xe3\x81\x8b\xe3\x82\x99"), ==, 2); /* か + U+3099 */
}

static void
test_wrap_plain(void)
{
  assert_wrap("the quick brown fox", 10, (const char *[]){ "the quick", "brown fox", NULL });
  assert_wrap("the quick brown fox", 19, (const char *[]){ "the quick brown fox", NULL });
  assert_wrap("the quick brown fox", 18, (const char *[]){ "the quick brown", "fox", NULL });
  /* A space where the line ends is not carried to the next one. */
  assert_wrap("abc def", 3, (const char *[]){ "abc", "def", NULL });
  assert_wrap("abc   def", 4, (const char *[]){ "abc", "def", NULL });
  /* Indentation at the start of a paragraph stays. */
  assert_wrap("  two", 10, (const char *[]){ "  two", NULL });
}

static void
test_wrap_long_words(void)
{
  /* A word longer than the line is cut where the line ends. */
  assert_wrap("abcdefghijkl", 5, (const char *[]){ "abcde", "fghij", "kl", NULL });
  assert_wrap("a verylongword b", 6,
              (const char *[]){ "a", "verylo", "ngword", "b", NULL });
  /* A URL stays whole when it fits a line of its own. */
  assert_wrap("open https://example.com/x now", 21,
              (const char *[]){ "open", "https://example.com/x", "now", NULL });
  /* No width at all is one column. */
  assert_wrap("ab", 0, (const char *[]){ "a", "b", NULL });
}

static void
test_wrap_wide(void)
{
  /* Japanese has no spaces: lines break between characters, by columns. */
  assert_wrap("日本語のテキスト", 5, (const char *[]){ "日本", "語の", "テキ", "スト", NULL });
  assert_wrap("日本語のテキスト", 6,
              (const char *[]){ "日本語", "のテキ", "スト", NULL });
  /* A wide character on a line of one column goes alone rather than nowhere. */
  assert_wrap("日本", 1, (const char *[]){ "日", "本", NULL });
  /* Mixed: the space is still the place to break. */
  assert_wrap("ab 日本語", 7, (const char *[]){ "ab", "日本語", NULL });
}

static void
test_wrap_combining(void)
{
  /* A combining mark stays with the letter before it, even at the end of a line. */
  assert_wrap("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2,
              (const char *[]){ "e\xcc\x81" "e\xcc\x81", "e\xcc\x81", NULL });
  assert_wrap("Gro\xcc\x88\xc3\x9f" "e Ma\xcc\x88nner", 6,
              (const char *[]){ "Gro\xcc\x88\xc3\x9f" "e", "Ma\xcc\x88nner", NULL });
}

static void
test_wrap_empty_lines(void)
{
  assert_wrap("", 10, (const char *[]){ NULL });
  assert_wrap("\n", 10, (const char *[]){ "", "", NULL });
  assert_wrap("one\n\ntwo", 10, (const char *[]){ "one", "", "two", NULL });
  assert_wrap("one two\nthree", 3, (const char *[]){ "one", "two", "thr", "ee", NULL });
}

/* text without its spaces, to compare what wrapping keeps */
static char *
without_spaces(const char *text)
{
  g_auto(GStrv) parts = g_strsplit(text, " ", -1);
  return g_strjoinv("", parts);
}

static void
test_wrap_fits_and_keeps_words(void)
{
  /* Whatever the width, every line fits and nothing but spaces is lost; where every word
   * fits a line, the words come back whole and in order. */
  const char *texts[] = {
    "Öffnen Sie die Anmeldeadresse in einem Browser (hier wurde --no-browser angegeben): "
    "kopieren Sie sie (c) oder zeigen Sie sie zum Markieren an (u).",
    "ブラウザーでサインインのアドレスを開いてください。ブラウザーがエラーページで終わったら、"
    "そのアドレスをここに貼り付けてください (p)。",
    "Paste the address from the browser's address bar, then Enter:",
  };
  for (gsize t = 0; t < G_N_ELEMENTS(texts); t++) {
    g_auto(GStrv) words = g_strsplit(texts[t], " ", -1);
    int longest = 0;
    for (char **word = words; *word; word++)
      longest = MAX(longest, ui_width(*word));
    g_autofree char *letters = without_spaces(texts[t]);
    for (int width = 1; width <= 80; width++) {
      g_auto(GStrv) lines = ui_wrap(texts[t], width);
      for (char **l = lines; *l; l++)
        g_assert_cmpint(ui_width(*l), <=, MAX(width, 2));
      g_autofree char *joined = g_strjoinv(" ", lines);
      g_autofree char *joined_letters = without_spaces(joined);
      g_assert_cmpstr(joined_letters, ==, letters);
      if (width >= longest)
        g_assert_cmpstr(joined, ==, texts[t]);
    }
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/widgets/width", test_width);
  g_test_add_func("/widgets/wrap/plain", test_wrap_plain);
  g_test_add_func("/widgets/wrap/long-words", test_wrap_long_words);
  g_test_add_func("/widgets/wrap/wide", test_wrap_wide);
  g_test_add_func("/widgets/wrap/combining", test_wrap_combining);
  g_test_add_func("/widgets/wrap/empty-lines", test_wrap_empty_lines);
  g_test_add_func("/widgets/wrap/fits-and-keeps-words", test_wrap_fits_and_keeps_words);
  return g_test_run();
}
