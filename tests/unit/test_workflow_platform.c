/* A workflow is a file and a line: one defined only here, in the test tree
 * (partner-usable, two steps, the first a manual one WITHOUT an
 * organisation field), added before an upgraded database of the original
 * app is opened. Nothing else is done for it: the definitions are seeded
 * because their hash changed, partner admins may use it because of its
 * flag, its executions get the partner's organisation, and it shows in the
 * partner admin's list and counts and nowhere for another organisation. */
#include "testlib_exec.h"

#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "ops.h"
#include "util.h"
#include "workflows.h"

static int persist_note(hy_step_io *io, hy_err *err)
{
    return db_exec(io->c->db, err, "INSERT INTO platform_notes(exec_id, note) VALUES(?, ?)", "tt", io->execution_id,
                   wf_str(io->context, "note"));
}

static int run_file_note(hy_step_run *r, hy_err *err)
{
    (void)err;
    cJSON_AddStringToObject(r->output, "filed", wf_str(r->context, "note"));
    return 0;
}

static const hy_field_def NOTE_FIELDS[] = {
    {.name = "note", .label = "Note", .kind = HY_FIELD_TEXT, .required = true, .max_len = 200},
};

static const hy_step_def NOTE_STEPS[] = {
    {.id = "7c000000-0000-4000-8000-000000000401", .name = "write_note", .label = "Write a note",
     .kind = HY_STEP_MANUAL, .description = "A person writes a note", .fields = NOTE_FIELDS, .nfields = 1},
    {.id = "7c000000-0000-4000-8000-000000000402", .name = "file_note", .label = "File the note", .kind = HY_STEP_AUTO,
     .description = "Files it", .integration = HY_INT_STUDIO, .run = run_file_note, .persist = persist_note},
};

static const hy_workflow_def PARTNER_NOTE = {
    .id = "7c000000-0000-4000-8000-000000000004",
    .name = "partner_note",
    .label = "Partner note",
    .short_label = "Note",
    .description = "a test workflow defined only in the tests",
    .steps = NOTE_STEPS,
    .nsteps = 2,
    .partner_admin_may_use = true,
};

