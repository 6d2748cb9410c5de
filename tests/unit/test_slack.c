/* The Slack client against the fake Slack: user groups found or created
 * once (disabled ones enabled), members added without dropping anyone (and
 * written again when another writer's stale list lands over ours), ok:false
 * codes and 429 rate limits classified; a message posted to a channel, and
 * whether a failed post may have been posted anyway. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "integrations/slack.h"
#include "util.h"

#define TOKEN "xoxb-test-token"

static t_fake *sl;

static int setup(void **s)
{
    (void)s;
    sl = t_fake_start("slack", NULL);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    t_fake_stop(sl);
    return 0;
}

typedef t_client ctx;

static int open_ctx(void **s)
{
    t_fake_reset(sl);
    ctx *c = xcalloc(1, sizeof *c);
    hy_config *cfg = t_integ_config(3000);
    t_config_slack(cfg, sl->url, TOKEN);
    t_client_open(c, cfg);
    *s = c;
    return 0;
}

static int close_ctx(void **s)
{
    t_client_close(*s);
    free(*s);
    return 0;
}

static cJSON *seed(const char *json) { return t_fake_post(sl, "/_fake/seed", json); }

static const char *seeded(cJSON *r, const char *what, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(r, what), i)->valuestring;
}

/* The usergroup object in the fake's state (owned by st). */
static const cJSON *group_in(cJSON *st, const char *id)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(st, "usergroups"))
    {
        if (strcmp(cJSON_GetObjectItem(g, "id")->valuestring, id) == 0) return g;
    }
    return NULL;
}

static void group_found_or_created_once(void **s)
{
    ctx *c = *s;
    slack_group_result a, b;
    assert_int_equal(slack_ensure_org_group(c->in, "Acme Corp", &a, &c->err), 0);
    assert_true(a.created);
    assert_string_equal(a.handle, "ext-acme-corp");
    assert_int_equal(a.id[0], 'S');
    assert_int_equal(slack_ensure_org_group(c->in, "Acme Corp", &b, &c->err), 0);
    assert_false(b.created);
    assert_string_equal(a.id, b.id);
    cJSON *st = t_fake_state(sl);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "usergroups")), 1);
    const cJSON *g = group_in(st, a.id);
    assert_string_equal(cJSON_GetObjectItem(g, "description")->valuestring, "Acme Corp");
    cJSON_Delete(st);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.create"), 1);
}

static void disabled_group_is_enabled_not_recreated(void **s)
{
    ctx *c = *s;
    cJSON *r = seed("{\"usergroups\":[{\"handle\":\"ext-globex\",\"disabled\":true}]}");
    char id[32];
    hy_strlcpy(id, seeded(r, "usergroups", 0), sizeof id);
    cJSON_Delete(r);
    slack_group_result g;
    assert_int_equal(slack_ensure_org_group(c->in, "Globex", &g, &c->err), 0);
    assert_string_equal(g.id, id);
    assert_true(g.enabled);
    assert_false(g.created);
    cJSON *st = t_fake_state(sl);
    assert_int_equal(cJSON_GetObjectItem(group_in(st, id), "date_delete")->valueint, 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "usergroups")), 1);
    cJSON_Delete(st);
    assert_int_equal(slack_ensure_org_group(c->in, "Globex", &g, &c->err), 0);
    assert_false(g.enabled);
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.enable"), 1);
}

