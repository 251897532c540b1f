/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "wizard-private.h"

/* How to get client credentials: a Data Center's application link, or a Cloud consumer. */

static char *
redirect_for_guide(const UiWizard *w)
{
  if (w->opts->login.redirect_uri != NULL)
    return g_strdup(w->opts->login.redirect_uri);
  if (w->flow.kind == BKT_KIND_CLOUD)
    return g_strdup("http://127.0.0.1");
  return g_strdup_printf("http://localhost:%d/callback", BKT_DC_REDIRECT_PORT);
}

static char *
admin_message(const UiWizard *w)
{
  g_autofree char *redirect = redirect_for_guide(w);
  return g_strdup_printf(
    _("Hello, could you create an application link on %s for bkt-auth? Administration > "
      "Applications > Application links > Create link > External application, direction "
      "Incoming. Name: bkt-auth. Redirect URL: %s. Permissions: Repositories: Write. Then send "
      "me the Client ID and the Client secret (by a private channel). Thank you!"),
    w->parsed.base_url, redirect);
}

static void
guide_enter(UiWizard *w)
{
  w->admin_message = FALSE;
}

/* Numbered steps, with the redirect URL in bold after step number redirect_after. */
static void
steps_draw(int y, int x, int width, int height, int n, const char *const *steps, gsize count,
           gsize redirect_after, const char *redirect)
{
  for (gsize i = 0; i < count && n < height; i++) {
    n += ui_text(stdscr, y + n, x, width, height - n, A_NORMAL, steps[i]);
    if (i == redirect_after)
      ui_line(stdscr, y + n++, x + 3, width - 3, A_BOLD, redirect);
  }
}

static gboolean
guide_draw(const UiWizard *w, int y, int x, int width, int height)
{
  g_autofree char *redirect = redirect_for_guide(w);
  int n = 0;
  if (w->admin_message) {
    n += ui_text(stdscr, y, x, width, height, A_NORMAL,
                 _("Send this to a Bitbucket admin (c copies it, u shows it outside this "
                   "screen):"));
    n++;
    g_autofree char *msg = admin_message(w);
    ui_text(stdscr, y + n, x + 2, width - 2, height - n, A_BOLD, msg);
    return FALSE;
  }
  if (w->flow.kind == BKT_KIND_CLOUD) {
    n += ui_text(stdscr, y, x, width, height, A_NORMAL,
                 _("This build of bkt-auth has no OAuth consumer for Bitbucket Cloud. Add one "
                   "to a workspace you administer:"));
    n++;
    const char *steps[] = {
      _("1. Workspace settings > Apps and features > OAuth consumers > Add consumer"),
      _("2. Name: bkt-auth. Callback URL:"),
      _("3. Leave 'This is a private consumer' unticked"),
      _("4. Permissions: Account: Read, Repositories: Write (and what else you need)"),
      _("5. Save, then open the consumer to see its Key and Secret"),
    };
    steps_draw(y, x, width, height, n, steps, G_N_ELEMENTS(steps), 1, redirect);
    return FALSE;
  }
  n += ui_text(stdscr, y, x, width, height, A_NORMAL,
               _("bkt-auth needs an application link on your Bitbucket. An admin creates it "
                 "once (if you are not one, press m for a message to send):"));
  n++;
  const char *steps[] = {
    _("1. Administration > Applications > Application links > Create link"),
    _("2. External application, direction Incoming. Name: bkt-auth"),
    _("3. Redirect URL, exactly:"),
    _("4. Permissions: Repositories: Write (Account: Write for profile access)"),
    _("5. Save, then copy the Client ID and the Client secret"),
  };
  steps_draw(y, x, width, height, n, steps, G_N_ELEMENTS(steps), 2, redirect);
  return FALSE;
}

static UiAction
guide_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_letter(is_char, key, 'm') && w->flow.kind == BKT_KIND_DC) {
    w->admin_message = !w->admin_message;
    w->dirty = TRUE;
  } else if (ui_is_letter(is_char, key, 'c')) {
    g_autofree char *redirect = redirect_for_guide(w);
    g_autofree char *msg = w->admin_message ? admin_message(w) : NULL;
    ui_term_copy(&w->term, msg != NULL ? msg : redirect);
    ui_wizard_notice(w, FALSE, msg != NULL ? _("Copied the message to the clipboard.")
                                           : _("Copied the redirect URL to the clipboard."));
  } else if (ui_is_letter(is_char, key, 'u')) {
    g_autofree char *redirect = redirect_for_guide(w);
    g_autofree char *msg = w->admin_message ? admin_message(w) : NULL;
    ui_wizard_show_outside(w, msg != NULL ? _("The message for your admin:")
                                          : _("The redirect URL:"),
                           msg != NULL ? msg : redirect, FALSE);
  } else if (ui_is_enter(is_char, key)) {
    return UI_ACTION_NEXT;
  } else if (ui_is_escape(is_char, key) || ui_is_letter(is_char, key, 'b')) {
    return UI_ACTION_BACK;
  } else if (ui_is_letter(is_char, key, 'q')) {
    return UI_ACTION_QUIT;
  }
  return UI_ACTION_STAY;
}

const UiScreen ui_screen_guide = {
  .title = N_("Application link"),
  .keys = N_("Enter next  c copy  u show  m message for an admin  b back  q quit"),
  .enter = guide_enter,
  .draw = guide_draw,
  .key = guide_key,
};
