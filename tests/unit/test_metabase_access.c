/* The Metabase removal and listing client (metabase_access.c) against the
 * fake Metabase: members listed in one call, unknown groups flagged, every
 * removal looks first and is idempotent (already gone = success), the
 * permissions graph revoked revision-safely, the fault classes. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "integrations/metabase.h"
#include "util.h"

#define mb (t_suite.fake)

typedef t_client ctx;

/* Every test here has databases 1 and 3 configured. */
static int open_ctx(void **s)
{
    t_suite_open(s);
    t_client *c = *s;
    c->cfg->metabase.database_ids[0] = 1;
    c->cfg->metabase.database_ids[1] = 3;
    c->cfg->metabase.ndatabase_ids = 2;
    return 0;
}

static long seed(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long seed(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *json = NULL;
    if (vasprintf(&json, fmt, ap) < 0) fail_msg("vasprintf");
    va_end(ap);
    long id = t_fake_seed_id(mb, what, json);
    free(json);
    return id;
}

static long user(const char *email, bool active)
{
    return seed("users", "{\"users\":[{\"email\":\"%s\",\"first_name\":\"F\",\"last_name\":\"L\",\"is_active\":%s}]}",
                email, active ? "true" : "false");
}

static long group(const char *name) { return seed("groups", "{\"groups\":[{\"name\":\"%s\"}]}", name); }

static void member(long uid, long gid)
{
    char *m = xasprintf("{\"memberships\":[{\"user_id\":%ld,\"group_id\":%ld}]}", uid, gid);
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", m));
    free(m);
}

/* Is uid in gid in the fake's state? */
static bool fake_member(long uid, long gid)
{
    cJSON *st = t_fake_state(mb);
    bool found = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(st, "memberships"))
    {
        if ((long)cJSON_GetObjectItem(m, "user_id")->valuedouble == uid &&
            (long)cJSON_GetObjectItem(m, "group_id")->valuedouble == gid)
            found = true;
    }
    cJSON_Delete(st);
    return found;
}

/* An object of a state list by id (a copy; caller deletes), or NULL. */
static cJSON *fake_obj(const char *list, long id)
{
    cJSON *st = t_fake_state(mb), *out = NULL;
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(st, list))
    {
        if (!out && (long)cJSON_GetObjectItem(o, "id")->valuedouble == id) out = cJSON_Duplicate(o, 1);
    }
    cJSON_Delete(st);
    return out;
}

static bool fake_flag(const char *list, long id, const char *key)
{
    cJSON *o = fake_obj(list, id);
    if (!o) fail_msg("no %s %ld in the fake", list, id);
    bool v = cJSON_IsTrue(cJSON_GetObjectItem(o, key));
    cJSON_Delete(o);
    return v;
}

static int count(const char *method, long id, const char *fmt)
{
    char path[96], key[112];
    snprintf(path, sizeof path, fmt, id);
    snprintf(key, sizeof key, "%s %s", method, path);
    return t_fake_count(mb, key);
}

static long admin_id(void)
{
    cJSON *st = t_fake_state(mb);
    long id = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(st, "users"))
    {
        if (cJSON_IsTrue(cJSON_GetObjectItem(u, "is_superuser"))) id = (long)cJSON_GetObjectItem(u, "id")->valuedouble;
    }
    cJSON_Delete(st);
    return id;
}

/* ---- listing ---- */

