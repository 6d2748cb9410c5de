/* The simulated backends' state (svc_sim.h). */
#include "svc_sim.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

void hy_member_list_free(hy_member_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].account_id);
        free(l->v[i].email);
        free(l->v[i].name);
        free(l->v[i].membership_id);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

void hy_member_add(hy_member_list *l, const char *account_id, const char *email, const char *name,
                   const char *membership_id)
{
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    hy_member *m = &l->v[l->n++];
    m->account_id = xstrdup(account_id ? account_id : "");
    m->email = xstrdup(email ? email : "");
    for (char *p = m->email; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    m->name = xstrdup(name ? name : "");
    m->membership_id = xstrdup(membership_id ? membership_id : "");
    m->owner = false;
}

void sim_hex(char *out, size_t n) { sim_token(out, n, "0123456789abcdef"); }

void sim_time_token(char *out, size_t n)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char t[10];
    uint64_t ms = (uint64_t)hy_now_ms();
    for (int i = 8; i >= 0; i--, ms /= 36) t[i] = digits[ms % 36];
    t[9] = '\0';
    char r[7]; /* accounts made in the same millisecond by other runners: 36^6 */
    sim_token(r, sizeof r, digits);
    snprintf(out, n, "%s%s", t, r);
}

int sim_next_int(hy_ctx *c, const char *counter, int64_t start, int64_t *out, hy_err *err)
{
    bool found = false;
    int rc = db_get_int(c->db, err, out, &found,
                        "INSERT INTO sim_counters(name, next) VALUES(?1, ?2) "
                        "ON CONFLICT(name) DO UPDATE SET next = next + 1 RETURNING next",
                        "tI", counter, start);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_INTERNAL, "simulated counter %s did not count", counter);
    return rc;
}

int sim_account_by_email(hy_ctx *c, const char *system, const char *email, bool *found, char id[128], bool *active,
                         hy_err *err)
{
    *found = false;
    hy_stmt *st = db_query(c->db, err, "SELECT account_id, active FROM sim_accounts WHERE system = ? AND email = lower(?)",
                           "tt", system, email);
    if (db_row(st)) {
        *found = true;
        hy_strlcpy(id, db_text(st, 0), 128);
        *active = db_int(st, 1) != 0;
    }
    return db_done(st);
}

int sim_account_get(hy_ctx *c, const char *system, const char *id, bool *found, bool *active, hy_err *err)
{
    int64_t a = 0;
    int rc = db_get_int(c->db, err, &a, found, "SELECT active FROM sim_accounts WHERE system = ? AND account_id = ?",
                        "tt", system, id);
    *active = a != 0;
    return rc;
}

int sim_account_known(hy_ctx *c, const char *system, const char *id, bool *found, bool *active, hy_err *err)
{
    int rc = sim_account_get(c, system, id, found, active, err);
    if (rc || *found) return rc;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT u.email, trim(u.firstname || ' ' || u.lastname) FROM users u WHERE ?1 = 'metabase' "
                           "AND u.metabase_user_id = CAST(?2 AS INTEGER) UNION ALL "
                           "SELECT u.email, trim(u.firstname || ' ' || u.lastname) FROM access_grants g "
                           "JOIN resources r ON r.id = g.resource_id JOIN users u ON u.id = g.user_id "
                           "WHERE g.account_id = ?2 AND r.name = CASE ?1 WHEN 'metabase' THEN 'Metabase' "
                           "WHEN 'teams' THEN 'Microsoft Teams' WHEN 'slack' THEN 'Slack' END LIMIT 1",
                           "tt", system, id);
    char *email = NULL, *name = NULL;
    if (db_row(st)) {
        email = db_dup(st, 0);
        name = db_dup(st, 1);
    }
    rc = db_done(st);
    if (rc == 0 && email) {
        bool other, other_active;
        char other_id[128];
        /* the email may hold another account already (one account per email) */
        rc = sim_account_by_email(c, system, email, &other, other_id, &other_active, err);
        if (rc == 0 && !other) {
            rc = sim_account_create(c, system, id, email, name, err);
            *found = *active = rc == 0;
        }
    }
    free(email);
    free(name);
    return rc;
}

int sim_account_create(hy_ctx *c, const char *system, const char *id, const char *email, const char *name,
                       hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) "
                   "VALUES(?, ?, lower(?), ?, 1, ?)",
                   "ttttt", system, id, email, name, now);
}

int sim_account_set_active(hy_ctx *c, const char *system, const char *id, bool active, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE sim_accounts SET active = ? WHERE system = ? AND account_id = ?", "itt",
                   active ? 1 : 0, system, id);
}

int sim_group_by_name(hy_ctx *c, const char *system, const char *kind, const char *name, bool *found, char id[128],
                      char state[16], hy_err *err)
{
    *found = false;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT group_id, state FROM sim_groups WHERE system = ? AND kind = ? "
                           "AND name = ? COLLATE NOCASE AND state != 'deleted' LIMIT 1",
                           "ttt", system, kind, name);
    if (db_row(st)) {
        *found = true;
        hy_strlcpy(id, db_text(st, 0), 128);
        hy_strlcpy(state, db_text(st, 1), 16);
    }
    return db_done(st);
}

int sim_group_get(hy_ctx *c, const char *system, const char *kind, const char *id, bool *found, char state[16],
                  hy_err *err)
{
    *found = false;
    state[0] = '\0';
    hy_stmt *st = db_query(c->db, err,
                           "SELECT state FROM sim_groups WHERE system = ? AND kind = ? AND group_id = ? "
                           "AND state != 'deleted'",
                           "ttt", system, kind, id);
    if (db_row(st)) {
        *found = true;
        hy_strlcpy(state, db_text(st, 0), 16);
    }
    return db_done(st);
}

