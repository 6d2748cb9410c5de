/* Operator actions (retry, skip, done by hand, re-run, cancel, inbox, id
 * prefixes) and who may do what: admin, partner admin of the organisation,
 * partner admin of another, a user-role principal, an expired session. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin, pa, pb, user, expired;
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN];
    char np_a[HY_UUID_LEN], np_b[HY_UUID_LEN];   /* completed new_partner runs */
    char npu_a[HY_UUID_LEN], npu_b[HY_UUID_LEN]; /* new_partner_user waiting at step 2 */
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org_a, f->np_a);
    t_partner(f->e, &f->admin, "Globex", "st-glx", f->org_b, f->np_b);
    char id[HY_UUID_LEN];
    t_user(f->e, "pa@acme.example", "partner_admin", f->org_a, "pa-password-1", id);
    t_user(f->e, "pb@globex.example", "partner_admin", f->org_b, "pb-password-1", id);
    t_user(f->e, "user@acme.example", "user", f->org_a, "user-password-1", id);
    t_login(f->e, "pa@acme.example", &f->pa);
    t_login(f->e, "pb@globex.example", &f->pb);
    t_login(f->e, "user@acme.example", &f->user);
    t_login(f->e, "admin@hyopps.local", &f->expired);
    hy_err err;
    hy_err_clear(&err);
    db_exec(f->e->c->db, &err, "UPDATE sessions SET expires_at = 1 WHERE jti = ?", "t", f->expired.jti);
    t_start_user(f->e, &f->admin, f->org_a, f->npu_a);
    t_start_user(f->e, &f->admin, f->org_b, f->npu_b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    t_assert_counts_consistent(f->e);
    t_env_free(f->e);
    free(f);
    return 0;
}

static int64_t audits(fx *f, const char *action, const char *id)
{
    return t_count(f->e, "SELECT count(*) FROM audit_log WHERE action = ? AND target_id = ?", "tt", action, id);
}

static void expect_status(fx *f, const char *id, const char *status)
{
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, status) != 0) fail_msg("execution %.8s is %s, expected %s", id, st, status);
    free(st);
}

static void list_and_show_scoping(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_exec_page pg;
    hy_exec_query q = {0};
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 4);
    assert_int_equal(pg.total, 4);
    hy_exec_page_free(&pg);
    /* a partner admin sees only their organisation's new_partner_user runs */
    assert_int_equal(ops_exec_list(f->e->c, &f->pa, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].id, f->npu_a);
    assert_int_equal(pg.total, 1);
    assert_int_equal(pg.counts[HY_EXEC_AWAITING_INPUT], 1);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 0); /* not the org's new_partner */
    hy_exec_page_free(&pg);
    q.org_ref = "Globex"; /* asking for another organisation */
    assert_int_equal(ops_exec_list(f->e->c, &f->pa, &q, &pg, &err), HY_ERR_NOT_FOUND);
    q.org_ref = NULL;
    q.search = "globex";
    assert_int_equal(ops_exec_list(f->e->c, &f->pa, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 0);
    hy_exec_page_free(&pg);
    assert_int_equal(ops_exec_list(f->e->c, &f->user, &q, &pg, &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_exec_list(f->e->c, &f->expired, &q, &pg, &err), HY_ERR_AUTH);

    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, f->npu_a, &d, &err), 0);
    assert_true(d.can_input && d.can_cancel && !d.can_skip && !d.can_rerun);
    hy_exec_detail_free(&d);
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, f->np_a, &d, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, f->npu_b, &d, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_show(f->e->c, &f->pb, f->npu_a, &d, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_show(f->e->c, &f->user, f->npu_a, &d, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_show(f->e->c, &f->expired, f->npu_a, &d, &err), HY_ERR_AUTH);
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, f->npu_b, &d, &err), 0);
    assert_true(d.can_skip && d.can_rerun);
    hy_exec_detail_free(&d);
    /* the "not found" of another org's id reads exactly like a missing one */
    hy_err missing;
    hy_err_clear(&missing);
    ops_exec_show(f->e->c, &f->pa, "ffffffff-ffff-4fff-bfff-ffffffffffff", &d, &missing);
    char other[HY_UUID_LEN];
    hy_strlcpy(other, f->npu_b, sizeof other);
    ops_exec_show(f->e->c, &f->pa, other, &d, &err);
    assert_int_equal(err.code, missing.code);
    assert_non_null(strstr(err.msg, "no execution matches"));
    assert_non_null(strstr(missing.msg, "no execution matches"));
}

