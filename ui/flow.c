/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "flow.h"

gboolean
ui_flow_needs_credentials(const UiFlow *flow)
{
  return flow->kind == BKT_KIND_CLOUD ? !flow->cloud_consumer : !flow->dc_client;
}

/* The sign-in: the screen that opens the browser, or straight to the waiting one without. */
static UiScreenId
sign_in(const UiFlow *flow)
{
  return flow->browser ? UI_SCREEN_LAUNCH : UI_SCREEN_WAIT;
}

/* The screen after from once it is done with. */
static UiScreenId
after(const UiFlow *flow, UiScreenId from)
{
  switch (from) {
  case UI_SCREEN_ACCOUNTS:
    if (flow->choice == UI_CHOICE_SWITCH)
      return UI_SCREEN_SWITCH;
    if (flow->choice == UI_CHOICE_ACCOUNT) /* the stored host's: as if typed and checked */
      return ui_flow_needs_credentials(flow) ? UI_SCREEN_GUIDE : sign_in(flow);
    /* Another host: as a first login goes on. */
    /* fall through */
  case UI_SCREEN_WELCOME:
    if (flow->kind == BKT_KIND_UNKNOWN)
      return UI_SCREEN_KIND;
    /* fall through */
  case UI_SCREEN_KIND:
    if (flow->kind == BKT_KIND_DC)
      return UI_SCREEN_HOST;
    /* fall through */
  case UI_SCREEN_HOST:
    return ui_flow_needs_credentials(flow) ? UI_SCREEN_GUIDE : sign_in(flow);
  case UI_SCREEN_GUIDE:
    return UI_SCREEN_CREDS;
  case UI_SCREEN_CREDS:
  case UI_SCREEN_FAILED: /* try again */
    return sign_in(flow);
  case UI_SCREEN_LAUNCH:
    return UI_SCREEN_WAIT;
  default: /* the login moves the waiting screen on; a switch and the last one end it */
    return from;
  }
}

/* Screens that only show progress or an outcome are not worth going back to. */
static gboolean
asks(UiScreenId id)
{
  return id == UI_SCREEN_WELCOME || id == UI_SCREEN_ACCOUNTS || id == UI_SCREEN_SWITCH ||
         id == UI_SCREEN_KIND || id == UI_SCREEN_HOST || id == UI_SCREEN_GUIDE ||
         id == UI_SCREEN_CREDS;
}

void
ui_flow_start(UiFlow *flow, gboolean first_run)
{
  flow->depth = 0;
  if (first_run)
    flow->screen = UI_SCREEN_WELCOME;
  else if (flow->logins)
    flow->screen = UI_SCREEN_ACCOUNTS;
  else if (flow->kind == BKT_KIND_UNKNOWN)
    flow->screen = UI_SCREEN_KIND;
  else
    flow->screen = after(flow, UI_SCREEN_KIND);
}

UiScreenId
ui_flow_step(UiFlow *flow, UiFlowEvent event)
{
  UiScreenId from = flow->screen, to = from;
  switch (event) {
  case UI_FLOW_NEXT:
    to = after(flow, from);
    break;
  case UI_FLOW_BACK:
    flow->screen = flow->depth > 0 ? flow->trail[--flow->depth] : UI_SCREEN_KIND;
    return flow->screen;
  case UI_FLOW_LOGGED_IN:
    to = UI_SCREEN_DONE;
    break;
  case UI_FLOW_FAILED:
    to = UI_SCREEN_FAILED;
    break;
  }
  /* Each screen that asks is on the trail at most once: it cannot overflow. */
  if (to != from && asks(from) && flow->depth < UI_SCREEN_COUNT)
    flow->trail[flow->depth++] = from;
  flow->screen = to;
  return to;
}

const char *
ui_flow_screen_name(UiScreenId id)
{
  static const char *const names[] = {
#define UI_SCREEN_NAME(id, name) [UI_SCREEN_##id] = #name,
    UI_SCREENS(UI_SCREEN_NAME)
#undef UI_SCREEN_NAME
  };
  return (int)id >= 0 && id < UI_SCREEN_COUNT ? names[id] : "?";
}
