/* Every field error of the manual steps: all errors come back at once and
 * nothing changes. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], exec[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->exec);
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

static void assert_field(const hy_err *err, const char *field, const char *needle)
{
    const char *m = hy_field_msg(err, field);
    if (!m) fail_msg("no field error for %s (message: %s)", field, err->msg);
    if (needle && !strstr(m, needle)) fail_msg("%s: '%s' does not mention '%s'", field, m, needle);
}

static char *start(fx *f, const char *wf)
{
    static char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(f->e->c, &f->admin, wf, NULL, id, &err) != 0) fail_msg("start: %s", err.msg);
    return id;
}

static void studio_companies_errors(void **state)
{
    fx *f = *state;
    char *id = start(f, "new_partner");
    int64_t orgs = t_count(f->e, "SELECT count(*) FROM organizations", "");
    hy_err err;
    /* nothing given: every required field at once */
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_studio_companies", &err, "organization_name=  ", NULL),
                     HY_ERR_INVALID);
    assert_int_equal(err.nfield, 5);
    assert_field(&err, "organization_name", "required");
    assert_field(&err, "studio_company_name_test", "required");
    assert_field(&err, "studio_company_id_test", "required");
    assert_field(&err, "studio_company_name_prod", "required");
    assert_field(&err, "studio_company_id_prod", "required");
    /* an existing organisation (any case), used Studio ids, bad characters, an unknown key */
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_studio_companies", &err, "organization_name=ACME corp",
                              "studio_company_id_test=st-acme-t", "studio_company_id_prod=bad id!", "colour=red", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_name", "already exists");
    assert_field(&err, "studio_company_id_test", "already used by a company of Acme Corp");
    assert_field(&err, "studio_company_id_prod", "letters, digits");
    assert_field(&err, "colour", "unknown field");
    /* TEST and PROD ids must differ; lengths; control characters */
    char longname[260];
    memset(longname, 'x', sizeof longname);
    memcpy(longname, "organization_name=", 18);
    longname[18 + 201] = '\0';
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_studio_companies", &err, longname,
                              "studio_company_name_test=Evil\x1b[2J", "studio_company_id_test=same",
                              "studio_company_id_prod=same", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_name", "at most 200");
    assert_field(&err, "studio_company_name_test", "plain text");
    assert_field(&err, "studio_company_id_prod", "must differ");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM organizations", ""), orgs);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM studio_companies WHERE studio_id = 'same'", ""), 0);
    char *st = t_step_status(f->e, id, 1);
    assert_string_equal(st, "awaiting_input");
    free(st);
    /* JSON values: numbers are taken as text */
    cJSON *in = cJSON_Parse("{\"organization_name\": \"Initech\", \"studio_company_id_test\": 1001, "
                            "\"studio_company_id_prod\": 1002}");
    hy_err_clear(&err);
    assert_int_equal(ops_exec_submit(f->e->c, &f->admin, id, "1", in, &err), 0);
    cJSON_Delete(in);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM studio_companies WHERE studio_id IN ('1001','1002')", ""), 2);
}

