/* Metabase as an interface (svc.h): the live client, and a simulated
 * Metabase kept in the sim_* tables with the same answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_sim.h"
#include "util.h"

#define SYS "metabase"
#define MB_ALL_USERS 1
#define MB_ADMINS 2

static int need_live(hy_svc *s, hy_err *err)
{
    return s->integ ? 0 : hy_fail(err, HY_ERR_INTERNAL, "this runner has no live Metabase client");
}

/* ---- live ---- */

static int live_clone(hy_svc *s, const char *org, mb_collection_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_clone_collection(s->integ, org, out, err);
}
static int live_archive_collection(hy_svc *s, long id, bool *archived, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_archive_collection(s->integ, id, archived, err);
}
static int live_ensure_group(hy_svc *s, const char *org, mb_group_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_ensure_org_group(s->integ, org, out, err);
}
static int live_delete_group(hy_svc *s, long id, bool *deleted, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_delete_group(s->integ, id, deleted, err);
}
/* The permissions graph: Metabase refuses a write based on an old revision
 * (409: re-read, re-apply once), so nothing is lost; its list lease keeps
 * HyOpps' own runners from meeting each other's 409s. */
typedef struct {
    long group;
    bool revoke;
    mb_grant_result res;
} graph_change;

static int graph_locked(hy_integ *in, void *ud, hy_err *err)
{
    graph_change *g = ud;
    return g->revoke ? mb_revoke_db_access(in, g->group, NULL, &g->res, err)
                     : mb_grant_db_access(in, g->group, &g->res, err);
}

static int live_graph(hy_svc *s, long gid, bool revoke, mb_grant_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    graph_change g = {.group = gid, .revoke = revoke};
    int rc = svc_locked(s, "metabase:permissions:graph", graph_locked, &g, err);
    if (rc == 0) *out = g.res;
    return rc;
}
static int live_grant(hy_svc *s, long gid, mb_grant_result *out, hy_err *err) { return live_graph(s, gid, false, out, err); }
static int live_revoke(hy_svc *s, long gid, mb_grant_result *out, hy_err *err) { return live_graph(s, gid, true, out, err); }
static int live_add_user(hy_svc *s, const char *email, const char *first, const char *last, long gid,
                         mb_member_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_add_user_to_group(s->integ, email, first, last, gid, out, err);
}
static int live_ensure_user(hy_svc *s, const char *email, const char *first, const char *last, long *uid,
                            mb_user_how *how, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_ensure_user(s->integ, email, first, last, uid, how, err);
}
static int live_find_user(hy_svc *s, const char *email, long *uid, bool *active, hy_err *err)
{
    *uid = 0;
    return need_live(s, err) ? (int)err->code : mb_find_user(s->integ, email, uid, active, err);
}
static int live_remove_user(hy_svc *s, long uid, long gid, mb_remove_result *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_remove_user_from_group(s->integ, uid, gid, out, err);
}
static int live_deactivate(hy_svc *s, long uid, bool *done, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_deactivate_user(s->integ, uid, done, err);
}
static int live_members(hy_svc *s, long gid, hy_member_list *out, bool *missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    mb_member_list l = {0};
    int rc = mb_group_members(s->integ, gid, &l, missing, err);
    for (int i = 0; rc == 0 && i < l.n; i++) {
        char id[32], mid[32] = "";
        snprintf(id, sizeof id, "%ld", l.v[i].user_id);
        if (l.v[i].membership_id) snprintf(mid, sizeof mid, "%ld", l.v[i].membership_id);
        char *name = xasprintf("%s %s", l.v[i].first_name, l.v[i].last_name);
        hy_member_add(out, id, l.v[i].email, hy_trim(name), mid);
        free(name);
    }
    mb_member_list_free(&l);
    return rc;
}
static int live_deactivated(hy_svc *s, long gid, hy_member_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (need_live(s, err)) return err->code;
    mb_member_list l = {0};
    int rc = mb_group_users(s->integ, gid, &l, err);
    for (int i = 0; rc == 0 && i < l.n; i++) {
        if (l.v[i].active) continue;
        char id[32];
        snprintf(id, sizeof id, "%ld", l.v[i].user_id);
        char *name = xasprintf("%s %s", l.v[i].first_name, l.v[i].last_name);
        hy_member_add(out, id, l.v[i].email, hy_trim(name), "");
        free(name);
    }
    mb_member_list_free(&l);
    return rc;
}
static int live_list_groups(hy_svc *s, mb_group_list *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_list_groups(s->integ, out, err);
}
static int live_user_groups(hy_svc *s, long uid, mb_group_list *out, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_user_groups(s->integ, uid, out, err);
}
static int live_add_membership(hy_svc *s, long uid, long gid, bool *added, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_add_membership(s->integ, uid, gid, added, err);
}
static int live_remove_membership(hy_svc *s, long uid, long gid, bool *removed, hy_err *err)
{
    return need_live(s, err) ? (int)err->code : mb_remove_membership(s->integ, uid, gid, removed, err);
}