static void group_members_in_one_call_active_only(void **s)
{
    ctx *c = *s;
    long a = user("ann@acme.test", true), b = user("bob@acme.test", true), gone = user("gone@acme.test", false);
    long other = user("x@other.test", true);
    long g = group("ext-acme"), h = group("ext-other");
    member(a, g);
    member(b, g);
    member(gone, g);
    member(other, h);
    mb_member_list l;
    bool missing = true;
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), 0);
    assert_false(missing);
    assert_int_equal(l.n, 2); /* Metabase lists active accounts only */
    bool seen_a = false, seen_b = false;
    for (int i = 0; i < l.n; i++) {
        if (l.v[i].user_id == a) {
            seen_a = true;
            assert_string_equal(l.v[i].email, "ann@acme.test");
            assert_string_equal(l.v[i].first_name, "F");
            assert_string_equal(l.v[i].last_name, "L");
        }
        seen_b |= l.v[i].user_id == b;
        assert_true(l.v[i].membership_id > 0);
        assert_true(l.v[i].user_id != gone && l.v[i].user_id != other);
    }
    assert_true(seen_a && seen_b);
    mb_member_list_free(&l);
    assert_int_equal(count("GET", g, "/api/permissions/group/%ld"), 1);
    assert_int_equal(c->log.n, 1);

    /* With a version that lists deactivated members too. */
    cJSON_Delete(t_fake_post(mb, "/_fake/config", "{\"members_include_inactive\":true}"));
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), 0);
    assert_int_equal(l.n, 3);
    mb_member_list_free(&l);

    /* An empty group. */
    long empty = group("ext-empty");
    assert_int_equal(mb_group_members(c->in, empty, &l, &missing, &c->err), 0);
    assert_int_equal(l.n, 0);
    assert_false(missing);
    mb_member_list_free(&l);
}

static void unknown_group_is_flagged_not_failed(void **s)
{
    ctx *c = *s;
    mb_member_list l;
    bool missing = false;
    assert_int_equal(mb_group_members(c->in, 424242, &l, &missing, &c->err), 0);
    assert_true(missing);
    assert_int_equal(l.n, 0);
    mb_member_list_free(&l);
    /* A group that is deleted by hand later is flagged too. */
    long g = group("ext-doomed");
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), 0);
    assert_false(missing);
    mb_member_list_free(&l);
    char *rm = xasprintf("{\"groups\":[%ld]}", g);
    cJSON_Delete(t_fake_post(mb, "/_fake/remove", rm));
    free(rm);
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), 0);
    assert_true(missing);
    mb_member_list_free(&l);
}

static void member_answer_is_validated(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    mb_member_list l;
    bool missing;
    char *f = xasprintf("{\"path\":\"^/api/permissions/group/%ld$\",\"status\":200,\"body\":{\"id\":%ld,\"members\":"
                        "[{\"email\":\"no-id@acme.test\"}]}}", g, g);
    t_fake_fault(mb, f);
    free(f);
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "a member without user_id"));
    assert_int_equal(l.n, 0);
    f = xasprintf("{\"path\":\"^/api/permissions/group/%ld$\",\"status\":200,\"body\":{\"id\":%ld,\"name\":\"x\"}}", g,
                  g);
    t_fake_fault(mb, f);
    free(f);
    assert_int_equal(mb_group_members(c->in, g, &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "without a members list"));
    assert_int_equal(mb_group_members(c->in, 0, &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "no Metabase group given");
}

typedef struct {
    long a, b;
} ids;

static int call_members(t_client *c, void *arg)
{
    mb_member_list l;
    bool missing;
    int rc = mb_group_members(c->in, ((ids *)arg)->a, &l, &missing, &c->err);
    mb_member_list_free(&l);
    return rc;
}

static void group_members_fault_classes(void **s)
{
    ctx *c = *s;
    ids g = {group("ext-acme"), 0};
    t_fault_classes(mb, c, "GET", "^/api/permissions/group/\\\\d+$", true, call_members, &g);
}

/* ---- one person ---- */