static void name_taken_by_another_handle_is_explained(void **s)
{
    ctx *c = *s;
    cJSON_Delete(seed("{\"usergroups\":[{\"name\":\"ext-initech\",\"handle\":\"initech-people\"}]}"));
    slack_group_result g;
    assert_int_equal(slack_ensure_org_group(c->in, "Initech", &g, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg,
                        "Slack already has a user group named ext-initech with another handle: rename or delete it, "
                        "then retry");
}

static void member_added_keeping_everyone_else(void **s)
{
    ctx *c = *s;
    cJSON *r = seed("{\"users\":[{\"email\":\"one@acme.test\"},{\"email\":\"two@acme.test\"},"
                    "{\"email\":\"new@acme.test\"}]}");
    char u1[32], u2[32], u3[32];
    hy_strlcpy(u1, seeded(r, "users", 0), sizeof u1);
    hy_strlcpy(u2, seeded(r, "users", 1), sizeof u2);
    hy_strlcpy(u3, seeded(r, "users", 2), sizeof u3);
    cJSON_Delete(r);
    char *g = xasprintf("{\"usergroups\":[{\"handle\":\"ext-acme\",\"users\":[\"%s\",\"%s\"]}]}", u1, u2);
    r = seed(g);
    free(g);
    char gid[32];
    hy_strlcpy(gid, seeded(r, "usergroups", 0), sizeof gid);
    cJSON_Delete(r);

    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, gid, "NEW@acme.test", &m, &c->err), 0);
    assert_string_equal(m.user_id, u3);
    assert_true(m.added);
    assert_int_equal(m.member_count, 3);
    assert_int_equal(slack_add_user_to_group(c->in, gid, "new@acme.test", &m, &c->err), 0);
    assert_false(m.added);
    assert_int_equal(m.member_count, 3);

    cJSON *st = t_fake_state(sl);
    const cJSON *users = cJSON_GetObjectItem(group_in(st, gid), "users");
    assert_int_equal(cJSON_GetArraySize(users), 3);
    assert_string_equal(cJSON_GetArrayItem(users, 0)->valuestring, u1);
    assert_string_equal(cJSON_GetArrayItem(users, 1)->valuestring, u2);
    assert_string_equal(cJSON_GetArrayItem(users, 2)->valuestring, u3);
    assert_int_equal(cJSON_GetObjectItem(st, "membership_writes")->valueint, 1);
    cJSON_Delete(st);

    /* The whole list went as one comma-separated string. */
    cJSON *reqs = t_fake_get(sl, "/_fake/requests");
    const cJSON *q;
    char *want = xasprintf("users=%s%%2C%s%%2C%s", u1, u2, u3);
    bool seen = false;
    cJSON_ArrayForEach(q, reqs)
    {
        if (strcmp(cJSON_GetObjectItem(q, "path")->valuestring, "/api/usergroups.users.update") == 0)
            seen = strstr(cJSON_GetObjectItem(q, "body")->valuestring, want) != NULL;
    }
    assert_true(seen);
    free(want);
    cJSON_Delete(reqs);
}

static void first_member_of_an_empty_group(void **s)
{
    ctx *c = *s;
    cJSON_Delete(seed("{\"users\":[{\"email\":\"solo@acme.test\"}]}"));
    slack_group_result g;
    assert_int_equal(slack_ensure_org_group(c->in, "Solo", &g, &c->err), 0);
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, g.id, "solo@acme.test", &m, &c->err), 0);
    assert_true(m.added);
    assert_int_equal(m.member_count, 1);
}

/* A group with two members and a third account to add; ids into u[3], gid. */
static void group_of_two(char u[3][32], char gid[32])
{
    cJSON *r = seed("{\"users\":[{\"email\":\"one@acme.test\"},{\"email\":\"two@acme.test\"},"
                    "{\"email\":\"new@acme.test\"}]}");
    for (int i = 0; i < 3; i++) hy_strlcpy(u[i], seeded(r, "users", i), 32);
    cJSON_Delete(r);
    char *g = xasprintf("{\"usergroups\":[{\"handle\":\"ext-acme\",\"users\":[\"%s\",\"%s\"]}]}", u[0], u[1]);
    r = seed(g);
    free(g);
    hy_strlcpy(gid, seeded(r, "usergroups", 0), 32);
    cJSON_Delete(r);
}

/* The member ids of the group, comma-separated (caller frees). */
static char *members_of(const char *gid)
{
    cJSON *st = t_fake_state(sl);
    hy_buf b = {0};
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItem(group_in(st, gid), "users"))
        hy_buf_printf(&b, "%s%s", b.len ? "," : "", u->valuestring);
    cJSON_Delete(st);
    return b.s ? hy_buf_take(&b) : xstrdup("");
}

