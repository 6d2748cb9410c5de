/* Reconciliation on the simulated integrations (the embedded default's):
 * the simulated services' state (sim_* tables) changed by hand as a person
 * would in the real consoles, then what a run reports, what the repairs do,
 * who may see and do what, and what is kept from run to run. */
#include "testlib_exec.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "choices.h"
#include "list_lock.h"
#include "ops.h"
#include "reconcile.h"
#include "reconcile_int.h"
#include "svc.h"
#include "util.h"
#include "workflows.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], np[HY_UUID_LEN];
    char *users[3];
} fx;

static void sql(fx *f, const char *q)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec_script(f->e->c->db, q, &err) != 0) fail_msg("%s: %s", q, err.msg);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->np);
    const char *emails[] = {"ann@acme.test", "bob@acme.test", "cy@acme.test"};
    for (int i = 0; i < 3; i++) f->users[i] = t_onboard(f->e, &f->admin, f->org, emails[i]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 3; i++) free(f->users[i]);
    t_env_free(f->e);
    free(f);
    return 0;
}

/* A run as p; returns its code, stats freed. */
static int run_as(fx *f, const hy_principal *p, const char *org, unsigned systems, hy_reconcile_stats *keep)
{
    hy_err err;
    hy_err_clear(&err);
    hy_reconcile_req req = {.org_ref = org, .systems = systems};
    hy_reconcile_stats st;
    int rc = ops_reconcile(f->e->c, p, &req, &st, &err);
    if (keep) *keep = st;
    else hy_reconcile_stats_free(&st);
    return rc;
}

static void run_ok(fx *f)
{
    assert_int_equal(run_as(f, &f->admin, NULL, 0, NULL), 0);
}

static hy_finding_list drift(fx *f, const hy_principal *p, const char *org)
{
    hy_err err;
    hy_err_clear(&err);
    hy_finding_list l;
    hy_drift_query q = {.org_ref = org};
    if (ops_access_drift(f->e->c, p, &q, &l, &err) != 0) fail_msg("drift: %s", err.msg);
    return l;
}

/* The finding of this system, kind and email (or account) in l, or NULL. */
static const hy_finding *find(const hy_finding_list *l, int sys, int kind, const char *who)
{
    for (int i = 0; i < l->count; i++) {
        const hy_finding *x = &l->items[i];
        if (x->sys == sys && x->kind == kind &&
            (!who || hy_streq(x->email, who) || hy_streq(x->account_id, who)))
            return x;
    }
    return NULL;
}

static char *slack_account(fx *f, const char *email)
{
    char *q = xasprintf("SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id JOIN users u "
                        "ON u.id = g.user_id WHERE r.name = 'Slack' AND u.email = '%s'",
                        email);
    char *v = t_text(f->e, q, NULL);
    free(q);
    return v;
}

/* A hand removal from the Slack group and a stranger added to the Metabase group. */
static void drift_by_hand(fx *f)
{
    char *acc = slack_account(f, "bob@acme.test"), *mb = t_org_group(f->e, f->org, "metabase");
    char *q = xasprintf("DELETE FROM sim_members WHERE system = 'slack' AND account_id = '%s';"
                        "INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) "
                        "VALUES('metabase', '9001', 'stranger@else.test', 'Stran Ger', 1, '2024-01-01');"
                        "INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) "
                        "VALUES('metabase', '%s', '9001', 'x', '2024-01-01');",
                        acc, mb);
    sql(f, q);
    free(q);
    free(acc);
    free(mb);
}

static int64_t sim_count(fx *f, const char *system, const char *group)
{
    return t_count(f->e, "SELECT count(*) FROM sim_members WHERE system = ? AND group_id = ?", "tt", system, group);
}

/* ---- the embedded default's simulated services ---- */