static void infrabot_and_lms_errors(void **state)
{
    fx *f = *state;
    char *id = start(f, "new_partner");
    t_submit_ok(f->e, &f->admin, id, "1", "organization_name=Hooli", "studio_company_id_test=h-t",
                "studio_company_id_prod=h-p", NULL);
    hy_err err;
    char scopes[600] = "scopes=";
    memset(scopes + 7, 's', 501);
    scopes[508] = '\0';
    assert_int_equal(t_submit(f->e, &f->admin, id, "trigger_infrabot", &err, "keycloak_cluster=prod-asia", scopes,
                              "keycloak_confirmed=maybe", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "keycloak_cluster", "one of: prod-eu, prod-us");
    assert_field(&err, "scopes", "at most 500");
    assert_field(&err, "keycloak_confirmed", "yes or no");
    assert_int_equal(t_submit(f->e, &f->admin, id, "trigger_infrabot", &err, "keycloak_cluster=prod-eu",
                              "keycloak_confirmed=no", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "keycloak_confirmed", "confirmed");
    assert_int_equal(t_submit(f->e, &f->admin, id, "trigger_infrabot", &err, "keycloak_cluster=prod-eu", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "keycloak_confirmed", "confirmed");
    /* a step that is not waiting, and a step that does not exist */
    assert_int_equal(t_submit(f->e, &f->admin, id, "lms_setup", &err, "lms_confirmed=yes", NULL), HY_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "not waiting for input"));
    assert_int_equal(t_submit(f->e, &f->admin, id, "make_coffee", &err, "x=1", NULL), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "trigger_infrabot"));
    assert_int_equal(t_submit(f->e, &f->admin, id, "2", &err, "keycloak_cluster", NULL), HY_ERR_INVALID);
    assert_field(&err, "input", "key=value");
    /* JSON booleans */
    cJSON *in = cJSON_Parse("{\"keycloak_cluster\": \"prod-us\", \"keycloak_confirmed\": true}");
    hy_err_clear(&err);
    assert_int_equal(ops_exec_submit(f->e->c, &f->admin, id, "trigger_infrabot", in, &err), 0);
    cJSON_Delete(in);
    t_drain(f->e);
    assert_int_equal(t_submit(f->e, &f->admin, id, "lms_setup", &err, NULL), HY_ERR_INVALID);
    assert_field(&err, "lms_confirmed", "confirmed");
}

static void select_organization_errors(void **state)
{
    fx *f = *state;
    char client[HY_UUID_LEN], other[HY_UUID_LEN];
    t_org(f->e, "Client Co", client);
    hy_err err;
    hy_err_clear(&err);
    db_exec(f->e->c->db, &err, "UPDATE organizations SET account_types = '[\"client\"]' WHERE id = ?", "t", client);
    t_org(f->e, "Acme Labs", other);
    char *id = start(f, "new_partner_user");
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, "organization_id=Nowhere Inc", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_id", "no partner organisation matches");
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, "organization_id=Client Co", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_id", "no partner organisation");
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, NULL), HY_ERR_INVALID);
    assert_field(&err, "organization_id", "required");
    /* the start of a name: several partners have it (named), a client's
     * does not count, one character is too little */
    char works[HY_UUID_LEN];
    t_org(f->e, "Acme Works", works);
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, "organization_id=acme", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_id", "'acme' starts several names (Acme Corp, Acme Labs, Acme Works): type more of it");
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, "organization_id=Clie", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_id", "no partner organisation matches 'Clie'");
    assert_int_equal(t_submit(f->e, &f->admin, id, "select_organization", &err, "organization_id=A", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "organization_id", "no partner organisation matches 'A'");
    /* ... and when only one has it, that one (any case) */
    char first[HY_UUID_LEN], id2[HY_UUID_LEN];
    hy_strlcpy(first, id, sizeof first);
    hy_strlcpy(id2, start(f, "new_partner_user"), sizeof id2); /* start's buffer is static */
    id = first;
    t_submit_ok(f->e, &f->admin, id2, "select_organization", "organization_id=aCME w", NULL);
    char *picked = t_text(f->e, "SELECT organization_id FROM workflow_executions WHERE id = ?", id2);
    assert_string_equal(picked, works);
    free(picked);
    /* an id prefix works */
    char prefix[9];
    hy_strlcpy(prefix, other, sizeof prefix);
    char kv[64];
    snprintf(kv, sizeof kv, "organization_id=%s", prefix);
    t_submit_ok(f->e, &f->admin, id, "select_organization", kv, NULL);
    char *org = t_text(f->e, "SELECT organization_id FROM workflow_executions WHERE id = ?", id);
    assert_string_equal(org, other);
    free(org);
}

static void user_details_errors(void **state)
{
    fx *f = *state;
    char other_org[HY_UUID_LEN], uid[HY_UUID_LEN];
    t_org(f->e, "Other Org", other_org);
    t_user(f->e, "taken@other.example", "user", other_org, NULL, uid);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    int64_t users = t_count(f->e, "SELECT count(*) FROM users", "");
    hy_err err;
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_user_details", &err, "email=not-an-email",
                              "languages=en, english, xx", "studio_companies=st-acme-t, st-nope", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "firstname", "required");
    assert_field(&err, "lastname", "required");
    assert_field(&err, "email", "valid email");
    assert_field(&err, "languages", "'english' is not an ISO 639-1");
    assert_field(&err, "studio_companies", "'st-nope' is not one of the Studio companies of this organisation");
    /* a user of another organisation */
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_user_details", &err, "firstname=T", "lastname=K",
                              "email=TAKEN@other.example", NULL),
                     HY_ERR_INVALID);
    assert_field(&err, "email", "another organisation");
    /* A partner admin is not told where an address is used (issue 10,
     * item 7): the same refusal for another organisation's user and for an
     * administrator's address. */
    char pa[HY_UUID_LEN];
    hy_principal pap;
    t_user(f->e, "pa@acme.example", "partner_admin", f->org, "partner-pass-1", pa);
    t_login(f->e, "pa@acme.example", &pap);
    users++;
    static const char *const taken[] = {"email=TAKEN@other.example", "email=admin@hyopps.local"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(t_submit(f->e, &pap, id, "input_user_details", &err, "firstname=T", "lastname=K", taken[i],
                                  NULL),
                         HY_ERR_INVALID);
        const char *m = hy_field_msg(&err, "email");
        assert_non_null(m);
        assert_string_equal(m, "cannot be used for a user of this organisation; ask a HyOpps administrator");
    }
    /* list limits */
    hy_buf many = {0};
    hy_buf_put(&many, "skills=");
    for (int i = 0; i < 51; i++) hy_buf_printf(&many, "%sskill%d", i ? "," : "", i);
    char longrole[140] = "roles=";
    memset(longrole + 6, 'r', 101);
    longrole[107] = '\0';
    assert_int_equal(t_submit(f->e, &f->admin, id, "input_user_details", &err, "firstname=T", "lastname=K",
                              "email=t@acme.example", many.s, longrole, NULL),
                     HY_ERR_INVALID);
    hy_buf_free(&many);
    assert_field(&err, "skills", "at most 50");
    assert_field(&err, "roles", "at most 100 bytes");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users", ""), users);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_access", ""), 0);
    /* an existing user of this organisation is reused, not duplicated */
    char mine[HY_UUID_LEN];
    t_user(f->e, "known@acme.example", "partner_admin", f->org, NULL, mine);
    cJSON *in = cJSON_Parse("{\"firstname\": \"K\", \"lastname\": \"N\", \"email\": \"Known@Acme.example\", "
                            "\"languages\": [\"de\"], \"studio_companies\": []}");
    hy_err_clear(&err);
    assert_int_equal(ops_exec_submit(f->e->c, &f->admin, id, "input_user_details", in, &err), 0);
    cJSON_Delete(in);
    char *u = t_text(f->e, "SELECT user_id FROM workflow_executions WHERE id = ?", id);
    assert_string_equal(u, mine);
    free(u);
    char *role = t_text(f->e, "SELECT app_role FROM users WHERE id = ?", mine);
    assert_string_equal(role, "partner_admin"); /* not changed */
    free(role);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_access WHERE user_id = ?", "t", mine), 0);
}

