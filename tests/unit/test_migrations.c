/* migrations and seeding: a fresh file; the original app's database upgraded
 * in place, keeping every row, with both legacy users able to log in. */
#include <pthread.h>
#include <time.h>

#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "ops.h"
#include "util.h"
#include "workflows.h"

static const char *ORIGINAL_TABLES[] = {
    "organizations", "users", "studio_companies", "user_studio_access", "system_groups",
    "organization_integrations", "organization_documentation", "resources", "workflow_definitions",
    "workflow_step_definitions", "workflow_executions", "workflow_step_executions", "access_grants",
    "user_studio_companies",
};
#define NTABLES (int)(sizeof ORIGINAL_TABLES / sizeof ORIGINAL_TABLES[0])

static int64_t count_rows(hy_db *db, const char *table)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    hy_err err;
    hy_err_clear(&err);
    int64_t n = -1;
    assert_int_equal(db_get_int(db, &err, &n, NULL, sql, ""), 0);
    free(sql);
    return n;
}

static void fresh_database_is_migrated_and_seeded(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    assert_int_equal(db_schema_version(e->c->db), db_latest_version());
    assert_true(db_latest_version() >= 2);
    assert_int_equal(t_count(e, "SELECT count(*) FROM resources", ""), 6);
    assert_int_equal(t_count(e, "SELECT count(*) FROM resources WHERE name = 'LMS' AND type = 'learning' AND has_api = 0", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM resources WHERE name = 'Metabase' AND type = 'insights' AND has_api = 1", ""), 1);
    int nwf = 0;
    while (workflow_at(nwf)) nwf++;
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_definitions", ""), nwf);
    const hy_workflow_def *wf;
    for (int w = 0; (wf = workflow_at(w)); w++) {
        assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions s JOIN workflow_definitions d "
                                    "ON d.id = s.workflow_definition_id WHERE d.name = ?", "t", wf->name),
                         wf->nsteps);
        for (int i = 0; i < wf->nsteps; i++) {
            char order[16];
            snprintf(order, sizeof order, "%d", i + 1);
            assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions WHERE id = ? AND name = ? "
                                        "AND step_order = ? AND type = ?",
                                     "tttt", wf->steps[i].id, wf->steps[i].name, order,
                                     wf->steps[i].kind == HY_STEP_MANUAL ? "manual" : "auto"),
                             1);
        }
    }
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions s JOIN workflow_definitions d ON "
                                "d.id = s.workflow_definition_id WHERE d.name = 'new_partner' AND s.type = 'manual'", ""), 3);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions s JOIN workflow_definitions d ON "
                                "d.id = s.workflow_definition_id WHERE d.name = 'new_partner_user' AND s.type = 'manual'", ""), 2);
    /* The default admin, who must change the password. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM users WHERE email = 'admin@hyopps.local' AND app_role = 'admin' "
                                "AND must_change_password = 1 AND password_hash LIKE '$argon2id$%'", ""), 1);
    /* Reopening changes nothing (no second admin, no duplicate rows). */
    char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    hy_db *db2 = NULL;
    hy_err err;
    assert_int_equal(db_open(path, &db2, &err), 0);
    db_close(db2);
    assert_int_equal(t_count(e, "SELECT count(*) FROM users", ""), 1);
    t_env_free(e);
}

static void *commit_later(void *arg)
{
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    hy_err err;
    db_commit(arg, &err);
    return NULL;
}

static void every_connection_has_the_pragmas(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    hy_err err;
    char *mode = NULL;
    assert_int_equal(db_get_text(e->c->db, &err, &mode, "PRAGMA journal_mode", ""), 0);
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(t_count(e, "PRAGMA foreign_keys", ""), 1);
    /* A writer waits for another connection's write lock (db.c's busy handler). */
    hy_db *other = NULL;
    assert_int_equal(app_open_connection(e->app, &other, &err), 0);
    assert_int_equal(db_begin(other, &err), 0);
    pthread_t th;
    pthread_create(&th, NULL, commit_later, other);
    int64_t t0 = hy_mono_ms();
    assert_int_equal(db_begin(e->c->db, &err), 0);
    assert_true(hy_mono_ms() - t0 >= 150);
    db_rollback(e->c->db);
    pthread_join(th, NULL);
    db_close(other);
    /* Foreign keys are enforced. */
    assert_int_not_equal(db_exec(e->c->db, &err, "INSERT INTO studio_companies(id, organization_id, studio_id, name, "
                                                 "environment) VALUES('x', 'no-such-org', 's', 'n', 'test')", ""),
                         0);
    t_env_free(e);
}

