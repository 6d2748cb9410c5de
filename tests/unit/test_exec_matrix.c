/* Who may do what with executions (src/authz.c), cell by cell: every
 * registered workflow x every role (admin, support, partner admin of the
 * organisation, partner admin of another, user, expired session) x every
 * action. Each cell acts on an execution of its own, waiting for input
 * (started by the admin for organisation A), so that an allowed action
 * either succeeds or meets the execution's state (CONFLICT: a waiting step
 * is not failed), and a refused one answers NOT_FOUND (what the role may not
 * see) or FORBIDDEN (what it sees but may not do), changing nothing. Then
 * what ops tells the UI (can_* flags) for support on a waiting and a failed
 * execution. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

enum { ADMIN, SUPPORT, PA_OWN, PA_OTHER, USER, EXPIRED, NP };
static const char *PNAMES[NP] = {"admin", "support", "partner admin of the org", "partner admin of another org",
                                 "user", "expired session"};

enum { SEE, START, INPUT, RETRY, CANCEL, SKIP, DONE, RERUN, NA };
static const char *ANAMES[NA] = {"see", "start", "input", "retry", "cancel", "skip", "done", "rerun"};

#define OK 0
#define NF HY_ERR_NOT_FOUND
#define FB HY_ERR_FORBIDDEN
#define CF HY_ERR_CONFLICT
#define AU HY_ERR_AUTH
#define IN_ (-1) /* input: OK, or FORBIDDEN when the waiting step is staff_only */

/* The expected answer: [principal][action], for a workflow partner admins
 * may use and for one they may not. */
static const int USABLE[NP][NA] = {
    /*            see start input retry cancel skip done rerun */
    [ADMIN] = {OK, OK, OK, CF, OK, OK, CF, OK},
    [SUPPORT] = {OK, NF, OK, CF, FB, FB, FB, FB},
    [PA_OWN] = {OK, OK, IN_, CF, OK, FB, FB, FB},
    [PA_OTHER] = {NF, OK, NF, NF, NF, FB, FB, FB}, /* start: their own organisation's */
    [USER] = {NF, NF, NF, NF, NF, FB, FB, FB},
    [EXPIRED] = {AU, AU, AU, AU, AU, AU, AU, AU},
};
static const int STAFF_ONLY_WF[NP][NA] = {
    [ADMIN] = {OK, OK, OK, CF, OK, OK, CF, OK},
    [SUPPORT] = {OK, NF, OK, CF, FB, FB, FB, FB},
    [PA_OWN] = {NF, NF, NF, NF, NF, FB, FB, FB},
    [PA_OTHER] = {NF, NF, NF, NF, NF, FB, FB, FB},
    [USER] = {NF, NF, NF, NF, NF, FB, FB, FB},
    [EXPIRED] = {AU, AU, AU, AU, AU, AU, AU, AU},
};

typedef struct {
    t_env *e;
    hy_principal p[NP];
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN];
} world;

static void build(world *w)
{
    w->e = t_exec_env();
    t_admin(w->e, &w->p[ADMIN]);
    char id[HY_UUID_LEN];
    t_partner(w->e, &w->p[ADMIN], "Acme Corp", "st-acme", w->org_a, id);
    t_partner(w->e, &w->p[ADMIN], "Globex", "st-glx", w->org_b, id);
    t_user(w->e, "help@hyopps.local", "support", NULL, "support-pass-1", id);
    t_user(w->e, "pa@acme.example", "partner_admin", w->org_a, "pa-password-1", id);
    t_user(w->e, "pb@globex.example", "partner_admin", w->org_b, "pb-password-1", id);
    t_user(w->e, "user@acme.example", "user", w->org_a, "user-password-1", id);
    t_login(w->e, "help@hyopps.local", &w->p[SUPPORT]);
    t_login(w->e, "pa@acme.example", &w->p[PA_OWN]);
    t_login(w->e, "pb@globex.example", &w->p[PA_OTHER]);
    t_login(w->e, "user@acme.example", &w->p[USER]);
    t_login(w->e, "admin@hyopps.local", &w->p[EXPIRED]);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(w->e->c->db, &err, "UPDATE sessions SET expires_at = 1 WHERE jti = ?", "t",
                             w->p[EXPIRED].jti), 0);
}

/* A new execution of wf, waiting for input, about organisation A when the
 * workflow takes one. */
static void waiting_execution(world *w, const hy_workflow_def *wf, char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    int rc = ops_exec_start(w->e->c, &w->p[ADMIN], wf->name, "Acme Corp", id, &err);
    if (rc == HY_ERR_INVALID) rc = ops_exec_start(w->e->c, &w->p[ADMIN], wf->name, NULL, id, &err);
    if (rc != 0) fail_msg("%s: cannot start: %s", wf->name, err.msg);
    char *st = t_exec_status(w->e, id);
    if (strcmp(st, "awaiting_input") != 0) fail_msg("%s: starts %s, not waiting for input", wf->name, st);
    free(st);
}

static const hy_step_def *waiting_step(world *w, const hy_workflow_def *wf, const char *id)
{
    char *order = t_text(w->e, "SELECT current_step_order FROM workflow_executions WHERE id = ?", id);
    int k = atoi(order);
    free(order);
    return &wf->steps[k - 1];
}