static void exactly_the_hand_changes_then_repaired(void **state)
{
    fx *f = *state;
    hy_reconcile_stats st;
    assert_int_equal(run_as(f, &f->admin, NULL, 0, &st), 0);
    assert_int_equal(st.findings, 0);
    assert_int_equal(st.organizations, 1);
    assert_int_equal(st.systems_read, HY_SYS_ALL);
    assert_false(st.incomplete);
    hy_reconcile_stats_free(&st);

    drift_by_hand(f);
    assert_int_equal(run_as(f, &f->admin, NULL, 0, &st), 0);
    assert_int_equal(st.findings, 2);
    assert_int_equal(st.by_kind[HY_DRIFT_MISSING], 1);
    assert_int_equal(st.by_kind[HY_DRIFT_UNEXPECTED], 1);
    hy_reconcile_stats_free(&st);
    hy_finding_list l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 2);
    const hy_finding *miss = find(&l, HY_SYS_SLACK, HY_DRIFT_MISSING, "bob@acme.test");
    const hy_finding *str = find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "stranger@else.test");
    assert_non_null(miss);
    assert_non_null(str);
    assert_false(str->known);
    assert_string_equal(str->account_id, "9001");
    assert_string_equal(miss->user_id, f->users[1]);
    /* which execution granted it: bob's onboarding */
    char *granted_by = t_text(f->e, "SELECT id FROM workflow_executions WHERE user_id = ? AND "
                                    "workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = "
                                    "'new_partner_user')",
                              f->users[1]);
    assert_string_equal(miss->grant_execution_id, granted_by);
    free(granted_by);
    int64_t ids[2] = {miss->id, str->id};
    char *remove_text = hy_repair_describe(str, HY_REPAIR_REMOVE);
    assert_non_null(strstr(remove_text, "Remove Metabase account 9001 (stranger@else.test) from group"));
    free(remove_text);
    hy_finding_list_free(&l);

    hy_err err;
    hy_err_clear(&err);
    hy_repair_result res;
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, ids, 2, HY_REPAIR_DEFAULT, NULL, &res, &err), 0);
    assert_int_equal(res.done, 2);
    assert_int_equal(res.failed, 0);
    assert_non_null(res.v[0].execution_id); /* the regrant's repair_access */
    char *st_exec = t_exec_status(f->e, res.v[0].execution_id);
    assert_string_equal(st_exec, "completed"); /* simulated: run at once */
    free(st_exec);
    /* only the Slack step ran; the others were skipped, granting nothing */
    EXPECT_TEXT(f->e, "skipped,skipped,completed",
                "SELECT group_concat(status, ',') FROM (SELECT status FROM workflow_step_executions "
                "WHERE execution_id = ? AND step_order >= 3 ORDER BY step_order)",
                res.v[0].execution_id);
    EXPECT_TEXT(f->e, "repair_access", "SELECT d.name FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                "JOIN workflow_executions e ON e.id = g.execution_id JOIN workflow_definitions d ON "
                "d.id = e.workflow_definition_id WHERE r.name = 'Slack' AND g.user_id = ?",
                f->users[1]);
    hy_repair_result_free(&res);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE action IN ('access.repair', 'access.remove')", ""), 2);

    assert_int_equal(run_as(f, &f->admin, NULL, 0, &st), 0);
    assert_int_equal(st.findings, 0);
    hy_reconcile_stats_free(&st);
    /* the simulated services hold exactly the three */
    char *sl = t_org_group(f->e, f->org, "slack"), *mb = t_org_group(f->e, f->org, "metabase");
    assert_int_equal(sim_count(f, "slack", sl), 3);
    assert_int_equal(sim_count(f, "metabase", mb), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '9001'", ""), 0);
    free(sl);
    free(mb);
}

