/* A user's Metabase group memberships through the Metabase interface
 * (svc.h: live, or the simulated Metabase whose state the simulated
 * workflows share), or refused when Metabase is off. See ops_metabase.h. */
#include "ops_metabase.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ops.h"
#include "ops_refs.h"
#include "store_users.h"
#include "svc.h"
#include "util.h"
#include "validate.h"

#define MB_ALL_USERS_ID 1
#define MB_ADMINS_ID 2

/* The user an operation is about. */
typedef struct {
    char id[HY_UUID_LEN];
    char *email, *first, *last;
    bool has_mb;
    long mb;
} target;

static void target_free(target *t)
{
    free(t->email);
    free(t->first);
    free(t->last);
    t->email = t->first = t->last = NULL;
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
    hy_stmt *st = db_query(c->db, err, "SELECT email, metabase_user_id, firstname, lastname FROM users WHERE id = ?",
                           "t", t->id);
    bool found = db_row(st);
    if (found) {
        t->email = db_dup(st, 0);
        t->has_mb = !db_null(st, 1) && db_int(st, 1) > 0 && db_int(st, 1) <= LONG_MAX;
        t->mb = t->has_mb ? (long)db_int(st, 1) : 0;
        t->first = db_dup(st, 2);
        t->last = db_dup(st, 3);
    }
    int rc = db_done(st);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
    return rc;
}

const char *hy_mb_how_name(mb_user_how how)
{
    return how == MB_USER_CREATED ? "created" : how == MB_USER_REACTIVATED ? "reactivated" : "existed";
}

/* Stores the user's Metabase id, with its audit row (inside the caller's
 * transaction). */
static int store_link(hy_ctx *c, const hy_principal *p, target *t, long mb, mb_user_how how, hy_err *err)
{
    int rc = user_set_metabase_id(c, t->id, (int64_t)mb, err);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "email", t->email ? t->email : "");
    cJSON_AddNumberToObject(d, "metabase_user_id", (double)mb);
    cJSON_AddStringToObject(d, "how", hy_mb_how_name(how));
    if (c->cfg->metabase.mode == HY_MODE_SIMULATE) cJSON_AddBoolToObject(d, "simulated", true);
    if (rc == 0) rc = audit_write(c, p, "metabase.link_user", "user", t->id, d, err);
    cJSON_Delete(d);
    if (rc == 0) {
        t->has_mb = true;
        t->mb = mb;
    }
    return rc;
}

/* What an operation talks to: the backend for the mode and, for the live
 * one, a client of its own (ops run on the caller's thread). A simulated
 * backend keeps its state in tables: the whole operation is then one
 * transaction. A live one is called with no transaction open; what it did
 * is recorded afterwards in a short one. */
typedef struct {
    const hy_metabase_api *mb;
    hy_svc s;
    bool live;
} session;

static void session_open(hy_ctx *c, session *m)
{
    m->live = c->cfg->metabase.mode == HY_MODE_LIVE;
    m->mb = svc_metabase(c->cfg->metabase.mode);
    m->s = (hy_svc){.c = c, .integ = m->live ? integ_new(c->cfg) : NULL, .owner = "ops", .lock_wait_ms = -1};
}

static void session_close(session *m)
{
    integ_free(m->s.integ);
    m->s.integ = NULL;
}

/* A transaction around a simulated operation (none for a live one). */
static int local_begin(hy_ctx *c, const session *m, hy_err *err) { return m->live ? 0 : db_begin(c->db, err); }
static int local_finish(hy_ctx *c, const session *m, int rc, hy_err *err)
{
    return m->live ? rc : ops_finish(c, rc, err);
}
/* What a live operation records afterwards (a simulated one is in its transaction already). */
static int record_begin(hy_ctx *c, const session *m, hy_err *err) { return m->live ? db_begin(c->db, err) : 0; }
static int record_finish(hy_ctx *c, const session *m, int rc, hy_err *err)
{
    return m->live ? ops_finish(c, rc, err) : rc;
}

/* No stored id: the account found by email (create: else created, a
 * deactivated one reactivated, as the onboarding step does) and its id
 * stored. No account and !create: t->has_mb stays false. */
