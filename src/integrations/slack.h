/* Slack Web API (bot token), written from
 * ../shared/reference/integrations-api.md §3.
 *
 * Slack answers HTTP 200 with {"ok":false,"error":"<code>"} for failures:
 * those become HY_ERR_PERMANENT naming the code (transient for ratelimited,
 * internal_error, fatal_error, service_unavailable, request_timeout); HTTP 429
 * is transient with Retry-After. Uses [slack] bot_token and api_url. */
#ifndef HY_SLACK_H
#define HY_SLACK_H

#include <stdbool.h>

#include "http.h"

/* create_slack_group: the user group with handle "ext-<org-slug>" among
 * usergroups.list include_disabled=true (enabled again if disabled), else
 * created (name = the handle, description = the organisation's name). */
typedef struct {
    char id[64];                /* "S..." */
    char handle[160];
    bool created;
    bool enabled;               /* was disabled, enabled by this run */
} slack_group_result;
int slack_ensure_org_group(hy_integ *in, const char *org_name, slack_group_result *out, hy_err *err);

/* add_user_to_slack_group: users.lookupByEmail, then the group's members
 * read, the user added, and the WHOLE list written back (never dropping a
 * member). No write when the user is already a member. users_not_found
 * becomes "x@y has no Slack account in this workspace — invite them first,
 * then retry". */
typedef struct {
    char user_id[64];           /* "U..." */
    bool added;                 /* false: was already a member */
    int member_count;           /* after the run */
} slack_member_result;
int slack_add_user_to_group(hy_integ *in, const char *group_id, const char *email, slack_member_result *out,
                            hy_err *err);

/* chat.postMessage: text to a channel (#name or id), links not unfurled.
 * *maybe_sent: the request may have reached Slack but no answer came back
 * (a timeout or a lost connection): the message may have been posted;
 * every other failure posted nothing. Needs the chat:write scope. */
int slack_post_message(hy_integ *in, const char *channel, const char *text, bool *maybe_sent, hy_err *err);

/* Handle for an organisation: "ext-<slug>". Caller frees. */
char *slack_group_handle(const char *org_name);

/* integrations check: auth.test. who (may be NULL) receives "bot@team". */
int slack_check(hy_integ *in, char *who, size_t whosz, hy_err *err);

#endif
