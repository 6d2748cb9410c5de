/* ops for the admin screens: Metabase memberships (ops_metabase.h) in
 * simulate, live (against the fake Metabase) and off modes, who may call
 * them, the audit rows they write; users paging (limit, offset, count). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "testlib_exec.h"
#include "ops.h"
#include "util.h"

typedef struct {
    t_env *e;
    char org[HY_UUID_LEN], jane[HY_UUID_LEN], noid[HY_UUID_LEN];
    hy_principal admin, pa, user;
} world;

static void build(world *w)
{
    w->e = t_env_new();
    w->e->app->cfg->metabase.mode = HY_MODE_SIMULATE;
    char id[HY_UUID_LEN];
    t_org(w->e, "Acme Corp", w->org);
    t_user(w->e, "pa@acme.example", "partner_admin", w->org, "partner-pass-1", id);
    t_user(w->e, "plain@acme.example", "user", w->org, "user-pass-12", id);
    t_user(w->e, "jane@acme.example", "user", w->org, NULL, w->jane);
    t_user(w->e, "noid@acme.example", "user", w->org, NULL, w->noid);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(w->e->c->db, &err, "UPDATE users SET metabase_user_id = 42 WHERE id = ?", "t", w->jane), 0);
    t_admin(w->e, &w->admin);
    t_login(w->e, "pa@acme.example", &w->pa);
    t_login(w->e, "plain@acme.example", &w->user);
}

static int64_t audit_rows(world *w, const char *action)
{
    return t_count(w->e, "SELECT count(*) FROM audit_log WHERE action = ?", "t", action);
}

/* The simulated Metabase's memberships, "<user>:<group>" in order, or NULL. */
static char *setting(world *w)
{
    char *v = t_text(w->e, "SELECT group_concat(account_id || ':' || group_id, ',') FROM (SELECT account_id, group_id "
                        "FROM sim_members WHERE system = 'metabase' ORDER BY CAST(account_id AS INTEGER), "
                        "CAST(group_id AS INTEGER))",
                  NULL);
    if (strcmp(v, "(null)") != 0) return v;
    free(v);
    return NULL;
}

/* The user's stored Metabase id, or 0. */
static long stored_mb(t_env *e, const char *user)
{
    int64_t v = 0;
    bool found = false;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_get_int(e->c->db, &err, &v, &found,
                                "SELECT metabase_user_id FROM users WHERE id = ? AND metabase_user_id IS NOT NULL", "t",
                                user),
                     0);
    return found ? (long)v : 0;
}

static bool has_group(const mb_group_list *l, long id, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].id == id) return !name || strcmp(l->items[i].name, name) == 0;
    return false;
}

/* Partner admins and users are refused, whatever they ask; nothing changes. */
static void metabase_ops_are_admin_only(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_org_groups g = {.metabase = "7"};
    hy_err err;
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g, &err), 0);
    const hy_principal *who[] = {&w.pa, &w.user};
    for (int i = 0; i < 2; i++) {
        hy_mb_user v;
        mb_group_list l;
        bool changed = true;
        assert_int_equal(ops_metabase_user(w.e->c, who[i], w.jane, &v, &err), HY_ERR_FORBIDDEN);
        assert_int_equal(ops_metabase_addable(w.e->c, who[i], w.jane, &l, &err), HY_ERR_FORBIDDEN);
        assert_int_equal(ops_metabase_add(w.e->c, who[i], w.jane, 7, &changed, NULL, &err), HY_ERR_FORBIDDEN);
        assert_false(changed);
        assert_int_equal(ops_metabase_remove(w.e->c, who[i], w.jane, 7, &changed, NULL, &err), HY_ERR_FORBIDDEN);
    }
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action LIKE 'metabase.%'", ""), 0);
    char *v = setting(&w);
    assert_null(v);
    /* An ended session is refused as such. */
    assert_int_equal(db_exec(w.e->c->db, &err, "UPDATE sessions SET revoked_at = 'x' WHERE jti = ?", "t", w.admin.jti),
                     0);
    bool changed;
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), HY_ERR_AUTH);
    t_env_free(w.e);
}

