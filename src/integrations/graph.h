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