static void start_and_fill_scoping(void **state)
{
    fx *f = *state;
    hy_err err;
    char id[HY_UUID_LEN];
    /* partner admins: new_partner_user only, always their own organisation */
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner", NULL, id, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", "Globex", id, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, id, &err), 0);
    char *org = t_text(f->e, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    assert_string_equal(org, f->org_a);
    free(org);
    expect_status(f, id, "awaiting_input");
    char *st = t_step_status(f->e, id, 1);
    assert_string_equal(st, "completed"); /* select_organization filled in for them */
    free(st);
    /* the form offers their organisation's Studio companies only */
    hy_step_form form;
    assert_int_equal(ops_exec_form(f->e->c, &f->pa, id, &form, &err), 0);
    assert_int_equal(form.fields[6].nchoices, 2);
    assert_non_null(strstr(form.fields[6].choices[0].value, "st-acme"));
    hy_step_form_free(&form);
    assert_int_equal(ops_exec_form(f->e->c, &f->pa, f->npu_b, &form, &err), HY_ERR_NOT_FOUND);
    t_submit_ok(f->e, &f->pa, id, "input_user_details", "firstname=New", "lastname=Hire", "email=new@acme.example",
                NULL);
    assert_int_equal(t_submit(f->e, &f->pa, f->npu_b, "input_user_details", &err, "firstname=X", NULL), HY_ERR_NOT_FOUND);
    assert_int_equal(t_submit(f->e, &f->user, f->npu_a, "input_user_details", &err, "firstname=X", NULL),
                     HY_ERR_NOT_FOUND);
    assert_int_equal(t_submit(f->e, &f->expired, f->npu_a, "input_user_details", &err, "firstname=X", NULL), HY_ERR_AUTH);
    assert_int_equal(ops_exec_start(f->e->c, &f->user, "new_partner_user", NULL, id, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_start(f->e->c, &f->expired, "new_partner_user", NULL, id, &err), HY_ERR_AUTH);
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", "Acme Corp", id, &err), HY_ERR_INVALID);
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "no_such_flow", NULL, id, &err), HY_ERR_NOT_FOUND);
    /* the workflows each may start */
    const hy_workflow_def *wfs[8];
    int n;
    assert_int_equal(ops_exec_workflows(f->e->c, &f->pa, wfs, 8, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(wfs[0]->name, "new_partner_user");
    assert_string_equal(wfs[1]->name, "revoke_partner_user");
    assert_int_equal(ops_exec_workflows(f->e->c, &f->admin, wfs, 8, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_string_equal(wfs[3]->name, "offboard_partner");
    assert_string_equal(wfs[4]->name, "repair_access");
}

/* Makes new_partner_user of org A fail at add_user_to_metabase_group. */
static void fail_metabase_step(fx *f, const hy_principal *p, const char *id)
{
    hy_err err;
    hy_err_clear(&err);
    db_exec(f->e->c->db, &err, "DELETE FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", "t",
            f->org_a);
    t_submit_ok(f->e, p, id, "input_user_details", "firstname=Fay", "lastname=Lure", "email=fay@acme.example", NULL);
    t_drain(f->e);
    expect_status(f, id, "failed");
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 4", id);
    /* the organisation, the missing group, and both ways out (issue 10, item 7) */
    char *want = xasprintf("No Metabase group configured for this organisation (\"Acme Corp\"). Set its id with "
                           "`hyopps orgs edit \"Acme Corp\" --metabase-group ID`, or create it by re-running its "
                           "new_partner execution from create_metabase_group: `hyopps exec rerun %s --from "
                           "create_metabase_group`; then retry this step",
                           f->np_a);
    assert_string_equal(e, want);
    free(want);
    free(e);
}

static void retry_by_partner_admin(void **state)
{
    fx *f = *state;
    hy_err err;
    fail_metabase_step(f, &f->admin, f->npu_a);
    assert_int_equal(ops_exec_retry(f->e->c, &f->pb, f->npu_a, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_retry(f->e->c, &f->user, f->npu_a, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_retry(f->e->c, &f->expired, f->npu_a, &err), HY_ERR_AUTH);
    /* still no group: fails again at once (permanent), one more attempt logged */
    assert_int_equal(ops_exec_retry(f->e->c, &f->pa, f->npu_a, &err), 0);
    t_drain(f->e);
    expect_status(f, f->npu_a, "failed");
    /* fixed: the retry completes */
    db_exec(f->e->c->db, &err,
            "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id) VALUES('g1', ?, "
            "'metabase', 'ext-acme-corp', '42')",
            "t", f->org_a);
    assert_int_equal(ops_exec_retry(f->e->c, &f->pa, f->npu_a, &err), 0);
    assert_int_equal(ops_exec_retry(f->e->c, &f->pa, f->npu_a, &err), HY_ERR_CONFLICT); /* not failed any more */
    t_drain(f->e);
    expect_status(f, f->npu_a, "completed");
    char *gid = t_text(f->e, "SELECT json_extract(output, '$.metabase_group_id') FROM workflow_step_executions "
                             "WHERE execution_id = ? AND step_order = 4",
                       f->npu_a);
    assert_string_equal(gid, "42");
    free(gid);
    assert_int_equal(audits(f, "exec.retry", f->npu_a), 2);
    assert_int_equal(audits(f, "exec.step.fail", f->npu_a), 2);
    assert_int_equal(t_count(f->e, "SELECT json_array_length(attempt_log) FROM workflow_step_executions WHERE "
                                   "execution_id = ? AND step_order = 4",
                             "t", f->npu_a),
                     3);
}

static void skip_and_done_by_hand(void **state)
{
    fx *f = *state;
    hy_err err;
    fail_metabase_step(f, &f->admin, f->npu_a);
    /* partner admins may not; a reason is required */
    assert_int_equal(ops_exec_skip(f->e->c, &f->pa, f->npu_a, "4", "no Metabase", &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_exec_mark_done(f->e->c, &f->pa, f->npu_a, "4", "did it", &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_exec_skip(f->e->c, &f->user, f->npu_a, "4", "x", &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_exec_skip(f->e->c, &f->expired, f->npu_a, "4", "x", &err), HY_ERR_AUTH);
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, f->npu_a, "4", "  ", &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "reason"));
    assert_int_equal(ops_exec_mark_done(f->e->c, &f->admin, f->npu_a, "3", "x", &err), HY_ERR_CONFLICT);
    /* done by hand: the step shows it, and by whom */
    assert_int_equal(ops_exec_mark_done(f->e->c, &f->admin, f->npu_a, "add_user_to_metabase_group",
                                        "added in the Metabase UI", &err),
                     0);
    t_drain(f->e);
    expect_status(f, f->npu_a, "completed");
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, f->npu_a, &d, &err), 0);
    assert_true(d.steps[3].completed_manually);
    assert_string_equal(d.steps[3].note, "added in the Metabase UI");
    assert_string_equal(d.steps[3].completed_by_email, "admin@hyopps.local");
    assert_string_equal(d.steps[3].status, "completed");
    hy_exec_detail_free(&d);
    assert_int_equal(audits(f, "exec.done_by_hand", f->npu_a), 1);
    /* the access it gave is recorded as given by hand, with the note */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                                   "WHERE g.execution_id = ? AND r.name = 'Metabase' AND g.granted_how = 'by_hand' "
                                   "AND g.note = 'done by hand: added in the Metabase UI' AND g.revoked_at IS NULL",
                             "t", f->npu_a),
                     1);

    /* skip: a failing step of another run, with its reason */
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, id);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", "firstname=Sam", "lastname=Kip", "email=sam@acme.example",
                NULL);
    t_drain(f->e);
    expect_status(f, id, "failed");
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, id, "4", "partner has no Metabase", &err), 0);
    t_drain(f->e);
    expect_status(f, id, "completed");
    char *note = t_text(f->e, "SELECT status || '|' || note FROM workflow_step_executions WHERE execution_id = ? "
                              "AND step_order = 4",
                        id);
    assert_string_equal(note, "skipped|partner has no Metabase");
    free(note);
    /* a skipped step grants nothing: Studio, Teams and Slack, no Metabase */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                                   "WHERE g.execution_id = ? AND r.name = 'Metabase'",
                             "t", id),
                     0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE execution_id = ?", "t", id), 3);
    hy_user who;
    char *uid = t_text(f->e, "SELECT user_id FROM workflow_executions WHERE id = ?", id);
    assert_int_equal(ops_user_show(f->e->c, &f->admin, uid, &who, &err), 0);
    assert_int_equal(who.grants.count, 3);
    assert_int_equal(who.access.n, 3);
    assert_false(hy_strlist_has(&who.access, "Metabase"));
    assert_true(hy_strlist_has(&who.access, "Slack"));
    hy_user_free(&who);
    free(uid);
    assert_int_equal(audits(f, "exec.skip", id), 1);
    /* a future step can be skipped ahead; a done one cannot */
    char id2[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_b, id2);
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, id2, "1", "x", &err), HY_ERR_CONFLICT);
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, id2, "share_documentation", "sent by hand", &err), 0);
    t_submit_ok(f->e, &f->admin, id2, "2", "firstname=A", "lastname=B", "email=ab@globex.example", NULL);
    t_drain(f->e);
    expect_status(f, id2, "completed");
    char *st = t_step_status(f->e, id2, 9);
    assert_string_equal(st, "skipped");
    free(st);
}