static void simulated_memberships_are_consistent_and_audited(void **s)
{
    (void)s;
    world w;
    build(&w);
    hy_err err;
    hy_org_groups g = {.metabase = "7"};
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, w.org, &g, &err), 0);
    char other[HY_UUID_LEN];
    t_org(w.e, "Globex", other);
    hy_org_groups g2 = {.metabase = "9"};
    assert_int_equal(ops_org_set_groups(w.e->c, &w.admin, other, &g2, &err), 0);

    hy_mb_user v;
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, "jane@acme.example", &v, &err), 0);
    assert_int_equal(v.mode, HY_MODE_SIMULATE);
    assert_true(v.has_metabase_id);
    assert_int_equal(v.metabase_user_id, 42);
    assert_string_equal(v.user_id, w.jane);
    assert_int_equal(v.groups.n, 0);
    hy_mb_user_free(&v);

    mb_group_list l;
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.jane, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_true(has_group(&l, 7, "ext-acme-corp"));
    assert_true(has_group(&l, 9, "ext-globex"));
    mb_group_list_free(&l);

    bool changed = false;
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), 0);
    assert_true(changed);
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), 0);
    assert_false(changed); /* already a member */
    char *json = setting(&w);
    assert_string_equal(json, "42:7");
    free(json);
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.jane, &v, &err), 0);
    assert_int_equal(v.groups.n, 1);
    assert_true(has_group(&v.groups, 7, "ext-acme-corp"));
    hy_mb_user_free(&v);
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.jane, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_true(has_group(&l, 9, NULL));
    mb_group_list_free(&l);

    /* Groups 1 and 2 are Metabase's own; an unknown group is not found. */
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 1, &changed, NULL, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "group"));
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.jane, 2, &changed, NULL, &err), HY_ERR_INVALID);
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 99, &changed, NULL, &err), HY_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "99"));
    /* A user without a Metabase id: nothing to show or remove; adding makes
     * a simulated account (as the simulated onboarding step does) and stores it. */
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.noid, &v, &err), 0);
    assert_false(v.has_metabase_id);
    assert_false(v.found_by_email);
    assert_int_equal(v.groups.n, 0);
    hy_mb_user_free(&v);
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.noid, &l, &err), 0);
    assert_int_equal(l.n, 2);
    mb_group_list_free(&l);
    hy_mb_link link;
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.noid, 7, &changed, &link, &err), 0);
    assert_false(changed);
    assert_false(link.linked);
    assert_int_equal(stored_mb(w.e, w.noid), 0);
    /* a group that does not exist: nothing is stored either */
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.noid, 99, &changed, &link, &err), HY_ERR_NOT_FOUND);
    assert_false(link.linked);
    assert_int_equal(stored_mb(w.e, w.noid), 0);
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.noid, 9, &changed, &link, &err), 0);
    assert_true(changed);
    assert_true(link.linked);
    assert_int_equal(link.how, MB_USER_CREATED);
    assert_true(link.metabase_user_id >= 1000 && link.metabase_user_id != 42);
    assert_int_equal(stored_mb(w.e, w.noid), link.metabase_user_id);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.link_user' AND target_id = ? "
                                 "AND details LIKE '%\"how\":\"created\"%\"simulated\":true%'", "t", w.noid), 1);
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.noid, &v, &err), 0);
    assert_true(v.has_metabase_id);
    assert_int_equal(v.metabase_user_id, link.metabase_user_id);
    assert_int_equal(v.groups.n, 1);
    assert_true(has_group(&v.groups, 9, "ext-globex"));
    hy_mb_user_free(&v);
    /* stored now: the next add uses it */
    long first = link.metabase_user_id;
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.noid, 7, &changed, &link, &err), 0);
    assert_false(link.linked);
    assert_int_equal(link.metabase_user_id, first);
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.noid, 7, &changed, NULL, &err), 0);

    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), 0);
    assert_true(changed);
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), 0);
    assert_false(changed);
    json = setting(&w);
    char *want = xasprintf("%ld:9", first);
    assert_string_equal(json, want);
    free(want);
    free(json);

    /* Every call that reached Metabase (simulated) wrote its audit row, with who and what. */
    assert_int_equal(audit_rows(&w, "metabase.add_membership"), 4);
    assert_int_equal(audit_rows(&w, "metabase.remove_membership"), 3);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.add_membership' AND "
                                 "target_id = ? AND actor_email = 'admin@hyopps.local' AND "
                                 "details LIKE '%\"group_id\":7%\"changed\":true%\"simulated\":true%'",
                             "t", w.jane),
                     1);
    t_env_free(w.e);
}