static void user_removed_from_group_once(void **s)
{
    ctx *c = *s;
    long u = user("pat@acme.test", true), g = group("ext-acme"), h = group("ext-other");
    member(u, g);
    member(u, h);
    mb_remove_result r;
    assert_int_equal(mb_remove_user_from_group(c->in, u, g, &r, &c->err), 0);
    assert_true(r.removed);
    assert_false(r.in_no_group); /* still in ext-other */
    assert_false(r.user_missing);
    assert_false(fake_member(u, g));
    assert_true(fake_member(u, h));
    assert_true(fake_member(u, 1));

    /* Again: nothing to do, one read, no delete. */
    call_log_reset(&c->log);
    assert_int_equal(mb_remove_user_from_group(c->in, u, g, &r, &c->err), 0);
    assert_false(r.removed);
    assert_false(r.in_no_group);
    assert_int_equal(c->log.n, 1);
    assert_string_equal(c->log.calls[0].method, "GET");

    /* Out of the last group: only All Users is left. */
    assert_int_equal(mb_remove_user_from_group(c->in, u, h, &r, &c->err), 0);
    assert_true(r.removed);
    assert_true(r.in_no_group);
    assert_int_equal(mb_remove_user_from_group(c->in, u, h, &r, &c->err), 0);
    assert_false(r.removed);
    assert_true(r.in_no_group); /* a re-run still says so, for the deactivation */
}

static void administrators_is_never_no_group(void **s)
{
    ctx *c = *s;
    long u = user("boss@acme.test", true), g = group("ext-acme");
    member(u, g);
    member(u, 2);
    mb_remove_result r;
    assert_int_equal(mb_remove_user_from_group(c->in, u, g, &r, &c->err), 0);
    assert_true(r.removed);
    assert_false(r.in_no_group);
    /* Built-in groups are refused without a call. */
    call_log_reset(&c->log);
    assert_int_equal(mb_remove_user_from_group(c->in, u, 2, &r, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "built-in group (Administrators)"));
    assert_int_equal(mb_remove_user_from_group(c->in, u, 1, &r, &c->err), HY_ERR_PERMANENT);
    assert_int_equal(c->log.n, 0);
    assert_true(fake_member(u, 2));
}

static void unknown_user_or_membership_gone_meanwhile(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    mb_remove_result r;
    assert_int_equal(mb_remove_user_from_group(c->in, 999999, g, &r, &c->err), 0);
    assert_true(r.user_missing);
    assert_false(r.removed);
    assert_int_equal(mb_remove_user_from_group(c->in, 0, g, &r, &c->err), HY_ERR_PERMANENT);

    /* Someone removes it between our look and our delete: 404 = done. */
    long u = user("race@acme.test", true);
    member(u, g);
    t_fake_fault(mb, "{\"method\":\"DELETE\",\"path\":\"^/api/permissions/membership/\",\"status\":404,"
                     "\"body\":\"Not found.\",\"content_type\":\"text/plain\"}");
    assert_int_equal(mb_remove_user_from_group(c->in, u, g, &r, &c->err), 0);
    assert_false(r.removed);
}

static int call_remove(t_client *c, void *arg)
{
    mb_remove_result r;
    return mb_remove_user_from_group(c->in, ((ids *)arg)->a, ((ids *)arg)->b, &r, &c->err);
}

static void remove_fault_classes(void **s)
{
    ctx *c = *s;
    ids x = {user("pat@acme.test", true), group("ext-acme")};
    member(x.a, x.b);
    /* The delete itself fails: the membership stays until the retry. */
    t_fault_classes(mb, c, "DELETE", "^/api/permissions/membership/", false, call_remove, &x);
    assert_false(fake_member(x.a, x.b));
    member(x.a, x.b);
    t_fault_classes(mb, c, "GET", "^/api/user/\\\\d+$", true, call_remove, &x);
    assert_false(fake_member(x.a, x.b));
}

