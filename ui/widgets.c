/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "widgets.h"

#include <string.h>

#include "secret.h"

static int
char_width(gunichar c)
{
  if (g_unichar_iszerowidth(c))
    return 0;
  return g_unichar_iswide(c) ? 2 : 1;
}

/* Columns the characters from p up to end take. */
static int
range_width(const char *p, const char *end)
{
  int w = 0;
  for (; p < end && *p; p = g_utf8_next_char(p))
    w += char_width(g_utf8_get_char(p));
  return w;
}

int
ui_width(const char *s)
{
  return range_width(s, s + strlen(s));
}

/* No line may start with these: closing marks, small kana, the prolonged sound mark, marks that
 * belong to the character before. */
static gboolean
no_break_before(GUnicodeBreakType t)
{
  switch (t) {
  case G_UNICODE_BREAK_CLOSE_PUNCTUATION:
#if GLIB_CHECK_VERSION(2, 70, 0)
  case G_UNICODE_BREAK_CLOSE_PARENTHESIS:
#else
  case G_UNICODE_BREAK_CLOSE_PARANTHESIS:
#endif
  case G_UNICODE_BREAK_EXCLAMATION:
  case G_UNICODE_BREAK_NON_STARTER:
  case G_UNICODE_BREAK_CONDITIONAL_JAPANESE_STARTER:
  case G_UNICODE_BREAK_INFIX_SEPARATOR:
  case G_UNICODE_BREAK_COMBINING_MARK:
  case G_UNICODE_BREAK_ZERO_WIDTH_JOINER:
  case G_UNICODE_BREAK_WORD_JOINER:
  case G_UNICODE_BREAK_NON_BREAKING_GLUE:
  case G_UNICODE_BREAK_INSEPARABLE:
    return TRUE;
  default:
    return FALSE;
  }
}

/* No line may end with these: opening marks, and what glues to the next character. */
static gboolean
no_break_after(GUnicodeBreakType t)
{
  return t == G_UNICODE_BREAK_OPEN_PUNCTUATION || t == G_UNICODE_BREAK_WORD_JOINER ||
         t == G_UNICODE_BREAK_NON_BREAKING_GLUE || t == G_UNICODE_BREAK_ZERO_WIDTH_JOINER;
}

/*
 * Whether a line may break between a and b with no space between them: next to a wide
 * (Chinese, Japanese) character, as the line-break classes of Unicode (UAX #14) allow. Words
 * in scripts with spaces break only at spaces.
 */
static gboolean
may_break_between(gunichar a, gunichar b)
{
  if (!g_unichar_iswide(a) && !g_unichar_iswide(b))
    return FALSE;
  return !no_break_after(g_unichar_break_type(a)) && !no_break_before(g_unichar_break_type(b));
}

char **
ui_wrap(const char *text, int width)
{
  GPtrArray *lines = g_ptr_array_new();
  if (width < 1)
    width = 1;
  g_auto(GStrv) paragraphs = g_strsplit(text, "\n", -1);
  for (char **para = paragraphs; *para; para++) {
    const char *p = *para;
    if (*p == '\0') {
      g_ptr_array_add(lines, g_strdup(""));
      continue;
    }
    while (*p) {
      /* Take characters while they fit; remember the last place to break: a space (which the
       * break drops), or between two characters where Japanese may break. */
      const char *q = p, *last_space = NULL, *last_between = NULL;
      gunichar prev = 0;
      int w = 0;
      while (*q) {
        gunichar c = g_utf8_get_char(q);
        int cw = char_width(c);
        if (q > p && prev != ' ' && c != ' ' && may_break_between(prev, c))
          last_between = q;
        if (w + cw > width)
          break;
        if (c == ' ')
          last_space = q;
        w += cw;
        prev = c;
        q = g_utf8_next_char(q);
      }
      const char *end = q, *next = q;
      if (*q != '\0' && last_between != NULL && last_between > p &&
          (last_space == NULL || last_between > last_space)) {
        end = next = last_between;
      } else if (*q != '\0' && last_space != NULL && last_space > p) {
        end = last_space;
        next = last_space + 1;
      } else if (q == p) {
        /* A character wider than the line: take it alone. */
        end = next = g_utf8_next_char(p);
      }
      g_ptr_array_add(lines, g_strndup(p, (gsize)(end - p)));
      p = next;
      while (*p == ' ' && p != *para)
        p++;
    }
  }
  g_ptr_array_add(lines, NULL);
  return (char **)g_ptr_array_free(lines, FALSE);
}

/* What ui_clip_begin set up: the rows drawn, and what was measured. */
static struct {
  gboolean on;
  int top, bottom;
  int end;
  int cursor_y, cursor_x;
} clip;

