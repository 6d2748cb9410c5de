/* The Slack removal and listing client (slack_access.c) against the fake
 * Slack: members read in one call, a user written out of the WHOLE list
 * (one comma-separated string, nobody else dropped: checked in the fake's
 * record of writes), the last member disables the group (and the next
 * onboarding enables it), the write verified and redone once, unknown and
 * disabled groups, the fault classes. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "integrations/slack.h"
#include "util.h"

#define sl (t_suite.fake)

typedef t_client ctx;

/* Seeded users u[0..n) = one@acme.test, two@..., and a group holding the
 * first `members` of them (handle ext-acme). */
typedef struct {
    char u[4][32];
    char g[32];
} world;

static void make_world(world *w, int members, bool disabled)
{
    cJSON *r = t_fake_post(sl, "/_fake/seed", "{\"users\":[{\"email\":\"one@acme.test\"},{\"email\":\"two@acme.test\"},"
                                             "{\"email\":\"three@acme.test\"},{\"email\":\"four@acme.test\"}]}");
    for (int i = 0; i < 4; i++)
        hy_strlcpy(w->u[i], cJSON_GetArrayItem(cJSON_GetObjectItem(r, "users"), i)->valuestring, sizeof w->u[i]);
    cJSON_Delete(r);
    hy_buf b = {0};
    hy_buf_put(&b, "{\"usergroups\":[{\"handle\":\"ext-acme\",\"users\":[");
    for (int i = 0; i < members; i++) hy_buf_printf(&b, "%s\"%s\"", i ? "," : "", w->u[i]);
    hy_buf_printf(&b, "],\"disabled\":%s}]}", disabled ? "true" : "false");
    r = t_fake_post(sl, "/_fake/seed", b.s);
    hy_buf_free(&b);
    hy_strlcpy(w->g, cJSON_GetArrayItem(cJSON_GetObjectItem(r, "usergroups"), 0)->valuestring, sizeof w->g);
    cJSON_Delete(r);
}

/* The group in the fake's state (a copy; caller deletes). */
static cJSON *fake_group(const char *id)
{
    cJSON *st = t_fake_state(sl), *out = NULL;
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(st, "usergroups"))
    {
        if (!out && strcmp(cJSON_GetObjectItem(g, "id")->valuestring, id) == 0) out = cJSON_Duplicate(g, 1);
    }
    cJSON_Delete(st);
    if (!out) fail_msg("no group %s in the fake", id);
    return out;
}

/* The fake group's members as "U1,U2". */
static void fake_members(const char *id, char *out, size_t outsz)
{
    cJSON *g = fake_group(id);
    hy_buf b = {0};
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(g, "users")) hy_buf_printf(&b, "%s%s", b.len ? "," : "", u->valuestring);
    hy_strlcpy(out, b.s ? b.s : "", outsz);
    hy_buf_free(&b);
    cJSON_Delete(g);
}

static bool fake_disabled(const char *id)
{
    cJSON *g = fake_group(id);
    bool d = cJSON_GetObjectItem(g, "date_delete")->valuedouble > 0;
    cJSON_Delete(g);
    return d;
}

/* The `users` argument of every usergroups.users.update sent, decoded, "|"-separated. */
static void written_lists(char *out, size_t outsz)
{
    cJSON *bodies = t_fake_bodies(sl, "POST", "/api/usergroups.users.update");
    hy_buf b = {0};
    const cJSON *body;
    cJSON_ArrayForEach(body, bodies)
    {
        const char *p = strstr(body->valuestring, "users=");
        if (!p) fail_msg("an update without users: %s", body->valuestring);
        hy_buf_put(&b, b.len ? "|" : "");
        for (p += 6; *p && *p != '&'; p++) {
            if (strncmp(p, "%2C", 3) == 0) {
                hy_buf_putc(&b, ',');
                p += 2;
            } else {
                hy_buf_putc(&b, *p);
            }
        }
    }
    hy_strlcpy(out, b.s ? b.s : "", outsz);
    hy_buf_free(&b);
    cJSON_Delete(bodies);
}

static char *list_of(const world *w, const char *which)
{
    /* "02" -> "U..,U.." (the ids of users 0 and 2) */
    hy_buf b = {0};
    for (const char *p = which; *p; p++) hy_buf_printf(&b, "%s%s", b.len ? "," : "", w->u[*p - '0']);
    return hy_buf_take(&b);
}

/* ---- members ---- */