int sim_group_known(hy_ctx *c, const char *system, const char *kind, const char *id, bool *found, char state[16],
                    hy_err *err)
{
    int rc = sim_group_get(c, system, kind, id, found, state, err);
    if (rc || *found) return rc;
    bool gone = false; /* deleted in the simulated service: stays deleted */
    int64_t one;
    rc = db_get_int(c->db, err, &one, &gone, "SELECT 1 FROM sim_groups WHERE system = ? AND kind = ? AND group_id = ?",
                    "ttt", system, kind, id);
    if (rc || gone) return rc;
    char *name = NULL;
    if (strcmp(kind, "collection") == 0) /* a collection an organisation names */
        rc = db_get_text(c->db, err, &name,
                         "SELECT o.name FROM organization_integrations i JOIN organizations o ON o.id = i.organization_id "
                         "WHERE ?1 = 'metabase' AND i.metabase_collection_id = ?2 LIMIT 1",
                         "tt", system, id);
    else
        rc = db_get_text(c->db, err, &name,
                         "SELECT external_name FROM system_groups WHERE tool = ? AND external_id = ? "
                         "LIMIT 1",
                         "tt", system, id);
    if (rc == 0 && name) {
        rc = sim_group_create(c, system, kind, id, *name ? name : id, err);
        *found = rc == 0;
        hy_strlcpy(state, "active", 16);
    }
    free(name);
    return rc;
}

int sim_group_create(hy_ctx *c, const char *system, const char *kind, const char *id, const char *name, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO sim_groups(system, kind, group_id, name, state, created_at) VALUES(?,?,?,?,'active',?) "
                   "ON CONFLICT(system, kind, group_id) DO UPDATE SET name = excluded.name, state = 'active'",
                   "ttttt", system, kind, id, name, now);
}

int sim_group_set_state(hy_ctx *c, const char *system, const char *kind, const char *id, const char *state,
                        hy_err *err)
{
    return db_exec(c->db, err, "UPDATE sim_groups SET state = ? WHERE system = ? AND kind = ? AND group_id = ?", "tttt",
                   state, system, kind, id);
}

int sim_group_set_access(hy_ctx *c, const char *system, const char *id, bool access, bool *changed, hy_err *err)
{
    int rc = db_exec(c->db, err,
                     "UPDATE sim_groups SET data_access = ?1 WHERE system = ?2 AND kind = 'group' AND group_id = ?3 "
                     "AND data_access != ?1",
                     "itt", access ? 1 : 0, system, id);
    *changed = rc == 0 && db_changes(c->db) > 0;
    return rc;
}

int sim_member_add(hy_ctx *c, const char *system, const char *group, const char *account, bool *changed,
                   hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) "
                     "VALUES(?1, ?2, ?3, ?2 || ':' || ?3, ?4) ON CONFLICT DO NOTHING",
                     "tttt", system, group, account, now);
    *changed = rc == 0 && db_changes(c->db) > 0;
    return rc;
}

int sim_member_remove(hy_ctx *c, const char *system, const char *group, const char *account, bool *changed,
                      hy_err *err)
{
    int rc = db_exec(c->db, err, "DELETE FROM sim_members WHERE system = ? AND group_id = ? AND account_id = ?", "ttt",
                     system, group, account);
    *changed = rc == 0 && db_changes(c->db) > 0;
    return rc;
}

int sim_member_counted(hy_ctx *c, const char *system, const char *group, int delta, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE sim_groups SET members = members + ? WHERE system = ? AND group_id = ?", "itt",
                   delta, system, group);
}

int sim_member_count(hy_ctx *c, const char *system, const char *group, int *out, hy_err *err)
{
    int64_t n = 0;
    /* kept by sim_member_counted (every kind of a system has its own ids) */
    int rc = db_get_int(c->db, err, &n, NULL, "SELECT max(members) FROM sim_groups WHERE system = ? AND group_id = ?",
                        "tt", system, group);
    *out = (int)n;
    return rc;
}

static int members_where(hy_ctx *c, const char *system, const char *group, int active, hy_member_list *out,
                         hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT m.account_id, a.email, a.name, m.membership_id FROM sim_members m "
                           "JOIN sim_accounts a ON a.system = m.system AND a.account_id = m.account_id "
                           "WHERE m.system = ? AND m.group_id = ? AND a.active = ? ORDER BY a.email",
                           "tti", system, group, active);
    while (db_row(st)) hy_member_add(out, db_text(st, 0), db_text(st, 1), db_text(st, 2), db_text(st, 3));
    int rc = db_done(st);
    if (rc) hy_member_list_free(out);
    return rc;
}

int sim_members(hy_ctx *c, const char *system, const char *group, hy_member_list *out, hy_err *err)
{
    return members_where(c, system, group, 1, out, err);
}

int sim_members_deactivated(hy_ctx *c, const char *system, const char *group, hy_member_list *out, hy_err *err)
{
    return members_where(c, system, group, 0, out, err);
}

int sim_account_group_ids(hy_ctx *c, const char *system, const char *account, char ***ids, int *n, hy_err *err)
{
    *ids = NULL;
    *n = 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT group_id FROM sim_members WHERE system = ? AND account_id = ? ORDER BY group_id", "tt",
                           system, account);
    while (db_row(st)) {
        *ids = xrealloc(*ids, (size_t)(*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = db_dup(st, 0);
    }
    return db_done(st);
}
