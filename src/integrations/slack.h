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
    bool enabled;               /* slack_group_reenable_add: the group was enabled again */
    int stale_removed;          /* slack_group_reenable_add: listed members without access, dropped */
} slack_member_result;
int slack_find_user(hy_integ *in, const char *email, char user_id[64], hy_err *err);
int slack_group_add_member(hy_integ *in, const char *group_id, const char *user_id, slack_member_result *out,
                           hy_err *err);
int slack_add_user_to_group(hy_integ *in, const char *group_id, const char *email, slack_member_result *out,
                            hy_err *err);
/* Onboarding into a group HyOpps disabled when its last member left
 * (slack_remove_user_from_group): usergroups.enable, then the members read
 * and written back (verified, as slack_group_add_member) as those of keep
 * (the ids whose access is active) plus the user: a disabled group still
 * lists the member who left, who must not come back with the group. The
 * caller holds the group's list lease. */
int slack_group_reenable_add(hy_integ *in, const char *group_id, const char *user_id, const char *const *keep,
                             int nkeep, slack_member_result *out, hy_err *err);

/* chat.postMessage: text to a channel (#name or id), links not unfurled.
 * *maybe_sent: the request may have reached Slack but no answer came back
 * (a timeout or a lost connection): the message may have been posted;
 * every other failure posted nothing. Needs the chat:write scope. */
int slack_post_message(hy_integ *in, const char *channel, const char *text, bool *maybe_sent, hy_err *err);

/* Handle for an organisation: "ext-<slug>". Caller frees. */
char *slack_group_handle(const char *org_name);

/* integrations check: auth.test. who (may be NULL) receives "bot@team". */
int slack_check(hy_integ *in, char *who, size_t whosz, hy_err *err);

/* ---- removing access and reading who has it (slack_access.c) ----
 * From integrations-api.md §6. Slack never deletes a user group, so an id
 * Slack does not know (no_such_subteam) is a wrong or stub id. */

/* User ids ("U..."), in Slack's order. */
typedef struct {
    char **ids;
    int n;
} slack_id_list;
void slack_id_list_free(slack_id_list *l);
/* usergroups.users.list include_disabled=true: one call. A group Slack does
 * not know sets *group_missing and returns 0 with an empty list. A disabled
 * group still lists its members. */
int slack_group_members(hy_integ *in, const char *group_id, slack_id_list *out, bool *group_missing, hy_err *err);

/* remove_from_slack_group: the user (known_user_id, else
 * users.lookupByEmail; no Slack account = nothing to remove), the members
 * read, and the WHOLE list written back without the user (one
 * comma-separated string; nobody else dropped), then read again to verify:
 * the user gone and everyone else there; if not, written once more (with
 * whoever went missing), then an error: the user still listed is
 * HY_ERR_TRANSIENT, someone else dropped HY_ERR_PERMANENT. Slack refuses an
 * empty list: when the user is the last member, the group is disabled
 * instead (slack_disable_group) and still lists them — whoever enables it
 * again (slack_ensure_org_group) must drop them from the list before
 * anyone relies on it. The caller holds the group's list lock around this.
 * An unknown group is a permanent error naming it. */
typedef struct {
    char user_id[32];           /* the user's Slack id ("" when they have no Slack account) */
    bool removed;               /* this run took the user out (or disabled the group for them) */
    bool disabled_group;        /* the user was the last member: the group is disabled */
    int member_count;           /* members other than the user afterwards */
} slack_remove_result;
int slack_remove_user_from_group(hy_integ *in, const char *group_id, const char *email, const char *known_user_id,
                                 slack_remove_result *out, hy_err *err);

/* usergroups.disable after a look at usergroups.list: already disabled =
 * *disabled false; unknown group = permanent error naming it. */
int slack_disable_group(hy_integ *in, const char *group_id, bool *disabled, hy_err *err);

/* usergroups.list include_disabled=true: every user group of the workspace
 * (one call; Slack does not page it). Strings never NULL. */
typedef struct {
    char *id, *handle, *name;
    bool disabled;              /* date_delete > 0 */
} slack_group;
typedef struct {
    slack_group *v;
    int n;
} slack_group_list;
void slack_group_list_free(slack_group_list *l);
int slack_list_groups(hy_integ *in, slack_group_list *out, hy_err *err);

#endif
