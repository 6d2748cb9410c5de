/* Access revocation in simulate mode (the simulated services keep their
 * state in sim_* tables, so a simulated revocation removes what a
 * simulated onboarding added): revoke_partner_user (what it removes where,
 * the grants it ends, running it again, the last Slack member, onboarding
 * again), who may revoke whom, offboard_partner with its children (the
 * parent waits, a failed child shows on it and a retried one lets it go on,
 * cancelling it cancels them), and scheduled starts (held until their time,
 * cancelled ones never run, rescheduled ones move). */
#include "testlib_exec.h"
#include "testlib_live.h"

#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], np[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->np);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    t_env_free(f->e);
    free(f);
    return 0;
}

/* Onboards email into org, simulated, to completion; returns the user id. */
static char *onboard(fx *f, const char *org, const char *email) { return t_onboard(f->e, &f->admin, org, email); }

/* Starts a revocation of `who` (email or id) as p: 0 or the ops code. */
static int start_revoke(fx *f, const hy_principal *p, const char *who, const char *at, char id[HY_UUID_LEN], hy_err *err)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "user", who);
    cJSON_AddStringToObject(in, "reason", "left the company");
    if (at) cJSON_AddStringToObject(in, "at", at);
    hy_exec_start st = {.workflow = "revoke_partner_user", .input = in};
    hy_err_clear(err);
    int rc = ops_exec_start_ex(f->e->c, p, &st, id, err);
    cJSON_Delete(in);
    return rc;
}

/* Revokes and runs it to its end (the LMS confirmed by the admin). */
static void revoke_done(fx *f, const char *who, char id[HY_UUID_LEN])
{
    hy_err err;
    if (start_revoke(f, &f->admin, who, NULL, id, &err) != 0) fail_msg("revoke %s: %s", who, err.msg);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, "awaiting_input") == 0) t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    free(st);
    t_drain(f->e);
    st = t_exec_status(f->e, id);
    if (strcmp(st, "completed") != 0) {
        char *e = t_text(f->e, "SELECT group_concat(step_order || ':' || status || ':' || coalesce(error, ''), ' | ') "
                               "FROM workflow_step_executions WHERE execution_id = ?", id);
        fail_msg("revocation of %s ended %s: %s", who, st, e);
    }
    free(st);
}

static char *group_of(fx *f, const char *tool) { return t_org_group(f->e, f->org, tool); }

/* "acct1,acct2" of a simulated group's members (their emails, sorted). Caller frees. */
static char *sim_members(fx *f, const char *system, const char *group)
{
    char *sql = xasprintf("SELECT coalesce(group_concat(email, ','), '') FROM (SELECT a.email FROM sim_members m "
                          "JOIN sim_accounts a ON a.system = m.system AND a.account_id = m.account_id "
                          "WHERE m.system = '%s' AND m.group_id = ? ORDER BY a.email)",
                          system);
    char *v = t_text(f->e, sql, group);
    free(sql);
    return v;
}

static int64_t active_grants(fx *f, const char *user)
{
    return t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", user);
}

/* Onboard two, revoke one: the simulated services hold only the other; the
 * revoked user's grants all ended, the other's untouched; the user is
 * offboarded; the requester got one email saying what was removed where. */
static void revoking_one_of_two_removes_only_theirs(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example"), *bob = onboard(f, f->org, "bob@acme.example");
    assert_int_equal(active_grants(f, ann), 4);
    assert_int_equal(active_grants(f, bob), 4);
    char *mb = group_of(f, "metabase"), *slack = group_of(f, "slack");
    char *m = sim_members(f, "metabase", mb);
    assert_string_equal(m, "ann@acme.example,bob@acme.example");
    free(m);
    char id[HY_UUID_LEN];
    revoke_done(f, "ann@acme.example", id);
    m = sim_members(f, "metabase", mb);
    assert_string_equal(m, "bob@acme.example"); /* (a deactivated account is not listed either) */
    free(m);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_accounts WHERE system = 'metabase' AND "
                                   "email = 'ann@acme.example' AND active = 0", ""), 1);
    m = sim_members(f, "slack", slack);
    assert_string_equal(m, "bob@acme.example");
    free(m);
    m = sim_members(f, "teams", "team");
    assert_string_equal(m, "bob@acme.example");
    free(m);
    assert_int_equal(active_grants(f, ann), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_execution_id = ?",
                             "tt", ann, id), 4);
    assert_int_equal(active_grants(f, bob), 4);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE id = ? AND offboarded_at IS NOT NULL", "t", ann), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND revoked_at IS NULL",
                             "t", ann), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND revoked_at IS NULL",
                             "t", bob), 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_mail WHERE mail_to = 'admin@hyopps.local' AND subject = "
                                   "'Access removed: ann@acme.example (Acme Corp)' AND body_text LIKE '%Reason: left the "
                                   "company%' AND body_text LIKE '%Metabase: removed from the group; account deactivated%'",
                             ""), 1);
    /* the audit trail: who asked, why, what each step did */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.input' "
                                   "AND actor_email = 'admin@hyopps.local'", "t", id), 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.complete'",
                             "t", id), 6);
    t_assert_counts_consistent(f->e);
    free(ann);
    free(bob);
    free(mb);
    free(slack);
}

