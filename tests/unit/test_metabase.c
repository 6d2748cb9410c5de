/* The Metabase client against the fake Metabase: every operation run twice
 * leaves one user, one group, one membership, one collection; the quirks of
 * integrations-api.md §1 (substring search, deactivated users, "already"
 * membership answers, both list shapes, both graph shapes, the 409). */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "integrations/metabase.h"
#include "util.h"

#define mb (t_suite.fake)

typedef t_client ctx;

/* Counts items of a state list whose key equals a string or number. */
static int count_where(const char *list, const char *key, const char *sval, double nval)
{
    cJSON *st = t_fake_state(mb);
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(st, list))
    {
        const cJSON *v = cJSON_GetObjectItem(it, key);
        if (sval ? (cJSON_IsString(v) && strcmp(v->valuestring, sval) == 0) : (cJSON_IsNumber(v) && v->valuedouble == nval))
            n++;
    }
    cJSON_Delete(st);
    return n;
}

static long seed_one(const char *what, const char *json) { return t_fake_seed_id(mb, what, json); }

static void group_is_found_or_created_once(void **s)
{
    ctx *c = *s;
    mb_group_result g1, g2;
    assert_int_equal(mb_ensure_org_group(c->in, "Acme Corp GmbH", &g1, &c->err), 0);
    assert_string_equal(g1.name, "ext-acme-corp-gmbh");
    assert_true(g1.created);
    assert_int_equal(mb_ensure_org_group(c->in, "Acme Corp GmbH", &g2, &c->err), 0);
    assert_false(g2.created);
    assert_int_equal(g1.group_id, g2.group_id);
    assert_int_equal(count_where("groups", "name", "ext-acme-corp-gmbh", 0), 1);
    assert_int_equal(t_fake_count(mb, "POST /api/permissions/group"), 1);

    /* Found case-insensitively. */
    long seeded = seed_one("groups", "{\"groups\":[{\"name\":\"EXT-Globex\"}]}");
    assert_int_equal(mb_ensure_org_group(c->in, "Globex", &g1, &c->err), 0);
    assert_false(g1.created);
    assert_int_equal(g1.group_id, seeded);
    assert_int_equal(t_fake_count(mb, "POST /api/permissions/group"), 1);
}

static void group_created_meanwhile_is_found(void **s)
{
    ctx *c = *s;
    /* The list is empty when we look, but the POST says it exists. */
    t_fake_fault(mb, "{\"method\":\"GET\",\"path\":\"^/api/permissions/group$\",\"status\":200,\"body\":[]}");
    long seeded = seed_one("groups", "{\"groups\":[{\"name\":\"ext-initech\"}]}");
    mb_group_result g;
    assert_int_equal(mb_ensure_org_group(c->in, "Initech", &g, &c->err), 0);
    assert_int_equal(g.group_id, seeded);
    assert_false(g.created);
}

static void user_is_found_exactly_not_by_substring(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(mb, "/_fake/seed",
                             "{\"users\":[{\"email\":\"xjane@example.com\"},{\"email\":\"jane@example.com.au\"},"
                             "{\"email\":\"Jane@Example.COM\",\"first_name\":\"Jane\"}]}"));
    long id;
    bool active;
    assert_int_equal(mb_find_user(c->in, "jane@example.com", &id, &active, &c->err), 0);
    assert_true(id > 0);
    assert_true(active);
    assert_int_equal(count_where("users", "id", NULL, (double)id), 1);
    assert_int_equal(count_where("users", "email", "Jane@Example.COM", 0), 1);
    cJSON *st = t_fake_state(mb);
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(st, "users"))
    {
        if ((long)cJSON_GetObjectItem(u, "id")->valuedouble == id)
            assert_string_equal(cJSON_GetObjectItem(u, "email")->valuestring, "Jane@Example.COM");
    }
    cJSON_Delete(st);
}

static void user_is_created_once_in_both_list_shapes(void **s)
{
    ctx *c = *s;
    for (int shape = 0; shape < 2; shape++) {
        if (shape == 1) {
            t_fake_reset(mb);
            cJSON_Delete(t_fake_post(mb, "/_fake/config", "{\"list_shape\":\"list\"}"));
        }
        long a, b;
        mb_user_how how;
        assert_int_equal(mb_ensure_user(c->in, "new.user@example.com", "New", "User", &a, &how, &c->err), 0);
        assert_int_equal(how, MB_USER_CREATED);
        assert_int_equal(mb_ensure_user(c->in, "NEW.USER@example.com", "New", "User", &b, &how, &c->err), 0);
        assert_int_equal(how, MB_USER_EXISTED);
        assert_int_equal(a, b);
        assert_int_equal(count_where("users", "email", "new.user@example.com", 0), 1);
        assert_int_equal(t_fake_count(mb, "POST /api/user"), 1);
    }
}

