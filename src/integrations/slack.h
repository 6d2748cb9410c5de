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

/* add_user_to_slack_group, in two parts:
 *
 * slack_find_user: users.lookupByEmail. users_not_found becomes "x@y has no
 * Slack account in this workspace — invite them first, then retry"; a
 * deactivated account is refused.
 *
 * slack_group_add_member: usergroups.users.update REPLACES the member list,
 * so this reads the members, adds the user and writes the WHOLE list back
 * (no write when the user is already a member), then reads it again to
 * verify: the user is there and nobody who was there before is gone. If
 * not (another writer's stale list landed in between), it writes again with
 * whoever went missing, at most SLACK_WRITE_ROUNDS times, then fails
 * (permanent) naming who is missing. The caller holds the group's list
 * lease around it (step_with_list_lock, "slack:usergroup:<id>"), so that
 * HyOpps' own runners never race each other; the verification catches
 * other writers.
 *
 * slack_add_user_to_group: both (no lease). */
#define SLACK_WRITE_ROUNDS 3
typedef struct {
    char user_id[64];           /* "U..." */
    bool added;                 /* false: was already a member */
    int member_count;           /* after the run */
    int writes;                 /* usergroups.users.update calls made */
    int restored;               /* earlier members a stale write had dropped, written back */
} slack_member_result;
int slack_find_user(hy_integ *in, const char *email, char user_id[64], hy_err *err);
int slack_group_add_member(hy_integ *in, const char *group_id, const char *user_id, slack_member_result *out,
                           hy_err *err);
int slack_add_user_to_group(hy_integ *in, const char *group_id, const char *email, slack_member_result *out,
                            hy_err *err);

/* Handle for an organisation: "ext-<slug>". Caller frees. */
char *slack_group_handle(const char *org_name);

/* integrations check: auth.test. who (may be NULL) receives "bot@team". */
int slack_check(hy_integ *in, char *who, size_t whosz, hy_err *err);

#endif
