/* Microsoft Teams as an interface (svc.h): the Graph client, and a
 * simulated team kept in the sim_* tables. The partners share one team
 * ([teams] team_id); each organisation has a standard channel in it, open
 * to every member of the team, so membership is the team's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_sim.h"
#include "util.h"

#define SYS "teams"

static int need_live(hy_svc *s, hy_err *err)
{
    return s->integ ? 0 : hy_fail(err, HY_ERR_INTERNAL, "this runner has no live Microsoft Graph client");
}

/* ---- live ---- */

static int live_ensure_channel(hy_svc *s, const char *org, graph_channel_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_ensure_channel(s->integ, org, out, err);
}
static int live_archive_channel(hy_svc *s, const char *id, bool *archived, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_archive_channel(s->integ, id, archived, err);
}
static int live_list_channels(hy_svc *s, graph_channel_list *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_list_channels(s->integ, out, err);
}
static int live_add_user(hy_svc *s, const char *email, const char *name, graph_member_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_add_user_to_team(s->integ, email, name, out, err);
}
static int live_remove_user(hy_svc *s, const char *uid, const char *email, bool *removed, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_remove_user_from_team(s->integ, uid, email, removed, err);
}
static int live_delete_guest(hy_svc *s, const char *uid, bool *deleted, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : graph_delete_user(s->integ, uid, deleted, err);
}
static int live_members(hy_svc *s, hy_member_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    graph_member_list l = {0};
    int rc = graph_team_members(s->integ, &l, err);
    for (int i = 0; rc == 0 && i < l.n; i++) {
        hy_member_add(out, l.v[i].user_id, l.v[i].email, l.v[i].display_name, l.v[i].membership_id);
        out->v[out->n - 1].owner = l.v[i].owner;
    }
    graph_member_list_free(&l);
    return rc;
}

static const hy_teams_api LIVE = {
    .backend = "live",
    .ensure_channel = live_ensure_channel,
    .archive_channel = live_archive_channel,
    .list_channels = live_list_channels,
    .add_user = live_add_user,
    .remove_user = live_remove_user,
    .delete_guest = live_delete_guest,
    .team_members = live_members,
};

/* ---- simulated ---- */

const char *svc_sim_team(const hy_config *cfg)
{
    return cfg->teams.team_id && *cfg->teams.team_id ? cfg->teams.team_id : "team";
}

static int sim_ensure_channel(hy_svc *s, const char *org, graph_channel_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    graph_channel_name(org, out->name, sizeof out->name);
    bool found;
    char id[128], state[16];
    int rc = sim_group_by_name(s->c, SYS, "channel", out->name, &found, id, state, err);
    if (rc) return rc;
    if (!found) {
        char hex[33];
        sim_hex(hex, sizeof hex);
        snprintf(id, sizeof id, "19:%s@thread.tacv2", hex);
        if ((rc = sim_group_create(s->c, SYS, "channel", id, out->name, err))) return rc;
        out->created = true;
    }
    hy_strlcpy(out->id, id, sizeof out->id);
    return 0;
}

static int sim_archive_channel(hy_svc *s, const char *id, bool *archived, hy_err *err)
{
    bool found;
    char state[16];
    int rc = sim_group_get(s->c, SYS, "channel", id, &found, state, err);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_PERMANENT, "Teams has no channel %s in the team", id);
    *archived = strcmp(state, "archived") != 0;
    return *archived ? sim_group_set_state(s->c, SYS, "channel", id, "archived", err) : 0;
}

static int sim_list_channels(hy_svc *s, graph_channel_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(s->c->db, err,
                           "SELECT group_id, name, state = 'archived' FROM sim_groups WHERE system = 'teams' "
                           "AND kind = 'channel' AND state != 'deleted' ORDER BY name",
                           "");
    while (db_row(st)) {
        out->v = xrealloc(out->v, (size_t)(out->n + 1) * sizeof *out->v);
        out->v[out->n].id = db_dup(st, 0);
        out->v[out->n].name = db_dup(st, 1);
        out->v[out->n].archived = db_int(st, 2) != 0;
        out->n++;
    }
    int rc = db_done(st);
    if (rc) graph_channel_list_free(out);
    return rc;
}

static int sim_add_user(hy_svc *s, const char *email, const char *name, graph_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    bool found, active = false, added;
    char id[128];
    int rc = sim_account_by_email(s->c, SYS, email, &found, id, &active, err);
    if (rc) return rc;
    if (!found) { /* the guest invitation (an id that sorts by time, as the engine's rows) */
        hy_row_id(id);
        rc = sim_account_create(s->c, SYS, id, email, name, err);
    } else if (!active) { /* a deleted guest is invited again */
        rc = sim_account_set_active(s->c, SYS, id, true, err);
    }
    const char *team = svc_sim_team(s->c->cfg);
    if (rc == 0) rc = sim_member_add(s->c, SYS, team, id, &added, err);
    if (rc == 0) {
        hy_strlcpy(out->user_id, id, sizeof out->user_id);
        snprintf(out->membership_id, sizeof out->membership_id, "%s:%s", team, id);
    }
    return rc;
}

/* The account of a user id, else of an email; "" if none. */
static int find_account(hy_svc *s, const char *uid, const char *email, char id[128], hy_err *err)
{
    id[0] = '\0';
    bool found = false, active;
    int rc = 0;
    if (uid && *uid) {
        rc = sim_account_known(s->c, SYS, uid, &found, &active, err);
        if (rc == 0 && found) hy_strlcpy(id, uid, 128);
    }
    if (rc == 0 && !found && email && *email) rc = sim_account_by_email(s->c, SYS, email, &found, id, &active, err);
    if (rc == 0 && !found) id[0] = '\0';
    return rc;
}

static int sim_remove_user(hy_svc *s, const char *uid, const char *email, bool *removed, hy_err *err)
{
    *removed = false;
    char id[128];
    int rc = find_account(s, uid, email, id, err);
    if (rc || !id[0]) return rc;
    return sim_member_remove(s->c, SYS, svc_sim_team(s->c->cfg), id, removed, err);
}

static int sim_delete_guest(hy_svc *s, const char *uid, bool *deleted, hy_err *err)
{
    bool found, active;
    int rc = sim_account_known(s->c, SYS, uid, &found, &active, err);
    *deleted = rc == 0 && found && active;
    return *deleted ? sim_account_set_active(s->c, SYS, uid, false, err) : rc;
}

static int sim_team_members(hy_svc *s, hy_member_list *out, hy_err *err)
{
    return sim_members(s->c, SYS, svc_sim_team(s->c->cfg), out, err);
}

static const hy_teams_api SIMULATED = {
    .backend = "simulated",
    .ensure_channel = sim_ensure_channel,
    .archive_channel = sim_archive_channel,
    .list_channels = sim_list_channels,
    .add_user = sim_add_user,
    .remove_user = sim_remove_user,
    .delete_guest = sim_delete_guest,
    .team_members = sim_team_members,
};

const hy_teams_api *svc_teams(hy_mode mode)
{
    return mode == HY_MODE_LIVE ? &LIVE : mode == HY_MODE_SIMULATE ? &SIMULATED : NULL;
}
