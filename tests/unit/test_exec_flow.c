/* Both workflows to completion through ops, with the original's side
 * effects checked row by row; a database written by the original app
 * continues where it stopped. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"


static bool is_int_text(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static void new_partner_end_to_end(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(e->c, &admin, "new_partner", NULL, id, &err), 0);
    char *st = t_exec_status(e, id);
    assert_string_equal(st, "awaiting_input");
    free(st);

    /* The form of step 1: fields, defaults computed as the person types. */
    hy_step_form f;
    assert_int_equal(ops_exec_form(e->c, &admin, id, &f, &err), 0);
    assert_string_equal(f.step->name, "input_studio_companies");
    assert_int_equal(f.nfields, 5);
    assert_string_equal(f.fields[1].def->name, "studio_company_name_test");
    assert_null(f.fields[1].default_value); /* no name yet */
    cJSON *typed = cJSON_CreateObject();
    cJSON_AddStringToObject(typed, "organization_name", "Acme Corp");
    char *def = workflow_expand(f.fields[1].def->default_tmpl, typed, f.context);
    assert_string_equal(def, "Acme Corp TEST");
    free(def);
    cJSON_Delete(typed);
    hy_step_form_free(&f);

    t_submit_ok(e, &admin, id, "input_studio_companies", "organization_name=Acme Corp", "studio_company_id_test=st-acme-t",
                "studio_company_id_prod=st-acme-p", NULL);
    char *org = t_text(e, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    EXPECT_TEXT(e, "Acme Corp", "SELECT name FROM organizations WHERE id = ?", org);
    EXPECT_TEXT(e, "[\"partner\"]", "SELECT account_types FROM organizations WHERE id = ?", org);
    EXPECT_TEXT(e, "Acme Corp TEST|st-acme-t",
                "SELECT name || '|' || studio_id FROM studio_companies WHERE organization_id = ? AND environment = 'test'", org);
    EXPECT_TEXT(e, "Acme Corp PROD|st-acme-p",
                "SELECT name || '|' || studio_id FROM studio_companies WHERE organization_id = ? AND environment = 'prod'", org);
    assert_int_equal(t_count(e, "SELECT count(*) FROM organization_integrations WHERE organization_id = ?", "t", org), 1);

    /* Step 2 shows what to give Infrabot. */
    assert_int_equal(ops_exec_form(e->c, &admin, id, &f, &err), 0);
    assert_string_equal(f.step->name, "trigger_infrabot");
    assert_int_equal(f.ninfo, 3);
    assert_string_equal(f.info[0].value, "Acme Corp");
    assert_string_equal(f.info[1].value, "st-acme-t");
    assert_string_equal(f.info[2].value, "st-acme-p");
    assert_int_equal(f.fields[0].nchoices, 2);
    hy_step_form_free(&f);
    t_submit_ok(e, &admin, id, "trigger_infrabot", "keycloak_cluster=PROD-US", "scopes=read write",
                "keycloak_confirmed=yes", NULL);
    EXPECT_TEXT(e, "1|prod-us",
                "SELECT keycloak_confirmed || '|' || keycloak_cluster FROM organization_integrations WHERE organization_id = ?",
                org);
    /* steps 3-7 (simulated) ran in the input's own transaction: no runner */
    st = t_exec_status(e, id);
    assert_string_equal(st, "awaiting_input");
    free(st);
    EXPECT_TEXT(e, "8", "SELECT current_step_order FROM workflow_executions WHERE id = ?", id);
    /* auto steps' outputs and local rows */
    char *coll = t_text(e, "SELECT metabase_collection_id FROM organization_integrations WHERE organization_id = ?", org);
    assert_true(is_int_text(coll));
    free(coll);
    EXPECT_TEXT(e, "ext-acme-corp", "SELECT external_name FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", org);
    char *gid = t_text(e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", org);
    assert_true(is_int_text(gid));
    free(gid);
    char *teams = t_text(e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'teams'", org);
    assert_true(strncmp(teams, "19:", 3) == 0 && strstr(teams, "@thread.tacv2"));
    free(teams);
    char *slack = t_text(e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'slack'", org);
    assert_true(slack[0] == 'S');
    free(slack);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order "
                                "BETWEEN 3 AND 7 AND status = 'completed' AND json_extract(output, '$.simulated') = 1",
                             "t", id),
                     5);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 3 "
                                "AND json_type(output, '$.metabase_collection_id') = 'integer'",
                             "t", id),
                     1);

    /* lms_setup: a confirmation is needed */
    assert_int_equal(t_submit(e, &admin, id, "lms_setup", &err, "lms_confirmed=no", NULL), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "lms_confirmed"));
    t_submit_ok(e, &admin, id, "lms_setup", "lms_confirmed=yes", NULL);
    st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    EXPECT_TEXT(e, "1", "SELECT lms_confirmed FROM organization_integrations WHERE organization_id = ?", org);
    assert_int_equal(t_count(e, "SELECT count(*) FROM system_groups WHERE organization_id = ?", "t", org), 3);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND completed_at IS NOT NULL", "t", id), 1);
    /* every change audited */
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.start'", "t", id), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.input'", "t", id), 3);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.complete'", "t", id), 5);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.complete'", "t", id), 1);
    /* who gave each input */
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND input_by = ? "
                                "AND input_at IS NOT NULL",
                             "tt", id, admin.user_id),
                     3);
    free(org);
    t_env_free(e);
}

