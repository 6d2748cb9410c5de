/* ops on organisations and users: validation (all field errors at once,
 * nothing changed), hostile and huge input, delete with what it removes,
 * session revocation on role/password changes, the last admin. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ops.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], user[HY_UUID_LEN];
} world;

static void build(world *w)
{
    w->e = t_env_new();
    t_org(w->e, "Acme Corp", w->org);
    t_user(w->e, "jane@acme.example", "user", w->org, NULL, w->user);
    t_admin(w->e, &w->admin);
}

static void org_edit_reports_every_error_and_changes_nothing(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    hy_org_update u = {.name = "  ", .account_types = "partner, vendor"};
    hy_org_docs d = {.internal = "javascript:alert(1)", .general = "https://ok.example/g"};
    hy_org_groups g = {.metabase = "seven", .teams = "bad\x1b[0m"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_edit(w.e->c, &w.admin, w.org, &u, &d, &g, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "name"));
    assert_non_null(strstr(hy_field_msg(&err, "account_types"), "vendor"));
    assert_non_null(hy_field_msg(&err, "internal"));
    assert_null(hy_field_msg(&err, "general"));
    assert_non_null(hy_field_msg(&err, "metabase"));
    assert_non_null(hy_field_msg(&err, "teams"));
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organization_documentation", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations WHERE name = 'Acme Corp'", ""), 1);
    /* The good parts apply together. */
    hy_org_update u2 = {.name = " Acme Corporation ", .account_types = "client,PARTNER,client"};
    hy_org_docs d2 = {.general = "https://ok.example/g", .additional = "http://docs.example/a"};
    hy_org_groups g2 = {.metabase = "7", .teams = "19:abc@thread.tacv2", .slack = "S123"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_edit(w.e->c, &w.admin, w.org, &u2, &d2, &g2, &err), 0);
    hy_org_detail det;
    assert_int_equal(ops_org_show(w.e->c, &w.admin, "Acme Corporation", &det, &err), 0);
    assert_string_equal(det.org.name, "Acme Corporation");
    assert_int_equal(det.org.account_types.n, 2);
    assert_string_equal(det.org.account_types.v[0], "client");
    assert_string_equal(det.org.account_types.v[1], "partner");
    assert_null(det.docs_internal);
    assert_string_equal(det.docs_general, "https://ok.example/g");
    assert_int_equal(det.ngroups, 3);
    assert_string_equal(det.groups[0].tool, "metabase");
    assert_string_equal(det.groups[0].external_id, "7");
    assert_string_equal(det.groups[0].external_name, "ext-acme-corporation");
    hy_org_detail_free(&det);
    /* "" clears a link and a group. */
    hy_org_docs d3 = {.general = ""};
    hy_org_groups g3 = {.slack = ""};
    assert_int_equal(ops_org_edit(w.e->c, &w.admin, w.org, NULL, &d3, &g3, &err), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organization_documentation WHERE generique_docu IS NULL "
                                  "AND add_docu = 'http://docs.example/a'", ""), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM system_groups WHERE tool = 'slack'", ""), 0);
    /* Names are unique regardless of case. */
    char other[HY_UUID_LEN];
    t_org(w.e, "Globex", other);
    hy_org_update clash = {.name = "acme corporation"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_update(w.e->c, &w.admin, other, &clash, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "name"), "already"));
    /* Three audit rows for the one successful edit (update, docs, groups) + the clear. */
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action LIKE 'org.%' AND target_id = ?", "t", w.org), 5);
    t_env_free(w.e);
}

/* A system group's display name (system_groups.external_name; issue 10,
 * item 7) is edited beside its id: validated, audited, kept when the id
 * changes. */