/* A second revocation of the same user, and a re-run of every step of the
 * first, change nothing more and end completed (no second email either). */
static void running_it_again_changes_nothing(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example"), *bob = onboard(f, f->org, "bob@acme.example");
    char id[HY_UUID_LEN], again[HY_UUID_LEN];
    revoke_done(f, "ann@acme.example", id);
    const char *snap = "SELECT (SELECT group_concat(system || group_id || account_id) FROM sim_members) || '/' || "
                       "(SELECT group_concat(system || account_id || active) FROM sim_accounts) || '/' || "
                       "(SELECT group_concat(system || group_id || state) FROM sim_groups)";
    int64_t mails = t_count(f->e, "SELECT count(*) FROM sim_mail", "");
    char *before = t_text(f->e, snap, NULL);
    hy_err err;
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "end_hyopps_access", &err), 0);
    t_drain(f->e);
    t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    revoke_done(f, "ann@acme.example", again); /* an offboarded user by exact email: again */
    char *after = t_text(f->e, snap, NULL);
    assert_string_equal(before, after);
    /* the re-run's email is the first run's (resumed); the second revocation tells the requester once */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_mail", ""), mails + 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order = 8 AND json_extract(output, '$.resumed') = 1", "t", id), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order = 3 AND json_extract(output, '$.metabase_membership_removed') = 0",
                             "t", again), 1);
    assert_int_equal(active_grants(f, bob), 4);
    free(before);
    free(after);
    free(ann);
    free(bob);
}

/* The last member: the Slack group is disabled (and marked); the next
 * onboarding enables it again and it holds only the new member. */
static void the_last_slack_member_disables_and_onboarding_enables(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example");
    char *slack = group_of(f, "slack");
    char id[HY_UUID_LEN];
    revoke_done(f, "ann@acme.example", id);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'slack' AND group_id = ? AND "
                                   "state = 'disabled'", "t", slack), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM system_groups WHERE organization_id = ? AND tool = 'slack' "
                                   "AND disabled_at IS NOT NULL", "t", f->org), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order = 5 AND json_extract(output, '$.slack_group_disabled') = 1", "t", id), 1);
    char *cid = onboard(f, f->org, "cid@acme.example");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'slack' AND group_id = ? AND "
                                   "state = 'active'", "t", slack), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM system_groups WHERE organization_id = ? AND tool = 'slack' "
                                   "AND disabled_at IS NULL", "t", f->org), 1);
    char *m = sim_members(f, "slack", slack);
    assert_string_equal(m, "cid@acme.example");
    free(m);
    /* onboarding the revoked user again works and reactivates them */
    char *again = onboard(f, f->org, "ann@acme.example");
    assert_string_equal(again, ann);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE id = ? AND offboarded_at IS NULL", "t", ann), 1);
    assert_int_equal(active_grants(f, ann), 4);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_accounts WHERE system = 'metabase' AND "
                                   "email = 'ann@acme.example' AND active = 1", ""), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND revoked_at IS NULL "
                                   "AND granted_at IS NOT NULL", "t", ann), 2);
    free(again);
    free(cid);
    free(ann);
    free(slack);
}

/* Partner admins revoke their own organisation's users only: never
 * themselves, never an admin; another organisation's user is "not found".
 * The user loses the role and their sessions. */
