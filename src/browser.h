/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

/* Why no browser should be launched here (translated), or NULL when one may be. */
const char *bkt_browser_unavailable_reason(void);

/*
 * Launch $BROWSER on url without waiting and without touching the terminal; else under WSL
 * the Windows browser (wslview, else cmd.exe's start, else PowerShell's Start-Process); else
 * xdg-open.
 */
gboolean bkt_browser_open(const char *url, GError **error);

/* TRUE inside an SSH session. */
gboolean bkt_env_is_ssh(void);

/* TRUE under the Windows Subsystem for Linux: WSL_DISTRO_NAME or WSL_INTEROP set, or
 * "microsoft" in the kernel's release. */
gboolean bkt_env_is_wsl(void);

/* The command a user runs on their own machine to forward port here; newly allocated. */
char *bkt_ssh_forward_command(guint16 port);