static const hy_metabase_api LIVE = {
    .backend = "live",
    .clone_collection = live_clone,
    .archive_collection = live_archive_collection,
    .ensure_group = live_ensure_group,
    .delete_group = live_delete_group,
    .grant_db_access = live_grant,
    .revoke_db_access = live_revoke,
    .add_user_to_group = live_add_user,
    .ensure_user = live_ensure_user,
    .find_user = live_find_user,
    .remove_user_from_group = live_remove_user,
    .deactivate_user = live_deactivate,
    .group_members = live_members,
    .deactivated_members = live_deactivated,
    .list_groups = live_list_groups,
    .user_groups = live_user_groups,
    .add_membership = live_add_membership,
    .remove_membership = live_remove_membership,
};

/* ---- simulated ---- */

static void id_text(long id, char out[32]) { snprintf(out, 32, "%ld", id); }

static int sim_clone(hy_svc *s, const char *org, mb_collection_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    bool found;
    char id[128], state[16];
    int rc = sim_group_by_name(s->c, SYS, "collection", org, &found, id, state, err);
    if (rc) return rc;
    if (!found) {
        int64_t n;
        if ((rc = sim_next_int(s->c, "metabase.collection", 100, &n, err))) return rc;
        snprintf(id, sizeof id, "%lld", (long long)n);
        if ((rc = sim_group_create(s->c, SYS, "collection", id, org, err))) return rc;
        out->created = true;
    } else if (strcmp(state, "active") != 0) {
        if ((rc = sim_group_set_state(s->c, SYS, "collection", id, "active", err))) return rc;
    }
    out->collection_id = strtol(id, NULL, 10);
    return 0;
}

static int sim_archive_collection(hy_svc *s, long cid, bool *archived, hy_err *err)
{
    char id[32], state[16];
    bool found;
    id_text(cid, id);
    int rc = sim_group_known(s->c, SYS, "collection", id, &found, state, err);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_PERMANENT, "Metabase has no collection %ld (archive it by hand if it moved)", cid);
    *archived = strcmp(state, "archived") != 0;
    return *archived ? sim_group_set_state(s->c, SYS, "collection", id, "archived", err) : 0;
}

/* The simulated Metabase has the groups HyOpps knows of (svc_sim.h). */
static int known_group(hy_svc *s, long gid, hy_err *err)
{
    char id[32], state[16];
    bool found;
    id_text(gid, id);
    int rc = sim_group_known(s->c, SYS, "group", id, &found, state, err);
    if (rc == 0 && (!found || strcmp(state, "deleted") == 0))
        rc = hy_fail(err, HY_ERR_NOT_FOUND, "Metabase has no group %ld", gid);
    return rc;
}

static int sim_ensure_group(hy_svc *s, const char *org, mb_group_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char *name = mb_group_name(org);
    bool found;
    char id[128], state[16];
    int rc = sim_group_by_name(s->c, SYS, "group", name, &found, id, state, err);
    if (rc == 0 && !found) {
        int64_t n;
        rc = sim_next_int(s->c, "metabase.group", 10, &n, err);
        snprintf(id, sizeof id, "%lld", (long long)n);
        if (rc == 0) rc = sim_group_create(s->c, SYS, "group", id, name, err);
        out->created = true;
    }
    if (rc == 0) {
        out->group_id = strtol(id, NULL, 10);
        hy_strlcpy(out->name, name, sizeof out->name);
    }
    free(name);
    return rc;
}

static int sim_delete_group(hy_svc *s, long gid, bool *deleted, hy_err *err)
{
    *deleted = false;
    if (gid == MB_ALL_USERS || gid == MB_ADMINS)
        return hy_fail(err, HY_ERR_PERMANENT, "Metabase's own group %ld cannot be deleted", gid);
    char id[32], state[16];
    bool found;
    id_text(gid, id);
    int rc = sim_group_get(s->c, SYS, "group", id, &found, state, err);
    if (rc || !found) return rc;
    hy_member_list m;
    if ((rc = sim_members(s->c, SYS, id, &m, err))) return rc;
    if (m.n) {
        hy_buf names = {0};
        for (int i = 0; i < m.n && i < 5; i++) hy_buf_printf(&names, "%s%s", i ? ", " : "", m.v[i].email);
        rc = hy_fail(err, HY_ERR_PERMANENT, "Metabase group %ld still has %d member%s (%s%s): revoke them first", gid,
                     m.n, m.n == 1 ? "" : "s", names.s, m.n > 5 ? ", ..." : "");
        hy_buf_free(&names);
    }
    hy_member_list_free(&m);
    if (rc) return rc;
    *deleted = true;
    return sim_group_set_state(s->c, SYS, "group", id, "deleted", err);
}