static void legacy_database_upgrades_in_place(void **s)
{
    (void)s;
    /* Count every original table in a raw copy first. */
    char tmp[] = "/tmp/hyopps-legacy.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char cmd[600], raw[300];
    snprintf(raw, sizeof raw, "%s/raw.db", tmp);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", t_fixture("legacy-hyopps.db"), raw);
    assert_int_equal(system(cmd), 0);
    hy_db *db = NULL;
    hy_err err;
    assert_int_equal(db_open_raw(raw, &db, &err), 0);
    assert_int_equal(db_schema_version(db), 0);
    int64_t before[NTABLES];
    for (int i = 0; i < NTABLES; i++) before[i] = count_rows(db, ORIGINAL_TABLES[i]);
    db_close(db);
    assert_int_equal(before[1], 2);   /* users */
    assert_int_equal(before[11], 34); /* step executions */

    t_env *e = t_env_from_file(t_fixture("legacy-hyopps.db"));
    assert_int_equal(db_schema_version(e->c->db), db_latest_version());
    for (int i = 0; i < NTABLES; i++) {
        int64_t after = count_rows(e->c->db, ORIGINAL_TABLES[i]);
        /* access_grants gains what completed steps granted (migration 006) */
        if (strcmp(ORIGINAL_TABLES[i], "access_grants") == 0) continue;
        /* the definitions gain the workflows added since (seeding): each one registered, nothing else */
        bool defs = strcmp(ORIGINAL_TABLES[i], "workflow_definitions") == 0;
        if (defs || strcmp(ORIGINAL_TABLES[i], "workflow_step_definitions") == 0) {
            int64_t want = 0;
            const hy_workflow_def *wf;
            for (int w = 0; (wf = workflow_at(w)); w++) want += defs ? 1 : wf->nsteps;
            if (after != want) fail_msg("table %s: %lld rows, %lld expected (one per registered definition)",
                                        ORIGINAL_TABLES[i], (long long)after, (long long)want);
            continue;
        }
        if (after != before[i]) fail_msg("table %s: %lld rows before, %lld after", ORIGINAL_TABLES[i],
                                         (long long)before[i], (long long)after);
    }
    /* The failed new_partner_user got as far as its Studio step: that one
     * grant is inferred from the step, with the step that granted it. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants", ""), before[12] + 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                                "JOIN workflow_step_executions s ON s.id = g.step_execution_id "
                                "WHERE r.name = 'Studio' AND g.granted_how = 'inferred' AND s.step_order = 3 "
                                "AND g.execution_id = '257b9194-b885-46b3-9445-76f656b147fc' AND g.revoked_at IS NULL",
                             ""),
                     1);
    /* The original's ids and content are kept. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_definitions WHERE id = '1543328a-2d72-40ca-9c76-7c02cfc38dba' "
                                "AND name = 'new_partner'", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions WHERE id = '435c537f-3cd7-4fb2-88f4-cd08d7831f21' "
                                "AND name = 'trigger_infrabot' AND step_order = 2", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions WHERE id = '257b9194-b885-46b3-9445-76f656b147fc' "
                                "AND status = 'failed' AND current_step_order = 4", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE id = '8872c28b-84ca-4a20-b4cf-b51156158945' "
                                "AND error LIKE 'Invalid Metabase group ID%'", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE manual_input LIKE '%st-glx-t%' "
                                "AND input_by = '57083742-2354-4cf5-b1f2-3baf6bf5a4ab'", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM organizations WHERE name = 'Globex \xc3\x9cn\xc3\xaf" "code GmbH'", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM system_groups WHERE tool = 'metabase' AND external_id = '7'", ""), 1);
    /* The ids the original's stubs made up are kept and marked as placeholders; a real one is not. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM system_groups WHERE placeholder = 1 AND "
                                "((tool = 'teams' AND external_id = 'teams-ch-09wzee2') OR "
                                "(tool = 'slack' AND external_id = 'slack-grp-hq7j8ek'))", ""), 2);
    assert_int_equal(t_count(e, "SELECT count(*) FROM system_groups WHERE tool = 'metabase' AND placeholder = 0", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM organization_integrations WHERE "
                                "metabase_collection_id = 'mb-col-dh8oi5p' AND metabase_collection_placeholder = 1", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM organization_integrations WHERE metabase_collection_placeholder = 1", ""), 1);
    assert_int_equal(t_count(e, "PRAGMA foreign_key_check", ""), -1); /* no rows: no broken reference */
    /* The search text names the person too (016), for every execution with a user. */
    int64_t with_user = t_count(e, "SELECT count(*) FROM workflow_executions WHERE user_id IS NOT NULL", "");
    assert_true(with_user > 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions x JOIN users u ON u.id = x.user_id "
                                "WHERE instr(x.search_text, lower(u.firstname || ' ' || u.lastname)) > 0", ""),
                     with_user);
    assert_int_equal(t_count(e, "SELECT count(*) FROM exec_search_pending", ""), 0);
    /* A completed execution's summary is back-filled into its row (020), as its step rows give it. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions x WHERE status = 'completed' AND done_summary = "
                                "(SELECT coalesce(sum(k.status = 'skipped'), 0) * 100 + coalesce(sum(k.completed_manually), 0) "
                                "FROM workflow_step_executions k WHERE k.execution_id = x.id)", ""),
                     1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions WHERE status != 'completed' AND done_summary IS NOT NULL", ""), 0);
    /* No second admin was seeded. */
    assert_int_equal(t_count(e, "SELECT count(*) FROM users WHERE app_role = 'admin'", ""), 1);

    /* Both legacy users log in with their bcrypt passwords, rehashed once. */
    hy_principal p;
    char *token = NULL;
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "jane.doe@acme.example", "partner-pass-1", &p, &token, &err), 0);
    assert_int_equal(p.role, HY_ROLE_PARTNER_ADMIN);
    assert_string_equal(p.org_id, "de2daf1e-0605-4ff7-aa33-94e90b867bec");
    assert_false(p.must_change_password);
    free(token);
    assert_int_equal(t_count(e, "SELECT count(*) FROM users WHERE email = 'jane.doe@acme.example' AND password_hash LIKE '$argon2id$%'", ""), 1);
    assert_int_equal(auth_login(e->c, "admin@hyopps.local", "admin123", &p, &token, &err), 0);
    assert_true(p.must_change_password); /* admin123 breaks the rules: change it first */
    free(token);
    assert_int_equal(t_count(e, "SELECT count(*) FROM users WHERE password_hash LIKE '$2b$%'", ""), 0);
    /* And again with the new hash. */
    assert_int_equal(auth_login(e->c, "jane.doe@acme.example", "partner-pass-1", &p, &token, &err), 0);
    free(token);
    t_env_free(e);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

