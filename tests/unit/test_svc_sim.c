/* The simulated integrations (svc.h) keep their state in tables, so that
 * simulate mode agrees with itself: what a simulated workflow did is what
 * the Metabase panel shows, and what the removal and listing operations of
 * the interfaces see and change. */
#include "testlib_exec.h"

#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "svc.h"
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

/* Onboards email into Acme, simulated, to completion; returns the user id. */
static char *onboard_user(fx *f, const char *email) { return t_onboard(f->e, &f->admin, f->org, email); }

static char *org_group(fx *f, const char *tool) { return t_org_group(f->e, f->org, tool); }

/* The simulated new_partner made the groups it recorded, in the simulated services. */
static void new_partner_creates_the_groups_it_records(void **state)
{
    fx *f = *state;
    char *mb = org_group(f, "metabase"), *teams = org_group(f, "teams"), *slack = org_group(f, "slack");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'metabase' AND kind = 'group' "
                                    "AND group_id = ? AND name = 'ext-acme-corp' AND data_access = 1",
                             "t", mb),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'teams' AND kind = 'channel' "
                                    "AND group_id = ?",
                             "t", teams),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'slack' AND group_id = ? "
                                    "AND name = 'ext-acme-corp' AND state = 'active'",
                             "t", slack),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE system = 'metabase' AND kind = 'collection' "
                                    "AND name = 'Acme Corp'",
                             ""),
                     1);
    /* a second new_partner run of the same organisation finds them again (find-or-create) */
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->np, "clone_metabase_collection", &err), 0);
    t_drain(f->e);
    t_submit_ok(f->e, &f->admin, f->np, "lms_setup", "lms_confirmed=yes", NULL);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups", ""), 4);
    char *mb2 = org_group(f, "metabase");
    assert_string_equal(mb, mb2);
    free(mb);
    free(mb2);
    free(teams);
    free(slack);
}

/* What a simulated onboarding did, the Metabase panel shows (it did not before). */
static void the_panel_shows_what_a_simulated_workflow_did(void **state)
{
    fx *f = *state;
    char *user = onboard_user(f, "jane@acme.example");
    char *mb = org_group(f, "metabase");
    hy_mb_user v;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_metabase_user(f->e->c, &f->admin, user, &v, &err), 0);
    assert_true(v.has_metabase_id);
    assert_int_equal(v.groups.n, 1);
    assert_int_equal(v.groups.items[0].id, strtol(mb, NULL, 10));
    assert_string_equal(v.groups.items[0].name, "ext-acme-corp");
    hy_mb_user_free(&v);
    /* and the Slack group and the team hold the person; the email was "received" */
    char *slack = org_group(f, "slack");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members m JOIN sim_accounts a ON a.system = m.system "
                                    "AND a.account_id = m.account_id WHERE m.system = 'slack' AND m.group_id = ? "
                                    "AND a.email = 'jane@acme.example'",
                             "t", slack),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members m JOIN sim_accounts a ON a.system = m.system "
                                    "AND a.account_id = m.account_id WHERE m.system = 'teams' "
                                    "AND a.email = 'jane@acme.example'",
                             ""),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_mail WHERE mail_to = 'jane@acme.example'", ""), 1);
    /* the grant's account id is the simulated service's */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                                    "JOIN sim_accounts a ON a.system = 'slack' AND a.account_id = g.account_id "
                                    "WHERE g.user_id = ? AND r.name = 'Slack'",
                             "t", user),
                     1);
    /* onboarding the same person again changes nothing at the services and sends no second email */
    char id2[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id2);
    t_submit_ok(f->e, &f->admin, id2, "input_user_details", "firstname=Jane", "lastname=Doe",
                "email=jane@acme.example", NULL);
    t_drain(f->e);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_accounts WHERE email = 'jane@acme.example'", ""), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_members", ""), 3);
    EXPECT_TEXT(f->e, "1", "SELECT json_extract(output, '$.metabase_user_existed') FROM workflow_step_executions "
                           "WHERE execution_id = ? AND step_order = 4",
                id2);
    free(user);
    free(mb);
    free(slack);
}

