/* A user's Metabase group memberships: live through the Metabase client,
 * simulated in the settings table, or refused when Metabase is off. See
 * ops_metabase.h. */
#include "ops_metabase.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ops.h"
#include "ops_refs.h"
#include "util.h"
#include "validate.h"

#define MB_ALL_USERS_ID 1
#define MB_ADMINS_ID 2

/* The user an operation is about. */
typedef struct {
    char id[HY_UUID_LEN];
    char *email;
    bool has_mb;
    long mb;
} target;

static void target_free(target *t)
{
    free(t->email);
    t->email = NULL;
}

static int mode_check(hy_ctx *c, hy_err *err)
{
    if (c->cfg->metabase.mode == HY_MODE_OFF)
        return hy_fail(err, HY_ERR_CONFIG, "Metabase is not configured (set [metabase] url and api_key)");
    return 0;
}

/* Authorization (looking: staff; changing: admins), the mode, then the
 * user and its stored id. */
static int begin(hy_ctx *c, const hy_principal *p, const char *ref, bool changes, target *t, hy_err *err)
{
    memset(t, 0, sizeof *t);
    if ((changes ? ops_begin_admin(c, p, err) : ops_begin_staff(c, p, err)) != 0 || mode_check(c, err) != 0 ||
        ops_find_user(c, p, ref, t->id, err) != 0)
        return err->code;
    hy_stmt *st = db_query(c->db, err, "SELECT email, metabase_user_id FROM users WHERE id = ?", "t", t->id);
    bool found = db_row(st);
    if (found) {
        t->email = db_dup(st, 0);
        t->has_mb = !db_null(st, 1) && db_int(st, 1) > 0 && db_int(st, 1) <= LONG_MAX;
        t->mb = t->has_mb ? (long)db_int(st, 1) : 0;
    }
    int rc = db_done(st);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
    return rc;
}

static int need_metabase_id(const target *t, hy_err *err)
{
    if (t->has_mb) return 0;
    return hy_fail(err, HY_ERR_CONFLICT,
                   "this user has no Metabase id yet (it is stored when the new_partner_user workflow adds them "
                   "to Metabase)");
}

static bool group_listed(const mb_group_list *l, long id)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].id == id) return true;
    return false;
}

static void group_add(mb_group_list *l, long id, const char *name)
{
    l->items = xrealloc(l->items, (size_t)(l->n + 1) * sizeof *l->items);
    l->items[l->n].id = id;
    l->items[l->n].name = xstrdup(name);
    l->n++;
}

/* ---- the simulation ---- */

/* The simulated groups: the organisations' Metabase system groups. */
static int sim_groups(hy_ctx *c, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT external_id, external_name FROM system_groups WHERE tool = 'metabase' "
                           "ORDER BY external_name, external_id",
                           "");
    while (db_row(st)) {
        long id;
        const char *ext = db_text(st, 0), *name = db_text(st, 1);
        if (!ext || !hy_parse_long(ext, 1, INT_MAX, &id) || id == MB_ALL_USERS_ID || id == MB_ADMINS_ID) continue;
        if (group_listed(out, id)) continue;
        char fallback[32];
        snprintf(fallback, sizeof fallback, "group %ld", id);
        group_add(out, id, name && *name ? name : fallback);
    }
    int rc = db_done(st);
    if (rc) mb_group_list_free(out);
    return rc;
}

/* The stored memberships (an object; never NULL). Caller deletes. */
static int sim_load(hy_ctx *c, cJSON **out, hy_err *err)
{
    char *text = NULL;
    *out = NULL;
    if (db_setting_get(c->db, HY_MB_SIMULATED_KEY, &text, err) != 0) return err->code;
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = cJSON_CreateObject();
    }
    *out = j;
    return 0;
}

/* The group ids array of one user (created when create is set). */
static cJSON *sim_user_array(cJSON *all, long mb, bool create)
{
    char key[32];
    snprintf(key, sizeof key, "%ld", mb);
    cJSON *a = cJSON_GetObjectItemCaseSensitive(all, key);
    if (cJSON_IsArray(a)) return a;
    if (!create) return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(all, key);
    a = cJSON_CreateArray();
    cJSON_AddItemToObject(all, key, a);
    return a;
}