static void every_kind(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    /* ann's Metabase account deactivated: absent from the group's list, not removed */
    char *ann_mb = t_text(f->e, "SELECT CAST(metabase_user_id AS TEXT) FROM users WHERE id = ?", f->users[0]);
    char *q = xasprintf("UPDATE sim_accounts SET active = 0 WHERE system = 'metabase' AND account_id = '%s'", ann_mb);
    sql(f, q);
    free(q);
    /* bob's Teams grant revoked, still in the team */
    sql(f, "UPDATE access_grants SET revoked_at = '2024-02-02T10:00:00Z' WHERE resource_id = (SELECT id FROM "
           "resources WHERE name = 'Microsoft Teams') AND user_id = (SELECT id FROM users WHERE email = 'bob@acme.test')");
    /* a HyOpps user of Acme without a grant, added to the Slack group by hand */
    char dan[HY_UUID_LEN];
    t_user(f->e, "dan@acme.test", "user", f->org, "pass-dan-1", dan);
    char *sl = t_org_group(f->e, f->org, "slack");
    q = xasprintf("INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('slack', "
                  "'U0DAN', 'dan@acme.test', 'Dan', 1, 'x'); INSERT INTO access_grants(id, user_id, resource_id, "
                  "permission, granted_at, granted_how, account_id, organization_id, revoked_at) SELECT 'g-dan', '%s', "
                  "id, 'read', '2024-01-01', 'auto', 'U0DAN', '%s', '2024-01-05' FROM resources WHERE name = 'Slack';"
                  "INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES('slack', '%s', "
                  "'U0DAN', 'x', 'x'); INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) "
                  "VALUES('slack', '%s', 'U0NOBODY', 'y', 'y'); INSERT INTO sim_accounts(system, account_id, email, "
                  "name, active, created_at) VALUES('slack', 'U0NOBODY', 'nobody@else.test', 'N', 1, 'x');",
                  dan, f->org, sl, sl);
    sql(f, q);
    free(q);
    /* a stranger and an administrator in the shared team */
    sql(f, "INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('teams', 'T-X', "
           "'x@elsewhere.test', 'X', 1, 'x'), ('teams', 'T-ADMIN', 'admin@hyopps.local', 'Admin', 1, 'x');"
           "INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES('teams', 'team', 'T-X', "
           "'m', 'x'), ('teams', 'team', 'T-ADMIN', 'n', 'x');");
    run_ok(f);
    hy_finding_list l = drift(f, &f->admin, NULL);
    const hy_finding *x = find(&l, HY_SYS_METABASE, HY_DRIFT_MISSING, "ann@acme.test");
    assert_non_null(x);
    assert_string_equal(x->detail, "the Metabase account is deactivated");
    x = find(&l, HY_SYS_TEAMS, HY_DRIFT_REVOKED, "bob@acme.test");
    assert_non_null(x);
    assert_non_null(strstr(x->detail, "access revoked 2024-02-02"));
    assert_string_equal(x->organization_id, f->org);
    x = find(&l, HY_SYS_SLACK, HY_DRIFT_REVOKED, "dan@acme.test"); /* mapped through the grant's account id */
    assert_non_null(x);
    x = find(&l, HY_SYS_SLACK, HY_DRIFT_UNEXPECTED, "U0NOBODY");
    assert_non_null(x);
    assert_false(x->known);
    x = find(&l, HY_SYS_TEAMS, HY_DRIFT_UNEXPECTED, "x@elsewhere.test");
    assert_non_null(x);
    assert_string_equal(x->organization_id, ""); /* the shared team: once, for no organisation */
    assert_null(x->organization_name);
    assert_null(find(&l, HY_SYS_TEAMS, HY_DRIFT_UNEXPECTED, "admin@hyopps.local")); /* staff belong in the team */
    assert_int_equal(l.count, 5);
    hy_finding_list_free(&l);
    /* one organisation only: the team's strangers are not its business */
    hy_reconcile_stats st;
    assert_int_equal(run_as(f, &f->admin, "Acme Corp", 0, &st), 0);
    assert_int_equal(st.findings, 4);
    hy_reconcile_stats_free(&st);

    /* a disabled Slack group gives its grantees nothing: each is missing */
    q = xasprintf("UPDATE sim_groups SET state = 'disabled' WHERE system = 'slack' AND group_id = '%s'", sl);
    sql(f, q);
    free(q);
    assert_int_equal(run_as(f, &f->admin, NULL, HY_SYS_ALL & ~(1u << HY_SYS_METABASE), NULL), 0);
    l = drift(f, &f->admin, NULL);
    int disabled = 0;
    for (int i = 0; i < l.count; i++)
        if (l.items[i].sys == HY_SYS_SLACK) {
            assert_int_equal(l.items[i].kind, HY_DRIFT_MISSING);
            assert_non_null(strstr(l.items[i].detail, "disabled"));
            disabled++;
        }
    assert_int_equal(disabled, 3);
    /* the Metabase findings of the earlier run still stand (that run did not read Metabase) */
    assert_non_null(find(&l, HY_SYS_METABASE, HY_DRIFT_MISSING, "ann@acme.test"));
    hy_finding_list_free(&l);
    free(sl);
    free(ann_mb);
}