static void members_in_one_call_unknown_group_flagged(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    slack_id_list l;
    bool missing = true;
    assert_int_equal(slack_group_members(c->in, w.g, &l, &missing, &c->err), 0);
    assert_false(missing);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++) assert_string_equal(l.ids[i], w.u[i]);
    slack_id_list_free(&l);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.users.list"), 1);
    cJSON *bodies = t_fake_bodies(sl, "POST", "usergroups.users.list");
    assert_non_null(strstr(cJSON_GetArrayItem(bodies, 0)->valuestring, "include_disabled=true"));
    cJSON_Delete(bodies);

    /* A stub id from the original app, an id Slack never had. */
    assert_int_equal(slack_group_members(c->in, "slack-grp-1234", &l, &missing, &c->err), 0);
    assert_true(missing);
    assert_int_equal(l.n, 0);
    assert_int_equal(c->err.code, HY_OK);
    slack_id_list_free(&l);
}

static void disabled_group_still_lists_its_members(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 2, true);
    slack_id_list l;
    bool missing;
    assert_int_equal(slack_group_members(c->in, w.g, &l, &missing, &c->err), 0);
    assert_int_equal(l.n, 2);
    slack_id_list_free(&l);
}

static void member_answer_is_validated(void **s)
{
    ctx *c = *s;
    slack_id_list l;
    bool missing;
    t_fake_fault(sl, "{\"path\":\"usergroups.users.list\",\"status\":200,\"body\":{\"ok\":true,\"users\":[\"U1\",7]}}");
    assert_int_equal(slack_group_members(c->in, "S1", &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "not a string"));
    assert_int_equal(l.n, 0);
    t_fake_fault(sl, "{\"path\":\"usergroups.users.list\",\"status\":200,\"body\":{\"ok\":true}}");
    assert_int_equal(slack_group_members(c->in, "S1", &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "without a users list"));
    /* Other ok:false codes are errors, not a missing group. */
    t_fake_fault(sl, "{\"path\":\"usergroups.users.list\",\"status\":200,\"body\":{\"ok\":false,\"error\":\"missing_scope\","
                     "\"needed\":\"usergroups:read\"}}");
    assert_int_equal(slack_group_members(c->in, "S1", &l, &missing, &c->err), HY_ERR_PERMANENT);
    assert_false(missing);
    assert_non_null(strstr(c->err.msg, "usergroups:read"));
}

typedef struct {
    world *w;
    const char *email;
} args;

static int call_members(t_client *c, void *arg)
{
    slack_id_list l;
    bool missing;
    int rc = slack_group_members(c->in, ((args *)arg)->w->g, &l, &missing, &c->err);
    slack_id_list_free(&l);
    return rc;
}

static void members_fault_classes(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 2, false);
    args a = {&w, NULL};
    t_fault_classes(sl, c, "POST", "usergroups.users.list", true, call_members, &a);
}

/* ---- removing one person ---- */

static void user_written_out_keeping_everyone_else(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "TWO@acme.test", NULL, &r, &c->err), 0);
    assert_string_equal(r.user_id, w.u[1]);
    assert_true(r.removed);
    assert_false(r.disabled_group);
    assert_int_equal(r.member_count, 2);
    char got[256], *want = list_of(&w, "02");
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, want);
    /* One write: the whole list without the user, one comma-separated string. */
    written_lists(got, sizeof got);
    assert_string_equal(got, want);
    cJSON *bodies = t_fake_bodies(sl, "POST", "usergroups.users.update");
    assert_null(strstr(cJSON_GetArrayItem(bodies, 0)->valuestring, "%5B")); /* never a JSON array */
    cJSON_Delete(bodies);
    free(want);

    /* Again: not there, no write. */
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "two@acme.test", NULL, &r, &c->err), 0);
    assert_false(r.removed);
    assert_int_equal(r.member_count, 2);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.users.update"), 1);
}

static void known_id_needs_no_lookup_and_no_account_is_nothing(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, NULL, w.u[0], &r, &c->err), 0);
    assert_true(r.removed);
    assert_int_equal(t_fake_count(sl, "POST /api/users.lookupByEmail"), 0);
    char got[256], *want = list_of(&w, "12");
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, want);
    free(want);

    /* No Slack account: in no group, nothing read or written. */
    call_log_reset(&c->log);
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "nobody@acme.test", NULL, &r, &c->err), 0);
    assert_false(r.removed);
    assert_string_equal(r.user_id, "");
    assert_int_equal(c->log.n, 1);
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "", NULL, &r, &c->err), HY_ERR_PERMANENT);
    /* An unknown group is an error naming it. */
    assert_int_equal(slack_remove_user_from_group(c->in, "slack-grp-9", NULL, w.u[1], &r, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "Slack has no user group slack-grp-9 (no_such_subteam): check the organisation's "
                                    "Slack group id");
}