static void search_pages_through_many_matches(void **s)
{
    ctx *c = *s;
    /* 120 users whose email contains "a@pages.io", then the one we want. */
    hy_buf b = {0};
    hy_buf_put(&b, "{\"users\":[");
    for (int i = 0; i < 120; i++) hy_buf_printf(&b, "%s{\"email\":\"x%da@pages.io\"}", i ? "," : "", i);
    hy_buf_put(&b, ",{\"email\":\"a@pages.io\"}]}");
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", b.s));
    hy_buf_free(&b);
    long id;
    bool active;
    assert_int_equal(mb_find_user(c->in, "a@pages.io", &id, &active, &c->err), 0);
    assert_true(id > 0);
    assert_int_equal(count_where("users", "id", NULL, (double)id), 1);
    assert_int_equal(count_where("users", "email", "a@pages.io", 0), 1);
    assert_int_equal(t_fake_count(mb, "GET /api/user"), 2); /* two pages, no create */
}

static void deactivated_user_is_reactivated_not_duplicated(void **s)
{
    ctx *c = *s;
    long seeded = seed_one("users", "{\"users\":[{\"email\":\"gone@example.com\",\"is_active\":false}]}");
    mb_member_result r;
    long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-acme\"}]}");
    assert_int_equal(mb_add_user_to_group(c->in, "gone@example.com", "Gone", "Away", gid, &r, &c->err), 0);
    assert_int_equal(r.user_id, seeded);
    assert_true(r.reactivated);
    assert_false(r.created);
    assert_true(r.added);
    assert_int_equal(t_fake_count(mb, "POST /api/user"), 0);
    char key[64];
    snprintf(key, sizeof key, "PUT /api/user/%ld/reactivate", seeded);
    assert_int_equal(t_fake_count(mb, key), 1);
    assert_int_equal(count_where("users", "email", "gone@example.com", 0), 1);

    /* Second run: found active, already a member. */
    assert_int_equal(mb_add_user_to_group(c->in, "gone@example.com", "Gone", "Away", gid, &r, &c->err), 0);
    assert_true(r.existed);
    assert_false(r.added);
    assert_int_equal(t_fake_count(mb, key), 1);
    assert_int_equal(t_fake_count(mb, "POST /api/permissions/membership"), 1);
}

static void deactivated_user_hidden_from_search_is_found_after_in_use(void **s)
{
    ctx *c = *s;
    /* A Metabase that ignores status=all: the create answers "already in use". */
    long seeded = seed_one("users", "{\"users\":[{\"email\":\"hidden@example.com\",\"is_active\":false}]}");
    t_fake_fault(mb, "{\"method\":\"GET\",\"path\":\"^/api/user\\\\?query=hidden\",\"count\":2,\"status\":200,"
                     "\"body\":{\"data\":[],\"total\":0}}");
    long id;
    mb_user_how how;
    assert_int_equal(mb_ensure_user(c->in, "hidden@example.com", NULL, NULL, &id, &how, &c->err), 0);
    assert_int_equal(id, seeded);
    assert_int_equal(how, MB_USER_REACTIVATED);
    assert_int_equal(count_where("users", "email", "hidden@example.com", 0), 1);
}

static void membership_added_once(void **s)
{
    ctx *c = *s;
    long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-acme\"}]}");
    mb_member_result r1, r2;
    assert_int_equal(mb_add_user_to_group(c->in, "pat@acme.test", "Pat", "Doe", gid, &r1, &c->err), 0);
    assert_true(r1.created);
    assert_true(r1.added);
    assert_int_equal(mb_add_user_to_group(c->in, "pat@acme.test", "Pat", "Doe", gid, &r2, &c->err), 0);
    assert_true(r2.existed);
    assert_false(r2.added);
    assert_int_equal(r1.user_id, r2.user_id);
    assert_int_equal(count_where("memberships", "group_id", NULL, (double)gid), 1);
    assert_int_equal(t_fake_count(mb, "POST /api/permissions/membership"), 1);
    assert_int_equal(count_where("users", "email", "pat@acme.test", 0), 1);
}

/* The re-read before the POST misses the membership (a race); the POST
 * answers "already" (500 by default, 400 when configured): success only
 * because a second read confirms it. */
