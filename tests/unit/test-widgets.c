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
  if (g_strv_length(got) != n) {
    g_autofree char *wanted = g_strjoinv("|", (char **)want);
    g_error("wrapping '%s' at %d gives %s, want %s", text, width, shown, wanted);
  }
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
  /* Mixed: a space is a place to break, and so is the place between two ideographs. */
  assert_wrap("ab 日本語", 7, (const char *[]){ "ab 日本", "語", NULL });
  assert_wrap("ab 日本語", 4, (const char *[]){ "ab", "日本", "語", NULL });
  /* Latin next to Japanese may break there too, but a Latin word stays whole. */
  assert_wrap("bkt-authで開く", 9, (const char *[]){ "bkt-auth", "で開く", NULL });
  assert_wrap("bkt-authで開く", 5, (const char *[]){ "bkt-a", "uthで", "開く", NULL });
}

/* Japanese line breaking (kinsoku): no line starts with a closing mark, a small kana or the
 * prolonged sound mark, and none ends with an opening mark. */
static void
test_wrap_japanese_rules(void)
{
  /* The full stop stays with what it ends; the line breaks after it. */
  assert_wrap("ください。そして", 10, (const char *[]){ "ください。", "そして", NULL });
  assert_wrap("ください。そして", 8, (const char *[]){ "くださ", "い。そし", "て", NULL });
  assert_wrap("はい、いいえ", 4, (const char *[]){ "は", "い、", "いい", "え", NULL });
  /* The prolonged sound mark and small kana never start a line. */
  assert_wrap("ブラウザーで開く", 8, (const char *[]){ "ブラウ", "ザーで開", "く", NULL });
  assert_wrap("チェック", 4, (const char *[]){ "チェ", "ック", NULL });
  /* Brackets: the opening one stays with what it opens, the closing one with what it
   * closes. */
  assert_wrap("「はい」と", 6, (const char *[]){ "「は", "い」と", NULL });
  assert_wrap("あ「はい」", 4, (const char *[]){ "あ", "「は", "い」", NULL });
  assert_wrap("（注）です", 4, (const char *[]){ "（注", "）で", "す", NULL });
  /* Exclamation and question marks end with the sentence. */
  assert_wrap("はい！いいえ？", 4, (const char *[]){ "は", "い！", "いい", "え？", NULL });
  /* A line too narrow for the rule cuts where it must, rather than lose the text. */
  assert_wrap("。。。", 2, (const char *[]){ "。", "。", "。", NULL });
}

/* No line of wrapped Japanese begins with a character that may not start one, nor ends with
 * one that may not end one, at any width. */