static int sim_access(hy_svc *s, long gid, bool access, mb_grant_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = known_group(s, gid, err);
    bool changed = false;
    char id[32];
    id_text(gid, id);
    if (rc == 0) rc = sim_group_set_access(s->c, SYS, id, access, &changed, err);
    int ndb = s->c->cfg->metabase.ndatabase_ids > 0 ? s->c->cfg->metabase.ndatabase_ids : 1;
    if (changed) out->granted = ndb;
    else out->already = ndb;
    return rc;
}
static int sim_grant(hy_svc *s, long gid, mb_grant_result *out, hy_err *err) { return sim_access(s, gid, true, out, err); }
static int sim_revoke(hy_svc *s, long gid, mb_grant_result *out, hy_err *err) { return sim_access(s, gid, false, out, err); }

static int sim_ensure_user(hy_svc *s, const char *email, const char *first, const char *last, long *uid,
                           mb_user_how *how, hy_err *err)
{
    bool found, active = false;
    char id[128];
    int rc = sim_account_by_email(s->c, SYS, email, &found, id, &active, err);
    if (rc) return rc;
    if (found && active) *how = MB_USER_EXISTED;
    else if (found) {
        *how = MB_USER_REACTIVATED;
        rc = sim_account_set_active(s->c, SYS, id, true, err);
    } else {
        int64_t n;
        *how = MB_USER_CREATED;
        rc = sim_next_int(s->c, "metabase.user", 1000, &n, err);
        snprintf(id, sizeof id, "%lld", (long long)n);
        char *name = xasprintf("%s %s", first ? first : "", last ? last : "");
        if (rc == 0) rc = sim_account_create(s->c, SYS, id, email, hy_trim(name), err);
        free(name);
    }
    *uid = strtol(id, NULL, 10);
    return rc;
}

static int sim_find_user(hy_svc *s, const char *email, long *uid, bool *active, hy_err *err)
{
    bool found = false;
    char id[128];
    *uid = 0;
    int rc = sim_account_by_email(s->c, SYS, email, &found, id, active, err);
    if (rc == 0 && found) *uid = strtol(id, NULL, 10);
    return rc;
}

static int sim_add_user(hy_svc *s, const char *email, const char *first, const char *last, long gid,
                        mb_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    mb_user_how how;
    int rc = sim_ensure_user(s, email, first, last, &out->user_id, &how, err);
    out->existed = how == MB_USER_EXISTED;
    out->reactivated = how == MB_USER_REACTIVATED;
    out->created = how == MB_USER_CREATED;
    char uid[32], id[32];
    id_text(out->user_id, uid);
    id_text(gid, id);
    if (rc == 0) rc = known_group(s, gid, err);
    if (rc == 0) rc = sim_member_add(s->c, SYS, id, uid, &out->added, err);
    return rc;
}

static int sim_add_membership(hy_svc *s, long uid, long gid, bool *added, hy_err *err)
{
    if (gid == MB_ALL_USERS || gid == MB_ADMINS)
        return hy_fail(err, HY_ERR_PERMANENT, "Metabase's own group %ld cannot be changed here", gid);
    char u[32], g[32];
    id_text(uid, u);
    id_text(gid, g);
    bool found, active;
    int rc = sim_account_known(s->c, SYS, u, &found, &active, err);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_PERMANENT, "Metabase has no user %ld", uid);
    if (rc == 0) rc = known_group(s, gid, err);
    if (rc == 0) rc = sim_member_add(s->c, SYS, g, u, added, err);
    return rc;
}

static int sim_remove_membership(hy_svc *s, long uid, long gid, bool *removed, hy_err *err)
{
    if (gid == MB_ALL_USERS || gid == MB_ADMINS)
        return hy_fail(err, HY_ERR_PERMANENT, "Metabase's own group %ld cannot be changed here", gid);
    char u[32], g[32];
    id_text(uid, u);
    id_text(gid, g);
    return sim_member_remove(s->c, SYS, g, u, removed, err);
}