void
ui_clip_begin(int top, int bottom)
{
  clip.on = TRUE;
  clip.top = top;
  clip.bottom = bottom;
  clip.end = top;
  clip.cursor_y = clip.cursor_x = -1;
}

int
ui_clip_end(int *cursor_y, int *cursor_x)
{
  clip.on = FALSE;
  *cursor_y = clip.cursor_y;
  *cursor_x = clip.cursor_x;
  return clip.end;
}

/* Whether row y is drawn (outside a clip, always); notes how far the body reaches. */
static gboolean
shown(int y)
{
  if (!clip.on)
    return TRUE;
  clip.end = MAX(clip.end, y + 1);
  return y >= clip.top && y < clip.bottom;
}

void
ui_cursor(WINDOW *w, int y, int x)
{
  if (clip.on) {
    clip.cursor_y = y;
    clip.cursor_x = x;
  }
  if (shown(y))
    wmove(w, y, x);
}

void
ui_line(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
  if (width <= 0 || !shown(y))
    return;
  const char *p = s;
  int used = 0;
  while (*p) {
    int cw = char_width(g_utf8_get_char(p));
    if (used + cw > width)
      break;
    used += cw;
    p = g_utf8_next_char(p);
  }
  wattron(w, attr);
  mvwaddnstr(w, y, x, s, (int)(p - s));
  wattroff(w, attr);
}

int
ui_text(WINDOW *w, int y, int x, int width, int max_lines, int attr, const char *text)
{
  g_auto(GStrv) lines = ui_wrap(text, width);
  int n = 0;
  for (char **l = lines; *l && n < max_lines; l++, n++)
    ui_line(w, y + n, x, width, attr, *l);
  return n;
}

/* s cut to at most limit columns, ending in ellipsis when cut; newly allocated. */
static char *
cut_to(const char *s, int limit, const char *ellipsis)
{
  if (ui_width(s) <= limit)
    return g_strdup(s);
  int room = limit - ui_width(ellipsis), used = 0;
  const char *p = s;
  while (*p && used + char_width(g_utf8_get_char(p)) <= room) {
    used += char_width(g_utf8_get_char(p));
    p = g_utf8_next_char(p);
  }
  g_autofree char *head = g_strndup(s, (gsize)(p - s));
  /* At the end of a word, where there is one. */
  char *space = *p != ' ' ? strrchr(head, ' ') : NULL;
  if (space != NULL)
    *space = '\0';
  return g_strconcat(g_strchomp(head), ellipsis, NULL);
}

/* The hints in rows with what each key does cut to limit columns (0: keys alone). */
static GPtrArray *
keys_rows(char **items, int width, int limit, const char *ellipsis)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
  GString *row = NULL;
  for (char **it = items; *it; it++) {
    if (**it == '\0')
      continue;
    const char *space = strchr(*it, ' ');
    g_autofree char *key = space != NULL ? g_strndup(*it, (gsize)(space - *it)) : g_strdup(*it);
    g_autofree char *what = space != NULL && limit > 0 ? cut_to(space + 1, limit, ellipsis) : NULL;
    g_autofree char *item = what != NULL ? g_strconcat(key, " ", what, NULL) : g_strdup(key);
    if (row != NULL && ui_width(row->str) + 2 + ui_width(item) > width) {
      g_ptr_array_add(rows, g_string_free(row, FALSE));
      row = NULL;
    }
    if (row == NULL)
      row = g_string_new(item);
    else
      g_string_append_printf(row, "  %s", item);
  }
  if (row != NULL)
    g_ptr_array_add(rows, g_string_free(row, FALSE));
  return rows;
}

char **
ui_keys_layout(const char *hints, int width, int max_rows, const char *ellipsis)
{
  g_auto(GStrv) items = g_strsplit(hints, "  ", -1);
  /* Whole, then what each key does cut ever shorter, then the keys alone. */
  static const int limits[] = { G_MAXINT, 14, 10, 7, 4, 0 };
  GPtrArray *rows = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
    if (rows != NULL)
      g_ptr_array_unref(rows);
    rows = keys_rows(items, width, limits[i], ellipsis);
    if ((int)rows->len <= max_rows)
      break;
  }
  g_ptr_array_set_free_func(rows, NULL);
  g_ptr_array_add(rows, NULL);
  return (char **)g_ptr_array_free(rows, FALSE);
}

/* Longer than any address or secret a person pastes. */
#define FIELD_MAX 16384

void
ui_field_init(UiField *f, gboolean masked)
{
  f->text = bkt_secret_new(FIELD_MAX);
  f->cursor = 0;
  f->masked = masked;
}