static void new_partner_user_end_to_end(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(e, &admin, "Globex GmbH", "st-glx", org, pexec);
    /* the runner's path, to see the rows between the input and completion */
    e->app->cfg->engine.inline_local_steps = false;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start(e->c, &admin, "new_partner_user", NULL, id, &err), 0);
    /* step 1 by hand: the organisation by name */
    hy_step_form f;
    assert_int_equal(ops_exec_form(e->c, &admin, id, &f, &err), 0);
    assert_string_equal(f.fields[0].def->name, "organization_id");
    assert_int_equal(f.fields[0].nchoices, 1);
    assert_string_equal(f.fields[0].choices[0].label, "Globex GmbH");
    hy_step_form_free(&f);
    t_submit_ok(e, &admin, id, "select_organization", "organization_id=globex gmbh", NULL);
    EXPECT_TEXT(e, org, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    /* step 2: the organisation's Studio companies are the choices, all by default */
    assert_int_equal(ops_exec_form(e->c, &admin, id, &f, &err), 0);
    assert_string_equal(f.fields[6].def->name, "studio_companies");
    assert_int_equal(f.fields[6].nchoices, 2);
    assert_string_equal(f.fields[6].default_value, "st-glx-t, st-glx-p");
    hy_step_form_free(&f);
    t_submit_ok(e, &admin, id, "input_user_details", "firstname=Jane", "lastname=Doe", "email= Jane.Doe@Globex.Example ",
                "languages=en, de", "skills=analytics", "roles=analyst,admin", NULL);
    char *user = t_text(e, "SELECT user_id FROM workflow_executions WHERE id = ?", id);
    EXPECT_TEXT(e, "jane.doe@globex.example|user|!|Jane|Doe", "SELECT email || '|' || app_role || '|' || password_hash || '|' || firstname || '|' || lastname FROM users WHERE id = ?", user);
    EXPECT_TEXT(e, "[\"en\",\"de\"]|[\"analytics\"]|[\"analyst\",\"admin\"]",
                "SELECT languages || '|' || skills || '|' || roles FROM users WHERE id = ?", user);
    EXPECT_TEXT(e, org, "SELECT organization_id FROM users WHERE id = ?", user);
    assert_int_equal(t_count(e, "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND granted_at IS NULL", "t", user), 2);

    t_drain(e);
    char *st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    /* the original's side effects */
    char *mb = t_text(e, "SELECT metabase_user_id FROM users WHERE id = ?", user);
    assert_true(is_int_text(mb));
    char *mb_out = t_text(e, "SELECT json_extract(output, '$.metabase_user_id') FROM workflow_step_executions "
                             "WHERE execution_id = ? AND step_order = 4",
                          id);
    assert_string_equal(mb, mb_out);
    free(mb);
    free(mb_out);
    EXPECT_TEXT(e, "Jane Doe", "SELECT name FROM user_studio_companies WHERE user_id = ?", user);
    char *sid = t_text(e, "SELECT studio_id FROM user_studio_companies WHERE user_id = ?", user);
    assert_true(strncmp(sid, "st-u-", 5) == 0);
    free(sid);
    /* one grant per granting step, written by that step (and no LMS or
     * KeyCloak grant: no step of this workflow gives those) */
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND permission = 'read' "
                                "AND execution_id = ? AND granted_by = ? AND granted_how = 'auto' AND revoked_at IS NULL",
                             "ttt", user, id, admin.user_id),
                     4);
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                                "JOIN workflow_step_executions s ON s.id = g.step_execution_id "
                                "JOIN workflow_step_definitions sd ON sd.id = s.step_definition_id "
                                "WHERE g.user_id = ? AND ((r.name = 'Studio' AND sd.name = 'add_user_to_studio_companies') "
                                "OR (r.name = 'Metabase' AND sd.name = 'add_user_to_metabase_group' AND g.account_id = "
                                "(SELECT CAST(metabase_user_id AS TEXT) FROM users WHERE id = ?1)) "
                                "OR (r.name = 'Microsoft Teams' AND sd.name = 'add_user_to_teams_channel') "
                                "OR (r.name = 'Slack' AND sd.name = 'add_user_to_slack_group' AND g.account_id LIKE 'U%'))",
                             "t", user),
                     4);
    assert_int_equal(t_count(e, "SELECT count(*) FROM resources", ""), 6);
    assert_int_equal(t_count(e, "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND granted_at IS NOT NULL", "t", user), 2);
    EXPECT_TEXT(e, "[\"st-glx-t\",\"st-glx-p\"]",
                "SELECT json_extract(output, '$.added_companies') FROM workflow_step_executions WHERE execution_id = ? "
                "AND step_order = 3",
                id);
    EXPECT_TEXT(e, "jane.doe@globex.example",
                "SELECT json_extract(output, '$.sent_to') FROM workflow_step_executions WHERE execution_id = ? AND step_order = 9",
                id);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order >= 3 "
                                "AND json_extract(output, '$.simulated') = 1",
                             "t", id),
                     7);
    /* a second user of the same org reuses nothing but gets their own rows */
    char id2[HY_UUID_LEN];
    t_start_user(e, &admin, org, id2);
    t_submit_ok(e, &admin, id2, "input_user_details", "firstname=Max", "lastname=Muster", "email=max@globex.example",
                "studio_companies=st-glx-p", NULL);
    t_drain(e);
    char *user2 = t_text(e, "SELECT user_id FROM workflow_executions WHERE id = ?", id2);
    assert_int_equal(t_count(e, "SELECT count(*) FROM user_studio_access WHERE user_id = ?", "t", user2), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants WHERE user_id = ?", "t", user2), 4);
    free(user2);
    free(user);
    t_env_free(e);
}