static void metabase_off_is_a_clear_error(void **s)
{
    (void)s;
    world w;
    build(&w);
    w.e->app->cfg->metabase.mode = HY_MODE_OFF;
    hy_err err;
    hy_mb_user v;
    mb_group_list l;
    bool changed;
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.jane, &v, &err), HY_ERR_CONFIG);
    assert_string_equal(err.msg, "Metabase is not configured (set [metabase] url and api_key)");
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.jane, &l, &err), HY_ERR_CONFIG);
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), HY_ERR_CONFIG);
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.jane, 7, &changed, NULL, &err), HY_ERR_CONFIG);
    /* Authorization still comes first. */
    assert_int_equal(ops_metabase_add(w.e->c, &w.pa, w.jane, 7, &changed, NULL, &err), HY_ERR_FORBIDDEN);
    t_env_free(w.e);
}

static long seeded_id(cJSON *seed, const char *kind, int i)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(seed, kind);
    return (long)cJSON_GetArrayItem(a, i)->valuedouble;
}

/* Is the fake's user a member of the group? */
static bool fake_member(t_fake *f, long uid, long gid)
{
    cJSON *st = t_fake_state(f);
    const cJSON *m;
    bool found = false;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(st, "memberships"))
    {
        if ((long)cJSON_GetObjectItemCaseSensitive(m, "user_id")->valuedouble == uid &&
            (long)cJSON_GetObjectItemCaseSensitive(m, "group_id")->valuedouble == gid)
            found = true;
    }
    cJSON_Delete(st);
    return found;
}

/* The world, live against a fake Metabase (returned; stop it at the end). */
static t_fake *build_live(world *w)
{
    t_fake *f = t_fake_start("metabase", NULL);
    build(w);
    t_config_metabase(w->e->app->cfg, f->url, "mb-test-key");
    w->e->app->cfg->http.timeout_ms = 3000;
    return f;
}

static void live_memberships_change_in_metabase(void **s)
{
    (void)s;
    world w;
    t_fake *f = build_live(&w);
    cJSON *seed = t_fake_post(f, "/_fake/seed",
                              "{\"users\":[{\"email\":\"jane@acme.example\"}],"
                              "\"groups\":[{\"name\":\"ext-acme-corp\"},{\"name\":\"ext-globex\"}]}");
    long uid = seeded_id(seed, "users", 0), g1 = seeded_id(seed, "groups", 0), g2 = seeded_id(seed, "groups", 1);
    cJSON_Delete(seed);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(w.e->c->db, &err, "UPDATE users SET metabase_user_id = ? WHERE id = ?", "It",
                             (int64_t)uid, w.jane),
                     0);

    hy_mb_user v;
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.jane, &v, &err), 0);
    assert_int_equal(v.mode, HY_MODE_LIVE);
    assert_int_equal(v.groups.n, 0); /* All Users is never shown */
    hy_mb_user_free(&v);
    mb_group_list l;
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.jane, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_true(has_group(&l, g1, "ext-acme-corp"));
    assert_true(has_group(&l, g2, "ext-globex"));
    assert_false(has_group(&l, 2, NULL));
    mb_group_list_free(&l);

    bool changed = false;
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, g1, &changed, NULL, &err), 0);
    assert_true(changed);
    assert_true(fake_member(f, uid, g1));
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.jane, &v, &err), 0);
    assert_int_equal(v.groups.n, 1);
    assert_true(has_group(&v.groups, g1, "ext-acme-corp"));
    hy_mb_user_free(&v);
    assert_int_equal(ops_metabase_addable(w.e->c, &w.admin, w.jane, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_true(has_group(&l, g2, NULL));
    mb_group_list_free(&l);

    /* A failing Metabase: the error says so, nothing is recorded as done. */
    t_fake_fault(f, "{\"method\":\"POST\",\"path\":\"/api/permissions/membership\",\"kind\":\"status\",\"status\":403,"
                    "\"body\":\"You don't have permissions to do that.\",\"content_type\":\"text/plain\"}");
    assert_int_not_equal(ops_metabase_add(w.e->c, &w.admin, w.jane, g2, &changed, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "403"));
    assert_false(fake_member(f, uid, g2));
    assert_int_equal(audit_rows(&w, "metabase.add_membership"), 1);

    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.jane, g1, &changed, NULL, &err), 0);
    assert_true(changed);
    assert_false(fake_member(f, uid, g1));
    assert_true(fake_member(f, uid, 1)); /* All Users stays */
    assert_int_equal(audit_rows(&w, "metabase.remove_membership"), 1);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.remove_membership' AND "
                                  "target_id = ? AND details NOT LIKE '%simulated%'",
                             "t", w.jane),
                     1);
    /* Nothing was simulated. */
    char *json = setting(&w);
    assert_null(json);
    t_env_free(w.e);
    t_fake_stop(f);
}

