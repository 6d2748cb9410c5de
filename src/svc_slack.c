/* Slack as an interface (svc.h): the Web API client, and a simulated
 * workspace kept in the sim_* tables. A user group's members can only be
 * replaced whole (usergroups.users.update), so the live backend holds the
 * group's list lock (list_lock.h) around every read-modify-write, across
 * every runner of every process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_sim.h"
#include "util.h"

#define SYS "slack"

static int need_live(hy_svc *s, hy_err *err)
{
    return s->integ ? 0 : hy_fail(err, HY_ERR_INTERNAL, "this runner has no live Slack client");
}

/* ---- live ---- */

static int live_ensure_group(hy_svc *s, const char *org, slack_group_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : slack_ensure_org_group(s->integ, org, out, err);
}
static int live_disable_group(hy_svc *s, const char *id, bool *disabled, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : slack_disable_group(s->integ, id, disabled, err);
}
static int live_list_groups(hy_svc *s, slack_group_list *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : slack_list_groups(s->integ, out, err);
}
/* The account found by email, then, holding the group's list lease (no
 * other runner of any process writes the list meanwhile), the members
 * read, the user added, the whole list written back and read again: the
 * user there and nobody dropped (slack.h). */
typedef struct {
    const char *group, *email, *known;
    const hy_slack_reenable *reenable;
    char user_id[64];
    slack_member_result add;
    slack_remove_result remove;
} slack_rmw;

static int add_locked(hy_integ *in, void *ud, hy_err *err)
{
    slack_rmw *a = ud;
    if (a->reenable)
        return slack_group_reenable_add(in, a->group, a->user_id, a->reenable->keep, a->reenable->nkeep, &a->add, err);
    return slack_group_add_member(in, a->group, a->user_id, &a->add, err);
}

static int remove_locked(hy_integ *in, void *ud, hy_err *err)
{
    slack_rmw *a = ud;
    return slack_remove_user_from_group(in, a->group, a->email, a->known, &a->remove, err);
}

static char *list_key(const char *group) { return xasprintf("slack:usergroup:%s", group); }

static int live_add_user(hy_svc *s, const char *group, const char *email, const hy_slack_reenable *re,
                         slack_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    slack_rmw a = {.group = group, .reenable = re};
    if (slack_find_user(s->integ, email, a.user_id, err)) return err->code;
    char *key = list_key(group);
    int rc = svc_locked(s, key, add_locked, &a, err);
    free(key);
    if (rc == 0) *out = a.add;
    return rc;
}

static int live_remove_user(hy_svc *s, const char *group, const char *email, const char *known,
                            slack_remove_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    slack_rmw a = {.group = group, .email = email, .known = known};
    char *key = list_key(group);
    int rc = svc_locked(s, key, remove_locked, &a, err);
    free(key);
    if (rc == 0) *out = a.remove;
    return rc;
}
static int live_members(hy_svc *s, const char *group, hy_member_list *out, bool *missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    slack_id_list l = {0};
    int rc = slack_group_members(s->integ, group, &l, missing, err);
    for (int i = 0; rc == 0 && i < l.n; i++) hy_member_add(out, l.ids[i], "", "", "");
    slack_id_list_free(&l);
    return rc;
}

static const hy_slack_api LIVE = {
    .backend = "live",
    .ensure_group = live_ensure_group,
    .disable_group = live_disable_group,
    .list_groups = live_list_groups,
    .add_user = live_add_user,
    .remove_user = live_remove_user,
    .group_members = live_members,
};

/* ---- simulated ---- */

static int sim_ensure_group(hy_svc *s, const char *org, slack_group_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char *handle = slack_group_handle(org);
    bool found;
    char id[128], state[16];
    int rc = sim_group_by_name(s->c, SYS, "usergroup", handle, &found, id, state, err);
    if (rc == 0 && !found) {
        char tok[10];
        sim_token(tok, sizeof tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        snprintf(id, sizeof id, "S0%s", tok);
        rc = sim_group_create(s->c, SYS, "usergroup", id, handle, err);
        out->created = true;
    } else if (rc == 0 && strcmp(state, "active") != 0) {
        rc = sim_group_set_state(s->c, SYS, "usergroup", id, "active", err);
        out->enabled = true;
    }
    if (rc == 0) {
        hy_strlcpy(out->id, id, sizeof out->id);
        hy_strlcpy(out->handle, handle, sizeof out->handle);
    }
    free(handle);
    return rc;
}

/* The simulated workspace has the user groups HyOpps knows of (svc_sim.h). */
static int group_state(hy_svc *s, const char *id, char state[16], hy_err *err)
{
    bool found;
    int rc = sim_group_known(s->c, SYS, "usergroup", id, &found, state, err);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_PERMANENT, "Slack has no user group %s (no_such_subteam)", id);
    return rc;
}

static int sim_disable_group(hy_svc *s, const char *id, bool *disabled, hy_err *err)
{
    char state[16];
    int rc = group_state(s, id, state, err);
    *disabled = rc == 0 && strcmp(state, "disabled") != 0;
    return *disabled ? sim_group_set_state(s->c, SYS, "usergroup", id, "disabled", err) : rc;
}

