/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "tame.h"

#include <string.h>

#define TAME_MAX_CHARS 200

/* Characters that change how the text around them looks without being seen. */
static gboolean
is_invisible_format(gunichar c)
{
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

char *
bkt_text_tame(const char *s)
{
  if (s == NULL)
    return NULL;
  g_autofree char *valid = g_utf8_make_valid(s, -1);
  GString *out = g_string_new(NULL);
  glong n = 0;
  for (const char *p = valid; *p && n < TAME_MAX_CHARS; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (is_invisible_format(c))
      continue;
    g_string_append_unichar(out, g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 ? ' ' : c);
    n++;
  }
  return g_string_free(out, FALSE);
}

char *
bkt_text_shell_arg(const char *s)
{
  gboolean plain = *s != '\0';
  for (const char *c = s; *c; c++)
    if (!g_ascii_isalnum(*c) && strchr("/._-+,:@%=", *c) == NULL)
      plain = FALSE;
  return plain ? g_strdup(s) : g_shell_quote(s);
}