static int sim_index(const cJSON *a, long gid)
{
    int i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        if (json_id(x) == gid) return i;
        i++;
    }
    return -1;
}

static int sim_user_groups(hy_ctx *c, long mb, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *all;
    mb_group_list groups;
    if (sim_load(c, &all, err) != 0) return err->code;
    if (sim_groups(c, &groups, err) != 0) {
        cJSON_Delete(all);
        return err->code;
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, sim_user_array(all, mb, false))
    {
        long gid = json_id(x);
        if (gid <= MB_ADMINS_ID || group_listed(out, gid)) continue;
        const char *name = NULL;
        for (int i = 0; i < groups.n; i++)
            if (groups.items[i].id == gid) name = groups.items[i].name;
        char fallback[32];
        snprintf(fallback, sizeof fallback, "group %ld", gid);
        group_add(out, gid, name ? name : fallback);
    }
    mb_group_list_free(&groups);
    cJSON_Delete(all);
    return 0;
}

/* Adds or removes inside the caller's transaction; *changed says whether it did. */
static int sim_change(hy_ctx *c, long mb, long gid, bool add, bool *changed, char **group_name, hy_err *err)
{
    *changed = false;
    mb_group_list groups;
    if (sim_groups(c, &groups, err) != 0) return err->code;
    for (int i = 0; i < groups.n; i++)
        if (groups.items[i].id == gid) *group_name = xstrdup(groups.items[i].name);
    mb_group_list_free(&groups);
    cJSON *all;
    if (sim_load(c, &all, err) != 0) return err->code;
    cJSON *a = sim_user_array(all, mb, add);
    int at = a ? sim_index(a, gid) : -1;
    int rc = 0;
    if (add && at < 0) {
        if (!*group_name) {
            rc = hy_fail(err, HY_ERR_NOT_FOUND,
                         "Metabase group %ld not found (simulated: the groups are the organisations' Metabase "
                         "group ids)",
                         gid);
        } else {
            cJSON_AddItemToArray(a, cJSON_CreateNumber((double)gid));
            *changed = true;
        }
    } else if (!add && at >= 0) {
        cJSON_DeleteItemFromArray(a, at);
        *changed = true;
    }
    if (rc == 0 && *changed) {
        char *text = cJSON_PrintUnformatted(all);
        rc = db_setting_set(c->db, HY_MB_SIMULATED_KEY, text, err);
        cJSON_free(text);
    }
    cJSON_Delete(all);
    return rc;
}

/* ---- live ---- */

static int live_user_groups(hy_ctx *c, long mb, mb_group_list *out, hy_err *err)
{
    hy_integ *in = integ_new(c->cfg);
    int rc = mb_user_groups(in, mb, out, err);
    integ_free(in);
    return rc;
}

/* ---- ops ---- */

void hy_mb_user_free(hy_mb_user *m)
{
    free(m->email);
    m->email = NULL;
    mb_group_list_free(&m->groups);
}

int ops_metabase_user(hy_ctx *c, const hy_principal *p, const char *user_ref, hy_mb_user *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    target t;
    int rc = begin(c, p, user_ref, false, &t, err);
    if (rc == 0) {
        hy_strlcpy(out->user_id, t.id, sizeof out->user_id);
        out->email = xstrdup(t.email);
        out->mode = c->cfg->metabase.mode;
        out->has_metabase_id = t.has_mb;
        out->metabase_user_id = t.mb;
        if (t.has_mb)
            rc = out->mode == HY_MODE_LIVE ? live_user_groups(c, t.mb, &out->groups, err)
                                           : sim_user_groups(c, t.mb, &out->groups, err);
    }
    target_free(&t);
    if (rc) hy_mb_user_free(out);
    return rc;
}