static void a_workflow_is_a_file_and_a_line(void **s)
{
    (void)s;
    hy_err err;
    hy_err_clear(&err);
    /* before the database is opened: app_open seeds it, nothing else does */
    assert_int_equal(workflows_add(&PARTNER_NOTE, &err), 0);
    t_env *e = t_exec_env_from_file(t_fixture("legacy-hyopps.db"));
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_definitions s JOIN workflow_definitions d "
                                "ON d.id = s.workflow_definition_id WHERE d.name = 'partner_note'",
                             ""),
                     2);
    assert_int_equal(db_exec_script(e->c->db, "CREATE TABLE platform_notes(exec_id TEXT, note TEXT)", &err), 0);
    hy_principal admin, jane, other;
    t_admin(e, &admin);
    t_login(e, "jane.doe@acme.example", &jane); /* the original's partner admin of Acme Corp */
    char initech[HY_UUID_LEN], id[HY_UUID_LEN];
    t_org(e, "Initech", initech);
    t_user(e, "pb@initech.example", "partner_admin", initech, "partner-pass-1", id);
    t_login(e, "pb@initech.example", &other);
    char *acme = t_text(e, "SELECT id FROM organizations WHERE name = 'Acme Corp'", NULL);

    /* the partner admin may start it (the flag) and it is about their organisation */
    const hy_workflow_def *mine[8];
    int n = 0;
    assert_int_equal(ops_exec_workflows(e->c, &jane, mine, 8, &n, &err), 0);
    bool offered = false;
    for (int i = 0; i < n; i++) offered |= mine[i] == &PARTNER_NOTE;
    assert_true(offered);
    char pid[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(e->c, &jane, "partner_note", NULL, pid, &err), 0);
    EXPECT_TEXT(e, acme, "SELECT organization_id FROM workflow_executions WHERE id = ?", pid);
    hy_step_form form;
    assert_int_equal(ops_exec_form(e->c, &jane, pid, &form, &err), 0);
    assert_string_equal(form.step->name, "write_note");
    hy_step_form_free(&form);
    t_submit_ok(e, &jane, pid, "write_note", "note=from the partner", NULL);
    t_drain(e);
    char *st = t_exec_status(e, pid);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(t_count(e, "SELECT count(*) FROM platform_notes WHERE exec_id = ? AND note = 'from the partner'",
                             "t", pid),
                     1);

    /* an admin runs it end to end too (no organisation: it is about none) */
    char aid[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(e->c, &admin, "partner_note", NULL, aid, &err), 0);
    t_submit_ok(e, &admin, aid, "1", "note=from an admin", NULL);
    t_drain(e);
    st = t_exec_status(e, aid);
    assert_string_equal(st, "completed");
    free(st);

    /* in the partner admin's list and counts, with their other requests */
    hy_exec_page pg;
    hy_exec_query q = {.limit = 50};
    assert_int_equal(ops_exec_list(e->c, &jane, &q, &pg, &err), 0);
    bool listed = false;
    for (int i = 0; i < pg.count; i++) listed |= hy_streq(pg.items[i].id, pid);
    assert_true(listed);
    int64_t jane_total = pg.total;
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 1);
    hy_exec_page_free(&pg);
    hy_org_detail d;
    assert_int_equal(ops_org_show(e->c, &jane, acme, &d, &err), 0);
    assert_int_equal(d.org.nexecutions, jane_total);
    bool in_detail = false;
    for (int i = 0; i < d.nexecutions; i++) in_detail |= hy_streq(d.executions[i].id, pid);
    assert_true(in_detail);
    hy_org_detail_free(&d);
    hy_exec_detail x;
    assert_int_equal(ops_exec_show(e->c, &jane, pid, &x, &err), 0);
    hy_exec_detail_free(&x);
    /* the admin's execution (no organisation) is not theirs */
    assert_int_equal(ops_exec_show(e->c, &jane, aid, &x, &err), HY_ERR_NOT_FOUND);

    /* nowhere for another organisation's partner admin */
    assert_int_equal(ops_exec_list(e->c, &other, &q, &pg, &err), 0);
    assert_int_equal(pg.total, 0);
    hy_exec_page_free(&pg);
    assert_int_equal(ops_exec_show(e->c, &other, pid, &x, &err), HY_ERR_NOT_FOUND);
    char rid[HY_UUID_LEN];
    assert_int_equal(ops_exec_resolve(e->c, &other, pid, rid, &err), HY_ERR_NOT_FOUND);
    hy_org_list ol;
    assert_int_equal(ops_org_list(e->c, &other, NULL, &ol, &err), 0);
    assert_int_equal(ol.count, 1);
    assert_int_equal(ol.items[0].nexecutions, 0);
    hy_org_list_free(&ol);
    assert_int_equal(ops_exec_cancel(e->c, &other, pid, &err), HY_ERR_NOT_FOUND);
    free(acme);
    t_env_free(e);
}

/* A database seeded by this program before the workflow existed gets it at
 * the next start, without anyone bumping a version. */
static void a_new_workflow_reaches_an_existing_database(void **s)
{
    (void)s;
    t_env *e = t_exec_env(); /* seeded with the registry only... */
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_definitions WHERE name = 'partner_note'", ""), 0);
    char *before = t_text(e, "SELECT value FROM settings WHERE key = 'seed_key'", NULL);
    assert_int_equal(workflows_add(&PARTNER_NOTE, &err), 0);
    /* ...the next start (app_seed, as app_open runs it) sees a new hash */
    assert_int_equal(app_seed(e->c, &err), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_definitions WHERE name = 'partner_note'", ""), 1);
    char *after = t_text(e, "SELECT value FROM settings WHERE key = 'seed_key'", NULL);
    assert_string_not_equal(before, after);
    hy_principal admin;
    t_admin(e, &admin);
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(e->c, &admin, "partner_note", NULL, id, &err), 0);
    free(before);
    free(after);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_workflow_reaches_an_existing_database),
        cmocka_unit_test(a_workflow_is_a_file_and_a_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
