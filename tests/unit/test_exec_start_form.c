/* A new request without an abandoned execution (issue 17): the first form
 * of a workflow before anything exists (ops_exec_start_form), then start
 * and first input in one transaction (ops_exec_start_with_input): all or
 * nothing, for admins and partner admins. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin, pa;
    char org[HY_UUID_LEN], np[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->np);
    char id[HY_UUID_LEN];
    t_user(f->e, "pa@acme.example", "partner_admin", f->org, "pa-password-1", id);
    t_login(f->e, "pa@acme.example", &f->pa);
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

static int64_t executions(fx *f) { return t_count(f->e, "SELECT count(*) FROM workflow_executions", ""); }
static int64_t audit_rows(fx *f) { return t_count(f->e, "SELECT count(*) FROM audit_log", ""); }

static cJSON *pairs(const char *first, ...)
{
    cJSON *o = cJSON_CreateObject();
    va_list ap;
    va_start(ap, first);
    for (const char *kv = first; kv; kv = va_arg(ap, const char *)) {
        const char *eq = strchr(kv, '=');
        char *k = xstrndup(kv, (size_t)(eq - kv));
        cJSON_AddStringToObject(o, k, eq + 1);
        free(k);
    }
    va_end(ap);
    return o;
}

static void form_without_execution(void **state)
{
    fx *f = *state;
    int64_t n0 = executions(f), a0 = audit_rows(f);
    hy_step_form sf;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_form(f->e->c, &f->admin, "new_partner", NULL, &sf, &err), 0);
    assert_null(sf.execution_id);
    assert_int_equal(sf.step_order, 1);
    assert_string_equal(sf.step->name, "input_studio_companies");
    assert_int_equal(sf.nfields, 5);
    assert_non_null(sf.context);
    assert_null(cJSON_GetObjectItemCaseSensitive(sf.context, "execution_id"));
    hy_step_form_free(&sf);
    /* new_partner_user: without an organisation its first form picks one;
     * with one, the user's details with the organisation's companies */
    assert_int_equal(ops_exec_start_form(f->e->c, &f->admin, "new_partner_user", NULL, &sf, &err), 0);
    assert_string_equal(sf.step->name, "select_organization");
    assert_true(sf.fields[0].nchoices >= 1);
    hy_step_form_free(&sf);
    assert_int_equal(ops_exec_start_form(f->e->c, &f->admin, "new_partner_user", "Acme Corp", &sf, &err), 0);
    assert_string_equal(sf.step->name, "input_user_details");
    assert_int_equal(sf.step_order, 2);
    const hy_form_field *sc = &sf.fields[sf.nfields - 1];
    assert_string_equal(sc->def->name, "studio_companies");
    assert_int_equal(sc->nchoices, 2);
    hy_step_form_free(&sf);
    /* an admin's organisation as its field takes it: the start of the name;
     * the context says which one it resolved to */
    assert_int_equal(ops_exec_start_form(f->e->c, &f->admin, "new_partner_user", "acme", &sf, &err), 0);
    assert_string_equal(sf.step->name, "input_user_details");
    const cJSON *oid = cJSON_GetObjectItemCaseSensitive(sf.context, "organization_id");
    assert_true(cJSON_IsString(oid));
    assert_string_equal(oid->valuestring, f->org);
    hy_step_form_free(&sf);
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_form(f->e->c, &f->admin, "new_partner_user", "Nonesuch", &sf, &err),
                     HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "organization_id"));
    /* a partner admin: their own organisation, always */
    assert_int_equal(ops_exec_start_form(f->e->c, &f->pa, "new_partner_user", NULL, &sf, &err), 0);
    assert_string_equal(sf.step->name, "input_user_details");
    hy_step_form_free(&sf);
    assert_int_equal(ops_exec_start_form(f->e->c, &f->pa, "new_partner", NULL, &sf, &err), HY_ERR_NOT_FOUND);
    /* nothing was created, nothing audited */
    assert_int_equal(executions(f), n0);
    assert_int_equal(audit_rows(f), a0);
}