/* A status outside the list is refused through db (the connection that
 * migrated, or a new one); one inside it is taken. */
static void status_checks_hold(hy_db *db, const char *label)
{
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(db, "SAVEPOINT t;"
                                        "INSERT INTO workflow_executions(id, workflow_definition_id, status) "
                                        "  SELECT 'chk-exec', id, 'cancelled' FROM workflow_definitions LIMIT 1;"
                                        "INSERT INTO workflow_step_executions(id, execution_id, step_definition_id, step_order, status) "
                                        "  SELECT 'chk-step', 'chk-exec', id, 1, 'skipped' FROM workflow_step_definitions LIMIT 1;"
                                        /* 015: scheduled executions, steps waiting on children */
                                        "UPDATE workflow_executions SET status = 'scheduled' WHERE id = 'chk-exec';"
                                        "UPDATE workflow_step_executions SET status = 'waiting' WHERE id = 'chk-step';",
                                     &err),
                     0);
    const char *bad[] = {
        "UPDATE workflow_executions SET status = 'skipped' WHERE id = 'chk-exec'", /* a step status only */
        "UPDATE workflow_executions SET status = 'waiting' WHERE id = 'chk-exec'",
        "UPDATE workflow_step_executions SET status = 'scheduled' WHERE id = 'chk-step'", /* an execution's only */
        "UPDATE workflow_executions SET status = 'done' WHERE id = 'chk-exec'",
        "UPDATE workflow_step_executions SET status = 'Pending' WHERE id = 'chk-step'",
        "UPDATE workflow_step_executions SET status = NULL WHERE id = 'chk-step'",
        "INSERT INTO workflow_executions(id, workflow_definition_id, status) "
        "  SELECT 'chk-2', id, '' FROM workflow_definitions LIMIT 1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy_err_clear(&err);
        if (db_exec_script(db, bad[i], &err) == 0) fail_msg("%s: accepted: %s", label, bad[i]);
        if (!strstr(err.msg, "constraint failed")) fail_msg("%s: %s: %s", label, bad[i], err.msg);
    }
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(db, "ROLLBACK TO t; RELEASE t;", &err), 0);
}