static void who_may_revoke_whom(void **state)
{
    fx *f = *state;
    char glx[HY_UUID_LEN], np[HY_UUID_LEN], id[HY_UUID_LEN], uid[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Globex", "st-glx", glx, np);
    char *ann = onboard(f, f->org, "ann@acme.example");
    char *gus = onboard(f, glx, "gus@globex.example");
    t_user(f->e, "pa@acme.example", "partner_admin", f->org, "pa-password-1", uid);
    t_user(f->e, "pa2@acme.example", "partner_admin", f->org, "pa-password-2", uid);
    hy_principal pa, pa2;
    t_login(f->e, "pa@acme.example", &pa);
    t_login(f->e, "pa2@acme.example", &pa2);
    hy_err err;
    int64_t execs = t_count(f->e, "SELECT count(*) FROM workflow_executions", "");
    assert_int_equal(start_revoke(f, &pa, "gus@globex.example", NULL, id, &err), HY_ERR_INVALID);
    assert_string_equal(hy_field_msg(&err, "user"), "no user of this organisation matches 'gus@globex.example' (give their email address)");
    assert_int_equal(start_revoke(f, &pa, gus, NULL, id, &err), HY_ERR_INVALID); /* by id: the same */
    assert_int_equal(start_revoke(f, &pa, "pa@acme.example", NULL, id, &err), HY_ERR_INVALID);
    assert_string_equal(hy_field_msg(&err, "user"), "you cannot revoke your own access: ask a HyOpps administrator");
    assert_int_equal(start_revoke(f, &pa, "admin@hyopps.local", NULL, id, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "user"), "no user of this organisation matches"));
    assert_int_equal(start_revoke(f, &f->admin, "admin@hyopps.local", NULL, id, &err), HY_ERR_INVALID);
    assert_string_equal(hy_field_msg(&err, "user"), "you cannot revoke your own access: ask a HyOpps administrator");
    /* nothing was started by any of these */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions", ""), execs);
    /* their own organisation's: yes, a partner admin too (who loses the role and sessions) */
    assert_int_equal(start_revoke(f, &pa, "ann@acme.example", NULL, id, &err), 0);
    EXPECT_TEXT(f->e, f->org, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "awaiting_input", "SELECT status FROM workflow_executions WHERE id = ?", id);
    /* the LMS step is staff's */
    hy_step_form form;
    assert_int_equal(ops_exec_form(f->e->c, &pa, id, &form, &err), HY_ERR_FORBIDDEN);
    assert_int_equal(start_revoke(f, &pa, "pa2@acme.example", NULL, id, &err), 0);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "user", "SELECT app_role FROM users WHERE email = ?", "pa2@acme.example");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
                                   "u.email = 'pa2@acme.example' AND s.revoked_at IS NULL", ""), 0);
    assert_int_equal(ops_exec_show(f->e->c, &pa2, id, &(hy_exec_detail){0}, &err), HY_ERR_AUTH);
    /* the user pick list: the organisation's active users, not oneself */
    char rid[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &pa, "revoke_partner_user", NULL, rid, &err), 0);
    assert_int_equal(ops_exec_form(f->e->c, &pa, rid, &form, &err), 0);
    assert_string_equal(form.fields[0].def->name, "user");
    bool self = false, other_org = false;
    for (int i = 0; i < form.fields[0].nchoices; i++) {
        self |= strstr(form.fields[0].choices[i].label, "pa@acme.example") != NULL;
        other_org |= strstr(form.fields[0].choices[i].label, "globex") != NULL;
    }
    assert_false(self);
    assert_false(other_org);
    hy_step_form_free(&form);
    free(ann);
    free(gus);
}

/* Offboarding with three users: one revocation per user as children, the
 * parent waits for them (a failed one shows on it; retried, the parent goes
 * on), then the groups are closed and the organisation is offboarded. */
static int fail_teams_once(const char *wf, const char *step, int attempt, hy_err *err, void *ud)
{
    int *left = ud;
    if (strcmp(wf, "revoke_partner_user") == 0 && strcmp(step, "remove_from_teams") == 0 && attempt == 1 && *left > 0) {
        (*left)--;
        return hy_fail(err, HY_ERR_PERMANENT, "Teams said no (test)");
    }
    return 0;
}