static void since_is_kept_and_runs_are_pruned(void **state)
{
    fx *f = *state;
    drift_by_hand(f);
    run_ok(f);
    hy_finding_list l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 2);
    sql(f, "UPDATE reconcile_findings SET first_seen = '2020-01-01T00:00:00.000Z'");
    hy_finding_list_free(&l);
    /* another organisation, checked once */
    char other[HY_UUID_LEN], np2[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Initech", "st-ini", other, np2);
    run_ok(f);
    l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 2);
    for (int i = 0; i < l.count; i++) assert_string_equal(l.items[i].first_seen, "2020-01-01T00:00:00.000Z");
    hy_finding_list_free(&l);
    for (int i = 0; i < 31; i++) assert_int_equal(run_as(f, &f->admin, "Acme Corp", 0, NULL), 0);
    /* the newest 30, and the one that still holds Initech's latest check */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs", ""), 31);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs WHERE scope_org_id IS NULL", ""), 1);
    l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[0].first_seen, "2020-01-01T00:00:00.000Z");
    hy_finding_list_free(&l);
    hy_access_status as;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_access_org_status(f->e->c, &f->admin, "Initech", &as, &err), 0);
    assert_int_equal(as.drift, 0);
    assert_non_null(as.last_check);
    hy_access_status_free(&as);
    assert_int_equal(ops_access_org_status(f->e->c, &f->admin, "Acme Corp", &as, &err), 0);
    assert_int_equal(as.drift, 2);
    assert_false(as.last_failed);
    hy_access_status_free(&as);
}

/* ---- who may see and do what ---- */

