/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* Why no browser should be launched here (translated), or NULL when one may be. */
const char *bkt_browser_unavailable_reason(void);

/* Launch $BROWSER or xdg-open on url without waiting and without touching the terminal. */
gboolean bkt_browser_open(const char *url, GError **error);

/* TRUE inside an SSH session. */
gboolean bkt_env_is_ssh(void);

/* The command a user runs on their own machine to forward port here; newly allocated. */
char *bkt_ssh_forward_command(guint16 port);
