/* The authorization matrix: every ops function of the foundation x admin,
 * support, partner admin of the organisation, partner admin of another
 * organisation, a user-role principal, an expired session. A refused call
 * changes nothing. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "util.h"

enum { ADMIN, SUPPORT, PA_OWN, PA_OTHER, USER, EXPIRED, NPRINCIPALS };
static const char *PNAMES[] = {"admin", "support", "partner admin of the org", "partner admin of another org", "user",
                               "expired session"};

typedef struct {
    t_env *e;
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN];
    char user_a[HY_UUID_LEN];      /* a plain user of org A (target of user ops) */
    hy_principal p[NPRINCIPALS];
} world;

static void build(world *w)
{
    w->e = t_env_new();
    char id[HY_UUID_LEN];
    t_org(w->e, "Acme Corp", w->org_a);
    t_org(w->e, "Globex", w->org_b);
    t_user(w->e, "pa@acme.example", "partner_admin", w->org_a, "partner-pass-1", id);
    t_user(w->e, "pb@globex.example", "partner_admin", w->org_b, "partner-pass-1", id);
    t_user(w->e, "target@acme.example", "user", w->org_a, NULL, w->user_a);
    t_user(w->e, "plain@acme.example", "user", w->org_a, "user-pass-12", id);
    t_user(w->e, "old@hyopps.local", "admin", NULL, "admin-pass-12", id);
    t_user(w->e, "help@hyopps.local", "support", NULL, "support-pass-1", id);
    t_admin(w->e, &w->p[ADMIN]);
    t_login(w->e, "help@hyopps.local", &w->p[SUPPORT]);
    t_login(w->e, "pa@acme.example", &w->p[PA_OWN]);
    t_login(w->e, "pb@globex.example", &w->p[PA_OTHER]);
    t_login(w->e, "plain@acme.example", &w->p[USER]);
    t_login(w->e, "old@hyopps.local", &w->p[EXPIRED]);
    w->p[EXPIRED].exp = 1; /* irrelevant: the session row decides */
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(w->e->c->db, &err, "UPDATE sessions SET expires_at = 1 WHERE jti = ?", "t",
                             w->p[EXPIRED].jti), 0);
}

typedef int (*op_fn)(world *w, const hy_principal *p, hy_err *err);

#define OK 0
#define FB HY_ERR_FORBIDDEN
#define NF HY_ERR_NOT_FOUND
#define AU HY_ERR_AUTH
#define CF HY_ERR_CONFLICT

typedef struct {
    const char *name;
    op_fn fn;
    int expect[NPRINCIPALS];
    bool mutates;
} row;