static void scoped_and_admin_only(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char other[HY_UUID_LEN], np2[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Initech", "st-ini", other, np2);
    char *peter = t_onboard(f->e, &f->admin, other, "peter@initech.test");
    free(peter);
    /* drift in both organisations */
    drift_by_hand(f);
    sql(f, "DELETE FROM sim_members WHERE system = 'slack' AND account_id = (SELECT g.account_id FROM access_grants g "
           "JOIN users u ON u.id = g.user_id JOIN resources r ON r.id = g.resource_id WHERE r.name = 'Slack' AND "
           "u.email = 'peter@initech.test')");
    t_user(f->e, "pa@acme.test", "partner_admin", f->org, "partner-pass-1", id);
    t_user(f->e, "sup@hyopps.test", "support", NULL, "support-pass-1", id);
    hy_principal pa, sup;
    t_login(f->e, "pa@acme.test", &pa);
    t_login(f->e, "sup@hyopps.test", &sup);
    /* running one: admins and support, not partner admins */
    assert_int_equal(run_as(f, &pa, NULL, 0, NULL), HY_ERR_FORBIDDEN);
    assert_int_equal(run_as(f, &sup, NULL, 0, NULL), 0);
    hy_finding_list l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 3);
    hy_finding_list_free(&l);
    /* the partner admin sees their organisation's only */
    l = drift(f, &pa, NULL);
    assert_int_equal(l.count, 2);
    for (int i = 0; i < l.count; i++) assert_string_equal(l.items[i].organization_id, f->org);
    int64_t acme_id = l.items[0].id;
    hy_finding_list_free(&l);
    hy_drift_query q = {.org_ref = "Initech"};
    assert_int_equal(ops_access_drift(f->e->c, &pa, &q, &l, &err), HY_ERR_NOT_FOUND);
    hy_access_matrix m;
    assert_int_equal(ops_access_matrix(f->e->c, &pa, "Initech", &m, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_access_matrix(f->e->c, &pa, "Acme Corp", &m, &err), 0);
    assert_int_equal(m.drift, 2);
    int strangers = 0, bob_missing = 0;
    for (int i = 0; i < m.nrows; i++) {
        if (!m.rows[i].user_id && m.rows[i].cell[HY_SYS_METABASE] == HY_CELL_UNEXPECTED) strangers++;
        if (hy_streq(m.rows[i].email, "bob@acme.test") && m.rows[i].cell[HY_SYS_SLACK] == HY_CELL_MISSING &&
            m.rows[i].cell[HY_SYS_METABASE] == HY_CELL_OK)
            bob_missing++;
    }
    assert_int_equal(strangers, 1);
    assert_int_equal(bob_missing, 1);
    hy_access_matrix_free(&m);
    hy_access_user au;
    assert_int_equal(ops_access_user(f->e->c, &pa, "peter@initech.test", &au, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_access_user(f->e->c, &pa, "bob@acme.test", &au, &err), 0);
    assert_string_equal(au.lines[HY_SYS_SLACK].seen, "not there");
    assert_string_equal(au.lines[HY_SYS_METABASE].seen, "present");
    hy_access_user_free(&au);
    /* a finding of another organisation is not found for them */
    l = drift(f, &f->admin, "Initech");
    hy_finding fnd;
    assert_int_equal(ops_access_finding(f->e->c, &pa, l.items[0].id, &fnd, &err), HY_ERR_NOT_FOUND);
    int64_t initech_id = l.items[0].id;
    hy_finding_list_free(&l);
    /* repairs: administrators only */
    hy_repair_result res;
    assert_int_equal(ops_access_repair(f->e->c, &pa, &acme_id, 1, HY_REPAIR_DEFAULT, NULL, &res, &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_access_repair(f->e->c, &sup, &initech_id, 1, HY_REPAIR_DEFAULT, NULL, &res, &err),
                     HY_ERR_FORBIDDEN);
    assert_false(ops_can(&sup, HY_CAP_REPAIR));
    assert_true(ops_can(&sup, HY_CAP_RECONCILE));
    assert_false(ops_can(&pa, HY_CAP_RECONCILE));
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_findings WHERE repaired_at IS NOT NULL", ""), 0);
}

/* ---- the repairs of a known person, and of a group ---- */

static void known_person_adopt_revoke_and_groups(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    /* dan, a user of Acme, in the Metabase group by hand; eve too */
    char dan[HY_UUID_LEN], eve[HY_UUID_LEN];
    t_user(f->e, "dan@acme.test", "user", f->org, "pass-dan-1", dan);
    t_user(f->e, "eve@acme.test", "user", f->org, "pass-eve-1", eve);
    char *mb = t_org_group(f->e, f->org, "metabase");
    char *q = xasprintf("INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES"
                        "('metabase', '7001', 'dan@acme.test', 'Dan', 1, 'x'), ('metabase', '7002', 'eve@acme.test', "
                        "'Eve', 1, 'x'); INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) "
                        "VALUES('metabase', '%s', '7001', 'a', 'x'), ('metabase', '%s', '7002', 'b', 'x');"
                        "UPDATE system_groups SET external_id = 'slack-grp-abc1234', placeholder = 1 WHERE "
                        "organization_id = '%s' AND tool = 'slack';",
                        mb, mb, f->org);
    sql(f, q);
    free(q);
    run_ok(f);
    hy_finding_list l = drift(f, &f->admin, NULL);
    const hy_finding *d = find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "dan@acme.test");
    const hy_finding *e = find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "eve@acme.test");
    const hy_finding *g = find(&l, HY_SYS_SLACK, HY_DRIFT_UNKNOWN_GROUP, NULL);
    assert_non_null(d);
    assert_non_null(e);
    assert_non_null(g);
    assert_true(d->known);
    assert_string_equal(d->user_id, dan);
    assert_non_null(strstr(g->detail, "slack-grp-abc1234 is a placeholder id the original app made up"));
    assert_non_null(strstr(g->detail, "hyopps orgs edit ORG --slack-group ID"));
    assert_int_equal(hy_repair_choices(d), (1u << HY_REPAIR_REMOVE) | (1u << HY_REPAIR_REVOKE) | (1u << HY_REPAIR_ADOPT));
    assert_int_equal(hy_repair_choices(g), 0u);
    int64_t ids[3] = {d->id, e->id, g->id};
    hy_finding_list_free(&l);

    /* a known person needs a choice; a group its id */
    hy_repair_result res;
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, ids, 3, HY_REPAIR_DEFAULT, NULL, &res, &err), 0);
    assert_int_equal(res.failed, 3);
    assert_non_null(strstr(res.v[0].message, "choose revoke, adopt or remove"));
    assert_non_null(strstr(res.v[2].message, "hyopps orgs edit 'Acme Corp' --slack-group ID"));
    hy_repair_result_free(&res);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_findings WHERE repaired_at IS NOT NULL", ""), 0);

    /* adopt dan: a grant "adopted", accepted by the admin */
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, &ids[0], 1, HY_REPAIR_ADOPT, "agreed with Acme", &res, &err), 0);
    assert_int_equal(res.done, 1);
    hy_repair_result_free(&res);
    EXPECT_TEXT(f->e, "adopted|was given by hand, accepted by admin@hyopps.local: agreed with Acme|7001",
                "SELECT g.granted_how || '|' || g.note || '|' || g.account_id FROM access_grants g JOIN resources r "
                "ON r.id = g.resource_id WHERE r.name = 'Metabase' AND g.user_id = ?",
                dan);
    /* the same finding again: already repaired */
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, &ids[0], 1, HY_REPAIR_ADOPT, NULL, &res, &err), 0);
    assert_int_equal(res.failed, 1);
    assert_non_null(strstr(res.v[0].message, "already repaired (adopted"));
    hy_repair_result_free(&res);

    /* eve's revocation (issue 12's revoke_partner_user) started, its form filled in */
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, &ids[1], 1, HY_REPAIR_REVOKE, NULL, &res, &err), 0);
    assert_int_equal(res.done, 1);
    assert_non_null(res.v[0].execution_id);
    EXPECT_TEXT(f->e, eve, "SELECT user_id FROM workflow_executions WHERE id = ?", res.v[0].execution_id);
    EXPECT_TEXT(f->e, "completed", "SELECT status FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1",
                res.v[0].execution_id);
    hy_repair_result_free(&res);

    /* the next run, once the revocation ran: dan adopted and eve removed (no drift) */
    t_drain(f->e);
    run_ok(f);
    l = drift(f, &f->admin, NULL);
    assert_null(find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "dan@acme.test"));
    assert_null(find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "eve@acme.test"));
    hy_finding_list_free(&l);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '7002'",
                             ""),
                     0);
    free(mb);
}