static void offboarding_waits_for_every_revocation(void **state)
{
    fx *f = *state;
    char *u[3] = {onboard(f, f->org, "ann@acme.example"), onboard(f, f->org, "bob@acme.example"),
                  onboard(f, f->org, "cid@acme.example")};
    char *mb = group_of(f, "metabase"), *slack = group_of(f, "slack"), *teams = group_of(f, "teams");
    hy_err err;
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "offboard_partner", "Acme Corp", id, &err), 0);
    /* the form shows what will happen */
    hy_step_form form;
    assert_int_equal(ops_exec_form(f->e->c, &f->admin, id, &form, &err), 0);
    assert_string_equal(form.info[1].value, "3 (ann@acme.example, bob@acme.example, cid@acme.example)");
    assert_non_null(strstr(form.info[2].value, mb));
    assert_string_equal(form.fields[0].default_value, f->org);
    hy_step_form_free(&form);
    int left = 1;
    engine_test_set_fault(fail_teams_once, &left);
    t_submit_ok(f->e, &f->admin, id, "confirm_offboarding", "reason=contract ended", NULL);
    t_drain(f->e);
    engine_test_set_fault(NULL, NULL);
    /* three children, two completed, one failed: the parent waits, saying so */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ?", "t", id), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ? AND status = 'completed'",
                             "t", id), 2);
    char *failed = t_text(f->e, "SELECT id FROM workflow_executions WHERE child_of = ? AND status = 'failed'", id);
    EXPECT_TEXT(f->e, "running", "SELECT status FROM workflow_executions WHERE id = ?", id);
    EXPECT_TEXT(f->e, "waiting", "SELECT status FROM workflow_step_executions WHERE execution_id = ? AND step_order = 2", id);
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 2", id);
    assert_non_null(strstr(e, "1 of 3 child executions failed"));
    assert_non_null(strstr(e, "at remove_from_teams: Teams said no (test)"));
    free(e);
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, id, &d, &err), 0);
    assert_int_equal(d.nchildren, 3);
    int nfailed = 0;
    for (int i = 0; i < d.nchildren; i++) nfailed += hy_streq(d.children[i].status, "failed");
    assert_int_equal(nfailed, 1);
    hy_exec_detail_free(&d);
    /* fixed and retried, the child completes and the parent goes on */
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, failed, &err), 0);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "completed", "SELECT status FROM workflow_executions WHERE id = ?", failed);
    EXPECT_TEXT(f->e, "awaiting_input", "SELECT status FROM workflow_executions WHERE id = ?", id);
    EXPECT_TEXT(f->e, "6", "SELECT current_step_order FROM workflow_executions WHERE id = ?", id);
    t_submit_ok(f->e, &f->admin, id, "keycloak_removal", "keycloak_removed=yes", NULL);
    t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    EXPECT_TEXT(f->e, "completed", "SELECT status FROM workflow_executions WHERE id = ?", id);
    /* the groups are closed, in the simulated services */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'slack' AND group_id = ? AND "
                                   "state = 'disabled'", "t", slack), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'teams' AND group_id = ? AND "
                                   "state = 'archived'", "t", teams), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'metabase' AND kind = 'group' AND "
                                   "group_id = ? AND state = 'deleted' AND data_access = 0", "t", mb), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'metabase' AND kind = 'collection' "
                                   "AND state = 'archived'", ""), 1);
    /* every user offboarded, every grant ended, the organisation offboarded and read-only */
    for (int i = 0; i < 3; i++) assert_int_equal(active_grants(f, u[i]), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE organization_id = ? AND offboarded_at IS NULL", "t",
                             f->org), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM organizations WHERE id = ? AND offboarded_at IS NOT NULL", "t",
                             f->org), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM system_groups WHERE organization_id = ? AND archived_at IS NULL",
                             "t", f->org), 0);
    /* no LMS form per person: the offboarding's own step covers it; no email per person */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions s JOIN workflow_executions e ON "
                                   "e.id = s.execution_id WHERE e.child_of = ? AND s.step_order = 7 AND s.status = 'skipped'",
                             "t", id), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_mail WHERE subject LIKE 'Access removed%'", ""), 0);
    hy_org_update up = {.name = "Acme Renamed"};
    assert_int_equal(ops_org_update(f->e->c, &f->admin, f->org, &up, &err), HY_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "was offboarded on"));
    /* out of the pick lists and new requests */
    char nu[HY_UUID_LEN];
    int src = ops_exec_start(f->e->c, &f->admin, "new_partner_user", "Acme Corp", nu, &err);
    if (src != HY_ERR_INVALID) fail_msg("%d %s", src, err.msg);
    hy_org_list ol;
    assert_int_equal(ops_org_list(f->e->c, &f->admin, "Acme", &ol, &err), 0);
    assert_int_equal(ol.count, 1);
    assert_non_null(ol.items[0].offboarded_at);
    assert_int_equal(ol.items[0].nusers, 0);
    hy_org_list_free(&ol);
    t_assert_counts_consistent(f->e);
    for (int i = 0; i < 3; i++) free(u[i]);
    free(failed);
    free(mb);
    free(slack);
    free(teams);
}