static void rerun_and_cancel(void **state)
{
    fx *f = *state;
    hy_err err;
    /* the reset is seen between the re-run and a runner */
    f->e->app->cfg->engine.inline_local_steps = false;
    t_submit_ok(f->e, &f->admin, f->npu_a, "2", "firstname=Re", "lastname=Run", "email=rerun@acme.example", NULL);
    t_drain(f->e);
    expect_status(f, f->npu_a, "completed");
    char *user = t_text(f->e, "SELECT user_id FROM workflow_executions WHERE id = ?", f->npu_a);
    char *mb = t_text(f->e, "SELECT metabase_user_id FROM users WHERE id = ?", user);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->pa, f->npu_a, "3", &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->npu_a, "12", &err), HY_ERR_INVALID);
    /* refused while a step is running under a live lease */
    db_exec(f->e->c->db, &err,
            "UPDATE workflow_step_executions SET status = 'running', lease_owner = 'elsewhere:1:1', "
            "lease_expires_at = ? WHERE execution_id = ? AND step_order = 9",
            "It", hy_now_ms() + 60000, f->npu_a);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->npu_a, "3", &err), HY_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "running"));
    db_exec(f->e->c->db, &err,
            "UPDATE workflow_step_executions SET status = 'completed', lease_owner = NULL, lease_expires_at = NULL "
            "WHERE execution_id = ? AND step_order = 9",
            "t", f->npu_a);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->npu_a, "add_user_to_studio_companies", &err), 0);
    expect_status(f, f->npu_a, "pending");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order >= 3 AND status = 'pending' AND output IS NULL",
                             "t", f->npu_a),
                     7);
    t_drain(f->e);
    expect_status(f, f->npu_a, "completed");
    /* find-or-create: nothing doubled, the Metabase user was found again */
    char *mb2 = t_text(f->e, "SELECT metabase_user_id FROM users WHERE id = ?", user);
    assert_string_equal(mb, mb2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_companies WHERE user_id = ?", "t", user), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ?", "t", user), 4);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order = 4 AND json_extract(output, '$.metabase_user_existed') = 1",
                             "t", f->npu_a),
                     1);
    assert_int_equal(audits(f, "exec.rerun", f->npu_a), 1);
    free(mb);
    free(mb2);
    free(user);
    /* re-run from a step not reached yet */
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->npu_b, "5", &err), HY_ERR_CONFLICT);

    /* cancel: partner admin of the org yes, another no */
    assert_int_equal(ops_exec_cancel(f->e->c, &f->pa, f->npu_b, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->pa, f->np_a, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->user, f->npu_b, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->expired, f->npu_b, &err), HY_ERR_AUTH);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->pb, f->npu_b, &err), 0);
    expect_status(f, f->npu_b, "cancelled");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "status = 'cancelled'",
                             "t", f->npu_b),
                     8);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, f->npu_b, &err), HY_ERR_CONFLICT);
    assert_int_equal(t_submit(f->e, &f->admin, f->npu_b, "2", &err, "firstname=X", NULL), HY_ERR_CONFLICT);
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, f->npu_b, &err), HY_ERR_CONFLICT);
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, f->npu_b, &d, &err), 0);
    assert_string_equal(d.cancelled_by_email, "pb@globex.example");
    assert_false(d.can_cancel);
    hy_exec_detail_free(&d);
    assert_int_equal(audits(f, "exec.cancel", f->npu_b), 1);
}