static void group_names_are_edited_beside_their_ids(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    /* naming a group the organisation does not have needs its id */
    hy_org_groups g = {.slack_name = "acme-partners"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "slack_name"), "no Slack group to name: give its id too"));
    /* bad names, all at once; nothing changes */
    hy_org_groups bad = {.metabase = "7", .metabase_name = "  ", .teams = "", .teams_name = "x",
                         .slack = "S1", .slack_name = "bad\x1b[31m"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &bad, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "metabase_name"), "is required"));
    assert_non_null(strstr(hy_field_msg(&err, "teams_name"), "whose id is being removed"));
    assert_non_null(strstr(hy_field_msg(&err, "slack_name"), "control characters"));
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM system_groups", ""), 0);
    /* an id and a name together; an id alone gets the default name */
    hy_org_groups g2 = {.metabase = "7", .metabase_name = "  Acme analysts ", .slack = "S1"};
    hy_err_clear(&err);
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g2, &err), 0);
    char *n = NULL;
    db_get_text(w.e->c->db, &err, &n, "SELECT group_concat(tool || '=' || external_id || '=' || external_name, ' ') "
                                      "FROM (SELECT * FROM system_groups ORDER BY tool)", "");
    assert_string_equal(n, "metabase=7=Acme analysts slack=S1=ext-acme-corp");
    free(n);
    /* a name alone renames; a new id keeps the name */
    hy_org_groups g3 = {.slack_name = "acme-partners"};
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g3, &err), 0);
    hy_org_groups g4 = {.metabase = "8"};
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g4, &err), 0);
    hy_org_detail det;
    assert_int_equal(ops_org_show(w.e->c, &w.admin, w.org, &det, &err), 0);
    assert_int_equal(det.ngroups, 2);
    assert_string_equal(det.groups[0].external_id, "8");
    assert_string_equal(det.groups[0].external_name, "Acme analysts");
    assert_string_equal(det.groups[1].external_name, "acme-partners");
    hy_org_detail_free(&det);
    /* audited, the name as stored */
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'org.set_groups' AND "
                                  "json_extract(details, '$.metabase_name') = 'Acme analysts' AND "
                                  "json_extract(details, '$.metabase') = '7'", ""), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'org.set_groups' AND "
                                  "json_extract(details, '$.slack_name') = 'acme-partners' AND "
                                  "json_extract(details, '$.slack') IS NULL", ""), 1);
    t_env_free(w.e);
}

static void hostile_and_huge_input(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    const char *sqlish = "Robert'); DROP TABLE users;-- \"x\" %_";
    hy_org_update u = {.name = sqlish};
    hy_err_clear(&err);
    assert_int_equal(ops_org_update(w.e->c, &w.admin, w.org, &u, &err), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations WHERE name = ?", "t", sqlish), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM users", ""), 2);
    /* The filter treats % and _ literally. */
    hy_org_list l;
    assert_int_equal(ops_org_list(w.e->c, &w.admin, "%_", &l, &err), 0);
    assert_int_equal(l.count, 1);
    hy_org_list_free(&l);
    assert_int_equal(ops_org_list(w.e->c, &w.admin, "_", &l, &err), 0);
    assert_int_equal(l.count, 1);
    hy_org_list_free(&l);
    assert_int_equal(ops_org_list(w.e->c, &w.admin, "Z%Q", &l, &err), 0);
    assert_int_equal(l.count, 0);
    hy_org_list_free(&l);
    /* 10,000 characters: refused cleanly, nothing stored. */
    char *huge = xmalloc(10001);
    memset(huge, 'x', 10000);
    huge[10000] = '\0';
    hy_org_update big = {.name = huge};
    hy_err_clear(&err);
    assert_int_equal(ops_org_update(w.e->c, &w.admin, w.org, &big, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "name"), "too long"));
    hy_user_update bu = {.firstname = huge, .lastname = huge, .email = huge, .skills = huge, .languages = huge};
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.user, &bu, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "firstname"));
    assert_non_null(hy_field_msg(&err, "lastname"));
    assert_non_null(hy_field_msg(&err, "email"));
    assert_non_null(hy_field_msg(&err, "skills"));
    assert_non_null(hy_field_msg(&err, "languages"));
    hy_org_docs bd = {.internal = huge};
    hy_err_clear(&err);
    assert_int_equal(ops_org_set_docs(w.e->c, &w.admin, w.org, &bd, &err), HY_ERR_INVALID);
    free(huge);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM users WHERE length(firstname) > 100 OR length(email) > 254", ""), 0);
    /* A lookup with SQL in it is just a name that does not exist. */
    char id[HY_UUID_LEN];
    hy_err_clear(&err);
    assert_int_equal(ops_org_resolve(w.e->c, &w.admin, "x' OR '1'='1", id, &err), HY_ERR_NOT_FOUND);
    t_env_free(w.e);
}