static void already_member_answer_is_success_after_confirming(void **s)
{
    ctx *c = *s;
    for (int variant = 0; variant < 2; variant++) {
        t_fake_reset(mb);
        if (variant == 1) cJSON_Delete(t_fake_post(mb, "/_fake/config", "{\"membership_already_status\":400}"));
        long uid = seed_one("users", "{\"users\":[{\"email\":\"race@acme.test\"}]}");
        long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-race\"}]}");
        char *m = xasprintf("{\"memberships\":[{\"user_id\":%ld,\"group_id\":%ld}]}", uid, gid);
        cJSON_Delete(t_fake_post(mb, "/_fake/seed", m));
        free(m);
        char *f = xasprintf("{\"method\":\"GET\",\"path\":\"^/api/user/%ld$\",\"status\":200,"
                            "\"body\":{\"id\":%ld,\"email\":\"race@acme.test\",\"user_group_memberships\":[{\"id\":1}]}}",
                            uid, uid);
        t_fake_fault(mb, f);
        free(f);
        bool added = true;
        assert_int_equal(mb_add_membership(c->in, uid, gid, &added, &c->err), 0);
        assert_false(added);
        assert_int_equal(t_fake_count(mb, "POST /api/permissions/membership"), 1);
        assert_int_equal(count_where("memberships", "group_id", NULL, (double)gid), 1);
    }
}

static void failed_membership_is_not_taken_for_already(void **s)
{
    ctx *c = *s;
    long uid = seed_one("users", "{\"users\":[{\"email\":\"err@acme.test\"}]}");
    long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-err\"}]}");
    t_fake_fault(mb, "{\"method\":\"POST\",\"path\":\"^/api/permissions/membership\",\"status\":500}");
    bool added;
    assert_int_equal(mb_add_membership(c->in, uid, gid, &added, &c->err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c->err.msg, "Metabase answered 500 to POST /api/permissions/membership"));
    assert_int_equal(count_where("memberships", "group_id", NULL, (double)gid), 0);
    /* The retry adds it. */
    assert_int_equal(mb_add_membership(c->in, uid, gid, &added, &c->err), 0);
    assert_true(added);
    assert_int_equal(count_where("memberships", "group_id", NULL, (double)gid), 1);
}

static void missing_group_fails_with_the_original_message(void **s)
{
    ctx *c = *s;
    mb_member_result r;
    assert_int_equal(mb_add_user_to_group(c->in, "a@b.test", "A", "B", 0, &r, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "No Metabase group configured for this organisation");
    assert_int_equal(c->log.n, 0);
}

static void collection_cloned_once_with_dashboards(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(mb, "/_fake/config", "{\"require_color\":true}"));
    long parent = seed_one("collections", "{\"collections\":[{\"name\":\"Partners\"}]}");
    long tmpl = seed_one("collections", "{\"collections\":[{\"name\":\"Partner template\"}]}");
    char *d = xasprintf("{\"dashboards\":[{\"name\":\"Usage\",\"collection_id\":%ld},{\"name\":\"Costs\",\"collection_id\":%ld}]}",
                        tmpl, tmpl);
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", d));
    free(d);
    c->cfg->metabase.parent_collection_id = parent;
    c->cfg->metabase.template_collection_id = tmpl;

    mb_collection_result r1, r2;
    assert_int_equal(mb_clone_collection(c->in, "Acme & Söhne", &r1, &c->err), 0);
    assert_true(r1.created);
    assert_int_equal(r1.dashboards_copied, 2);
    assert_int_equal(r1.dashboards_present, 0);
    assert_int_equal(mb_clone_collection(c->in, "Acme & Söhne", &r2, &c->err), 0);
    assert_false(r2.created);
    assert_int_equal(r2.collection_id, r1.collection_id);
    assert_int_equal(r2.dashboards_copied, 0);
    assert_int_equal(r2.dashboards_present, 2);

    assert_int_equal(count_where("collections", "name", "Acme & Söhne", 0), 1);
    assert_int_equal(count_where("collections", "parent_id", NULL, (double)parent), 1);
    assert_int_equal(count_where("dashboards", "collection_id", NULL, (double)r1.collection_id), 2);
    cJSON *st = t_fake_state(mb);
    const cJSON *dash;
    int deep = 0;
    cJSON_ArrayForEach(dash, cJSON_GetObjectItem(st, "dashboards"))
    {
        if (cJSON_GetObjectItem(dash, "collection_id")->valuedouble == (double)r1.collection_id)
            deep += cJSON_IsTrue(cJSON_GetObjectItem(dash, "deep_copy"));
    }
    cJSON_Delete(st);
    assert_int_equal(deep, 2); /* deep copies: the questions come along */
    assert_int_equal(t_fake_count(mb, "POST /api/collection"), 1);

    /* A dashboard added to the template later is copied by the next run. */
    d = xasprintf("{\"dashboards\":[{\"name\":\"Quality\",\"collection_id\":%ld}]}", tmpl);
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", d));
    free(d);
    assert_int_equal(mb_clone_collection(c->in, "Acme & Söhne", &r2, &c->err), 0);
    assert_int_equal(r2.dashboards_copied, 1);
    assert_int_equal(count_where("dashboards", "collection_id", NULL, (double)r1.collection_id), 3);
}