/* A check on a new database and on the original's, each through the
 * connection that migrated it and through a new one (which reads the
 * edited schema); then the file's integrity. first(e): what to assert
 * before, on each environment. */
static void on_new_and_original(void (*first)(t_env *e), void (*hold)(hy_db *db, const char *label))
{
    t_env *fresh = t_env_new();
    t_env *legacy = t_env_from_file(t_fixture("legacy-hyopps.db"));
    t_env *envs[] = {fresh, legacy};
    for (int i = 0; i < 2; i++) {
        t_env *e = envs[i];
        first(e);
        hold(e->c->db, i ? "legacy, migrating connection" : "fresh, migrating connection");
        char path[512];
        snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
        hy_db *db = NULL;
        hy_err err;
        hy_err_clear(&err);
        assert_int_equal(db_open_raw(path, &db, &err), 0);
        hold(db, i ? "legacy, new connection" : "fresh, new connection");
        char *check = NULL;
        assert_int_equal(db_get_text(db, &err, &check, "PRAGMA integrity_check", ""), 0);
        assert_string_equal(check, "ok");
        free(check);
        db_close(db);
    }
    t_env_free(fresh);
    t_env_free(legacy);
}

static void status_checks_rewritten(t_env *e)
{
    assert_int_equal(t_count(e, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%status IN (%'", ""), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                                "('workflow_executions', 'workflow_step_executions') AND sql LIKE "
                                "'%OR status = ''cancelled'' OR status = ''%'", ""), 2);
    assert_int_equal(t_count(e, "SELECT count(*) FROM sqlite_schema WHERE name = 'hy_schema_bump'", ""), 0);
}

/* 005 rewrote both status CHECKs as OR chains (no `IN` list left) on a new
 * database and on the original's, 015 added 'scheduled' (executions) and
 * 'waiting' (steps), and they still refuse what they refused, for the
 * migrating connection and for a new one. */
static void status_checks_are_or_chains(void **s)
{
    (void)s;
    on_new_and_original(status_checks_rewritten, status_checks_hold);
}

/* users.app_role takes 'support' and still refuses anything else. */
static void role_check_holds(hy_db *db, const char *label)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec_script(db, "SAVEPOINT r; INSERT INTO users(id, firstname, lastname, email, app_role, password_hash) "
                           "VALUES('chk-support', 'S', 'Upport', 'chk-support@hyopps.local', 'support', '!');",
                       &err) != 0)
        fail_msg("%s: 'support' refused: %s", label, err.msg);
    const char *bad[] = {"UPDATE users SET app_role = 'root' WHERE id = 'chk-support'",
                         "UPDATE users SET app_role = 'Support' WHERE id = 'chk-support'",
                         "UPDATE users SET app_role = NULL WHERE id = 'chk-support'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy_err_clear(&err);
        if (db_exec_script(db, bad[i], &err) == 0) fail_msg("%s: accepted: %s", label, bad[i]);
        if (!strstr(err.msg, "constraint failed")) fail_msg("%s: %s: %s", label, bad[i], err.msg);
    }
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(db, "ROLLBACK TO r; RELEASE r;", &err), 0);
}

static void role_check_rewritten(t_env *e)
{
    assert_int_equal(t_count(e, "SELECT count(*) FROM sqlite_schema WHERE name = 'users' AND sql LIKE "
                                "'%app_role IN (%'", ""), 0);
    /* the original's users are untouched */
    assert_int_equal(t_count(e, "SELECT count(*) FROM users WHERE app_role NOT IN ('admin', 'partner_admin')", ""),
                     0);
}