static int act(world *w, const hy_workflow_def *wf, int who, int action, const char *id, hy_err *err)
{
    const hy_principal *p = &w->p[who];
    hy_ctx *c = w->e->c;
    char step[16];
    snprintf(step, sizeof step, "%d", (int)(waiting_step(w, wf, id) - wf->steps) + 1);
    switch (action) {
    case SEE: {
        hy_exec_detail d;
        int rc = ops_exec_show(c, p, id, &d, err);
        if (rc == 0) hy_exec_detail_free(&d);
        return rc;
    }
    case START: {
        char nid[HY_UUID_LEN];
        return ops_exec_start(c, p, wf->name, NULL, nid, err);
    }
    case INPUT: {
        hy_step_form f;
        int rc = ops_exec_form(c, p, id, &f, err);
        if (rc == 0) hy_step_form_free(&f);
        return rc;
    }
    case RETRY: return ops_exec_retry(c, p, id, err);
    case CANCEL: return ops_exec_cancel(c, p, id, err);
    case SKIP: return ops_exec_skip(c, p, id, step, "matrix", err);
    case DONE: return ops_exec_mark_done(c, p, id, step, "matrix", err);
    case RERUN: return ops_exec_rerun(c, p, id, "1", err);
    }
    return -1;
}

static void every_workflow_role_and_action(void **s)
{
    (void)s;
    world w;
    build(&w);
    const hy_workflow_def *wf;
    int cells = 0, workflows = 0;
    for (int i = 0; (wf = workflow_at(i)); i++, workflows++) {
        const int(*expect)[NA] = wf->partner_admin_may_use ? USABLE : STAFF_ONLY_WF;
        for (int who = 0; who < NP; who++) {
            for (int a = 0; a < NA; a++) {
                char id[HY_UUID_LEN];
                waiting_execution(&w, wf, id);
                int want = expect[who][a];
                if (want == IN_) want = waiting_step(&w, wf, id)->staff_only ? FB : OK;
                int64_t audit = t_count(w.e, "SELECT count(*) FROM audit_log", "");
                int64_t execs = t_count(w.e, "SELECT count(*) FROM workflow_executions", "");
                char *before = t_text(w.e, "SELECT status || current_step_order FROM workflow_executions WHERE id = ?", id);
                hy_err err;
                hy_err_clear(&err);
                int rc = act(&w, wf, who, a, id, &err);
                if (rc != want)
                    fail_msg("%s, %s, %s: expected %s, got %s (%s)", wf->name, PNAMES[who], ANAMES[a],
                             hy_code_name((hy_code)want), hy_code_name((hy_code)rc), err.msg);
                if (rc != 0) { /* refused or not applicable: nothing changed */
                    char *after = t_text(w.e, "SELECT status || current_step_order FROM workflow_executions WHERE id = ?", id);
                    if (strcmp(before, after) != 0 ||
                        t_count(w.e, "SELECT count(*) FROM audit_log", "") != audit ||
                        t_count(w.e, "SELECT count(*) FROM workflow_executions", "") != execs)
                        fail_msg("%s, %s, %s: refused (%s) but changed something", wf->name, PNAMES[who], ANAMES[a],
                                 hy_code_name((hy_code)rc));
                    free(after);
                }
                free(before);
                cells++;
            }
        }
    }
    assert_true(workflows >= 2);
    assert_int_equal(cells, workflows * NP * NA);
    t_assert_counts_consistent(w.e);
    t_env_free(w.e);
}

/* What ops tells a support user's screens: fill in a waiting step, retry a
 * failed one, nothing else; the list and the inbox show everything. */
static void support_flags_list_and_inbox(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    char id[HY_UUID_LEN];
    t_start_user(w.e, &w.p[ADMIN], w.org_a, id);
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(w.e->c, &w.p[SUPPORT], id, &d, &err), 0);
    assert_true(d.can_input);
    assert_false(d.can_retry || d.can_cancel || d.can_skip || d.can_mark_done || d.can_rerun);
    hy_exec_detail_free(&d);
    /* fails at Metabase (no group): support may retry it */
    db_exec(w.e->c->db, &err, "DELETE FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", "t", w.org_a);
    t_submit_ok(w.e, &w.p[SUPPORT], id, "input_user_details", "firstname=Sue", "lastname=Port",
                "email=sue@acme.example", NULL);
    t_drain(w.e);
    char *st = t_exec_status(w.e, id);
    assert_string_equal(st, "failed");
    free(st);
    assert_int_equal(ops_exec_show(w.e->c, &w.p[SUPPORT], id, &d, &err), 0);
    assert_true(d.can_retry);
    assert_false(d.can_input || d.can_cancel || d.can_skip || d.can_mark_done || d.can_rerun);
    hy_exec_detail_free(&d);
    assert_int_equal(ops_exec_retry(w.e->c, &w.p[SUPPORT], id, &err), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'exec.retry' AND actor_email = "
                                  "'help@hyopps.local'", ""), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'exec.input' AND actor_email = "
                                  "'help@hyopps.local'", ""), 1);
    /* every execution, every organisation */
    hy_exec_page pg;
    hy_exec_query q = {0};
    assert_int_equal(ops_exec_list(w.e->c, &w.p[SUPPORT], &q, &pg, &err), 0);
    int64_t all = t_count(w.e, "SELECT count(*) FROM workflow_executions", "");
    assert_int_equal(pg.total, all);
    hy_exec_page_free(&pg);
    char other[HY_UUID_LEN];
    t_start_user(w.e, &w.p[ADMIN], w.org_b, other);
    hy_inbox in;
    assert_int_equal(ops_exec_inbox(w.e->c, &w.p[SUPPORT], 0, &in, &err), 0);
    assert_int_equal(in.count, 1);
    assert_string_equal(in.items[0].execution_id, other);
    hy_inbox_free(&in);
    /* the workflows support may start: none */
    const hy_workflow_def *wfs[8];
    int n = -1;
    assert_int_equal(ops_exec_workflows(w.e->c, &w.p[SUPPORT], wfs, 8, &n, &err), 0);
    assert_int_equal(n, 0);
    t_env_free(w.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_workflow_role_and_action),
        cmocka_unit_test(support_flags_list_and_inbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
