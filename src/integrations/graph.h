/* Microsoft Teams through Microsoft Graph (client credentials), written from
 * ../shared/reference/integrations-api.md §2.
 *
 * Uses [azure] tenant_id, client_id, client_secret, login_url, graph_url and
 * [teams] team_id. The access token is cached in the client context until a
 * minute before it expires; a 401 from Graph drops it and retries once with
 * a fresh one. Returns 0 or a classified hy_err. */
#ifndef HY_GRAPH_H
#define HY_GRAPH_H

#include <stdbool.h>

#include "http.h"

/* create_teams_channel: a standard channel named after the organisation in
 * [teams] team_id, found by displayName first (case-insensitive), else
 * created. */
typedef struct {
    char id[256];               /* "19:...@thread.tacv2" */
    char name[160];             /* the display name used */
    bool created;
} graph_channel_result;
int graph_ensure_channel(hy_integ *in, const char *org_name, graph_channel_result *out, hy_err *err);

/* add_user_to_teams_channel: invites the user as a guest
 * (sendInvitationMessage false; an existing user is looked up by mail when
 * the invitation is refused), then adds them to [teams] team_id as a member
 * (Graph answers the same 201 when they already are). */
typedef struct {
    char user_id[128];          /* invitedUser.id */
    char membership_id[256];
} graph_member_result;
int graph_add_user_to_team(hy_integ *in, const char *email, const char *display_name, graph_member_result *out,
                           hy_err *err);

/* ---- removing access and reading who has it (graph_access.c) ----
 * From integrations-api.md §6. Lists follow @odata.nextLink (only under
 * [azure] graph_url; at most 200 pages); removals look first and treat
 * "already gone" as success with the out flag false. */

/* A member of [teams] team_id. Strings are never NULL ("" when Graph sent none). */
typedef struct {
    char *membership_id;        /* the conversationMember id, for DELETE */
    char *user_id, *email, *display_name;
    bool owner;                 /* roles holds "owner": the team's own people */
} graph_member;
typedef struct {
    graph_member *v;
    int n;
} graph_member_list;
void graph_member_list_free(graph_member_list *l);
/* GET /v1.0/teams/{team}/members?$top=100, every page. */
int graph_team_members(hy_integ *in, graph_member_list *out, hy_err *err);

/* remove_from_teams: the membership found among the team's members by user
 * id, else by email (both case-insensitive), then DELETE
 * /v1.0/teams/{team}/members/{membership-id} (404 = gone meanwhile).
 * *removed false: was not a member. Either id or email may be NULL/"". */
int graph_remove_user_from_team(hy_integ *in, const char *user_id, const char *email, bool *removed, hy_err *err);

/* archive_teams_channel: POST .../channels/{id}/archive. Graph answers 202
 * and archives asynchronously (graph_list_channels shows isArchived once
 * done); 400 "already archived" = *archived false. Unknown channel (404) is a
 * permanent error naming it. */
int graph_archive_channel(hy_integ *in, const char *channel_id, bool *archived, hy_err *err);

/* Deletes a guest account (DELETE /v1.0/users/{id}; restorable for 30 days
 * in Entra ID) after GET /v1.0/users/{id}?$select=id,userType,mail: unknown
 * (404) = *deleted false; refuses any account that is not a Guest. */
int graph_delete_user(hy_integ *in, const char *user_id, bool *deleted, hy_err *err);

/* The channels of [teams] team_id (GET /v1.0/teams/{team}/channels, every page). */
typedef struct {
    char *id, *name;            /* never NULL */
    bool archived;              /* isArchived (false when Graph does not say) */
} graph_channel;
typedef struct {
    graph_channel *v;
    int n;
} graph_channel_list;
void graph_channel_list_free(graph_channel_list *l);
int graph_list_channels(hy_integ *in, graph_channel_list *out, hy_err *err);

/* A valid Teams channel display name for an organisation: characters Teams
 * refuses (~ # % & * { } + / \ : < > ? | ' ") become '-', at most 50
 * characters, no leading underscore or period, no trailing period. */
void graph_channel_name(const char *org_name, char *out, size_t outsz);

/* Gets a token (from the cache or the login endpoint) into *token (owned by
 * the context, valid until the next Graph call). */
int graph_token(hy_integ *in, const char **token, hy_err *err);
/* integrations check: a fresh token, without touching any team. */
int graph_check(hy_integ *in, hy_err *err);

#endif