/* The original's "add to group": a user without a stored id is found by
 * email (a deactivated account reactivated) or created, the id stored,
 * then added; removing finds the account by email too. */
static void live_users_without_an_id_are_found_or_created_by_email(void **s)
{
    (void)s;
    world w;
    t_fake *f = build_live(&w);
    char gone[HY_UUID_LEN], fresh[HY_UUID_LEN];
    t_user(w.e, "gone@acme.example", "user", w.org, NULL, gone);
    t_user(w.e, "fresh@acme.example", "user", w.org, NULL, fresh);
    cJSON *seed = t_fake_post(f, "/_fake/seed",
                              "{\"users\":[{\"email\":\"noid@acme.example\"},"
                              "{\"email\":\"gone@acme.example\",\"is_active\":false}],"
                              "\"groups\":[{\"name\":\"ext-acme-corp\"}]}");
    long noid_mb = seeded_id(seed, "users", 0), gone_mb = seeded_id(seed, "users", 1);
    long g1 = seeded_id(seed, "groups", 0);
    cJSON_Delete(seed);
    hy_err err;
    bool changed;
    hy_mb_link link;

    /* shown by email, nothing stored by looking */
    hy_mb_user v;
    assert_int_equal(ops_metabase_user(w.e->c, &w.admin, w.noid, &v, &err), 0);
    assert_false(v.has_metabase_id);
    assert_true(v.found_by_email);
    assert_int_equal(v.metabase_user_id, noid_mb);
    hy_mb_user_free(&v);
    assert_int_equal(stored_mb(w.e, w.noid), 0);

    /* an existing account: found, stored, added */
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, w.noid, g1, &changed, &link, &err), 0);
    assert_true(changed);
    assert_true(link.linked);
    assert_int_equal(link.how, MB_USER_EXISTED);
    assert_int_equal(link.metabase_user_id, noid_mb);
    assert_true(fake_member(f, noid_mb, g1));
    assert_int_equal(stored_mb(w.e, w.noid), noid_mb);
    /* a deactivated one: reactivated */
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, gone, g1, &changed, &link, &err), 0);
    assert_int_equal(link.how, MB_USER_REACTIVATED);
    assert_int_equal(link.metabase_user_id, gone_mb);
    cJSON *st = t_fake_state(f);
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(st, "users"))
        if ((long)cJSON_GetObjectItemCaseSensitive(u, "id")->valuedouble == gone_mb)
            assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "is_active")));
    cJSON_Delete(st);
    /* none: created (one account, with the user's name) */
    int users_before = t_fake_count(f, "POST /api/user");
    assert_int_equal(ops_metabase_add(w.e->c, &w.admin, fresh, g1, &changed, &link, &err), 0);
    assert_int_equal(link.how, MB_USER_CREATED);
    assert_int_equal(t_fake_count(f, "POST /api/user"), users_before + 1);
    assert_true(fake_member(f, link.metabase_user_id, g1));
    assert_int_equal(stored_mb(w.e, fresh), link.metabase_user_id);
    assert_int_equal(audit_rows(&w, "metabase.link_user"), 3);
    assert_int_equal(t_count(w.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.link_user' AND "
                                 "details LIKE '%\"how\":\"reactivated\"%' AND details NOT LIKE '%simulated%'", ""), 1);
    /* removing someone whose account is only known by email: found, stored, removed */
    assert_int_equal(db_exec(w.e->c->db, &err, "UPDATE users SET metabase_user_id = NULL WHERE id = ?", "t", w.noid), 0);
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, w.noid, g1, &changed, &link, &err), 0);
    assert_true(changed);
    assert_true(link.linked);
    assert_false(fake_member(f, noid_mb, g1));
    /* nobody in Metabase by that email: nothing to remove, nothing created */
    char none[HY_UUID_LEN];
    t_user(w.e, "none@acme.example", "user", w.org, NULL, none);
    users_before = t_fake_count(f, "POST /api/user");
    assert_int_equal(ops_metabase_remove(w.e->c, &w.admin, none, g1, &changed, &link, &err), 0);
    assert_false(changed);
    assert_false(link.linked);
    assert_int_equal(t_fake_count(f, "POST /api/user"), users_before);
    t_env_free(w.e);
    t_fake_stop(f);
}