/* Cancelling an offboarding cancels its unfinished revocations; a
 * cancelled child of a running one fails the waiting step, and its retry
 * starts that person's revocation again. */
static void cancelling_and_cancelled_children(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example"), *bob = onboard(f, f->org, "bob@acme.example");
    hy_err err;
    char id[HY_UUID_LEN];
    /* children that wait (runners are not run): queued, not started */
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "offboard_partner", "Acme Corp", id, &err), 0);
    t_submit_ok(f->e, &f->admin, id, "confirm_offboarding", "reason=contract ended", NULL);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ?", "t", id), 2);
    char *one = t_text(f->e, "SELECT id FROM workflow_executions WHERE child_of = ? ORDER BY created_at LIMIT 1", id);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, one, &err), 0);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "failed", "SELECT status FROM workflow_executions WHERE id = ?", id);
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 2", id);
    assert_non_null(strstr(e, "1 of its 2 child executions was cancelled"));
    free(e);
    /* the retry starts a new one for that person and keeps the completed one */
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ?", "t", id), 3);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "awaiting_input", "SELECT status FROM workflow_executions WHERE id = ?", id);
    assert_int_equal(active_grants(f, ann) + active_grants(f, bob), 0);

    /* another organisation's offboarding cancelled while its children wait */
    char glx[HY_UUID_LEN], np[HY_UUID_LEN], gid[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Globex", "st-glx", glx, np);
    char *gus = onboard(f, glx, "gus@globex.example");
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "offboard_partner", "Globex", gid, &err), 0);
    t_submit_ok(f->e, &f->admin, gid, "confirm_offboarding", "reason=merger", NULL);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, gid, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ? AND status = 'cancelled'",
                             "t", gid), 1);
    t_drain(f->e);
    assert_int_equal(active_grants(f, gus), 4);
    t_assert_counts_consistent(f->e);
    free(one);
    free(ann);
    free(bob);
    free(gus);
}

/* A revocation for later is scheduled: nothing runs before its time, then
 * it does; one cancelled before its time never runs; one rescheduled
 * moves; a scheduled start through `exec start --at` too. */
static void scheduled_revocations(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example"), *bob = onboard(f, f->org, "bob@acme.example");
    hy_err err;
    char later[HY_UUID_LEN], never[HY_UUID_LEN];
    assert_int_equal(start_revoke(f, &f->admin, "ann@acme.example", "+2h", later, &err), 0);
    assert_int_equal(start_revoke(f, &f->admin, "bob@acme.example", "+1h", never, &err), 0);
    EXPECT_TEXT(f->e, "scheduled", "SELECT status FROM workflow_executions WHERE id = ?", later);
    EXPECT_TEXT(f->e, "2", "SELECT current_step_order FROM workflow_executions WHERE id = ?", later);
    hy_exec_page pg;
    hy_exec_query q = {.status = "scheduled"};
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 2);
    assert_int_equal(pg.counts[HY_EXEC_SCHEDULED], 2);
    assert_non_null(pg.items[0].scheduled_for);
    hy_exec_page_free(&pg);
    t_drain(f->e);
    assert_int_equal(active_grants(f, ann), 4);
    /* actions that would start it early are refused; cancel and reschedule are not */
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, later, "2", "no", &err), HY_ERR_CONFLICT);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, later, "1", &err), HY_ERR_CONFLICT);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, never, &err), 0);
    assert_int_equal(ops_exec_reschedule(f->e->c, &f->admin, later, "yesterday", &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "at"));
    assert_int_equal(ops_exec_reschedule(f->e->c, &f->admin, never, "+1h", &err), HY_ERR_CONFLICT);
    assert_int_equal(ops_exec_reschedule(f->e->c, &f->admin, later, "+3h", &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.reschedule'",
                             "t", later), 1);
    t_clock_forward(2 * 3600 * 1000 + 60000); /* past the first time, not the new one */
    t_drain(f->e);
    EXPECT_TEXT(f->e, "scheduled", "SELECT status FROM workflow_executions WHERE id = ?", later);
    t_clock_forward(3600 * 1000);
    t_drain(f->e);
    EXPECT_TEXT(f->e, "awaiting_input", "SELECT status FROM workflow_executions WHERE id = ?", later);
    assert_int_equal(active_grants(f, ann), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.scheduled_start'",
                             "t", later), 1);
    /* the cancelled one never ran */
    EXPECT_TEXT(f->e, "cancelled", "SELECT status FROM workflow_executions WHERE id = ?", never);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order > 1 AND status != 'cancelled'", "t", never), 0);
    assert_int_equal(active_grants(f, bob), 4);
    /* exec start --at: held before its first step */
    char held[HY_UUID_LEN];
    hy_exec_start st = {.workflow = "new_partner_user", .org_ref = "Acme Corp", .at = "+1d"};
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &st, held, &err), 0);
    EXPECT_TEXT(f->e, "scheduled", "SELECT status FROM workflow_executions WHERE id = ?", held);
    EXPECT_TEXT(f->e, "2", "SELECT current_step_order FROM workflow_executions WHERE id = ?", held);
    st.at = "next tuesday";
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &st, held, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "at"), "is not a date/time"));
    t_clock_forward(-(3 * 3600 * 1000 + 60000));
    t_assert_counts_consistent(f->e);
    free(ann);
    free(bob);
}

