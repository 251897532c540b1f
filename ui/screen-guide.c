/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "redirect.h"
#include "wizard-private.h"

/* How to get client credentials: a Data Center's application link, or a Cloud consumer. */

static char *
redirect_for_guide(const UiWizard *w)
{
  if (ui_wizard_redirect(w) != NULL)
    return g_strdup(ui_wizard_redirect(w));
  if (w->opts->login.redirect_uri != NULL)
    return g_strdup(w->opts->login.redirect_uri);
  return bkt_redirect_default(w->flow.kind);
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
  w->editing_redirect = FALSE;
}

static void
guide_labels(const UiWizard *w, const char **title, const char **keys)
{
  if (w->flow.kind == BKT_KIND_CLOUD) {
    /* TRANSLATORS: a Bitbucket Cloud OAuth consumer, as Bitbucket names it */
    *title = _("OAuth consumer");
    *keys = _("Enter next  c copy  u show  b back  q quit");
  } else if (w->editing_redirect) {
    *keys = _("Enter use this URL  Esc keep the old one  ^C quit");
  }
}

/* Numbered steps, with the redirect URL in bold (or the field to change it) after step number
 * redirect_after. */
static void
steps_draw(const UiWizard *w, int y, int x, int width, int n, const char *const *steps,
           gsize count, gsize redirect_after, const char *redirect)
{
  for (gsize i = 0; i < count; i++) {
    n += ui_text(stdscr, y + n, x, width, UI_ALL_LINES, A_NORMAL, steps[i]);
    if (i != redirect_after)
      continue;
    if (w->editing_redirect) {
      ui_field_draw(stdscr, y + n++, x + 3, width - 3, &w->redirect, TRUE, w->term.utf8);
    } else {
      ui_line(stdscr, y + n++, x + 3, width - 3, A_BOLD, redirect);
    }
  }
}

static void
guide_draw(const UiWizard *w, int y, int x, int width)
{
  g_autofree char *redirect = redirect_for_guide(w);
  int n = 0;
  if (w->admin_message) {
    n += ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
                 _("Send this to a Bitbucket admin (c copies it, u shows it outside this "
                   "screen):"));
    n++;
    g_autofree char *msg = admin_message(w);
    ui_text(stdscr, y + n, x + 2, width - 2, UI_ALL_LINES, A_BOLD, msg);
    return;
  }
  if (w->flow.kind == BKT_KIND_CLOUD) {
    n += ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
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
    steps_draw(w, y, x, width, n, steps, G_N_ELEMENTS(steps), 1, redirect);
    return;
  }
  n += ui_text(stdscr, y, x, width, UI_ALL_LINES, A_NORMAL,
               _("bkt-auth needs an application link on your Bitbucket. An admin creates it "
                 "once (if you are not one, press m for a message to send):"));
  n++;
  const char *steps[] = {
    _("1. Administration > Applications > Application links > Create link"),
    _("2. External application, direction Incoming. Name: bkt-auth"),
    _("3. Redirect URL, exactly (r changes the one bkt-auth listens on):"),
    _("4. Permissions: Repositories: Write (Account: Write for profile access)"),
    _("5. Save, then copy the Client ID and the Client secret"),
  };
  steps_draw(w, y, x, width, n, steps, G_N_ELEMENTS(steps), 2, redirect);
}

/* The field of the redirect URI: Enter keeps what bkt-auth can listen on, Esc the old one. */
static UiAction
redirect_key(UiWizard *w, gboolean is_char, wint_t key)
{
  if (ui_is_escape(is_char, key)) {
    w->editing_redirect = FALSE;
    ui_wizard_notice(w, FALSE, NULL);
  } else if (ui_is_enter(is_char, key)) {
    g_autofree char *text = g_strstrip(g_strdup(ui_field_text(&w->redirect)));
    g_autofree char *host = NULL, *path = NULL;
    guint16 port;
    g_autoptr(GError) error = NULL;
    if (!bkt_redirect_parse(text, &host, &port, &path, &error)) {
      ui_wizard_notice_error(w, error);
      return UI_ACTION_STAY;
    }
    ui_field_set(&w->redirect, text);
    w->editing_redirect = FALSE;
    g_autofree char *msg = g_strdup_printf(_("bkt-auth will listen on %s."), text);
    ui_wizard_notice(w, FALSE, msg);
  } else if (ui_field_key(&w->redirect, is_char, key)) {
    ui_wizard_notice(w, FALSE, NULL);
  }
  w->dirty = TRUE;
  return UI_ACTION_STAY;
}

static UiAction
guide_key(UiWizard *w, gboolean is_char, wint_t key)
{
  gboolean dc = w->flow.kind == BKT_KIND_DC;
  if (w->editing_redirect)
    return redirect_key(w, is_char, key);
  if (ui_is_letter(is_char, key, 'm') && dc) {
    w->admin_message = !w->admin_message;
    w->scroll = 0;
    w->dirty = TRUE;
  } else if (ui_is_letter(is_char, key, 'r') && dc && !w->admin_message) {
    g_autofree char *redirect = redirect_for_guide(w);
    ui_field_set(&w->redirect, redirect);
    w->editing_redirect = TRUE;
    w->dirty = TRUE;
  } else if (ui_is_letter(is_char, key, 'c')) {
    g_autofree char *redirect = redirect_for_guide(w);
    g_autofree char *msg = w->admin_message ? admin_message(w) : NULL;
    ui_term_copy(&w->term, msg != NULL ? msg : redirect);
    /* The terminal takes the copy, or not, without saying: claim no more than sending it. */
    ui_wizard_notice(w, FALSE,
                     msg != NULL
                       ? _("Sent the message to your terminal's clipboard (if it allows).")
                       : _("Sent the redirect URL to your terminal's clipboard (if it allows)."));
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
  .keys = N_("Enter next  c copy  u show  r change the redirect URL  m message for an admin  "
             "b back  q quit"),
  .enter = guide_enter,
  .draw = guide_draw,
  .key = guide_key,
  .labels = guide_labels,
  .arrows_scroll = TRUE,
};
