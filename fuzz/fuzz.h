/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* What every harness exports to libFuzzer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (cut at the first NUL); free with g_free. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
  return g_strndup((const char *)data, size);
}

/* Abort with a message: libFuzzer keeps the input that broke a contract. */
#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "contract broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
      abort();                                                                              \
    }                                                                                       \
  } while (0)

/* Text that reaches a terminal or a page: valid UTF-8 without control characters. */
static inline gboolean
fuzz_text_is_tame(const char *s)
{
  if (s == NULL)
    return TRUE;
  if (!g_utf8_validate(s, -1, NULL))
    return FALSE;
  for (const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029)
      return FALSE;
  }
  return TRUE;
}

/* An error for people: one line, valid UTF-8, no terminal escapes. */
static inline gboolean
fuzz_error_is_sentence(const GError *error)
{
  return error != NULL && error->message != NULL && *error->message != '\0' &&
         fuzz_text_is_tame(error->message);
}