static int sim_list_groups(hy_svc *s, slack_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(s->c->db, err,
                           "SELECT group_id, name, state = 'disabled' FROM sim_groups WHERE system = 'slack' "
                           "AND kind = 'usergroup' AND state != 'deleted' ORDER BY name",
                           "");
    while (db_row(st)) {
        out->v = xrealloc(out->v, (size_t)(out->n + 1) * sizeof *out->v);
        out->v[out->n].id = db_dup(st, 0);
        out->v[out->n].handle = db_dup(st, 1);
        out->v[out->n].name = db_dup(st, 1);
        out->v[out->n].disabled = db_int(st, 2) != 0;
        out->n++;
    }
    int rc = db_done(st);
    if (rc) slack_group_list_free(out);
    return rc;
}

/* The workspace's account for an email (every partner user has one: the
 * simulated workspace invites them). */
static int account_for(hy_svc *s, const char *email, char id[128], hy_err *err)
{
    bool found, active;
    int rc = sim_account_by_email(s->c, SYS, email, &found, id, &active, err);
    if (rc == 0 && !found) {
        char tok[20];
        sim_time_token(tok, sizeof tok);
        snprintf(id, 128, "U0%s", tok);
        rc = sim_account_create(s->c, SYS, id, email, email, err);
    }
    return rc;
}

/* The simulated group enabled again, its members not in keep (but the
 * user) dropped. */
static int sim_reenable(hy_svc *s, const char *group, const char *user, const hy_slack_reenable *re,
                        slack_member_result *out, hy_err *err)
{
    int rc = sim_group_set_state(s->c, SYS, "usergroup", group, "active", err);
    out->enabled = rc == 0;
    hy_member_list m = {0};
    if (rc == 0) rc = sim_members(s->c, SYS, group, &m, err);
    for (int i = 0; rc == 0 && i < m.n; i++) {
        bool kept = strcmp(m.v[i].account_id, user) == 0;
        for (int k = 0; !kept && k < re->nkeep; k++) kept = re->keep[k] && strcmp(m.v[i].account_id, re->keep[k]) == 0;
        bool removed = false;
        if (!kept) rc = sim_member_remove(s->c, SYS, group, m.v[i].account_id, &removed, err);
        if (rc == 0 && removed) rc = sim_member_counted(s->c, SYS, group, -1, err);
        if (removed) out->stale_removed++;
    }
    hy_member_list_free(&m);
    return rc;
}

static int sim_add_user(hy_svc *s, const char *group, const char *email, const hy_slack_reenable *re,
                        slack_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[128], state[16];
    int rc = group_state(s, group, state, err);
    if (rc == 0) rc = account_for(s, email, id, err);
    if (rc == 0 && re) rc = sim_reenable(s, group, id, re, out, err);
    if (rc == 0) rc = sim_member_add(s->c, SYS, group, id, &out->added, err);
    if (rc == 0 && out->added) rc = sim_member_counted(s->c, SYS, group, 1, err);
    if (rc == 0) rc = sim_member_count(s->c, SYS, group, &out->member_count, err);
    if (rc == 0) hy_strlcpy(out->user_id, id, sizeof out->user_id);
    return rc;
}

static int sim_remove_user(hy_svc *s, const char *group, const char *email, const char *known, slack_remove_result *out,
                           hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[128] = "", state[16];
    bool found = false, active;
    int rc = group_state(s, group, state, err);
    if (rc == 0 && known && *known) {
        rc = sim_account_known(s->c, SYS, known, &found, &active, err);
        if (rc == 0 && found) hy_strlcpy(id, known, sizeof id);
    }
    if (rc == 0 && !found && email) rc = sim_account_by_email(s->c, SYS, email, &found, id, &active, err);
    if (rc || !found) return rc; /* no Slack account: nothing to remove */
    hy_strlcpy(out->user_id, id, sizeof out->user_id);
    if ((rc = sim_member_remove(s->c, SYS, group, id, &out->removed, err))) return rc;
    if (out->removed && (rc = sim_member_counted(s->c, SYS, group, -1, err))) return rc;
    if ((rc = sim_member_count(s->c, SYS, group, &out->member_count, err))) return rc;
    if (out->removed && out->member_count == 0) { /* Slack refuses an empty list: the group is disabled */
        bool disabled;
        rc = sim_disable_group(s, group, &disabled, err);
        out->disabled_group = true;
    }
    return rc;
}

static int sim_group_members(hy_svc *s, const char *group, hy_member_list *out, bool *missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    bool found;
    char state[16];
    int rc = sim_group_known(s->c, SYS, "usergroup", group, &found, state, err);
    *missing = rc == 0 && !found;
    if (rc || !found) return rc;
    /* Slack lists ids only */
    if ((rc = sim_members(s->c, SYS, group, out, err))) return rc;
    for (int i = 0; i < out->n; i++) {
        out->v[i].email[0] = '\0';
        out->v[i].name[0] = '\0';
    }
    return 0;
}

static const hy_slack_api SIMULATED = {
    .backend = "simulated",
    .ensure_group = sim_ensure_group,
    .disable_group = sim_disable_group,
    .list_groups = sim_list_groups,
    .add_user = sim_add_user,
    .remove_user = sim_remove_user,
    .group_members = sim_group_members,
};

const hy_slack_api *svc_slack(hy_mode mode)
{
    return mode == HY_MODE_LIVE ? &LIVE : mode == HY_MODE_SIMULATE ? &SIMULATED : NULL;
}