static int sim_remove_user(hy_svc *s, long uid, long gid, mb_remove_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char u[32];
    id_text(uid, u);
    bool found, active;
    int rc = sim_account_known(s->c, SYS, u, &found, &active, err);
    if (rc) return rc;
    if (!found) {
        out->user_missing = true;
        return 0;
    }
    if ((rc = sim_remove_membership(s, uid, gid, &out->removed, err))) return rc;
    char **ids;
    int n;
    if ((rc = sim_account_group_ids(s->c, SYS, u, &ids, &n, err))) return rc;
    out->in_no_group = n == 0;
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
    return 0;
}

static int sim_deactivate(hy_svc *s, long uid, bool *done, hy_err *err)
{
    char u[32];
    id_text(uid, u);
    bool found, active;
    int rc = sim_account_known(s->c, SYS, u, &found, &active, err);
    *done = rc == 0 && found && active;
    return *done ? sim_account_set_active(s->c, SYS, u, false, err) : rc;
}

static int sim_group_members(hy_svc *s, long gid, hy_member_list *out, bool *missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[32], state[16];
    id_text(gid, id);
    bool found;
    int rc = sim_group_known(s->c, SYS, "group", id, &found, state, err);
    *missing = rc == 0 && !found;
    return rc || !found ? rc : sim_members(s->c, SYS, id, out, err);
}

static int sim_deactivated(hy_svc *s, long gid, hy_member_list *out, hy_err *err)
{
    char id[32];
    id_text(gid, id);
    return sim_members_deactivated(s->c, SYS, id, out, err);
}

static void group_list_add(mb_group_list *l, long id, const char *name)
{
    l->items = xrealloc(l->items, (size_t)(l->n + 1) * sizeof *l->items);
    l->items[l->n].id = id;
    l->items[l->n].name = xstrdup(name);
    l->n++;
}

static int sim_list_groups(hy_svc *s, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(s->c->db, err,
                           "SELECT group_id, name FROM sim_groups WHERE system = 'metabase' AND kind = 'group' "
                           "AND state = 'active' UNION "
                           "SELECT g.external_id, g.external_name FROM system_groups g WHERE g.tool = 'metabase' "
                           "AND g.external_id GLOB '[0-9]*' AND NOT EXISTS (SELECT 1 FROM "
                           "sim_groups x WHERE x.system = 'metabase' AND x.kind = 'group' AND x.group_id = g.external_id) "
                           "ORDER BY 2 COLLATE NOCASE",
                           "");
    while (db_row(st)) {
        long id = strtol(db_text(st, 0), NULL, 10);
        if (id > MB_ADMINS) group_list_add(out, id, db_text(st, 1));
    }
    int rc = db_done(st);
    if (rc) mb_group_list_free(out);
    return rc;
}

static int sim_user_groups(hy_svc *s, long uid, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char u[32];
    id_text(uid, u);
    hy_stmt *st = db_query(s->c->db, err,
                           "SELECT m.group_id, coalesce(g.name, m.group_id) FROM sim_members m LEFT JOIN sim_groups g "
                           "ON g.system = m.system AND g.kind = 'group' AND g.group_id = m.group_id "
                           "WHERE m.system = 'metabase' AND m.account_id = ? ORDER BY 2 COLLATE NOCASE",
                           "t", u);
    while (db_row(st)) group_list_add(out, strtol(db_text(st, 0), NULL, 10), db_text(st, 1));
    int rc = db_done(st);
    if (rc) mb_group_list_free(out);
    return rc;
}

static const hy_metabase_api SIMULATED = {
    .backend = "simulated",
    .clone_collection = sim_clone,
    .archive_collection = sim_archive_collection,
    .ensure_group = sim_ensure_group,
    .delete_group = sim_delete_group,
    .grant_db_access = sim_grant,
    .revoke_db_access = sim_revoke,
    .add_user_to_group = sim_add_user,
    .ensure_user = sim_ensure_user,
    .find_user = sim_find_user,
    .remove_user_from_group = sim_remove_user,
    .deactivate_user = sim_deactivate,
    .group_members = sim_group_members,
    .deactivated_members = sim_deactivated,
    .list_groups = sim_list_groups,
    .user_groups = sim_user_groups,
    .add_membership = sim_add_membership,
    .remove_membership = sim_remove_membership,
};

const hy_metabase_api *svc_metabase(hy_mode mode)
{
    return mode == HY_MODE_LIVE ? &LIVE : mode == HY_MODE_SIMULATE ? &SIMULATED : NULL;
}