static int link_by_email(hy_ctx *c, const hy_principal *p, session *m, target *t, bool create, hy_mb_link *link,
                         hy_err *err)
{
    long id = 0;
    bool active = false;
    mb_user_how how = MB_USER_EXISTED;
    int rc = create ? m->mb->ensure_user(&m->s, t->email, t->first, t->last, &id, &how, err)
                    : m->mb->find_user(&m->s, t->email, &id, &active, err);
    if (rc || id <= 0) return rc;
    if ((rc = record_begin(c, m, err)) == 0) rc = record_finish(c, m, store_link(c, p, t, id, how, err), err);
    if (rc == 0) *link = (hy_mb_link){.linked = true, .how = how, .metabase_user_id = id};
    return rc;
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
    l->items[l->n].name = xstrdup(name ? name : "");
    l->n++;
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
    session m = {0};
    if (rc == 0) {
        hy_strlcpy(out->user_id, t.id, sizeof out->user_id);
        out->email = xstrdup(t.email);
        out->mode = c->cfg->metabase.mode;
        out->has_metabase_id = t.has_mb;
        out->metabase_user_id = t.mb;
        session_open(c, &m);
    }
    if (rc == 0 && !t.has_mb) {
        /* not stored: Metabase may know the email (nothing is stored by looking) */
        long id = 0;
        bool active = false;
        rc = m.mb->find_user(&m.s, t.email, &id, &active, err);
        if (rc == 0 && id > 0) {
            out->found_by_email = true;
            out->metabase_user_id = id;
        }
    }
    if (rc == 0 && out->metabase_user_id > 0) rc = m.mb->user_groups(&m.s, out->metabase_user_id, &out->groups, err);
    session_close(&m);
    target_free(&t);
    if (rc) hy_mb_user_free(out);
    return rc;
}

int ops_metabase_addable(hy_ctx *c, const hy_principal *p, const char *user_ref, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    target t;
    int rc = begin(c, p, user_ref, true, &t, err);
    mb_group_list all = {0}, mine = {0};
    session m = {0};
    if (rc == 0) {
        session_open(c, &m);
        rc = m.mb->list_groups(&m.s, &all, err);
        long id = t.mb;
        bool active = false;
        if (rc == 0 && !t.has_mb) rc = m.mb->find_user(&m.s, t.email, &id, &active, err);
        if (rc == 0 && id > 0) rc = m.mb->user_groups(&m.s, id, &mine, err);
        session_close(&m);
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
                        hy_err *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "email", t->email ? t->email : "");
    cJSON_AddNumberToObject(d, "metabase_user_id", (double)t->mb);
    cJSON_AddNumberToObject(d, "group_id", (double)gid);
    cJSON_AddBoolToObject(d, "changed", changed);
    if (c->cfg->metabase.mode == HY_MODE_SIMULATE) cJSON_AddBoolToObject(d, "simulated", true);
    int rc = audit_write(c, p, add ? "metabase.add_membership" : "metabase.remove_membership", "user", t->id, d, err);
    cJSON_Delete(d);
    return rc;
}

static int change_membership(hy_ctx *c, const hy_principal *p, session *m, target *t, long gid, bool add, bool *did,
                             hy_mb_link *link, hy_err *err)
{
    if (!t->has_mb && link_by_email(c, p, m, t, add, link, err) != 0) return err->code;
    if (!t->has_mb) return 0; /* removing: no account, so no membership */
    int rc = add ? m->mb->add_membership(&m->s, t->mb, gid, did, err)
                 : m->mb->remove_membership(&m->s, t->mb, gid, did, err);
    if (rc) return rc;
    rc = record_begin(c, m, err);
    if (rc == 0) rc = record_finish(c, m, audit_change(c, p, t, gid, add, *did, err), err);
    if (rc && m->live) {
        char why[sizeof err->msg];
        hy_strlcpy(why, err->msg, sizeof why);
        rc = hy_fail(err, err->code, "Metabase %s the membership, but the audit row could not be written: %s",
                     *did ? (add ? "made" : "removed") : "checked", why);
    }
    return rc;
}

static int change(hy_ctx *c, const hy_principal *p, const char *user_ref, long gid, bool add, bool *changed,
                  hy_mb_link *link_out, hy_err *err)
{
    bool did = false;
    hy_mb_link link = {0};
    if (changed) *changed = false;
    if (link_out) *link_out = link;
    target t;
    int rc = begin(c, p, user_ref, true, &t, err);
    if (rc == 0 && (gid == MB_ALL_USERS_ID || gid == MB_ADMINS_ID || gid <= 0)) {
        hy_field(err, "group",
                 gid <= 0 ? "must be a Metabase group id: a positive whole number"
                          : "groups 1 (All Users) and 2 (Administrators) are Metabase's own and are never changed here");
        rc = err->code;
    }
    if (rc == 0) {
        session m;
        session_open(c, &m);
        rc = local_begin(c, &m, err);
        if (rc == 0) rc = local_finish(c, &m, change_membership(c, p, &m, &t, gid, add, &did, &link, err), err);
        if (rc && !m.live) link = (hy_mb_link){0}; /* rolled back with the rest */
        session_close(&m);
    }
    link.metabase_user_id = t.mb;
    if (link_out) *link_out = link;
    if (rc == 0 && changed) *changed = did;
    target_free(&t);
    return rc;
}

int ops_metabase_add(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                     hy_mb_link *link, hy_err *err)
{
    return change(c, p, user_ref, group_id, true, changed, link, err);
}

int ops_metabase_remove(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                        hy_mb_link *link, hy_err *err)
{
    return change(c, p, user_ref, group_id, false, changed, link, err);
}
