/* Store: reconciliation runs, checks and findings (store_reconcile.h). */
#include "store_reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

int rcs_run_begin(hy_ctx *c, const char *run_id, int64_t started_ms, const char *by_user, const char *by_label,
                  const char *scope_org, const char *systems, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_iso_from_ms(started_ms, now);
    int rc = db_exec(c->db, err,
                     "UPDATE reconcile_runs SET status = 'failed', finished_at = ?, "
                     "error = 'the process running it stopped before it finished' WHERE status = 'running'",
                     "t", now);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "INSERT INTO reconcile_runs(id, started_at, started_ms, started_by, started_by_label, "
                     "scope_org_id, systems) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "ttItttt", run_id, now, started_ms, by_user, by_label, scope_org, systems);
    return rc;
}

/* What identifies a finding from one check to the next. */
static char *finding_key(const char *kind, const char *user, const char *account, const char *email,
                         const char *group)
{
    return xasprintf("%s|%s|%s|%s|%s", kind, user ? user : "", account ? account : "", email ? email : "",
                     group ? group : "");
}

typedef struct {
    char *key, *first_seen, *repair, *repaired_at, *repaired_by;
} carried;

static void carried_free(carried *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].first_seen);
        free(v[i].repair);
        free(v[i].repaired_at);
        free(v[i].repaired_by);
    }
    free(v);
}

/* The findings of the previous check (not an error) of the organisation and system. */
static int previous(hy_ctx *c, const char *run_id, const char *org, const char *sys, carried **out, int *n,
                    hy_err *err)
{
    *out = NULL;
    *n = 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT f.kind, f.user_id, f.account_id, f.email, f.group_id, f.first_seen, f.repair, "
                           "f.repaired_at, f.repaired_by FROM reconcile_findings f WHERE f.run_id = ("
                           "SELECT k.run_id FROM reconcile_checks k WHERE k.organization_id = ?1 AND k.system = ?2 "
                           "AND k.status != 'error' AND k.run_id != ?3 ORDER BY k.checked_ms DESC LIMIT 1) "
                           "AND f.organization_id = ?1 AND f.system = ?2",
                           "ttt", org, sys, run_id);
    int cap = 0;
    while (db_row(st)) {
        if (*n == cap) *out = xrealloc(*out, (size_t)(cap = cap ? cap * 2 : 8) * sizeof **out);
        carried *x = &(*out)[(*n)++];
        x->key = finding_key(db_text(st, 0), db_text(st, 1), db_text(st, 2), db_text(st, 3), db_text(st, 4));
        x->first_seen = db_dup(st, 5);
        x->repair = db_dup(st, 6);
        x->repaired_at = db_dup(st, 7);
        x->repaired_by = db_dup(st, 8);
    }
    return db_done(st);
}

int rcs_record_check(hy_ctx *c, const char *run_id, const rcs_check *k, const rc_finding *f, int nf, hy_err *err)
{
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms(), last = 0;
    const char *sys = hy_sys_name(k->sys);
    /* strictly after the previous check of the same organisation and system:
     * "the latest check" is never a tie, however fast runs follow each other */
    int rc = db_get_int(c->db, err, &last, NULL,
                        "SELECT coalesce(max(checked_ms), 0) FROM reconcile_checks WHERE organization_id = ? AND system = ?",
                        "tt", k->org_id, sys);
    if (rc) return rc;
    if (now_ms <= last) now_ms = last + 1;
    hy_iso_from_ms(now_ms, now);
    rc = db_exec(c->db, err,
                     "INSERT INTO reconcile_checks(run_id, organization_id, system, status, checked_ms, checked_at, "
                     "group_id, members, calls, note) VALUES(?, ?, ?, ?, ?, ?, ?, CASE WHEN ?8 >= 0 THEN ?8 END, ?, ?)",
                     "ttttIttiit", run_id, k->org_id, sys, k->status, now_ms, now, k->group_id, k->members, k->calls,
                     k->note);
    if (rc || nf == 0) return rc;
    carried *prev;
    int np;
    if ((rc = previous(c, run_id, k->org_id, sys, &prev, &np, err))) return rc;
    for (int i = 0; rc == 0 && i < nf; i++) {
        const rc_finding *x = &f[i];
        char *key = finding_key(hy_drift_name(x->kind), x->user_id, x->account_id, x->email, x->group_id);
        const carried *p = NULL;
        for (int j = 0; j < np && !p; j++)
            if (strcmp(prev[j].key, key) == 0) p = &prev[j];
        free(key);
        rc = db_exec(c->db, err,
                     "INSERT INTO reconcile_findings(run_id, organization_id, system, kind, known, user_id, account_id, "
                     "email, name, group_id, membership_id, grant_execution_id, granted_at, detail, first_seen, "
                     "repair, repaired_at, repaired_by) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     "ttttittttttttttttt", run_id, k->org_id, sys, hy_drift_name(x->kind), x->known ? 1 : 0,
                     x->user_id, x->account_id, x->email, x->name, x->group_id, x->membership_id,
                     x->grant_execution_id, x->granted_at, x->detail, p && p->first_seen ? p->first_seen : now,
                     p ? p->repair : NULL, p ? p->repaired_at : NULL, p ? p->repaired_by : NULL);
    }
    carried_free(prev, np);
    return rc;
}

int rcs_run_end(hy_ctx *c, const char *run_id, const char *status, int organizations, int findings, int calls,
                int64_t duration_ms, const char *error, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "UPDATE reconcile_runs SET status = ?, finished_at = ?, organizations = ?, findings = ?, calls = ?, "
                     "duration_ms = ?, error = ? WHERE id = ?",
                     "ttiiiItt", status, now, organizations, findings, calls, duration_ms, error, run_id);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "DELETE FROM reconcile_runs WHERE status != 'running' AND id NOT IN ("
                     "SELECT id FROM reconcile_runs ORDER BY started_ms DESC LIMIT ?1) AND id NOT IN ("
                     "SELECT (SELECT k2.run_id FROM reconcile_checks k2 WHERE k2.organization_id = k.organization_id "
                     "AND k2.system = k.system AND k2.status != 'error' ORDER BY k2.checked_ms DESC LIMIT 1) "
                     "FROM (SELECT DISTINCT organization_id, system FROM reconcile_checks) k)",
                     "i", HY_RECONCILE_KEEP_RUNS);
    return rc;
}

int rcs_mark_repair(hy_ctx *c, int64_t finding_id, const char *repair, const char *by_user, bool *found, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err, "UPDATE reconcile_findings SET repair = ?, repaired_at = ?, repaired_by = ? WHERE id = ?",
                     "tttI", repair, now, by_user, finding_id);
    if (found) *found = rc == 0 && db_changes(c->db) == 1;
    return rc;
}