static void user_deactivated_once_and_email_still_taken(void **s)
{
    ctx *c = *s;
    long u = user("leaver@acme.test", true);
    bool done = false;
    assert_int_equal(mb_deactivate_user(c->in, u, &done, &c->err), 0);
    assert_true(done);
    assert_false(fake_flag("users", u, "is_active"));
    assert_int_equal(mb_deactivate_user(c->in, u, &done, &c->err), 0);
    assert_false(done);
    assert_int_equal(count("DELETE", u, "/api/user/%ld"), 1);

    /* The deactivated account is out of the default list but keeps its
     * email: onboarding the same person again reactivates it. */
    long found;
    bool active = true;
    assert_int_equal(mb_find_user(c->in, "leaver@acme.test", &found, &active, &c->err), 0);
    assert_int_equal(found, u);
    assert_false(active);
    assert_int_equal(t_fake_count(mb, "GET /api/user"), 2); /* not in the default list, found with status=all */
    mb_user_how how;
    assert_int_equal(mb_ensure_user(c->in, "leaver@acme.test", "L", "Eaver", &found, &how, &c->err), 0);
    assert_int_equal(found, u);
    assert_int_equal(how, MB_USER_REACTIVATED);
    assert_int_equal(t_fake_count(mb, "POST /api/user"), 0);

    /* Unknown: nothing to deactivate. */
    assert_int_equal(mb_deactivate_user(c->in, 999999, &done, &c->err), 0);
    assert_false(done);
}

static void administrator_is_never_deactivated(void **s)
{
    ctx *c = *s;
    long admin = admin_id();
    assert_true(admin > 0);
    bool done = true;
    assert_int_equal(mb_deactivate_user(c->in, admin, &done, &c->err), HY_ERR_PERMANENT);
    assert_false(done);
    assert_non_null(strstr(c->err.msg, "is an administrator"));
    assert_true(fake_flag("users", admin, "is_active"));
    assert_int_equal(count("DELETE", admin, "/api/user/%ld"), 0);
}

static int call_deactivate(t_client *c, void *arg)
{
    bool done;
    return mb_deactivate_user(c->in, ((ids *)arg)->a, &done, &c->err);
}

static void deactivate_fault_classes(void **s)
{
    ctx *c = *s;
    ids x = {user("leaver@acme.test", true), 0};
    t_fault_classes(mb, c, "DELETE", "^/api/user/\\\\d+$", true, call_deactivate, &x);
    assert_false(fake_flag("users", x.a, "is_active"));
    /* A user answer without is_active is not guessed at. */
    ids z = {user("third@acme.test", true), 0};
    char *f = xasprintf("{\"method\":\"GET\",\"path\":\"^/api/user/%ld$\",\"status\":200,\"body\":{\"id\":%ld,"
                        "\"email\":\"third@acme.test\"}}", z.a, z.a);
    t_fake_fault(mb, f);
    free(f);
    assert_int_equal(call_deactivate(c, &z), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "without is_active"));
    assert_true(fake_flag("users", z.a, "is_active"));
    /* {"success":false} is not taken for done. */
    ids y = {user("second@acme.test", true), 0};
    t_fake_fault(mb, "{\"method\":\"DELETE\",\"path\":\"^/api/user/\",\"status\":200,\"body\":{\"success\":false}}");
    assert_int_equal(call_deactivate(c, &y), HY_ERR_PERMANENT);
}

/* ---- data access, collection, group ---- */

/* The entry's two values (newer shape), "view-data/create-queries". */
static void assert_entry(long gid, long db, const char *want)
{
    cJSON *st = t_fake_state(mb);
    const cJSON *e = t_mb_graph_entry(st, gid, db);
    char got[128];
    snprintf(got, sizeof got, "%s/%s", cJSON_GetStringValue(cJSON_GetObjectItem(e, "view-data")),
             cJSON_GetStringValue(cJSON_GetObjectItem(e, "create-queries")));
    cJSON_Delete(st);
    assert_string_equal(got, want);
}

/* Writes an entry into the fake's graph as an admin would by hand. */
static void set_entry(long gid, long db, const char *entry_json)
{
    char *body = xasprintf("{\"perms\":{\"%ld\":{\"%ld\":%s}}}", gid, db, entry_json);
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", body));
    free(body);
}