/* The removal and listing operations see and change the same state. */
static void removal_and_listing_agree_with_onboarding(void **state)
{
    fx *f = *state;
    char *u1 = onboard_user(f, "jane@acme.example");
    char *u2 = onboard_user(f, "max@acme.example");
    free(u1);
    free(u2);
    char *mbg = org_group(f, "metabase"), *slack = org_group(f, "slack");
    long gid = strtol(mbg, NULL, 10);
    hy_svc s = {.c = f->e->c, .owner = "test", .lock_wait_ms = -1};
    const hy_metabase_api *mb = svc_metabase(HY_MODE_SIMULATE);
    const hy_slack_api *sl = svc_slack(HY_MODE_SIMULATE);
    const hy_teams_api *tm = svc_teams(HY_MODE_SIMULATE);
    assert_string_equal(mb->backend, "simulated");
    assert_null(svc_metabase(HY_MODE_OFF));
    assert_string_equal(svc_metabase(HY_MODE_LIVE)->backend, "live");
    hy_err err;
    hy_err_clear(&err);

    hy_member_list m;
    bool missing = true;
    assert_int_equal(mb->group_members(&s, gid, &m, &missing, &err), 0);
    assert_false(missing);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[0].email, "jane@acme.example");
    long jane = strtol(m.v[0].account_id, NULL, 10);
    hy_member_list_free(&m);

    /* Metabase: removed from the group, then in no group: deactivated; again: nothing more */
    mb_remove_result rr;
    assert_int_equal(mb->remove_user_from_group(&s, jane, gid, &rr, &err), 0);
    assert_true(rr.removed);
    assert_true(rr.in_no_group);
    bool done = false;
    assert_int_equal(mb->deactivate_user(&s, jane, &done, &err), 0);
    assert_true(done);
    assert_int_equal(mb->remove_user_from_group(&s, jane, gid, &rr, &err), 0);
    assert_false(rr.removed);
    assert_int_equal(mb->deactivate_user(&s, jane, &done, &err), 0);
    assert_false(done);
    assert_int_equal(mb->group_members(&s, gid, &m, &missing, &err), 0);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.v[0].email, "max@acme.example");
    hy_member_list_free(&m);
    /* a deactivated account's email still holds it: onboarding again reactivates it */
    mb_member_result add;
    assert_int_equal(mb->add_user_to_group(&s, "jane@acme.example", "Jane", "Doe", gid, &add, &err), 0);
    assert_true(add.reactivated);
    assert_int_equal(add.user_id, jane);
    /* an unknown group reads as missing */
    assert_int_equal(mb->group_members(&s, 999999, &m, &missing, &err), 0);
    assert_true(missing);
    assert_int_equal(m.n, 0);

    /* Slack: nobody else is dropped; the last member disables the group; onboarding enables it again */
    slack_remove_result sr;
    assert_int_equal(sl->remove_user(&s, slack, "jane@acme.example", NULL, &sr, &err), 0);
    assert_true(sr.removed);
    assert_false(sr.disabled_group);
    assert_int_equal(sr.member_count, 1);
    assert_int_equal(sl->remove_user(&s, slack, "jane@acme.example", NULL, &sr, &err), 0);
    assert_false(sr.removed);
    assert_int_equal(sl->remove_user(&s, slack, "max@acme.example", NULL, &sr, &err), 0);
    assert_true(sr.disabled_group);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM sim_groups WHERE group_id = ? AND state = 'disabled'", "t",
                             slack),
                     1);
    slack_group_result g;
    assert_int_equal(sl->ensure_group(&s, "Acme Corp", &g, &err), 0);
    assert_string_equal(g.id, slack);
    assert_true(g.enabled);
    assert_false(g.created);
    assert_int_equal(sl->group_members(&s, slack, &m, &missing, &err), 0);
    assert_int_equal(m.n, 0);
    hy_member_list_free(&m);
    assert_int_equal(sl->remove_user(&s, "S0NOSUCH", "max@acme.example", NULL, &sr, &err), HY_ERR_PERMANENT);
    assert_non_null(strstr(err.msg, "S0NOSUCH"));

    /* Teams: one removal, then archive the channel once */
    bool removed = false;
    assert_int_equal(tm->remove_user(&s, NULL, "max@acme.example", &removed, &err), 0);
    assert_true(removed);
    assert_int_equal(tm->remove_user(&s, NULL, "max@acme.example", &removed, &err), 0);
    assert_false(removed);
    assert_int_equal(tm->team_members(&s, &m, &err), 0);
    assert_int_equal(m.n, 1);
    hy_member_list_free(&m);
    char *channel = org_group(f, "teams");
    bool archived = false;
    assert_int_equal(tm->archive_channel(&s, channel, &archived, &err), 0);
    assert_true(archived);
    assert_int_equal(tm->archive_channel(&s, channel, &archived, &err), 0);
    assert_false(archived);
    graph_channel_list cl;
    assert_int_equal(tm->list_channels(&s, &cl, &err), 0);
    assert_int_equal(cl.n, 1);
    assert_true(cl.v[0].archived);
    graph_channel_list_free(&cl);

    /* Metabase: a group with members cannot be deleted; the data access ends */
    assert_int_equal(mb->delete_group(&s, gid, &done, &err), HY_ERR_PERMANENT);
    assert_non_null(strstr(err.msg, "max@acme.example"));
    mb_grant_result gr;
    assert_int_equal(mb->revoke_db_access(&s, gid, &gr, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT data_access FROM sim_groups WHERE system = 'metabase' AND group_id = ?", "t",
                             mbg),
                     0);
    free(mbg);
    free(slack);
    free(channel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(new_partner_creates_the_groups_it_records, setup, teardown),
        cmocka_unit_test_setup_teardown(the_panel_shows_what_a_simulated_workflow_did, setup, teardown),
        cmocka_unit_test_setup_teardown(removal_and_listing_agree_with_onboarding, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