static void user_edit_validates_and_normalises(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    char other[HY_UUID_LEN];
    t_user(w.e, "taken@acme.example", "user", w.org, NULL, other);
    hy_user_update bad = {.email = "TAKEN@acme.example", .languages = "en, xx", .role = "root",
                          .org_ref = "No Such Org", .password = "short"};
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.user, &bad, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "email"), "already"));
    assert_non_null(strstr(hy_field_msg(&err, "languages"), "'xx'"));
    assert_non_null(hy_field_msg(&err, "role"));
    assert_non_null(hy_field_msg(&err, "organization"));
    assert_non_null(hy_field_msg(&err, "password"));
    /* A partner admin needs an organisation. */
    hy_user_update noorg = {.role = "partner_admin", .org_ref = ""};
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.user, &noorg, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "organization"), "partner admin"));
    /* A good edit: trimmed, lower-cased email, deduplicated lists. */
    hy_user_update good = {.firstname = "  Jane ", .email = " Jane.Doe@ACME.example ", .languages = "EN, de, en",
                           .skills = "analytics, sql", .roles = "analyst", .role = "partner_admin"};
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.user, &good, &err), 0);
    hy_user u;
    assert_int_equal(ops_user_show(w.e->c, &w.admin, "JANE.DOE@acme.example", &u, &err), 0);
    assert_string_equal(u.firstname, "Jane");
    assert_string_equal(u.email, "jane.doe@acme.example");
    assert_int_equal(u.languages.n, 2);
    assert_string_equal(u.languages.v[1], "de");
    assert_int_equal(u.role, HY_ROLE_PARTNER_ADMIN);
    assert_false(u.can_log_in);
    hy_user_free(&u);
    /* Setting a password for someone else makes it temporary. */
    assert_int_equal(ops_user_set_password(w.e->c, &w.admin, w.user, "temporary pass", &err), 0);
    hy_principal pa;
    char *token = NULL;
    assert_int_equal(auth_login(w.e->c, "jane.doe@acme.example", "temporary pass", &pa, &token, &err), 0);
    assert_true(pa.must_change_password);
    free(token);
    /* Stored in the audit trail without the password. */
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE details LIKE '%temporary%'", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'user.set_password'", ""), 1);
    t_env_free(w.e);
}

static void role_and_password_changes_end_sessions(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    char id[HY_UUID_LEN];
    t_user(w.e, "pa@acme.example", "partner_admin", w.org, "partner-pass-1", id);
    hy_principal pa;
    t_login(w.e, "pa@acme.example", &pa);
    assert_int_equal(auth_check_session(w.e->c, &pa, &err), 0);
    hy_user_update u = {.role = "user"};
    assert_int_equal(ops_user_update(w.e->c, &w.admin, id, &u, &err), 0);
    assert_int_equal(auth_check_session(w.e->c, &pa, &err), HY_ERR_AUTH);
    /* A name change does not end sessions. */
    hy_principal pa2;
    hy_user_update back = {.role = "partner_admin"};
    assert_int_equal(ops_user_update(w.e->c, &w.admin, id, &back, &err), 0);
    t_login(w.e, "pa@acme.example", &pa2);
    hy_user_update name = {.lastname = "Smith"};
    assert_int_equal(ops_user_update(w.e->c, &w.admin, id, &name, &err), 0);
    assert_int_equal(auth_check_session(w.e->c, &pa2, &err), 0);
    assert_int_equal(ops_user_set_password(w.e->c, &w.admin, id, "another one!", &err), 0);
    assert_int_equal(auth_check_session(w.e->c, &pa2, &err), HY_ERR_AUTH);
    t_env_free(w.e);
}

static void last_admin_and_self_are_protected(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    hy_user_update demote = {.role = "user"};
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.admin.user_id, &demote, &err), HY_ERR_INVALID);
    assert_non_null(strstr(hy_field_msg(&err, "role"), "last administrator"));
    hy_user_impact im;
    hy_err_clear(&err);
    assert_int_equal(ops_user_delete(w.e->c, &w.admin, w.admin.user_id, &im, &err), HY_ERR_CONFLICT);
    /* With a second admin, the first may be demoted (by themselves). */
    char id[HY_UUID_LEN];
    t_user(w.e, "second@hyopps.local", "admin", NULL, "second-admin-1", id);
    hy_err_clear(&err);
    assert_int_equal(ops_user_update(w.e->c, &w.admin, w.admin.user_id, &demote, &err), 0);
    t_env_free(w.e);
}