static void db_access_revoked_once_everywhere_the_group_had_it(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, g, &r, &c->err), 0);
    /* Database 2 is not configured but was granted by hand. */
    set_entry(g, 2, "{\"view-data\":\"unrestricted\",\"create-queries\":\"query-builder-and-native\"}");
    int writes = t_fake_state_int(mb, "graph_writes");
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 3);
    assert_int_equal(r.already, 0);
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), writes + 1);
    assert_entry(g, 1, "unrestricted/no");
    assert_entry(g, 2, "unrestricted/no");
    assert_entry(g, 3, "unrestricted/no");
    assert_entry(2, 1, "unrestricted/query-builder-and-native"); /* Administrators untouched */
    assert_entry(1, 1, "unrestricted/no");

    /* Again: nothing to change, no write. */
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 0);
    assert_int_equal(r.already, 3);
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), writes + 1);

    /* A stricter configured value tightens what is left; "blocked" is never loosened. */
    free(c->cfg->metabase.revoke_view_data);
    c->cfg->metabase.revoke_view_data = xstrdup("blocked");
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 3);
    assert_entry(g, 3, "blocked/no");
    set_entry(g, 1, "{\"view-data\":\"blocked\",\"create-queries\":\"query-builder\"}");
    assert_int_equal(mb_revoke_db_access(c->in, g, "unrestricted", &r, &c->err), 0);
    assert_int_equal(r.granted, 1);
    assert_entry(g, 1, "blocked/no");
    assert_entry(g, 2, "blocked/no");

    /* A group with no entry at all: nothing to revoke. */
    long fresh = group("ext-fresh");
    writes = t_fake_state_int(mb, "graph_writes");
    assert_int_equal(mb_revoke_db_access(c->in, fresh, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 0);
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), writes);
}

static void db_access_revoked_in_the_older_graph_shape(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(mb, "/_fake/seed", "{\"graph_shape\":\"old\"}"));
    long g = group("ext-acme");
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, g, &r, &c->err), 0);
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 2);
    cJSON *st = t_fake_state(mb);
    for (long db = 1; db <= 3; db += 2) {
        const cJSON *data = cJSON_GetObjectItem(t_mb_graph_entry(st, g, db), "data");
        assert_string_equal(cJSON_GetObjectItem(data, "schemas")->valuestring, "none");
        assert_string_equal(cJSON_GetObjectItem(data, "native")->valuestring, "none");
    }
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t_mb_graph_entry(st, 2, 1), "data"), "native")->valuestring,
                        "write");
    cJSON_Delete(st);
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 0);
    assert_int_equal(r.already, 2);
}

static void revoke_conflict_is_reread_and_reapplied_once(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, g, &r, &c->err), 0);
    int writes = t_fake_state_int(mb, "graph_writes");
    t_fake_fault(mb, "{\"method\":\"PUT\",\"path\":\"^/api/permissions/graph\",\"kind\":\"bump_revision\"}");
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_int_equal(r.granted, 2);
    assert_int_equal(t_fake_count(mb, "PUT /api/permissions/graph"), 3); /* grant, 409, revoke */
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), writes + 1);
    assert_entry(g, 1, "unrestricted/no");

    /* Twice in a row: transient, nothing written; the retry succeeds. */
    assert_int_equal(mb_grant_db_access(c->in, g, &r, &c->err), 0);
    writes = t_fake_state_int(mb, "graph_writes");
    t_fake_fault(mb, "{\"method\":\"PUT\",\"path\":\"^/api/permissions/graph\",\"kind\":\"bump_revision\",\"count\":2}");
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c->err.msg, "409"));
    assert_int_equal(t_fake_state_int(mb, "graph_writes"), writes);
    assert_entry(g, 1, "unrestricted/query-builder");
    assert_int_equal(mb_revoke_db_access(c->in, g, NULL, &r, &c->err), 0);
    assert_entry(g, 1, "unrestricted/no");
}

