/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wizard-private.h"

/*
 * The frame around a screen: the title, the body (which scrolls when it does not fit), a
 * notice under it, and the key hints, wrapped or cut short but never without a key. Below the
 * minimum size, a plain message, and what must stay in reach even then.
 */

#define MIN_COLS 60
#define MIN_LINES 18
#define MAX_WIDTH 80
#define BODY_TOP 4
#define FOOTER_ROWS 2

gboolean
ui_frame_too_small(void)
{
  return COLS < MIN_COLS || LINES < MIN_LINES;
}

char *
ui_wizard_plain(const UiWizard *w, const char *text)
{
  if (w->term.utf8)
    return g_strdup(text);
  /* The terminal's character set has none of these: what they stand for, in ASCII. */
  static const char *const glyphs[][2] = {
    { "↑↓", "Up/Down" }, { "↑", "Up" }, { "↓", "Down" }, { "×", "x" }, { "…", "..." },
    { "·", "-" },         { "›", ">" },  { "✓", "OK" },   { "•", "*" },
  };
  char *out = g_strdup(text);
  for (size_t i = 0; i < G_N_ELEMENTS(glyphs); i++) {
    g_auto(GStrv) parts = g_strsplit(out, glyphs[i][0], -1);
    g_free(out);
    out = g_strjoinv(glyphs[i][1], parts);
  }
  return out;
}

/* One row of key hints, each key highlighted. */
static void
draw_keys(const UiWizard *w, int y, int x, int width, const char *row)
{
  int key_attr = ui_attr(&w->term, UI_PAIR_KEY, A_BOLD) | A_BOLD;
  g_auto(GStrv) items = g_strsplit(row, "  ", -1);
  int col = 0;
  for (char **it = items; *it; it++) {
    const char *space = strchr(*it, ' ');
    g_autofree char *k = space != NULL ? g_strndup(*it, (gsize)(space - *it)) : g_strdup(*it);
    ui_line(stdscr, y, x + col, width - col, key_attr, k);
    ui_line(stdscr, y, x + col + ui_width(k), width - col - ui_width(k), A_NORMAL,
            space ? space : "");
    col += ui_width(*it) + 2;
  }
}

/* "↓ more below (PgDn)" on a rule, at its right end. */
static void
draw_more(const UiWizard *w, int y, int x, int width, const char *glyph, const char *what)
{
  g_autofree char *text = g_strdup_printf(" %s %s ", glyph, what);
  g_autofree char *shown = ui_wizard_plain(w, text);
  int len = ui_width(shown);
  if (len < width - 4)
    ui_line(stdscr, y, x + width - len - 2, len, A_BOLD, shown);
}

/* Below the minimum size: say so, and keep in reach what the screen cannot do without. */
static void
draw_too_small(const UiWizard *w)
{
  g_autofree char *raw = g_strdup_printf(
    _("bkt-auth needs a terminal of at least %d×%d; this one is %d×%d. Make it larger, or "
      "press q to quit."), MIN_COLS, MIN_LINES, COLS, LINES);
  g_autofree char *msg = ui_wizard_plain(w, raw);
  int n = ui_text(stdscr, 0, 0, COLS, LINES, A_BOLD, msg);
  const UiScreen *s = ui_wizard_screen(w->flow.screen);
  if (s->small != NULL && n + 1 < LINES)
    s->small(w, n + 1, 0, COLS, LINES - n - 1);
  curs_set(0);
}

/* The rows the notice takes: as many as it needs, leaving the body a few. */
static int
notice_rows(const UiWizard *w, int width, int room)
{
  if (w->notice == NULL)
    return 0;
  g_auto(GStrv) lines = ui_wrap(w->notice, width);
  return CLAMP((int)g_strv_length(lines), 1, MAX(2, room / 2));
}

/* Draw the body scrolled by w->scroll; adjust the scroll to what the body measures and to the
 * cursor, drawing again when it changed. */
static void
draw_body(UiWizard *w, const UiScreen *s, int top, int bottom, int x, int width, int *cy,
          int *cx)
{
  for (int pass = 0; pass < 3; pass++) {
    for (int y = top; y < bottom; y++) {
      move(y, 0);
      clrtoeol();
    }
    int origin = top - w->scroll;
    ui_clip_begin(top, bottom);
    s->draw(w, origin, x, width);
    int end = ui_clip_end(cy, cx);
    w->body_rows = bottom - top;
    w->content_rows = end - origin;
    int want = CLAMP(w->scroll, 0, MAX(0, w->content_rows - w->body_rows));
    /* After a key that was no scrolling, what has the cursor comes into view. */
    if (w->follow_cursor && *cy >= 0) {
      int row = *cy - origin;
      if (row < want)
        want = row;
      else if (row >= want + w->body_rows)
        want = row - w->body_rows + 1;
    }
    if (want == w->scroll)
      return;
    w->scroll = want;
  }
}

void
ui_frame_draw(UiWizard *w)
{
  erase();
  if (ui_frame_too_small()) {
    draw_too_small(w);
    refresh();
    return;
  }
  const UiScreen *s = ui_wizard_screen(w->flow.screen);
  const char *screen_title = _(s->title), *keys = _(s->keys);
  if (s->labels != NULL)
    s->labels(w, &screen_title, &keys);
  int width = MIN(COLS, MAX_WIDTH) - 4;
  int x = (COLS - width) / 2;

  g_autofree char *hints = ui_wizard_plain(w, keys);
  g_auto(GStrv) footer =
    ui_keys_layout(hints, width, FOOTER_ROWS, ui_wizard_glyph(w, "…", "..."));
  int foot_rows = (int)g_strv_length(footer);
  int rule = LINES - 1 - foot_rows;
  int n = notice_rows(w, width, rule - BODY_TOP);
  int notice_top = rule - MAX(n, 2);
  int bottom = n > 0 ? notice_top - 1 : rule - 2;

  int cy = -1, cx = -1;
  draw_body(w, s, BODY_TOP, bottom, x, width, &cy, &cx);

  int title_attr = ui_attr(&w->term, UI_PAIR_TITLE, A_BOLD) | A_BOLD;
  g_autofree char *title =
    g_strdup_printf("bkt-auth  %s  %s", ui_wizard_glyph(w, "·", "-"), screen_title);
  ui_line(stdscr, 1, x, width, title_attr, title);
  mvhline(2, x, ACS_HLINE, width);
  if (n > 0) {
    int attr = w->notice_is_error ? ui_attr(&w->term, UI_PAIR_ERROR, A_BOLD) | A_BOLD : A_BOLD;
    ui_text(stdscr, notice_top, x, width, n, attr, w->notice);
  }
  mvhline(rule, x, ACS_HLINE, width);
  for (int i = 0; i < foot_rows; i++)
    draw_keys(w, rule + 1 + i, x, width, footer[i]);
  if (w->scroll > 0)
    draw_more(w, 2, x, width, ui_wizard_glyph(w, "↑", "^"), _("more above (PgUp)"));
  if (w->scroll + w->body_rows < w->content_rows)
    draw_more(w, rule, x, width, ui_wizard_glyph(w, "↓", "v"), _("more below (PgDn)"));

  /* The cursor rests where the screen put it (a field, a list's choice) when that shows. */
  gboolean cursor = cy >= BODY_TOP && cy < bottom;
  if (cursor)
    move(cy, cx);
  curs_set(cursor ? 1 : 0);
  refresh();
}