static void collection_without_template_at_root(void **s)
{
    ctx *c = *s;
    mb_collection_result r1, r2;
    assert_int_equal(mb_clone_collection(c->in, "Globex", &r1, &c->err), 0);
    assert_int_equal(mb_clone_collection(c->in, "Globex", &r2, &c->err), 0);
    assert_true(r1.created);
    assert_false(r2.created);
    assert_int_equal(r1.collection_id, r2.collection_id);
    assert_int_equal(count_where("collections", "name", "Globex", 0), 1);
}

static void db_access_granted_once_in_both_graph_shapes(void **s)
{
    ctx *c = *s;
    c->cfg->metabase.database_ids[0] = 1;
    c->cfg->metabase.database_ids[1] = 3;
    c->cfg->metabase.ndatabase_ids = 2;
    for (int shape = 0; shape < 2; shape++) {
        t_fake_reset(mb);
        if (shape == 1) cJSON_Delete(t_fake_post(mb, "/_fake/seed", "{\"graph_shape\":\"old\"}"));
        long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-acme\"}]}");
        mb_grant_result r;
        assert_int_equal(mb_grant_db_access(c->in, gid, &r, &c->err), 0);
        assert_int_equal(r.granted, 2);
        assert_int_equal(r.already, 0);
        assert_int_equal(r.revision, 2);
        assert_int_equal(mb_grant_db_access(c->in, gid, &r, &c->err), 0);
        assert_int_equal(r.granted, 0);
        assert_int_equal(r.already, 2);
        assert_int_equal(t_fake_state_int(mb, "graph_writes"), 1);

        cJSON *st = t_fake_state(mb);
        const cJSON *e1 = t_mb_graph_entry(st, gid, 1), *e2 = t_mb_graph_entry(st, gid, 2), *e3 = t_mb_graph_entry(st, gid, 3);
        assert_non_null(e1);
        assert_null(e2); /* not configured: untouched */
        assert_non_null(e3);
        if (shape == 0) {
            assert_string_equal(cJSON_GetObjectItem(e1, "create-queries")->valuestring, "query-builder");
            assert_string_equal(cJSON_GetObjectItem(e1, "view-data")->valuestring, "unrestricted");
        } else {
            const cJSON *data = cJSON_GetObjectItem(e3, "data");
            assert_string_equal(cJSON_GetObjectItem(data, "schemas")->valuestring, "all");
            assert_string_equal(cJSON_GetObjectItem(data, "native")->valuestring, "none");
        }
        /* Other groups keep what they had. */
        const cJSON *admins = t_mb_graph_entry(st, 2, 1);
        if (shape == 0)
            assert_string_equal(cJSON_GetObjectItem(admins, "create-queries")->valuestring, "query-builder-and-native");
        else
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(admins, "data"), "native")->valuestring, "write");
        cJSON_Delete(st);
    }
}

static void graph_conflict_is_reread_and_reapplied_once(void **s)
{
    ctx *c = *s;
    c->cfg->metabase.database_ids[0] = 2;
    c->cfg->metabase.ndatabase_ids = 1;
    long gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-acme\"}]}");
    /* Someone else saves the graph between our read and our write. */
    t_fake_fault(mb, "{\"method\":\"PUT\",\"path\":\"^/api/permissions/graph\",\"kind\":\"bump_revision\"}");
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, gid, &r, &c->err), 0);
    assert_int_equal(r.granted, 1);
    assert_int_equal(t_fake_count(mb, "PUT /api/permissions/graph"), 2);
    assert_int_equal(t_fake_count(mb, "GET /api/permissions/graph"), 2);
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), 1);
    assert_int_equal(r.revision, 3);

    /* Twice in a row: a transient error, nothing written. */
    t_fake_reset(mb);
    gid = seed_one("groups", "{\"groups\":[{\"name\":\"ext-acme\"}]}");
    t_fake_fault(mb, "{\"method\":\"PUT\",\"path\":\"^/api/permissions/graph\",\"kind\":\"bump_revision\",\"count\":2}");
    assert_int_equal(mb_grant_db_access(c->in, gid, &r, &c->err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c->err.msg, "409"));
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), 0);
    assert_int_equal(t_fake_count(mb, "PUT /api/permissions/graph"), 2);
    /* The engine's retry then succeeds. */
    assert_int_equal(mb_grant_db_access(c->in, gid, &r, &c->err), 0);
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), 1);
}