/* A person of another organisation in this one's group: adopting would move
 * their one grant per system away from their own organisation; refused. */
static void adopt_keeps_a_grant_of_another_organisation(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char ini[HY_UUID_LEN], np[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Initech", "st-ini", ini, np);
    char *pete = t_onboard(f->e, &f->admin, ini, "pete@initech.test");
    char *acct = t_text(f->e, "SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                              "WHERE r.name = 'Metabase' AND g.user_id = ?", pete);
    char *mb = t_org_group(f->e, f->org, "metabase");
    char *q = xasprintf("INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) "
                        "VALUES('metabase', '%s', '%s', 'p', 'x')", mb, acct);
    sql(f, q);
    free(q);
    run_ok(f);
    hy_finding_list l = drift(f, &f->admin, NULL);
    const hy_finding *p = find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "pete@initech.test");
    assert_non_null(p);
    assert_string_equal(p->organization_id, f->org);
    int64_t id = p->id;
    hy_finding_list_free(&l);
    hy_repair_result res;
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, &id, 1, HY_REPAIR_ADOPT, NULL, &res, &err), 0);
    assert_int_equal(res.failed, 1);
    assert_non_null(strstr(res.v[0].message, "holds Metabase access through Initech already"));
    hy_repair_result_free(&res);
    EXPECT_TEXT(f->e, "auto", "SELECT g.granted_how FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                              "WHERE r.name = 'Metabase' AND g.organization_id = ? AND g.revoked_at IS NULL", ini);
    /* removing him from Acme's group is the repair; Initech's stays */
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, &id, 1, HY_REPAIR_REMOVE, NULL, &res, &err), 0);
    assert_int_equal(res.done, 1);
    hy_repair_result_free(&res);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = ?", "t",
                             acct),
                     1);
    run_ok(f);
    l = drift(f, &f->admin, NULL);
    assert_int_equal(l.count, 0);
    hy_finding_list_free(&l);
    free(mb);
    free(acct);
    free(pete);
}