/* 006: the support role on a new database and on the original's (whose
 * users table the original app created), through the migrating connection
 * and a new one; then through ops: an admin makes someone support, who
 * logs in as support. */
static void support_role_is_accepted(void **s)
{
    (void)s;
    on_new_and_original(role_check_rewritten, role_check_holds);
    t_env *fresh = t_env_new();
    hy_principal admin, sup;
    t_admin(fresh, &admin);
    char id[HY_UUID_LEN];
    t_user(fresh, "sam@hyopps.local", "user", NULL, "support-pass-1", id);
    hy_user_update up = {.role = "support"};
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(fresh->c, &admin, "sam@hyopps.local", &up, &err), 0);
    char *token = NULL;
    assert_int_equal(auth_login(fresh->c, "sam@hyopps.local", "support-pass-1", &sup, &token, &err), 0);
    free(token);
    assert_int_equal(sup.role, HY_ROLE_SUPPORT);
    assert_string_equal(hy_role_name(sup.role), "support");
    up.role = "supporter";
    assert_int_equal(ops_user_update(fresh->c, &admin, "sam@hyopps.local", &up, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "role"), "admin, support, partner_admin or user"));
    t_env_free(fresh);
}

/* access_grants.permission takes what it took and refuses anything else
 * (the CHECK is an OR chain since 014). */
static void permission_check_holds(hy_db *db, const char *label)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec_script(db, "SAVEPOINT p; INSERT INTO users(id, firstname, lastname, email, app_role, password_hash) "
                           "VALUES('chk-grant-user', 'G', 'Rant', 'chk-grant@hyopps.local', 'user', '!');"
                           "INSERT INTO access_grants(id, user_id, resource_id, permission) "
                           "  SELECT 'chk-grant', 'chk-grant-user', id, 'admin' FROM resources LIMIT 1;",
                       &err) != 0)
        fail_msg("%s: 'admin' refused: %s", label, err.msg);
    const char *bad[] = {"UPDATE access_grants SET permission = 'owner' WHERE id = 'chk-grant'",
                         "UPDATE access_grants SET permission = 'Read' WHERE id = 'chk-grant'",
                         "UPDATE access_grants SET permission = NULL WHERE id = 'chk-grant'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy_err_clear(&err);
        if (db_exec_script(db, bad[i], &err) == 0) fail_msg("%s: accepted: %s", label, bad[i]);
        if (!strstr(err.msg, "constraint failed")) fail_msg("%s: %s: %s", label, bad[i], err.msg);
    }
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(db, "UPDATE access_grants SET permission = 'write' WHERE id = 'chk-grant';"
                                        "ROLLBACK TO p; RELEASE p;", &err), 0);
}

static void permission_check_rewritten(t_env *e)
{
    assert_int_equal(t_count(e, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%permission IN (%'", ""), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM resources", ""), 6);
}

/* 014 rewrote the grants' permission CHECK as an OR chain, on a new database
 * and on the original's; it refuses what it refused. */
static void permission_check_is_an_or_chain(void **s)
{
    (void)s;
    on_new_and_original(permission_check_rewritten, permission_check_holds);
}

static void newer_schema_is_refused(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    hy_err err;
    char *sql = xasprintf("PRAGMA user_version = %d", db_latest_version() + 1);
    assert_int_equal(db_exec_script(e->c->db, sql, &err), 0);
    free(sql);
    char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    hy_db *db = NULL;
    hy_err_clear(&err);
    assert_int_not_equal(db_open(path, &db, &err), 0);
    assert_null(db);
    assert_non_null(strstr(err.msg, "newer than this hyopps knows"));
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_database_is_migrated_and_seeded),
        cmocka_unit_test(every_connection_has_the_pragmas),
        cmocka_unit_test(legacy_database_upgrades_in_place),
        cmocka_unit_test(status_checks_are_or_chains),
        cmocka_unit_test(support_role_is_accepted),
        cmocka_unit_test(permission_check_is_an_or_chain),
        cmocka_unit_test(newer_schema_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