static void deletes_say_what_they_remove_and_keep_history(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    char now[HY_TIME_LEN], sc[HY_UUID_LEN], ex[HY_UUID_LEN];
    hy_now_iso(now);
    hy_uuid(sc);
    hy_uuid(ex);
    hy_err_clear(&err);
    assert_int_equal(db_exec(w.e->c->db, &err, "INSERT INTO studio_companies(id, organization_id, studio_id, name, environment) "
                                               "VALUES(?, ?, 'st-1', 'Acme TEST', 'test')", "tt", sc, w.org), 0);
    assert_int_equal(db_exec(w.e->c->db, &err, "INSERT INTO user_studio_access(id, user_id, studio_company_id) VALUES('a1', ?, ?)",
                             "tt", w.user, sc), 0);
    assert_int_equal(db_exec(w.e->c->db, &err, "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, "
                                               "user_id, requested_by, status, created_at) SELECT ?, id, ?, ?, ?, 'completed', ? "
                                               "FROM workflow_definitions WHERE name = 'new_partner_user'",
                             "ttttt", ex, w.org, w.user, w.admin.user_id, now), 0);
    hy_org_groups g = {.metabase = "7"};
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g, &err), 0);

    hy_org_impact im;
    assert_int_equal(ops_org_delete_impact(w.e->c, &w.admin, w.org, &im, &err), 0);
    assert_int_equal(im.users, 1);
    assert_int_equal(im.studio_companies, 1);
    assert_int_equal(im.system_groups, 1);
    assert_int_equal(im.executions, 1);
    hy_org_impact_free(&im);
    assert_int_equal(ops_org_delete(w.e->c, &w.admin, "Acme Corp", &im, &err), 0);
    hy_org_impact_free(&im);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM users WHERE id = ? AND organization_id IS NULL", "t", w.user), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND organization_id IS NULL", "t", ex), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM user_studio_access", ""), 0);

    hy_user_impact ui;
    assert_int_equal(ops_user_delete(w.e->c, &w.admin, "jane@acme.example", &ui, &err), 0);
    assert_int_equal(ui.executions_about, 1);
    assert_int_equal(ui.executions_requested, 0);
    hy_user_impact_free(&ui);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND user_id IS NULL", "t", ex), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action IN ('org.delete', 'user.delete')", ""), 2);
    t_env_free(w.e);
}

static void references_by_prefix_are_unique(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    char a[HY_UUID_LEN], b[HY_UUID_LEN], id[HY_UUID_LEN];
    /* Two ids sharing a prefix. */
    hy_strlcpy(a, "abcd1111-0000-4000-8000-000000000001", sizeof a);
    hy_strlcpy(b, "abcd2222-0000-4000-8000-000000000002", sizeof b);
    assert_int_equal(db_exec(w.e->c->db, &err, "INSERT INTO organizations(id, name) VALUES(?, 'One'), (?, 'Two')", "tt", a, b), 0);
    hy_err_clear(&err);
    assert_int_equal(ops_org_resolve(w.e->c, &w.admin, "abcd", id, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "ambiguous"));
    assert_int_equal(ops_org_resolve(w.e->c, &w.admin, "abcd2", id, &err), 0);
    assert_string_equal(id, b);
    assert_int_equal(ops_org_resolve(w.e->c, &w.admin, "two", id, &err), 0); /* name, any case */
    assert_string_equal(id, b);
    hy_err_clear(&err);
    assert_int_equal(ops_org_resolve(w.e->c, &w.admin, "abc", id, &err), HY_ERR_NOT_FOUND); /* too short */
    t_env_free(w.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(org_edit_reports_every_error_and_changes_nothing),
        cmocka_unit_test(group_names_are_edited_beside_their_ids),
        cmocka_unit_test(hostile_and_huge_input),
        cmocka_unit_test(user_edit_validates_and_normalises),
        cmocka_unit_test(role_and_password_changes_end_sessions),
        cmocka_unit_test(last_admin_and_self_are_protected),
        cmocka_unit_test(deletes_say_what_they_remove_and_keep_history),
        cmocka_unit_test(references_by_prefix_are_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