/* The original's database: its failed execution is retried and completes;
 * its waiting ones continue. */
static void legacy_database_continues(void **state)
{
    (void)state;
    t_env *e = t_exec_env_from_file(t_fixture("legacy-hyopps.db"));
    hy_principal admin;
    t_admin(e, &admin);
    hy_err err;
    hy_err_clear(&err);
    /* failed at add_user_to_metabase_group (its group id was not an integer; now 7) */
    assert_int_equal(ops_exec_retry(e->c, &admin, "257b9194", &err), 0);
    t_drain(e);
    char *st = t_exec_status(e, "257b9194-b885-46b3-9445-76f656b147fc");
    assert_string_equal(st, "completed");
    free(st);
    EXPECT_TEXT(e, "7", "SELECT json_extract(output, '$.metabase_group_id') FROM workflow_step_executions "
                        "WHERE execution_id = ? AND step_order = 4",
                "257b9194-b885-46b3-9445-76f656b147fc");
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants WHERE execution_id = ?", "t",
                             "257b9194-b885-46b3-9445-76f656b147fc"),
                     4);
    /* Globex waits at trigger_infrabot: the form shows step 1's values */
    hy_step_form f;
    assert_int_equal(ops_exec_form(e->c, &admin, "346f023d", &f, &err), 0);
    assert_string_equal(f.info[0].value, "Globex Ünïcode GmbH");
    assert_string_equal(f.info[1].value, "st-glx-t");
    hy_step_form_free(&f);
    t_submit_ok(e, &admin, "346f023d", "2", "keycloak_cluster=prod-eu", "keycloak_confirmed=true", NULL);
    t_drain(e);
    t_submit_ok(e, &admin, "346f023d", "lms_setup", "lms_confirmed=1", NULL);
    st = t_exec_status(e, "346f023d-7bd8-449f-bf0c-ef9c30882d52");
    assert_string_equal(st, "completed");
    free(st);
    EXPECT_TEXT(e, "ext-globex-ncode-gmbh",
                "SELECT external_name FROM system_groups WHERE organization_id = ? AND tool = 'slack'",
                "6d94952b-9dc0-4d02-a95c-c7bf4a842732");
    /* Acme's user waits at input_user_details */
    t_submit_ok(e, &admin, "50604068", "input_user_details", "firstname=Ann", "lastname=Lee", "email=ann@acme.example",
                NULL);
    t_drain(e);
    st = t_exec_status(e, "50604068-c4c2-4919-a85a-85a21172be5d");
    assert_string_equal(st, "completed");
    free(st);
    /* the search index and counts cover the old rows */
    hy_exec_query q = {.search = "acme"};
    hy_exec_page pg;
    assert_int_equal(ops_exec_list(e->c, &admin, &q, &pg, &err), 0);
    assert_int_equal(pg.total, 3);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 3);
    hy_exec_page_free(&pg);
    t_assert_counts_consistent(e);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_partner_end_to_end),
        cmocka_unit_test(new_partner_user_end_to_end),
        cmocka_unit_test(legacy_database_continues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
