/* The live integrations, in one include, and which function each auto step
 * calls in live mode. They know nothing of the database: the engine gathers
 * the context, calls one of these with no transaction open, and persists the
 * result (DESIGN.md, invariant 7).
 *
 * Per runner: the engine makes one hy_integ in engine_open (integ_new; the
 * program calls integ_global_init() in main, before any thread) and frees it
 * in engine_close; step_run_live (step_support.h) points its call log at the
 * step for the length of a run and stores the calls on the step. Every
 * function returns 0 or a classified error:
 *   HY_ERR_TRANSIENT  retry with backoff; err->retry_after (s) when the service said
 *   HY_ERR_PERMANENT  fail the step with err->msg (a person must act)
 *   HY_ERR_CONFIG     fail the step: a setting is missing or wrong
 *
 *   step                        call                              output keys (original's)
 *   clone_metabase_collection   mb_clone_collection(in, org_name)  metabase_collection_id
 *   create_metabase_group       mb_ensure_org_group(in, org_name)  metabase_group_id, metabase_group_name
 *   grant_metabase_db_access    mb_grant_db_access(in, group_id)   inside the "metabase:permissions:graph" lease
 *   add_user_to_metabase_group  mb_add_user_to_group(in, email, first, last, group_id)
 *                                                                  metabase_user_id, metabase_group_id,
 *                                                                  metabase_user_existed, metabase_user_created
 *   create_teams_channel        graph_ensure_channel(in, org_name) teams_channel_id, teams_channel_name
 *   add_user_to_teams_channel   graph_add_user_to_team(in, email, "First Last")
 *   create_slack_group          slack_ensure_org_group(in, org_name) slack_group_id, slack_group_handle
 *   add_user_to_slack_group     slack_find_user(in, email), then slack_group_add_member(in, group, user)
 *                               inside step_with_list_lock(r, in, "slack:usergroup:<id>", ...): a
 *                               read-modify-write of the whole member list, verified by reading back
 *   share_documentation         email_build_documentation + email_send_ex   sent_to, links_sent, message_id
 *                               (the step records "sending" before and the send after; EMAIL_MAYBE_SENT
 *                               is never retried automatically: see steps_user.c)
 *
 * Removing access and reading who has it (issues 12 and 13; *_access.c; each
 * looks first, "already gone" is success with its out flag false):
 *   revocation / offboarding step   call                                        result
 *   remove_from_metabase_group      mb_remove_user_from_group(in, user, group)  removed, in_no_group, user_missing
 *     (then, when in_no_group)      mb_deactivate_user(in, user)                deactivated
 *   remove_from_teams               graph_remove_user_from_team(in, id, email)  removed
 *     ([teams] delete_guest_on_revoke) graph_delete_user(in, id)                deleted (Guest accounts only)
 *   remove_from_slack_group         slack_remove_user_from_group(in, group, email, known_id)
 *                                   inside the group's list lock               removed, disabled_group (last member)
 *   disable_slack_group             slack_disable_group(in, group)              disabled
 *   archive_teams_channel           graph_archive_channel(in, channel)          archived (202: finishes later)
 *   remove_metabase_access          mb_revoke_db_access(in, group, NULL)        granted = databases revoked
 *                                   (inside the permissions-graph lock, as the grant)
 *                                   then mb_archive_collection(in, collection), mb_delete_group(in, group)
 *                                   (refused while the group has members)
 *   reconciliation (one list call per group, plus pages):
 *     mb_group_members(in, group)   -> group_missing for an unknown group (also reported, not failed)
 *     graph_team_members(in)        (the team is shared: list once), graph_list_channels(in)
 *     slack_group_members(in, group) -> group_missing; slack_list_groups(in) for disabled groups
 *
 * Admin helpers (ops): mb_user_groups, mb_list_groups, mb_add_membership,
 * mb_remove_membership. Set-up check: integrations_check (check.h). */
#ifndef HY_INTEGRATIONS_H
#define HY_INTEGRATIONS_H

#include "integrations/check.h"
#include "integrations/email.h"
#include "integrations/graph.h"
#include "integrations/http.h"
#include "integrations/metabase.h"
#include "integrations/slack.h"

#endif