/* The group holds exactly the three, in order. */
static void expect_all_three(const char *gid, char u[3][32])
{
    char *got = members_of(gid), *want = xasprintf("%s,%s,%s", u[0], u[1], u[2]);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void a_stale_write_over_ours_is_found_and_written_again(void **s)
{
    ctx *c = *s;
    char u[3][32], gid[32];
    group_of_two(u, gid);
    /* right after our write, another writer puts back the list it read before */
    t_fake_fault(sl, "{\"path\":\"usergroups.users.update\",\"kind\":\"concurrent_write\"}");
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, gid, "new@acme.test", &m, &c->err), 0);
    assert_true(m.added);
    assert_int_equal(m.writes, 2);
    assert_int_equal(m.restored, 0);
    assert_int_equal(m.member_count, 3);
    expect_all_three(gid, u);
    /* the fake saw it: the concurrent write dropped the new member */
    cJSON *st = t_fake_state(sl);
    assert_int_equal(cJSON_GetObjectItem(st, "dropped_total")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(st, "membership_writes")->valueint, 2);
    cJSON_Delete(st);
}

static void earlier_members_a_stale_write_dropped_are_restored(void **s)
{
    ctx *c = *s;
    char u[3][32], gid[32];
    group_of_two(u, gid);
    /* another writer read [one], then writes it after our write: two and new are dropped */
    char *f = xasprintf("{\"path\":\"usergroups.users.update\",\"kind\":\"concurrent_write\",\"stale\":[\"%s\"]}", u[0]);
    t_fake_fault(sl, f);
    free(f);
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, gid, "new@acme.test", &m, &c->err), 0);
    assert_int_equal(m.writes, 2);
    assert_int_equal(m.restored, 1);
    expect_all_three(gid, u);
}

static void a_list_that_keeps_changing_fails_naming_who_is_missing(void **s)
{
    ctx *c = *s;
    char u[3][32], gid[32];
    group_of_two(u, gid);
    t_fake_fault(sl, "{\"path\":\"usergroups.users.update\",\"kind\":\"concurrent_write\",\"count\":3}");
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, gid, "new@acme.test", &m, &c->err), HY_ERR_PERMANENT);
    assert_int_equal(m.writes, SLACK_WRITE_ROUNDS);
    char *want = xasprintf("the members of Slack group %s kept changing while HyOpps wrote them: after 3 writes, 1 "
                           "expected member is still missing (%s)",
                           gid, u[2]);
    assert_non_null(strstr(c->err.msg, want));
    free(want);
    assert_non_null(strstr(c->err.msg, "check them in Slack, then retry"));
}

static void unknown_email_says_invite_first(void **s)
{
    ctx *c = *s;
    cJSON *r = seed("{\"usergroups\":[{\"handle\":\"ext-acme\"}]}");
    char gid[32];
    hy_strlcpy(gid, seeded(r, "usergroups", 0), sizeof gid);
    cJSON_Delete(r);
    slack_member_result m;
    assert_int_equal(slack_add_user_to_group(c->in, gid, "x@y.test", &m, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "x@y.test has no Slack account in this workspace \xe2\x80\x94 invite them first, then retry");
    assert_int_equal(t_fake_count(sl, "POST /api/usergroups.users.update"), 0);
}

static void rate_limit_is_transient_with_retry_after(void **s)
{
    ctx *c = *s;
    t_fake_fault(sl, "{\"path\":\"usergroups.list\",\"status\":429,\"headers\":{\"Retry-After\":\"2\"}}");
    slack_group_result g;
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_TRANSIENT);
    assert_int_equal(c->err.retry_after, 2);
    assert_non_null(strstr(c->err.msg, "Slack answered 429 to POST /usergroups.list: ratelimited"));
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), 0);
    assert_true(g.created);
}

static void ok_false_codes_are_classified(void **s)
{
    ctx *c = *s;
    slack_group_result g;
    t_fake_fault(sl, "{\"path\":\"usergroups.create\",\"status\":200,\"body\":{\"ok\":false,\"error\":\"permission_denied\"}}");
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "Slack usergroups.create failed: permission_denied");
    t_fake_fault(sl, "{\"path\":\"usergroups.create\",\"status\":200,\"body\":{\"ok\":false,\"error\":\"missing_scope\","
                     "\"needed\":\"usergroups:write\"}}");
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg,
                        "Slack usergroups.create failed: missing_scope (the bot token needs the usergroups:write scope)");
    t_fake_fault(sl, "{\"path\":\"usergroups.create\",\"status\":200,\"body\":{\"ok\":false,\"error\":\"fatal_error\"}}");
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_TRANSIENT);
    t_fake_fault(sl, "{\"path\":\"usergroups.list\",\"status\":503}");
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c->err.msg, "Slack answered 503"));
    t_fake_fault(sl, "{\"path\":\"usergroups.list\",\"kind\":\"malformed\"}");
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "Slack answered 200 with a body that is not JSON: <html>"));
    assert_int_equal(slack_ensure_org_group(c->in, "Acme", &g, &c->err), 0);
    cJSON *st = t_fake_state(sl);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "usergroups")), 1);
    cJSON_Delete(st);
}

