/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "widgets.h"

#include <string.h>

#include "secure.h"

static int
char_width(gunichar c)
{
  if (g_unichar_iszerowidth(c))
    return 0;
  return g_unichar_iswide(c) ? 2 : 1;
}

int
ui_width(const char *s)
{
  int w = 0;
  for (const char *p = s; *p; p = g_utf8_next_char(p))
    w += char_width(g_utf8_get_char(p));
  return w;
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
      /* Take characters while they fit; remember the last space to break at. */
      const char *q = p, *last_space = NULL;
      int w = 0;
      while (*q) {
        gunichar c = g_utf8_get_char(q);
        int cw = char_width(c);
        if (w + cw > width)
          break;
        if (c == ' ')
          last_space = q;
        w += cw;
        q = g_utf8_next_char(q);
      }
      const char *end = q, *next = q;
      if (*q != '\0' && last_space != NULL && last_space > p) {
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

void
ui_line(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
  if (width <= 0)
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

void
ui_field_init(UiField *f, gboolean masked)
{
  f->text = g_string_new(NULL);
  f->cursor = 0;
  f->masked = masked;
}

void
ui_field_clear(UiField *f)
{
  if (f->text != NULL) {
    bkt_wipe(f->text->str, f->text->len);
    g_string_free(f->text, TRUE);
  }
  f->text = NULL;
}

void
ui_field_set(UiField *f, const char *text)
{
  bkt_wipe(f->text->str, f->text->len);
  g_string_assign(f->text, text);
  f->cursor = (gsize)g_utf8_strlen(text, -1);
}

static gsize
byte_at(const UiField *f, gsize chars)
{
  return (gsize)(g_utf8_offset_to_pointer(f->text->str, (glong)chars) - f->text->str);
}

gboolean
ui_field_key(UiField *f, gboolean is_char, wint_t key)
{
  gsize len = (gsize)g_utf8_strlen(f->text->str, -1);
  if (is_char) {
    switch (key) {
    case 1: /* ^A */
      f->cursor = 0;
      return TRUE;
    case 5: /* ^E */
      f->cursor = len;
      return TRUE;
    case 21: /* ^U: delete to the start */
      g_string_erase(f->text, 0, (gssize)byte_at(f, f->cursor));
      f->cursor = 0;
      return TRUE;
    case 11: /* ^K: delete to the end */
      g_string_truncate(f->text, byte_at(f, f->cursor));
      return TRUE;
    case 8:
    case 127:
      if (f->cursor == 0)
        return TRUE;
      f->cursor--;
      g_string_erase(f->text, (gssize)byte_at(f, f->cursor),
                     (gssize)(byte_at(f, f->cursor + 1) - byte_at(f, f->cursor)));
      return TRUE;
    default:
      break;
    }
    if (key < ' ' || key == 127 || !g_unichar_validate((gunichar)key) || f->text->len > 4096)
      return FALSE;
    g_string_insert_unichar(f->text, (gssize)byte_at(f, f->cursor), (gunichar)key);
    f->cursor++;
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
      g_string_erase(f->text, (gssize)byte_at(f, f->cursor),
                     (gssize)(byte_at(f, f->cursor + 1) - byte_at(f, f->cursor)));
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
  /* What is shown: the text, or a mask of the same length. */
  g_autoptr(GString) shown = g_string_new(NULL);
  if (f->masked) {
    glong n = g_utf8_strlen(f->text->str, -1);
    for (glong i = 0; i < n; i++)
      g_string_append(shown, utf8 ? "•" : "*");
  } else {
    g_string_append(shown, f->text->str);
  }
  /* Scroll so the cursor stays visible: drop characters from the left. */
  int inner = width - 2;
  const char *start = shown->str;
  const char *cursor = g_utf8_offset_to_pointer(shown->str, (glong)f->cursor);
  g_autofree char *before = g_strndup(start, (gsize)(cursor - start));
  while (ui_width(before) >= inner) {
    start = g_utf8_next_char(start);
    g_free(before);
    before = g_strndup(start, (gsize)(cursor - start));
  }
  int attr = focused ? A_UNDERLINE | A_BOLD : A_UNDERLINE;
  wattron(w, attr);
  mvwhline(w, y, x + 1, ' ', inner);
  wattroff(w, attr);
  mvwaddstr(w, y, x, "[");
  mvwaddstr(w, y, x + width - 1, "]");
  ui_line(w, y, x + 1, inner, attr, start);
  if (focused)
    wmove(w, y, x + 1 + ui_width(before));
  bkt_wipe(shown->str, shown->len);
}