static void one_run_at_a_time(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(list_lock_acquire(f->e->c->db, HY_RECONCILE_LEASE, "another-worker", 60000, 0, NULL, &err), 0);
    assert_int_equal(run_as(f, &f->admin, NULL, 0, NULL), HY_ERR_CONFLICT);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs", ""), 0);
    list_lock_release(f->e->c->db, HY_RECONCILE_LEASE, "another-worker");
    run_ok(f);
    /* periodic: due now (never run), then every_hours after the last full run */
    hy_config *cfg = (hy_config *)f->e->c->cfg;
    cfg->reconcile.every_hours = 2;
    int64_t due;
    assert_int_equal(reconcile_next_due(f->e->c, &due, &err), 0);
    int64_t started = t_count(f->e, "SELECT started_ms FROM reconcile_runs", "");
    assert_true(due == started + 2 * 3600 * 1000);
    hy_principal sys;
    principal_system(&sys);
    hy_reconcile_opts o = {.actor = &sys, .by_label = "worker test", .owner = "w1", .only_if_due = true};
    hy_reconcile_stats st;
    assert_int_equal(reconcile_run(f->e->c, &o, &st, &err), 0);
    assert_true(st.not_due); /* a worker that looked before another's run does nothing */
    hy_reconcile_stats_free(&st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs", ""), 1);
    cfg->reconcile.every_hours = 0;
    assert_int_equal(reconcile_next_due(f->e->c, &due, &err), 0);
    assert_true(due == -1);
    /* a run left "running" by a process that died is closed by the next one */
    sql(f, "UPDATE reconcile_runs SET status = 'running'");
    run_ok(f);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs WHERE status = 'failed'", ""), 1);
}

/* The worker's thread: a run as soon as one is due, then nothing until the next. */
static void the_worker_thread(void **state)
{
    fx *f = *state;
    hy_config *cfg = (hy_config *)f->e->c->cfg;
    cfg->reconcile.every_hours = 24;
    hy_err err;
    hy_err_clear(&err);
    hy_reconciler *r = NULL;
    assert_int_equal(reconciler_start(f->e->app, "test-worker", &r, &err), 0);
    assert_non_null(r);
    for (int i = 0; i < 500 && t_count(f->e, "SELECT count(*) FROM reconcile_runs WHERE status = 'completed'", "") == 0; i++)
        usleep(10000);
    reconciler_stop(r);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs", ""), 1);
    EXPECT_TEXT(f->e, "worker test-worker", "SELECT started_by_label FROM reconcile_runs", NULL);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM reconcile_runs WHERE started_by IS NULL", ""), 1);
    cfg->reconcile.every_hours = 0;
    assert_int_equal(reconciler_start(f->e->app, "test-worker", &r, &err), 0);
    assert_null(r); /* 0: never */
}

/* ---- the comparison on its own ---- */

static void matching_rules(void **state)
{
    (void)state;
    rc_person people[2] = {{.user_id = "u-staff", .email = "ops@co.test", .staff = true},
                           {.user_id = "u-b", .email = "b@x.test", .org_id = "o2", .metabase_id = "55"}};
    rc_index ix = {.sys = HY_SYS_METABASE, .p = people, .np = 2};
    ix.g = xcalloc(3, sizeof *ix.g);
    ix.g[0] = (rc_grant){.user_id = xstrdup("u-a"), .email = xstrdup("a@x.test"), .org_id = xstrdup("o1"),
                         .account_id = xstrdup("11"), .execution_id = xstrdup("e-a")};
    ix.g[1] = (rc_grant){.user_id = xstrdup("u-c"), .email = xstrdup("c@x.test"), .org_id = xstrdup("o2"),
                         .account_id = xstrdup("33")};
    ix.g[2] = (rc_grant){.user_id = xstrdup("u-d"), .email = xstrdup("d@x.test"), .org_id = xstrdup("o1")};
    ix.ng = 3;
    rc_index_build(&ix);
    hy_member_list m = {0};
    hy_member_add(&m, "99", "A@X.TEST", "A", "m1");   /* a's grant by email, whatever the case */
    hy_member_add(&m, "33", "", "", "");              /* c: granted through another organisation */
    hy_member_add(&m, "55", "", "", "");              /* b: a HyOpps user by Metabase id, no grant */
    hy_member_add(&m, "77", "z@x.test", "Z", "");      /* nobody HyOpps knows */
    rc_findings out = {0};
    rc_match_group(&ix, "o1", "10", &m, &out);
    assert_int_equal(out.n, 3);
    assert_int_equal(out.v[0].kind, HY_DRIFT_UNEXPECTED);
    assert_string_equal(out.v[0].user_id, "u-c");
    assert_string_equal(out.v[0].detail, "granted through another organisation, not this one");
    assert_string_equal(out.v[1].user_id, "u-b");
    assert_true(out.v[1].known);
    assert_null(out.v[2].user_id);
    assert_false(out.v[2].known);
    assert_int_equal(rc_unmatched(&ix, "o1"), 1); /* d */
    hy_member_list deact = {0};
    hy_member_add(&deact, "44", "d@x.test", "D", "");
    rc_missing(&ix, "o1", "10", &deact, NULL, &out, NULL);
    assert_int_equal(out.n, 4);
    assert_string_equal(out.v[3].user_id, "u-d");
    assert_string_equal(out.v[3].detail, "the Metabase account is deactivated");
    rc_findings_free(&out);
    hy_member_list_free(&m);
    hy_member_list_free(&deact);
    /* Slack: ids only; a grant without one is not compared (counted) */
    ix.sys = HY_SYS_SLACK;
    for (int i = 0; i < 3; i++) ix.g[i].matched = false;
    int unchecked = 0;
    rc_missing(&ix, "o1", "S1", NULL, NULL, &out, &unchecked);
    assert_int_equal(out.n, 1);
    assert_int_equal(unchecked, 1);
    rc_findings_free(&out);
    /* Teams: owners skipped */
    ix.sys = HY_SYS_TEAMS;
    hy_member_add(&m, "T1", "q@x.test", "Q", "");
    m.v[0].owner = true;
    rc_match_team(&ix, &m, &out);
    assert_int_equal(out.n, 0);
    rc_findings_free(&out);
    hy_member_list_free(&m);
    rc_index_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matching_rules),
        cmocka_unit_test_setup_teardown(exactly_the_hand_changes_then_repaired, setup, teardown),
        cmocka_unit_test_setup_teardown(every_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(since_is_kept_and_runs_are_pruned, setup, teardown),
        cmocka_unit_test_setup_teardown(scoped_and_admin_only, setup, teardown),
        cmocka_unit_test_setup_teardown(known_person_adopt_revoke_and_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(adopt_keeps_a_grant_of_another_organisation, setup, teardown),
        cmocka_unit_test_setup_teardown(one_run_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(the_worker_thread, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
