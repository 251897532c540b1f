/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/*
 * Text from outside (a server, a browser, the command line, a repository) made safe to show
 * on a terminal, on a web page and in files: valid UTF-8; control characters become spaces;
 * bidirectional overrides and isolates and zero-width characters (U+202A-202E, U+2066-2069,
 * U+200B-200F, U+FEFF) are dropped; at most 200 characters. NULL stays NULL. Newly allocated.
 */
char *bkt_text_tame(const char *s);

/* A word for a shell command shown to people: as it is when plain, else quoted. Newly
 * allocated. */
char *bkt_text_shell_arg(const char *s);