static void inbox_and_prefixes(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    /* the B run has waited longer */
    db_exec(f->e->c->db, &err,
            "UPDATE workflow_step_executions SET started_at = '2020-01-01T00:00:00.000Z' WHERE execution_id = ? "
            "AND step_order = 2",
            "t", f->npu_b);
    hy_inbox in;
    assert_int_equal(ops_exec_inbox(f->e->c, &f->admin, 0, &in, &err), 0);
    assert_int_equal(in.count, 2);
    assert_string_equal(in.items[0].execution_id, f->npu_b);
    assert_true(in.items[0].age_s > 86400);
    assert_string_equal(in.items[0].step_name, "input_user_details");
    assert_string_equal(in.items[0].organization_name, "Globex");
    hy_inbox_free(&in);
    assert_int_equal(ops_exec_inbox(f->e->c, &f->pa, 0, &in, &err), 0);
    assert_int_equal(in.count, 1);
    assert_string_equal(in.items[0].execution_id, f->npu_a);
    hy_inbox_free(&in);
    assert_int_equal(ops_exec_inbox(f->e->c, &f->user, 0, &in, &err), HY_ERR_FORBIDDEN);

    /* ids by unique prefix; an ambiguous one lists the candidates */
    char twin[HY_UUID_LEN];
    hy_strlcpy(twin, f->npu_a, sizeof twin);
    memcpy(twin + 9, "ffff", 4);
    if (strcmp(twin, f->npu_a) == 0) memcpy(twin + 9, "eeee", 4);
    db_exec(f->e->c->db, &err,
            "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, status, current_step_order, "
            "created_at) SELECT ?, workflow_definition_id, ?, 'completed', 9, created_at FROM workflow_executions "
            "WHERE id = ?",
            "ttt", twin, f->org_b, f->npu_a);
    t_recount(f->e);
    char id[HY_UUID_LEN], prefix[9];
    hy_strlcpy(prefix, f->npu_a, sizeof prefix);
    assert_int_equal(ops_exec_resolve(f->e->c, &f->admin, prefix, id, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "ambiguous"));
    assert_non_null(strstr(err.msg, prefix));
    char longer[14];
    hy_strlcpy(longer, f->npu_a, sizeof longer);
    assert_int_equal(ops_exec_resolve(f->e->c, &f->admin, longer, id, &err), 0);
    assert_string_equal(id, f->npu_a);
    /* the partner admin does not see the other org's twin: unique for them */
    assert_int_equal(ops_exec_resolve(f->e->c, &f->pa, prefix, id, &err), 0);
    assert_string_equal(id, f->npu_a);
    assert_int_equal(ops_exec_resolve(f->e->c, &f->admin, "abc", id, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "at least 4"));
    assert_int_equal(ops_exec_resolve(f->e->c, &f->admin, "zzzz", id, &err), HY_ERR_NOT_FOUND);
    char upper[HY_UUID_LEN];
    for (int i = 0; f->npu_b[i]; i++) upper[i] = (char)toupper((unsigned char)f->npu_b[i]);
    upper[36] = '\0';
    assert_int_equal(ops_exec_resolve(f->e->c, &f->admin, upper, id, &err), 0);
    assert_string_equal(id, f->npu_b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(list_and_show_scoping, setup, teardown),
        cmocka_unit_test_setup_teardown(start_and_fill_scoping, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_by_partner_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(skip_and_done_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(rerun_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(inbox_and_prefixes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