static void revoke_refuses_bad_input_without_a_call(void **s)
{
    ctx *c = *s;
    mb_grant_result r;
    assert_int_equal(mb_revoke_db_access(c->in, 5, "Unrestricted'; x", &r, &c->err), HY_ERR_CONFIG);
    assert_non_null(strstr(c->err.msg, "[metabase] revoke_view_data"));
    assert_int_equal(mb_revoke_db_access(c->in, 1, NULL, &r, &c->err), HY_ERR_PERMANENT);
    assert_int_equal(mb_revoke_db_access(c->in, 0, NULL, &r, &c->err), HY_ERR_PERMANENT);
    assert_int_equal(c->log.n, 0);
}

static int call_revoke(t_client *c, void *arg)
{
    mb_grant_result r;
    return mb_revoke_db_access(c->in, ((ids *)arg)->a, NULL, &r, &c->err);
}

static void revoke_fault_classes(void **s)
{
    ctx *c = *s;
    ids g = {group("ext-acme"), 0};
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, g.a, &r, &c->err), 0);
    t_fault_classes(mb, c, "PUT", "^/api/permissions/graph", true, call_revoke, &g);
    assert_entry(g.a, 3, "unrestricted/no");
}

static void collection_archived_once(void **s)
{
    ctx *c = *s;
    long parent = seed("collections", "{\"collections\":[{\"name\":\"Partners\"}]}");
    long coll = seed("collections", "{\"collections\":[{\"name\":\"Acme\",\"parent_id\":%ld}]}", parent);
    c->cfg->metabase.parent_collection_id = parent;
    bool archived = false;
    assert_int_equal(mb_archive_collection(c->in, coll, &archived, &c->err), 0);
    assert_true(archived);
    assert_true(fake_flag("collections", coll, "archived"));
    assert_int_equal(mb_archive_collection(c->in, coll, &archived, &c->err), 0);
    assert_false(archived);
    assert_int_equal(count("PUT", coll, "/api/collection/%ld"), 1);
    /* An archived collection is no longer among the parent's items. */
    mb_collection_result again;
    assert_int_equal(mb_clone_collection(c->in, "Acme", &again, &c->err), 0);
    assert_true(again.created); /* a new partnership gets a new collection */
}

static void collection_unknown_or_protected_is_refused(void **s)
{
    ctx *c = *s;
    bool archived = true;
    assert_int_equal(mb_archive_collection(c->in, 777777, &archived, &c->err), HY_ERR_PERMANENT);
    assert_false(archived);
    assert_non_null(strstr(c->err.msg, "Metabase has no collection 777777"));
    long parent = seed("collections", "{\"collections\":[{\"name\":\"Partners\"}]}");
    long tmpl = seed("collections", "{\"collections\":[{\"name\":\"Template\"}]}");
    c->cfg->metabase.parent_collection_id = parent;
    c->cfg->metabase.template_collection_id = tmpl;
    call_log_reset(&c->log);
    assert_int_equal(mb_archive_collection(c->in, parent, &archived, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "parent_collection_id"));
    assert_int_equal(mb_archive_collection(c->in, tmpl, &archived, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "template_collection_id"));
    assert_int_equal(c->log.n, 0);
    assert_false(fake_flag("collections", parent, "archived"));
    /* The answer to the archive is checked. */
    long coll = seed("collections", "{\"collections\":[{\"name\":\"Acme\"}]}");
    char *f = xasprintf("{\"method\":\"PUT\",\"path\":\"^/api/collection/%ld$\",\"status\":200,\"body\":{\"id\":%ld,"
                        "\"archived\":false}}", coll, coll);
    t_fake_fault(mb, f);
    free(f);
    assert_int_equal(mb_archive_collection(c->in, coll, &archived, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "not archived"));
    assert_false(archived);
}

static int call_archive(t_client *c, void *arg)
{
    bool archived;
    return mb_archive_collection(c->in, ((ids *)arg)->a, &archived, &c->err);
}