static int op_org_list(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_list l;
    int rc = ops_org_list(w->e->c, p, NULL, &l, err);
    if (rc == 0) {
        /* Partner admins see exactly their own organisation. */
        if (p->role == HY_ROLE_PARTNER_ADMIN) {
            assert_int_equal(l.count, 1);
            assert_string_equal(l.items[0].id, p->org_id);
        } else {
            assert_int_equal(l.count, 2);
        }
        hy_org_list_free(&l);
    }
    return rc;
}
static int op_org_resolve(world *w, const hy_principal *p, hy_err *err)
{
    char id[HY_UUID_LEN];
    return ops_org_resolve(w->e->c, p, "Acme Corp", id, err);
}
static int op_org_resolve_prefix(world *w, const hy_principal *p, hy_err *err)
{
    char id[HY_UUID_LEN], prefix[9];
    hy_strlcpy(prefix, w->org_a, sizeof prefix);
    return ops_org_resolve(w->e->c, p, prefix, id, err);
}
static int op_org_show(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_detail d;
    int rc = ops_org_show(w->e->c, p, w->org_a, &d, err);
    if (rc == 0) hy_org_detail_free(&d);
    return rc;
}
static int op_org_name(world *w, const hy_principal *p, hy_err *err)
{
    char *n = NULL;
    int rc = ops_org_name(w->e->c, p, w->org_a, &n, err);
    free(n);
    return rc;
}
static int op_org_update(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_update u = {.name = "Acme Renamed"};
    return ops_org_update(w->e->c, p, w->org_a, &u, err);
}
static int op_org_docs(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_docs d = {.internal = "https://docs.example/in"};
    return ops_org_set_docs(w->e->c, p, w->org_a, &d, err);
}
static int op_org_groups(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_groups g = {.metabase = "42"};
    return ops_org_set_groups(w->e->c, p, w->org_a, &g, err);
}
static int op_org_delete_impact(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_impact im;
    int rc = ops_org_delete_impact(w->e->c, p, w->org_a, &im, err);
    if (rc == 0) hy_org_impact_free(&im);
    return rc;
}
static int op_org_delete(world *w, const hy_principal *p, hy_err *err)
{
    hy_org_impact im;
    int rc = ops_org_delete(w->e->c, p, w->org_b, &im, err);
    if (rc == 0) hy_org_impact_free(&im);
    return rc;
}
static int op_user_list(world *w, const hy_principal *p, hy_err *err)
{
    hy_user_list l;
    hy_user_query q = {0};
    int rc = ops_user_list(w->e->c, p, &q, &l, err);
    if (rc == 0) {
        for (int i = 0; i < l.count && p->role == HY_ROLE_PARTNER_ADMIN; i++)
            assert_string_equal(l.items[i].organization_id, p->org_id);
        hy_user_list_free(&l);
    }
    return rc;
}
static int op_user_list_other_org(world *w, const hy_principal *p, hy_err *err)
{
    hy_user_list l;
    hy_user_query q = {.org_ref = "Globex"};
    int rc = ops_user_list(w->e->c, p, &q, &l, err);
    if (rc == 0) hy_user_list_free(&l);
    return rc;
}
static int op_user_resolve(world *w, const hy_principal *p, hy_err *err)
{
    char id[HY_UUID_LEN];
    return ops_user_resolve(w->e->c, p, "target@acme.example", id, err);
}
static int op_user_show(world *w, const hy_principal *p, hy_err *err)
{
    hy_user u;
    int rc = ops_user_show(w->e->c, p, w->user_a, &u, err);
    if (rc == 0) hy_user_free(&u);
    return rc;
}
static int op_user_update(world *w, const hy_principal *p, hy_err *err)
{
    hy_user_update u = {.firstname = "Changed"};
    return ops_user_update(w->e->c, p, w->user_a, &u, err);
}
static int op_user_set_password(world *w, const hy_principal *p, hy_err *err)
{
    return ops_user_set_password(w->e->c, p, w->user_a, "a fine password", err);
}
static int op_user_delete_impact(world *w, const hy_principal *p, hy_err *err)
{
    hy_user_impact im;
    int rc = ops_user_delete_impact(w->e->c, p, w->user_a, &im, err);
    if (rc == 0) hy_user_impact_free(&im);
    return rc;
}
static int op_user_delete(world *w, const hy_principal *p, hy_err *err)
{
    hy_user_impact im;
    int rc = ops_user_delete(w->e->c, p, w->user_a, &im, err);
    if (rc == 0) hy_user_impact_free(&im);
    return rc;
}
static int op_audit(world *w, const hy_principal *p, hy_err *err)
{
    hy_audit_list l;
    hy_audit_filter f = {0};
    int rc = ops_audit_list(w->e->c, p, &f, &l, err);
    if (rc == 0) hy_audit_list_free(&l);
    return rc;
}
static int op_integrations_check(world *w, const hy_principal *p, hy_err *err)
{
    integ_check_report r;
    return ops_integrations_check(w->e->c, p, &r, err);
}
static int op_metabase_user(world *w, const hy_principal *p, hy_err *err)
{
    hy_mb_user m;
    int rc = ops_metabase_user(w->e->c, p, w->user_a, &m, err);
    if (rc == 0) hy_mb_user_free(&m);
    return rc;
}
/* (the target has no Metabase id: whoever may try is told so) */
static int op_metabase_add(world *w, const hy_principal *p, hy_err *err)
{
    return ops_metabase_add(w->e->c, p, w->user_a, 42, NULL, NULL, err);
}
static int op_metabase_addable(world *w, const hy_principal *p, hy_err *err)
{
    mb_group_list l;
    int rc = ops_metabase_addable(w->e->c, p, w->user_a, &l, err);
    if (rc == 0) mb_group_list_free(&l);
    return rc;
}

/*                               admin SUPPORT PA_OWN PA_OTHER USER EXPIRED */
static const row ROWS[] = {
    {"org_list", op_org_list, {OK, OK, OK, OK, FB, AU}, false},
    {"org_resolve", op_org_resolve, {OK, OK, OK, NF, FB, AU}, false},
    {"org_resolve_prefix", op_org_resolve_prefix, {OK, OK, OK, NF, FB, AU}, false},
    {"org_show", op_org_show, {OK, OK, OK, NF, FB, AU}, false},
    {"org_name", op_org_name, {OK, OK, OK, NF, FB, AU}, false},
    {"org_update", op_org_update, {OK, FB, FB, FB, FB, AU}, true},
    {"org_set_docs", op_org_docs, {OK, FB, FB, FB, FB, AU}, true},
    {"org_set_groups", op_org_groups, {OK, FB, FB, FB, FB, AU}, true},
    {"org_delete_impact", op_org_delete_impact, {OK, FB, FB, FB, FB, AU}, false},
    {"user_list", op_user_list, {OK, OK, OK, OK, FB, AU}, false},
    {"user_list_other_org", op_user_list_other_org, {OK, OK, NF, OK, FB, AU}, false},
    {"user_resolve", op_user_resolve, {OK, OK, OK, NF, FB, AU}, false},
    {"user_show", op_user_show, {OK, OK, OK, NF, FB, AU}, false},
    {"user_update", op_user_update, {OK, FB, FB, FB, FB, AU}, true},
    {"user_set_password", op_user_set_password, {OK, FB, FB, FB, FB, AU}, true},
    {"user_delete_impact", op_user_delete_impact, {OK, FB, FB, FB, FB, AU}, false},
    {"audit_list", op_audit, {OK, OK, FB, FB, FB, AU}, false},
    {"integrations_check", op_integrations_check, {OK, OK, FB, FB, FB, AU}, false},
    {"metabase_user", op_metabase_user, {OK, OK, FB, FB, FB, AU}, false},
    {"metabase_addable", op_metabase_addable, {OK, FB, FB, FB, FB, AU}, false},
    /* (a user without an id: linked and added, two audit rows) */
    {"metabase_add", op_metabase_add, {OK, FB, FB, FB, FB, AU}, false},
    /* Deletes last: they remove what the rows above use. */
    {"user_delete", op_user_delete, {OK, FB, FB, FB, FB, AU}, true},
    {"org_delete", op_org_delete, {OK, FB, FB, FB, FB, AU}, true},
};