static void no_database_ids_is_a_config_error(void **s)
{
    ctx *c = *s;
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, 5, &r, &c->err), HY_ERR_CONFIG);
    assert_non_null(strstr(c->err.msg, "set [metabase] database_ids"));
    assert_int_equal(c->log.n, 0);
}

static void admin_helpers_list_add_remove(void **s)
{
    ctx *c = *s;
    long uid = seed_one("users", "{\"users\":[{\"email\":\"sam@acme.test\"}]}");
    long g1 = seed_one("groups", "{\"groups\":[{\"name\":\"ext-one\"}]}");
    long g2 = seed_one("groups", "{\"groups\":[{\"name\":\"ext-two\"}]}");
    mb_group_list all;
    assert_int_equal(mb_list_groups(c->in, &all, &c->err), 0);
    assert_int_equal(all.n, 2); /* All Users and Administrators are never choices */
    for (int i = 0; i < all.n; i++) assert_true(all.items[i].id != 1 && all.items[i].id != 2);
    mb_group_list_free(&all);

    bool added, removed;
    assert_int_equal(mb_add_membership(c->in, uid, g1, &added, &c->err), 0);
    assert_true(added);
    assert_int_equal(mb_add_membership(c->in, uid, g2, &added, &c->err), 0);
    mb_group_list mine;
    assert_int_equal(mb_user_groups(c->in, uid, &mine, &c->err), 0);
    assert_int_equal(mine.n, 2); /* All Users hidden */
    assert_string_equal(mine.items[0].name, "ext-one");
    mb_group_list_free(&mine);

    assert_int_equal(mb_remove_membership(c->in, uid, g1, &removed, &c->err), 0);
    assert_true(removed);
    assert_int_equal(mb_remove_membership(c->in, uid, g1, &removed, &c->err), 0);
    assert_false(removed);
    assert_int_equal(mb_user_groups(c->in, uid, &mine, &c->err), 0);
    assert_int_equal(mine.n, 1);
    assert_int_equal(mine.items[0].id, g2);
    mb_group_list_free(&mine);

    assert_int_equal(mb_add_membership(c->in, uid, 1, &added, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "built-in group (All Users)"));
    assert_int_equal(mb_remove_membership(c->in, uid, 2, &removed, &c->err), HY_ERR_PERMANENT);
}

static void check_reports_the_key_user(void **s)
{
    ctx *c = *s;
    char who[128];
    assert_int_equal(mb_check(c->in, who, sizeof who, &c->err), 0);
    assert_string_equal(who, "Ada Admin <admin@example.com>");
}

static void not_configured_is_a_config_error(void **s)
{
    (void)s;
    hy_config *cfg = t_integ_config(1000);
    hy_integ *in = integ_new(cfg);
    hy_err err;
    hy_err_clear(&err);
    mb_group_result g;
    assert_int_equal(mb_ensure_org_group(in, "Acme", &g, &err), HY_ERR_CONFIG);
    assert_string_equal(err.msg, "Metabase is not configured (set [metabase] url and api_key)");
    integ_free(in);
    config_free(cfg);
}

#define T(f) T_CLIENT_TEST(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(group_is_found_or_created_once),
        T(group_created_meanwhile_is_found),
        T(user_is_found_exactly_not_by_substring),
        T(user_is_created_once_in_both_list_shapes),
        T(search_pages_through_many_matches),
        T(deactivated_user_is_reactivated_not_duplicated),
        T(deactivated_user_hidden_from_search_is_found_after_in_use),
        T(membership_added_once),
        T(already_member_answer_is_success_after_confirming),
        T(failed_membership_is_not_taken_for_already),
        T(missing_group_fails_with_the_original_message),
        T(collection_cloned_once_with_dashboards),
        T(collection_without_template_at_root),
        T(db_access_granted_once_in_both_graph_shapes),
        T(graph_conflict_is_reread_and_reapplied_once),
        T(no_database_ids_is_a_config_error),
        T(admin_helpers_list_add_remove),
        T(check_reports_the_key_user),
        cmocka_unit_test(not_configured_is_a_config_error),
    };
    t_suite.name = "metabase";
    return cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
}
