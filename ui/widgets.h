/* SPDX-License-Identifier: MIT */
#pragma once

#include <curses.h>
#include <glib.h>

#include "secret.h"

/* Columns a UTF-8 string takes on screen (wide characters count two). */
int ui_width(const char *s);

/* Split text into lines of at most width columns, at spaces where it can. Free with g_strfreev. */
char **ui_wrap(const char *text, int width);

/* Draw wrapped text from (y, x) within width, at most max_lines; returns the lines used. */
int ui_text(WINDOW *w, int y, int x, int width, int max_lines, int attr, const char *text);
/* As many lines as text takes. */
#define UI_ALL_LINES G_MAXINT

/* Draw s at (y, x) cut to width columns. */
void ui_line(WINDOW *w, int y, int x, int width, int attr, const char *s);

/*
 * A body longer than the rows it has: between ui_clip_begin and ui_clip_end, what the
 * functions here draw lands only on rows top to bottom - 1; the rest is measured, not drawn.
 */
void ui_clip_begin(int top, int bottom);
/* One past the lowest row asked for since ui_clip_begin, and where the cursor was asked to
 * rest (*cursor_y -1: nowhere). */
int ui_clip_end(int *cursor_y, int *cursor_x);
/* Let the cursor rest at (y, x): on a focused field, or on the chosen entry of a list, where a
 * screen reader follows it. */
void ui_cursor(WINDOW *w, int y, int x);

/*
 * Lay out key hints ("Enter open  c copy  q quit": items two spaces apart, each a key then
 * what it does) in rows of width columns. Every key stays: when the hints do not fit
 * max_rows, what the keys do is cut short (ending in ellipsis), and at the last resort left
 * out. Free with g_strfreev.
 */
char **ui_keys_layout(const char *hints, int width, int max_rows, const char *ellipsis);

/* An editable one-line text field. What is typed or pasted may be a secret (a client secret,
 * an address with an authorization code): it lives in a BktSecret, wiped as it changes. */
typedef struct {
  BktSecret *text; /* UTF-8 */
  gsize cursor;    /* in characters */
  gboolean masked; /* draw '•' (or '*') for each character */
} UiField;

void ui_field_init(UiField *f, gboolean masked);
void ui_field_clear(UiField *f);
void ui_field_set(UiField *f, const char *text);
/* The text, valid until the field changes. */
const char *ui_field_text(const UiField *f);
gboolean ui_field_empty(const UiField *f);
/* Handle a key (a wide character when is_char, else a KEY_* code). TRUE when it was used. */
gboolean ui_field_key(UiField *f, gboolean is_char, wint_t key);
/* Draw the field in a box of width columns at (y, x); places the cursor (ui_cursor) when
 * focused. */
void ui_field_draw(WINDOW *w, int y, int x, int width, const UiField *f, gboolean focused,
                   gboolean utf8);