static void
test_wrap_japanese_every_width(void)
{
  const char *text = "ブラウザーでサインインのアドレスを開いてください。ブラウザーがエラーページで"
                     "終わったら、そのアドレスをここに貼り付けてください（p）。「完了」です！";
  const char *no_start[] = { "。", "、", "」", "）", "ー", "ッ", "ャ", "！", "？", NULL };
  const char *no_end[] = { "「", "（", NULL };
  /* From the width of the longest run that may not break, "（p）。". */
  for (int width = 8; width <= 80; width++) {
    g_auto(GStrv) lines = ui_wrap(text, width);
    g_autofree char *joined = g_strjoinv("", lines);
    g_assert_cmpstr(joined, ==, text);
    for (char **l = lines; *l; l++) {
      g_assert_cmpint(ui_width(*l), <=, width);
      for (const char **c = no_start; *c; c++)
        if (l != lines && g_str_has_prefix(*l, *c))
          g_error("at %d columns a line starts with %s: %s", width, *c, *l);
      for (const char **c = no_end; *c; c++)
        if (l[1] != NULL && g_str_has_suffix(*l, *c))
          g_error("at %d columns a line ends with %s: %s", width, *c, *l);
    }
  }
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

/* The keys of every hint line, in order. */
static char *
keys_of(char **rows)
{
  GString *keys = g_string_new(NULL);
  for (char **r = rows; *r; r++) {
    g_auto(GStrv) items = g_strsplit(*r, "  ", -1);
    for (char **it = items; *it; it++) {
      const char *space = strchr(*it, ' ');
      g_string_append_len(keys, *it, space != NULL ? space - *it : (gssize)strlen(*it));
      g_string_append_c(keys, ' ');
    }
  }
  return g_string_free(keys, FALSE);
}

static void
test_keys_layout(void)
{
  const char *hints[] = {
    "Enter next  c copy  u show  r change the redirect URL  m message for an admin  b back  "
    "q quit",
    "Enter weiter  c kopieren  u anzeigen  r Weiterleitungs-URL ändern  m Nachricht für einen "
    "Administrator  b zurück  q beenden",
    "Enter 次へ  c コピー  u 表示  r リダイレクト URL を変更  m 管理者へのメッセージ  b 戻る  "
    "q 終了",
    "o browser  c copy  u show  p paste  b back  q cancel",
  };
  for (gsize h = 0; h < G_N_ELEMENTS(hints); h++) {
    g_auto(GStrv) one = ui_keys_layout(hints[h], 1000, 1, "…");
    g_assert_cmpuint(g_strv_length(one), ==, 1);
    g_assert_cmpstr(one[0], ==, hints[h]);
    g_autofree char *want = keys_of(one);
    for (int width = 16; width <= 100; width++) {
      g_auto(GStrv) rows = ui_keys_layout(hints[h], width, 2, "…");
      g_autofree char *got = keys_of(rows);
      /* No key is ever dropped, and nothing runs past the width. */
      g_assert_cmpstr(got, ==, want);
      g_assert_cmpuint(g_strv_length(rows), >=, 1);
      for (char **r = rows; *r; r++)
        g_assert_cmpint(ui_width(*r), <=, width);
      /* From 40 columns, two rows always do. */
      if (width >= 40)
        g_assert_cmpuint(g_strv_length(rows), <=, 2);
    }
  }
  /* What fits stays whole; what does not is first wrapped, then cut short. */
  g_auto(GStrv) wrapped = ui_keys_layout("a one  b two  c three", 12, 2, "…");
  g_assert_cmpstr(wrapped[0], ==, "a one  b two");
  g_assert_cmpstr(wrapped[1], ==, "c three");
  g_assert_null(wrapped[2]);
  g_auto(GStrv) cut = ui_keys_layout("a message for an admin  b go back", 12, 1, "...");
  g_assert_cmpuint(g_strv_length(cut), ==, 1);
  g_assert_cmpstr(cut[0], ==, "a  b");
  g_auto(GStrv) shorter = ui_keys_layout("a message for an admin  b go back", 24, 1, "…");
  g_assert_cmpstr(shorter[0], ==, "a message…  b go back");
}

/* A clipped body is measured whole, drawn only where it shows. */
static void
test_clip(void)
{
  int cy, cx;
  ui_clip_begin(20, 22);
  /* Rows 0 to 2 are above what shows: nothing is drawn (there is no window at all). */
  g_assert_cmpint(ui_text(NULL, 0, 0, 10, UI_ALL_LINES, 0, "one two three four five"), ==, 3);
  ui_line(NULL, 7, 0, 10, 0, "seven");
  ui_cursor(NULL, 5, 3);
  g_assert_cmpint(ui_clip_end(&cy, &cx), ==, 20);
  g_assert_cmpint(cy, ==, 5);
  g_assert_cmpint(cx, ==, 3);
  ui_clip_begin(0, 0);
  ui_line(NULL, 30, 0, 10, 0, "far below");
  g_assert_cmpint(ui_clip_end(&cy, &cx), ==, 31);
  g_assert_cmpint(cy, ==, -1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/widgets/width", test_width);
  g_test_add_func("/widgets/wrap/plain", test_wrap_plain);
  g_test_add_func("/widgets/wrap/long-words", test_wrap_long_words);
  g_test_add_func("/widgets/wrap/wide", test_wrap_wide);
  g_test_add_func("/widgets/wrap/japanese-rules", test_wrap_japanese_rules);
  g_test_add_func("/widgets/wrap/japanese-every-width", test_wrap_japanese_every_width);
  g_test_add_func("/widgets/wrap/combining", test_wrap_combining);
  g_test_add_func("/widgets/wrap/empty-lines", test_wrap_empty_lines);
  g_test_add_func("/widgets/wrap/fits-and-keeps-words", test_wrap_fits_and_keeps_words);
  g_test_add_func("/widgets/keys-layout", test_keys_layout);
  g_test_add_func("/widgets/clip", test_clip);
  return g_test_run();
}