static void start_with_input_all_or_nothing(void **state)
{
    fx *f = *state;
    int64_t n0 = executions(f), a0 = audit_rows(f);
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    /* every field error at once, and nothing exists after */
    cJSON *in = pairs("organization_name=Initech", "studio_company_id_test=same", "studio_company_id_prod=same", NULL);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->admin, "new_partner", NULL, "1", in, id, &err),
                     HY_ERR_INVALID);
    cJSON_Delete(in);
    assert_true(err.nfield >= 1);
    assert_string_equal(id, "");
    assert_int_equal(executions(f), n0);
    assert_int_equal(audit_rows(f), a0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM organizations WHERE name = 'Initech'", ""), 0);
    /* not the first form's step: refused, nothing created */
    hy_err_clear(&err);
    in = pairs("keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->admin, "new_partner", NULL, "trigger_infrabot", in, id,
                                               &err),
                     HY_ERR_CONFLICT);
    cJSON_Delete(in);
    assert_int_equal(executions(f), n0);
    /* right: the execution exists with step 1 done and step 2 waiting */
    hy_err_clear(&err);
    in = pairs("organization_name=Initech", "studio_company_id_test=st-ini-t", "studio_company_id_prod=st-ini-p", NULL);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->admin, "new_partner", NULL, "1", in, id, &err), 0);
    cJSON_Delete(in);
    assert_int_equal(executions(f), n0 + 1);
    char *st = t_step_status(f->e, id, 1);
    assert_string_equal(st, "completed");
    free(st);
    st = t_step_status(f->e, id, 2);
    assert_string_equal(st, "awaiting_input");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action IN "
                                   "('exec.start', 'exec.input')", "t", id),
                     2);
}

static void partner_admin_adds_a_user(void **state)
{
    fx *f = *state;
    int64_t n0 = executions(f);
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    cJSON *in = pairs("firstname=Bob", "lastname=Smith", "email=not-an-email", NULL);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->pa, "new_partner_user", NULL, "input_user_details", in,
                                               id, &err),
                     HY_ERR_INVALID);
    cJSON_Delete(in);
    assert_int_equal(executions(f), n0);
    hy_err_clear(&err);
    in = pairs("firstname=Bob", "lastname=Smith", "email=bob@acme.example", NULL);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->pa, "new_partner_user", "someone else's", "2", in, id,
                                               &err),
                     HY_ERR_NOT_FOUND); /* an organisation it cannot see: not found, as for a start */
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start_with_input(f->e->c, &f->pa, "new_partner_user", NULL, "2", in, id, &err), 0);
    cJSON_Delete(in);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    char *org = t_text(f->e, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    assert_string_equal(org, f->org);
    free(org);
}

/* The first form's input with a time (New request's "Start later"): one
 * transaction again, the execution scheduled after the input; a bad time
 * creates nothing; the step-2 form of new_partner_user (after the
 * organisation) is scheduled just the same. */
static void start_later_with_the_first_form(void **state)
{
    fx *f = *state;
    int64_t n0 = executions(f), a0 = audit_rows(f);
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    cJSON *in = pairs("organization_name=Initech", "studio_company_id_test=st-ini-t", "studio_company_id_prod=st-ini-p",
                      NULL);
    hy_exec_start bad = {.workflow = "new_partner", .at = "soon", .input = in, .step = "1"};
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &bad, id, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "at"));
    assert_int_equal(executions(f), n0);
    assert_int_equal(audit_rows(f), a0);
    hy_err_clear(&err);
    assert_int_equal(ops_exec_check_at("soon", &err), HY_ERR_INVALID);
    hy_err_clear(&err);
    assert_int_equal(ops_exec_check_at("+1d", &err), 0);
    hy_exec_start ok = {.workflow = "new_partner", .at = "+1d", .input = in, .step = "1"};
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->admin, &ok, id, &err), 0);
    cJSON_Delete(in);
    assert_int_equal(executions(f), n0 + 1);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "scheduled");
    free(st);
    st = t_step_status(f->e, id, 1);
    assert_string_equal(st, "completed");
    free(st);
    /* new_partner_user for a partner admin: step 2's input, scheduled */
    hy_err_clear(&err);
    in = pairs("firstname=Bob", "lastname=Smith", "email=bob@acme.example", NULL);
    hy_exec_start pa = {.workflow = "new_partner_user", .at = "+2h", .input = in, .step = "input_user_details"};
    assert_int_equal(ops_exec_start_ex(f->e->c, &f->pa, &pa, id, &err), 0);
    cJSON_Delete(in);
    t_drain(f->e); /* nothing runs before its time */
    st = t_exec_status(f->e, id);
    assert_string_equal(st, "scheduled");
    free(st);
    st = t_step_status(f->e, id, 2);
    assert_string_equal(st, "completed");
    free(st);
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, id, &d, &err), 0);
    assert_true(d.can_reschedule);
    assert_false(d.can_input);
    assert_non_null(d.s.scheduled_for);
    hy_exec_detail_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(form_without_execution, setup, teardown),
        cmocka_unit_test_setup_teardown(start_with_input_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(partner_admin_adds_a_user, setup, teardown),
        cmocka_unit_test_setup_teardown(start_later_with_the_first_form, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