static void last_member_disables_and_next_onboarding_enables(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 1, false);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "one@acme.test", NULL, &r, &c->err), 0);
    assert_true(r.removed);
    assert_true(r.disabled_group);
    assert_int_equal(r.member_count, 0);
    assert_true(fake_disabled(w.g));
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.users.update"), 0); /* never an empty list */
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.disable"), 1);

    /* Again: already disabled, nothing sent. */
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "one@acme.test", NULL, &r, &c->err), 0);
    assert_false(r.removed);
    assert_true(r.disabled_group);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.disable"), 1);

    /* The next onboarding into the organisation enables it again... */
    slack_group_result g;
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), 0);
    assert_string_equal(g.id, w.g);
    assert_true(g.enabled);
    assert_false(g.created);
    assert_false(fake_disabled(w.g));
    /* ...and the group still lists the revoked user: whoever enables it
     * must write them out (fake: a disabled group keeps its list). */
    char got[128];
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, w.u[0]);
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, w.g, "two@acme.test", &m, &c->err), 0);
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, NULL, w.u[0], &r, &c->err), 0);
    assert_true(r.removed);
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, w.u[1]);
}

static void stale_read_back_is_written_again_once(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    /* The read after our write still shows the user (once). */
    char *f = xasprintf("{\"path\":\"usergroups.users.list\",\"skip\":1,\"status\":200,\"body\":{\"ok\":true,"
                        "\"users\":[\"%s\",\"%s\",\"%s\"]}}", w.u[0], w.u[1], w.u[2]);
    t_fake_fault(sl, f);
    free(f);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "two@acme.test", NULL, &r, &c->err), 0);
    assert_true(r.removed);
    char got[256], *want = list_of(&w, "02");
    written_lists(got, sizeof got);
    char *twice = xasprintf("%s|%s", want, want);
    assert_string_equal(got, twice); /* written twice, never with the user, never without the others */
    free(twice);
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, want);
    free(want);
}

static void user_still_listed_after_two_writes_is_transient(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    char *f = xasprintf("{\"path\":\"usergroups.users.list\",\"skip\":1,\"count\":2,\"status\":200,\"body\":{\"ok\":true,"
                        "\"users\":[\"%s\",\"%s\",\"%s\"]}}", w.u[0], w.u[1], w.u[2]);
    t_fake_fault(sl, f);
    free(f);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "two@acme.test", NULL, &r, &c->err), HY_ERR_TRANSIENT);
    assert_false(r.removed);
    char want[200];
    snprintf(want, sizeof want, "Slack user group %s still lists %s after HyOpps wrote", w.g, w.u[1]);
    assert_non_null(strstr(c->err.msg, want));
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.users.update"), 2);
    /* The engine's retry finds the user gone. */
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "two@acme.test", NULL, &r, &c->err), 0);
    assert_false(r.removed);
}

static void someone_else_dropped_is_written_back_then_an_error(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    /* Slack drops `three` from every read after our writes (a deactivated account?). */
    char *f = xasprintf("{\"path\":\"usergroups.users.list\",\"skip\":1,\"count\":2,\"status\":200,\"body\":{\"ok\":true,"
                        "\"users\":[\"%s\"]}}", w.u[0]);
    t_fake_fault(sl, f);
    free(f);
    slack_remove_result r;
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "two@acme.test", NULL, &r, &c->err), HY_ERR_PERMANENT);
    char want[200];
    snprintf(want, sizeof want, "Slack dropped %s from user group %s although HyOpps wrote them back twice", w.u[2], w.g);
    assert_non_null(strstr(c->err.msg, want));
    /* Both writes held everyone but the user. */
    char got[256], *list = list_of(&w, "02");
    char *twice = xasprintf("%s|%s", list, list);
    written_lists(got, sizeof got);
    assert_string_equal(got, twice);
    free(twice);
    free(list);

    /* A member added by hand meanwhile is kept by the second write. */
    t_fake_reset(sl);
    make_world(&w, 3, false);
    f = xasprintf("{\"path\":\"usergroups.users.list\",\"skip\":1,\"status\":200,\"body\":{\"ok\":true,"
                  "\"users\":[\"%s\",\"%s\",\"%s\"]}}", w.u[0], w.u[2], w.u[3]);
    t_fake_fault(sl, f);
    free(f);
    assert_int_equal(slack_remove_user_from_group(c->in, w.g, "one@acme.test", NULL, &r, &c->err), 0);
    list = list_of(&w, "12");
    char *second = list_of(&w, "123");
    twice = xasprintf("%s|%s", list, second);
    written_lists(got, sizeof got);
    assert_string_equal(got, twice);
    free(twice);
    free(list);
    free(second);
}

static int call_remove(t_client *c, void *arg)
{
    slack_remove_result r;
    return slack_remove_user_from_group(c->in, ((args *)arg)->w->g, ((args *)arg)->email, NULL, &r, &c->err);
}