/* The new forms with hostile and huge input: refused with a field error
 * naming what is wrong (escapes shown escaped), nothing started; SQL and
 * LIKE wildcards are text. */
static void hostile_input_in_the_new_forms(void **state)
{
    fx *f = *state;
    char *ann = onboard(f, f->org, "ann@acme.example");
    hy_err err;
    char id[HY_UUID_LEN];
    int64_t execs = t_count(f->e, "SELECT count(*) FROM workflow_executions", "");
    const char *who[] = {"%", "_%@%", "' OR 1=1 --", "ann@acme.example' --", "\x1b[2Jann", ""};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        assert_int_equal(start_revoke(f, &f->admin, who[i], NULL, id, &err), HY_ERR_INVALID);
        const char *m = hy_field_msg(&err, "user");
        assert_non_null(m);
        assert_null(strchr(m, '\x1b'));
    }
    char *huge = xmalloc(10001);
    memset(huge, 'x', 10000);
    huge[10000] = '\0';
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "user", "ann@acme.example");
    cJSON_AddStringToObject(in, "reason", huge);
    cJSON_AddStringToObject(in, "at", "\x1b]0;pwned\x07");
    hy_exec_start st = {.workflow = "revoke_partner_user", .input = in};
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &st, id, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "reason"), "must be at most 500 bytes"));
    assert_non_null(hy_field_msg(&err, "at"));
    assert_null(strchr(hy_field_msg(&err, "at"), '\x1b'));
    cJSON_Delete(in);
    /* the offboarding's organisation: the same */
    in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "organization_id", "%");
    cJSON_AddStringToObject(in, "reason", "x");
    hy_exec_start off = {.workflow = "offboard_partner", .input = in};
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &off, id, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "organization_id"));
    cJSON_Delete(in);
    /* a start time too far off the format, and a huge one */
    hy_exec_start at = {.workflow = "new_partner_user", .org_ref = "Acme Corp", .at = huge};
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &at, id, &err), HY_ERR_INVALID);
    assert_true(strlen(hy_field_msg(&err, "at")) < 300);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions", ""), execs);
    /* SQL in a reason is kept as text */
    in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "user", "ann@acme.example");
    cJSON_AddStringToObject(in, "reason", "'); DROP TABLE users; --");
    hy_exec_start ok = {.workflow = "revoke_partner_user", .input = in};
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &ok, id, &err), 0);
    cJSON_Delete(in);
    EXPECT_TEXT(f->e, "'); DROP TABLE users; --",
                "SELECT json_extract(manual_input, '$.reason') FROM workflow_step_executions WHERE execution_id = ? "
                "AND step_order = 1", id);
    free(huge);
    free(ann);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(revoking_one_of_two_removes_only_theirs, setup, teardown),
        cmocka_unit_test_setup_teardown(running_it_again_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_last_slack_member_disables_and_onboarding_enables, setup, teardown),
        cmocka_unit_test_setup_teardown(who_may_revoke_whom, setup, teardown),
        cmocka_unit_test_setup_teardown(offboarding_waits_for_every_revocation, setup, teardown),
        cmocka_unit_test_setup_teardown(cancelling_and_cancelled_children, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduled_revocations, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_input_in_the_new_forms, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