void
ui_field_clear(UiField *f)
{
  g_clear_pointer(&f->text, bkt_secret_free);
}

void
ui_field_set(UiField *f, const char *text)
{
  bkt_secret_truncate(f->text, 0);
  bkt_secret_append(f->text, text, strlen(text));
  f->cursor = (gsize)g_utf8_strlen(bkt_secret_str(f->text), -1);
}

const char *
ui_field_text(const UiField *f)
{
  return bkt_secret_str(f->text);
}

gboolean
ui_field_empty(const UiField *f)
{
  return bkt_secret_empty(f->text);
}

static gsize
byte_at(const UiField *f, gsize chars)
{
  const char *s = bkt_secret_str(f->text);
  return (gsize)(g_utf8_offset_to_pointer(s, (glong)chars) - s);
}

/* Remove the character at the cursor position chars. */
static void
erase_char(UiField *f, gsize chars)
{
  gsize at = byte_at(f, chars);
  bkt_secret_erase(f->text, at, byte_at(f, chars + 1) - at);
}

gboolean
ui_field_key(UiField *f, gboolean is_char, wint_t key)
{
  gsize len = (gsize)g_utf8_strlen(bkt_secret_str(f->text), -1);
  if (is_char) {
    switch (key) {
    case 1: /* ^A */
      f->cursor = 0;
      return TRUE;
    case 5: /* ^E */
      f->cursor = len;
      return TRUE;
    case 21: /* ^U: delete to the start */
      bkt_secret_erase(f->text, 0, byte_at(f, f->cursor));
      f->cursor = 0;
      return TRUE;
    case 11: /* ^K: delete to the end */
      bkt_secret_truncate(f->text, byte_at(f, f->cursor));
      return TRUE;
    case 8:
    case 127:
      if (f->cursor == 0)
        return TRUE;
      f->cursor--;
      erase_char(f, f->cursor);
      return TRUE;
    default:
      break;
    }
    if (key < ' ' || key == 127 || !g_unichar_validate((gunichar)key))
      return FALSE;
    char utf8[6];
    int n = g_unichar_to_utf8((gunichar)key, utf8);
    if (bkt_secret_insert(f->text, byte_at(f, f->cursor), utf8, (size_t)n))
      f->cursor++;
    bkt_wipe(utf8, sizeof utf8);
    return TRUE;
  }
  switch (key) {
  case KEY_LEFT:
    if (f->cursor > 0)
      f->cursor--;
    return TRUE;
  case KEY_RIGHT:
    if (f->cursor < len)
      f->cursor++;
    return TRUE;
  case KEY_HOME:
    f->cursor = 0;
    return TRUE;
  case KEY_END:
    f->cursor = len;
    return TRUE;
  case KEY_BACKSPACE:
    return ui_field_key(f, TRUE, 127);
  case KEY_DC:
    if (f->cursor < len)
      erase_char(f, f->cursor);
    return TRUE;
  default:
    return FALSE;
  }
}

void
ui_field_draw(WINDOW *w, int y, int x, int width, const UiField *f, gboolean focused,
              gboolean utf8)
{
  if (width < 4)
    return;
  if (!shown(y)) {
    if (focused)
      ui_cursor(w, y, x + 1);
    return;
  }
  /* What is shown: the text, or a mask of the same length. */
  g_autoptr(BktSecret) shown = bkt_secret_new(FIELD_MAX * 3);
  if (f->masked) {
    glong n = g_utf8_strlen(bkt_secret_str(f->text), -1);
    for (glong i = 0; i < n; i++)
      bkt_secret_append(shown, utf8 ? "•" : "*", utf8 ? strlen("•") : 1);
  } else {
    bkt_secret_append(shown, bkt_secret_str(f->text), bkt_secret_len(f->text));
  }
  /* Scroll so the cursor stays visible: drop characters from the left. */
  int inner = width - 2;
  const char *start = bkt_secret_str(shown);
  const char *cursor = g_utf8_offset_to_pointer(start, (glong)f->cursor);
  while (range_width(start, cursor) >= inner)
    start = g_utf8_next_char(start);
  int attr = focused ? A_UNDERLINE | A_BOLD : A_UNDERLINE;
  wattron(w, attr);
  mvwhline(w, y, x + 1, ' ', inner);
  wattroff(w, attr);
  mvwaddstr(w, y, x, "[");
  mvwaddstr(w, y, x + width - 1, "]");
  ui_line(w, y, x + 1, inner, attr, start);
  if (focused)
    ui_cursor(w, y, x + 1 + range_width(start, cursor));
}