static void archive_fault_classes(void **s)
{
    ctx *c = *s;
    ids x = {seed("collections", "{\"collections\":[{\"name\":\"Acme\"}]}"), 0};
    t_fault_classes(mb, c, "PUT", "^/api/collection/\\\\d+$", true, call_archive, &x);
    assert_true(fake_flag("collections", x.a, "archived"));
}

static void empty_group_deleted_once(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    mb_grant_result r;
    assert_int_equal(mb_grant_db_access(c->in, g, &r, &c->err), 0);
    bool deleted = false;
    assert_int_equal(mb_delete_group(c->in, g, &deleted, &c->err), 0);
    assert_true(deleted);
    cJSON *o = fake_obj("groups", g);
    assert_null(o);
    assert_int_equal(mb_delete_group(c->in, g, &deleted, &c->err), 0);
    assert_false(deleted);
    assert_int_equal(count("DELETE", g, "/api/permissions/group/%ld"), 1);
    /* Gone between our look and our delete: 404 = done. */
    long h = group("ext-race");
    t_fake_fault(mb, "{\"method\":\"DELETE\",\"path\":\"^/api/permissions/group/\",\"status\":404,"
                     "\"body\":\"Not found.\",\"content_type\":\"text/plain\"}");
    assert_int_equal(mb_delete_group(c->in, h, &deleted, &c->err), 0);
    assert_false(deleted);
}

static void group_with_members_or_builtin_is_not_deleted(void **s)
{
    ctx *c = *s;
    long g = group("ext-acme");
    member(user("stays@acme.test", true), g);
    bool deleted = true;
    assert_int_equal(mb_delete_group(c->in, g, &deleted, &c->err), HY_ERR_PERMANENT);
    assert_false(deleted);
    char want[160];
    snprintf(want, sizeof want, "Metabase group %ld still has 1 member (stays@acme.test): revoke their access first", g);
    assert_non_null(strstr(c->err.msg, want));
    cJSON *o = fake_obj("groups", g);
    assert_non_null(o);
    cJSON_Delete(o);
    call_log_reset(&c->log);
    assert_int_equal(mb_delete_group(c->in, 1, &deleted, &c->err), HY_ERR_PERMANENT);
    assert_int_equal(mb_delete_group(c->in, 2, &deleted, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "Administrators"));
    assert_int_equal(c->log.n, 0);
}

static int call_delete_group(t_client *c, void *arg)
{
    bool deleted;
    return mb_delete_group(c->in, ((ids *)arg)->a, &deleted, &c->err);
}

static void delete_group_fault_classes(void **s)
{
    ctx *c = *s;
    ids x = {group("ext-acme"), 0};
    t_fault_classes(mb, c, "DELETE", "^/api/permissions/group/\\\\d+$", false, call_delete_group, &x);
    cJSON *o = fake_obj("groups", x.a);
    assert_null(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, open_ctx, t_suite_close)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(group_members_in_one_call_active_only),
        T(unknown_group_is_flagged_not_failed),
        T(member_answer_is_validated),
        T(group_members_fault_classes),
        T(user_removed_from_group_once),
        T(administrators_is_never_no_group),
        T(unknown_user_or_membership_gone_meanwhile),
        T(remove_fault_classes),
        T(user_deactivated_once_and_email_still_taken),
        T(administrator_is_never_deactivated),
        T(deactivate_fault_classes),
        T(db_access_revoked_once_everywhere_the_group_had_it),
        T(db_access_revoked_in_the_older_graph_shape),
        T(revoke_conflict_is_reread_and_reapplied_once),
        T(revoke_refuses_bad_input_without_a_call),
        T(revoke_fault_classes),
        T(collection_archived_once),
        T(collection_unknown_or_protected_is_refused),
        T(archive_fault_classes),
        T(empty_group_deleted_once),
        T(group_with_members_or_builtin_is_not_deleted),
        T(delete_group_fault_classes),
    };
    t_suite.name = "metabase";
    return cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
}