int ops_metabase_addable(hy_ctx *c, const hy_principal *p, const char *user_ref, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    target t;
    int rc = begin(c, p, user_ref, true, &t, err);
    if (rc == 0) rc = need_metabase_id(&t, err);
    mb_group_list all = {0}, mine = {0};
    if (rc == 0 && c->cfg->metabase.mode == HY_MODE_LIVE) {
        hy_integ *in = integ_new(c->cfg);
        rc = mb_list_groups(in, &all, err);
        if (rc == 0) rc = mb_user_groups(in, t.mb, &mine, err);
        integ_free(in);
    } else if (rc == 0) {
        rc = sim_groups(c, &all, err);
        if (rc == 0) rc = sim_user_groups(c, t.mb, &mine, err);
    }
    for (int i = 0; rc == 0 && i < all.n; i++) {
        long id = all.items[i].id;
        if (id == MB_ALL_USERS_ID || id == MB_ADMINS_ID || group_listed(&mine, id)) continue;
        group_add(out, id, all.items[i].name);
    }
    mb_group_list_free(&all);
    mb_group_list_free(&mine);
    target_free(&t);
    if (rc) mb_group_list_free(out);
    return rc;
}

static int audit_change(hy_ctx *c, const hy_principal *p, const target *t, long gid, bool add, bool changed,
                        const char *group_name, hy_err *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "email", t->email ? t->email : "");
    cJSON_AddNumberToObject(d, "metabase_user_id", (double)t->mb);
    cJSON_AddNumberToObject(d, "group_id", (double)gid);
    if (group_name) cJSON_AddStringToObject(d, "group_name", group_name);
    cJSON_AddBoolToObject(d, "changed", changed);
    if (c->cfg->metabase.mode == HY_MODE_SIMULATE) cJSON_AddBoolToObject(d, "simulated", true);
    int rc = audit_write(c, p, add ? "metabase.add_membership" : "metabase.remove_membership", "user", t->id, d, err);
    cJSON_Delete(d);
    return rc;
}

static int change(hy_ctx *c, const hy_principal *p, const char *user_ref, long gid, bool add, bool *changed,
                  hy_err *err)
{
    bool did = false;
    if (changed) *changed = false;
    target t;
    int rc = begin(c, p, user_ref, true, &t, err);
    if (rc == 0 && (gid == MB_ALL_USERS_ID || gid == MB_ADMINS_ID || gid <= 0)) {
        hy_field(err, "group",
                 gid <= 0 ? "must be a Metabase group id: a positive whole number"
                          : "groups 1 (All Users) and 2 (Administrators) are Metabase's own and are never changed here");
        rc = err->code;
    }
    if (rc == 0) rc = need_metabase_id(&t, err);
    char *group_name = NULL;
    if (rc == 0 && c->cfg->metabase.mode == HY_MODE_LIVE) {
        /* The network call runs with no transaction open; the audit row follows. */
        hy_integ *in = integ_new(c->cfg);
        rc = add ? mb_add_membership(in, t.mb, gid, &did, err) : mb_remove_membership(in, t.mb, gid, &did, err);
        integ_free(in);
        if (rc == 0) {
            rc = db_begin(c->db, err);
            if (rc == 0) rc = ops_finish(c, audit_change(c, p, &t, gid, add, did, NULL, err), err);
            if (rc) {
                char why[sizeof err->msg];
                hy_strlcpy(why, err->msg, sizeof why);
                rc = hy_fail(err, err->code, "Metabase %s the membership, but the audit row could not be written: %s",
                             did ? (add ? "made" : "removed") : "checked", why);
            }
        }
    } else if (rc == 0) {
        rc = db_begin(c->db, err);
        if (rc == 0) {
            rc = sim_change(c, t.mb, gid, add, &did, &group_name, err);
            if (rc == 0) rc = audit_change(c, p, &t, gid, add, did, group_name, err);
            rc = ops_finish(c, rc, err);
        }
    }
    if (rc == 0 && changed) *changed = did;
    free(group_name);
    target_free(&t);
    return rc;
}

int ops_metabase_add(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                     hy_err *err)
{
    return change(c, p, user_ref, group_id, true, changed, err);
}

int ops_metabase_remove(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                        hy_err *err)
{
    return change(c, p, user_ref, group_id, false, changed, err);
}