static int64_t audit_rows(world *w) { return t_count(w->e, "SELECT count(*) FROM audit_log", ""); }

static void matrix(void **s)
{
    (void)s;
    world w;
    build(&w);
    int checked = 0;
    for (size_t r = 0; r < sizeof ROWS / sizeof ROWS[0]; r++) {
        /* Refused principals first, so the admin's change comes last. */
        for (int k = NPRINCIPALS - 1; k >= 0; k--) {
            hy_err err;
            hy_err_clear(&err);
            int64_t before = audit_rows(&w);
            int rc = ROWS[r].fn(&w, &w.p[k], &err);
            if (rc != ROWS[r].expect[k])
                fail_msg("%s as %s: expected %s, got %s (%s)", ROWS[r].name, PNAMES[k],
                         hy_code_name((hy_code)ROWS[r].expect[k]), hy_code_name((hy_code)rc), err.msg);
            int64_t after = audit_rows(&w);
            if (rc != 0 && after != before) fail_msg("%s as %s: refused but wrote %lld audit rows", ROWS[r].name,
                                                     PNAMES[k], (long long)(after - before));
            if (rc == 0 && ROWS[r].mutates && after != before + 1)
                fail_msg("%s as %s: changed without exactly one audit row", ROWS[r].name, PNAMES[k]);
            checked++;
        }
    }
    assert_int_equal(checked, (int)(sizeof ROWS / sizeof ROWS[0]) * NPRINCIPALS);
    /* What the refused calls would have changed is unchanged... */
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations WHERE name = 'Acme Renamed'", ""), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations", ""), 1);
    t_env_free(w.e);
}

static void refused_changes_leave_data_alone(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    for (int k = SUPPORT; k < NPRINCIPALS; k++) {
        op_org_update(&w, &w.p[k], &err);
        op_org_docs(&w, &w.p[k], &err);
        op_org_groups(&w, &w.p[k], &err);
        op_user_update(&w, &w.p[k], &err);
        op_user_set_password(&w, &w.p[k], &err);
        op_user_delete(&w, &w.p[k], &err);
        op_org_delete(&w, &w.p[k], &err);
    }
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations WHERE name = 'Acme Corp'", ""), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organization_documentation", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM system_groups", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM users WHERE firstname = 'Changed'", ""), 0);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM users WHERE id = ? AND password_hash = '!'", "t", w.user_a), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM organizations", ""), 2);
    t_env_free(w.e);
}

/* A partner admin sees their organisation's new_partner_user executions only,
 * in counts and in the detail, as ops_exec scopes them. */
static void partner_admin_sees_no_new_partner_executions(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    hy_err_clear(&err);
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    assert_int_equal(db_exec(w.e->c->db, &err,
                             "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, status, created_at) "
                             "SELECT 'e-np', id, ?1, 'completed', ?2 FROM workflow_definitions WHERE name = 'new_partner' "
                             "UNION ALL SELECT 'e-npu', id, ?1, 'completed', ?2 FROM workflow_definitions WHERE name = 'new_partner_user'",
                             "tt", w.org_a, now), 0);
    /* the counts the engine keeps for the executions it creates */
    assert_int_equal(db_exec(w.e->c->db, &err,
                             "INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) "
                             "SELECT organization_id, workflow_definition_id, status, 1 FROM workflow_executions",
                             ""), 0);
    hy_org_detail d;
    assert_int_equal(ops_org_show(w.e->c, &w.p[PA_OWN], w.org_a, &d, &err), 0);
    assert_int_equal(d.org.nexecutions, 1);
    assert_int_equal(d.nexecutions, 1);
    assert_string_equal(d.executions[0].workflow, "new_partner_user");
    hy_org_detail_free(&d);
    hy_org_list l;
    assert_int_equal(ops_org_list(w.e->c, &w.p[PA_OWN], NULL, &l, &err), 0);
    assert_int_equal(l.items[0].nexecutions, 1);
    hy_org_list_free(&l);
    assert_int_equal(ops_org_show(w.e->c, &w.p[ADMIN], w.org_a, &d, &err), 0);
    assert_int_equal(d.org.nexecutions, 2);
    assert_int_equal(d.nexecutions, 2);
    hy_org_detail_free(&d);
    t_env_free(w.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix),
        cmocka_unit_test(refused_changes_leave_data_alone),
        cmocka_unit_test(partner_admin_sees_no_new_partner_executions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