static void bad_token_is_permanent_and_never_shown(void **s)
{
    ctx *c = *s;
    free(c->cfg->slack.bot_token);
    c->cfg->slack.bot_token = xstrdup("xoxb-WRONG-123");
    char who[64];
    assert_int_equal(slack_check(c->in, who, sizeof who, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "Slack refused the token (invalid_auth): check [slack] bot_token");
    free(c->cfg->slack.bot_token);
    c->cfg->slack.bot_token = xstrdup(TOKEN);
    assert_int_equal(slack_check(c->in, who, sizeof who, &c->err), 0);
    assert_string_equal(who, "hyopps-bot@Fake Team");
}

static int messages(const char *channel)
{
    cJSON *st = t_fake_state(sl);
    int n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(st, "messages"))
        if (strcmp(cJSON_GetObjectItem(m, "channel")->valuestring, channel) == 0) n++;
    cJSON_Delete(st);
    return n;
}

static void a_message_is_posted_and_a_lost_answer_says_maybe(void **s)
{
    ctx *c = *s;
    bool maybe = true;
    assert_int_equal(slack_post_message(c->in, "#hy-ops", "Failed: New partner user for Acme <&>", &maybe, &c->err), 0);
    assert_false(maybe);
    assert_int_equal(messages("#hy-ops"), 1);
    cJSON *st = t_fake_state(sl);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "messages"), 0), "text")->valuestring,
                        "Failed: New partner user for Acme <&>");
    cJSON_Delete(st);
    /* refused: nothing posted, and it says why */
    cJSON_Delete(seed("{\"channels\": [\"#hy-ops\"]}"));
    assert_int_equal(slack_post_message(c->in, "#elsewhere", "x", &maybe, &c->err), HY_ERR_PERMANENT);
    assert_false(maybe);
    assert_string_equal(c->err.msg, "Slack chat.postMessage failed: channel_not_found");
    t_fake_fault(sl, "{\"path\":\"chat.postMessage\",\"status\":503}");
    assert_int_equal(slack_post_message(c->in, "#hy-ops", "x", &maybe, &c->err), HY_ERR_TRANSIENT);
    assert_false(maybe); /* an answer came: not posted */
    /* no answer: it may have been posted */
    c->cfg->http.timeout_ms = 300;
    t_fake_fault(sl, "{\"path\":\"chat.postMessage\",\"kind\":\"hang\",\"seconds\":3}");
    assert_int_equal(slack_post_message(c->in, "#hy-ops", "x", &maybe, &c->err), HY_ERR_TRANSIENT);
    assert_true(maybe);
    /* nothing listening: certainly not posted */
    free(c->cfg->slack.api_url);
    c->cfg->slack.api_url = xstrdup("http://127.0.0.1:1/api");
    assert_int_equal(slack_post_message(c->in, "#hy-ops", "x", &maybe, &c->err), HY_ERR_TRANSIENT);
    assert_false(maybe);
}

#define T(f) cmocka_unit_test_setup_teardown(f, open_ctx, close_ctx)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(group_found_or_created_once),
        T(disabled_group_is_enabled_not_recreated),
        T(name_taken_by_another_handle_is_explained),
        T(member_added_keeping_everyone_else),
        T(first_member_of_an_empty_group),
        T(a_stale_write_over_ours_is_found_and_written_again),
        T(earlier_members_a_stale_write_dropped_are_restored),
        T(a_list_that_keeps_changing_fails_naming_who_is_missing),
        T(unknown_email_says_invite_first),
        T(rate_limit_is_transient_with_retry_after),
        T(ok_false_codes_are_classified),
        T(bad_token_is_permanent_and_never_shown),
        T(a_message_is_posted_and_a_lost_answer_says_maybe),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