/* ---- users paging ---- */

static void users_page_with_limit_offset_and_count(void **s)
{
    (void)s;
    world w;
    build(&w);
    char id[HY_UUID_LEN];
    for (int i = 0; i < 25; i++) {
        char email[64];
        snprintf(email, sizeof email, "page%02d@example.com", i);
        t_user(w.e, email, "user", NULL, NULL, id);
    }
    hy_err err;
    int64_t all = 0, some = 0;
    assert_int_equal(ops_user_count(w.e->c, &w.admin, NULL, &all, &err), 0);
    assert_int_equal(all, 30); /* the admin, 4 of Acme, 25 */
    hy_user_query q = {.filter = "page", .limit = 10};
    assert_int_equal(ops_user_count(w.e->c, &w.admin, &q, &some, &err), 0);
    assert_int_equal(some, 25);
    /* Pages in a stable order cover every row once. */
    char seen[30][64];
    int n = 0;
    for (q.offset = 0; q.offset < 40; q.offset += 10) {
        hy_user_list l;
        assert_int_equal(ops_user_list(w.e->c, &w.admin, &q, &l, &err), 0);
        assert_int_equal(l.count, q.offset < 20 ? 10 : q.offset == 20 ? 5 : 0);
        for (int i = 0; i < l.count; i++) {
            for (int k = 0; k < n; k++) assert_string_not_equal(seen[k], l.items[i].email);
            hy_strlcpy(seen[n++], l.items[i].email, sizeof seen[0]);
        }
        hy_user_list_free(&l);
    }
    assert_int_equal(n, 25);
    /* Partner admins count only their organisation; users are refused. */
    assert_int_equal(ops_user_count(w.e->c, &w.pa, NULL, &some, &err), 0);
    assert_int_equal(some, 4);
    assert_int_equal(ops_user_count(w.e->c, &w.user, NULL, &some, &err), HY_ERR_FORBIDDEN);
    t_env_free(w.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metabase_ops_are_admin_only),
        cmocka_unit_test(simulated_memberships_are_consistent_and_audited),
        cmocka_unit_test(metabase_off_is_a_clear_error),
        cmocka_unit_test(live_memberships_change_in_metabase),
        cmocka_unit_test(live_users_without_an_id_are_found_or_created_by_email),
        cmocka_unit_test(users_page_with_limit_offset_and_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