static int from_json(const char *text, size_t len, hy_err *err)
{
    cJSON *in = (cJSON *)1;
    hy_err_clear(err);
    int rc = ops_exec_input_from_json(text, len, &in, err);
    if (rc) assert_null(in);
    cJSON_Delete(in);
    return rc;
}
#define FROM_JSON(lit, err) from_json(lit, sizeof lit - 1, err)

/* JSON input (exec input --json-file; issue 10, item 7): cJSON would cut a
 * string at \u0000 and keep the first of two equal keys; both are refused
 * with a field error, and nothing is stored. */
static void json_input_refuses_nul_and_duplicate_keys(void **state)
{
    fx *f = *state;
    hy_err err;
    assert_int_equal(FROM_JSON("{\"firstname\": \"F\\u0000X\", \"lastname\": \"L\"}", &err), HY_ERR_INVALID);
    assert_field(&err, "firstname", "NUL character (\\u0000)");
    assert_null(hy_field_msg(&err, "lastname"));
    /* a raw NUL byte, in the second field */
    assert_int_equal(FROM_JSON("{\"lastname\": \"L\", \"firstname\": \"F\0X\"}", &err), HY_ERR_INVALID);
    assert_field(&err, "firstname", "NUL character");
    assert_null(hy_field_msg(&err, "lastname"));
    /* in a key: named as cJSON would have cut it */
    assert_int_equal(FROM_JSON("{\"email\\u0000x\": \"a@acme.example\"}", &err), HY_ERR_INVALID);
    assert_field(&err, "email", "NUL character");
    /* in a list */
    assert_int_equal(FROM_JSON("{\"skills\": [\"a\", \"b\\u0000c\"], \"roles\": [\"r\"]}", &err), HY_ERR_INVALID);
    assert_field(&err, "skills", "NUL character");
    assert_null(hy_field_msg(&err, "roles"));
    /* an escaped backslash before "u0000" is text */
    assert_int_equal(FROM_JSON("{\"skills\": \"C:\\\\u0000\"}", &err), 0);
    /* a key given twice, reported once */
    assert_int_equal(FROM_JSON("{\"email\": \"a@acme.example\", \"firstname\": \"F\", \"email\": \"b@acme.example\", "
                               "\"email\": \"c@acme.example\"}", &err),
                     HY_ERR_INVALID);
    assert_field(&err, "email", "is given twice");
    assert_int_equal(err.nfield, 1);
    /* not one object */
    assert_int_equal(FROM_JSON("[1, 2]", &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "must hold one JSON object"));
    assert_int_equal(FROM_JSON("{\"a\": \"b\"} {\"c\": \"d\"}", &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "nothing after it"));
    assert_int_equal(FROM_JSON(" {\"a\": \"b\"}\n", &err), 0);

    /* ops_exec_submit refuses an object with a key twice, whoever built it */
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "firstname", "Ann");
    cJSON_AddStringToObject(in, "lastname", "Lee");
    cJSON_AddStringToObject(in, "email", "ann@acme.example");
    cJSON_AddStringToObject(in, "email", "ann@globex.example");
    hy_err_clear(&err);
    assert_int_equal(ops_exec_submit(f->e->c, &f->admin, id, "input_user_details", in, &err), HY_ERR_INVALID);
    assert_field(&err, "email", "is given twice");
    cJSON_Delete(in);
    char *st = t_step_status(f->e, id, 2);
    assert_string_equal(st, "awaiting_input");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE email LIKE 'ann@%'", ""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(studio_companies_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(infrabot_and_lms_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(select_organization_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(user_details_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(json_input_refuses_nul_and_duplicate_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