static void remove_fault_classes(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 3, false);
    args a = {&w, "three@acme.test"};
    t_fault_classes(sl, c, "POST", "usergroups.users.update", true, call_remove, &a);
    char got[256], *want = list_of(&w, "01");
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, want);
    free(want);
    /* The lookup too. */
    a.email = "two@acme.test";
    t_fault_classes(sl, c, "POST", "users.lookupByEmail", true, call_remove, &a);
    fake_members(w.g, got, sizeof got);
    assert_string_equal(got, w.u[0]);
}

/* ---- groups ---- */

static void group_disabled_once(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 2, false);
    bool disabled = false;
    assert_int_equal(slack_disable_group(c->in, w.g, &disabled, &c->err), 0);
    assert_true(disabled);
    assert_true(fake_disabled(w.g));
    assert_int_equal(slack_disable_group(c->in, w.g, &disabled, &c->err), 0);
    assert_false(disabled);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.disable"), 1);
    assert_int_equal(slack_disable_group(c->in, "S404", &disabled, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "Slack has no user group S404"));
    /* An answer that says it is not disabled is not taken for done. */
    world v;
    make_world(&v, 1, false);
    t_fake_fault(sl, "{\"path\":\"usergroups.disable\",\"status\":200,\"body\":{\"ok\":true,\"usergroup\":{\"id\":\"S\","
                     "\"date_delete\":0}}}");
    assert_int_equal(slack_disable_group(c->in, v.g, &disabled, &c->err), HY_ERR_PERMANENT);
    assert_false(disabled);
    t_fake_fault(sl, "{\"path\":\"usergroups.disable\",\"status\":200,\"body\":{\"ok\":false,\"error\":\"permission_denied\"}}");
    assert_int_equal(slack_disable_group(c->in, v.g, &disabled, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "Slack usergroups.disable failed: permission_denied");
}

static int call_disable(t_client *c, void *arg)
{
    bool disabled;
    return slack_disable_group(c->in, ((args *)arg)->w->g, &disabled, &c->err);
}

static void disable_fault_classes(void **s)
{
    ctx *c = *s;
    world w;
    make_world(&w, 2, false);
    args a = {&w, NULL};
    t_fault_classes(sl, c, "POST", "usergroups.disable", true, call_disable, &a);
    assert_true(fake_disabled(w.g));
}

static void groups_listed_with_disabled_ones(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(sl, "/_fake/seed", "{\"usergroups\":[{\"handle\":\"ext-a\",\"name\":\"A\"},"
                                               "{\"handle\":\"ext-b\",\"disabled\":true}]}"));
    slack_group_list l;
    assert_int_equal(slack_list_groups(c->in, &l, &c->err), 0);
    assert_int_equal(l.n, 2);
    int disabled = 0;
    for (int i = 0; i < l.n; i++) {
        assert_int_equal(l.v[i].id[0], 'S');
        if (strcmp(l.v[i].handle, "ext-a") == 0) assert_string_equal(l.v[i].name, "A");
        if (l.v[i].disabled) {
            disabled++;
            assert_string_equal(l.v[i].handle, "ext-b");
        }
    }
    assert_int_equal(disabled, 1);
    slack_group_list_free(&l);
    t_fake_fault(sl, "{\"path\":\"usergroups.list\",\"status\":200,\"body\":{\"ok\":true,\"usergroups\":[{\"handle\":\"x\"}]}}");
    assert_int_equal(slack_list_groups(c->in, &l, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "a group without an id"));
    assert_int_equal(l.n, 0);
}

static int call_list_groups(t_client *c, void *arg)
{
    (void)arg;
    slack_group_list l;
    int rc = slack_list_groups(c->in, &l, &c->err);
    slack_group_list_free(&l);
    return rc;
}

static void list_groups_fault_classes(void **s)
{
    ctx *c = *s;
    t_fault_classes(sl, c, "POST", "usergroups.list", true, call_list_groups, NULL);
}

#define T(f) T_CLIENT_TEST(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(members_in_one_call_unknown_group_flagged),
        T(disabled_group_still_lists_its_members),
        T(member_answer_is_validated),
        T(members_fault_classes),
        T(user_written_out_keeping_everyone_else),
        T(known_id_needs_no_lookup_and_no_account_is_nothing),
        T(last_member_disables_and_next_onboarding_enables),
        T(stale_read_back_is_written_again_once),
        T(user_still_listed_after_two_writes_is_transient),
        T(someone_else_dropped_is_written_back_then_an_error),
        T(remove_fault_classes),
        T(group_disabled_once),
        T(disable_fault_classes),
        T(groups_listed_with_disabled_ones),
        T(list_groups_fault_classes),
    };
    t_suite.name = "slack";
    return cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
}
