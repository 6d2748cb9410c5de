/* The Microsoft Graph (Teams) client against the fake Graph: token cache,
 * invitation + team membership and channels, each run twice; errors. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "integrations/graph.h"
#include "util.h"

#define gr (t_suite.fake)

typedef t_client ctx;

static int team_members(void)
{
    cJSON *st = t_fake_state(gr);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "team_members"), "team-1"));
    cJSON_Delete(st);
    return n;
}

static int channels_named(const char *name)
{
    cJSON *st = t_fake_state(gr);
    int n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(cJSON_GetObjectItem(st, "channels"), "team-1"))
    {
        if (strcasecmp(cJSON_GetObjectItem(c, "displayName")->valuestring, name) == 0) n++;
    }
    cJSON_Delete(st);
    return n;
}

static void user_invited_and_added_once(void **s)
{
    ctx *c = *s;
    graph_member_result r1, r2;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@partner.test", "Pat Doe", &r1, &c->err), 0);
    assert_true(r1.user_id[0]);
    assert_true(r1.membership_id[0]);
    assert_int_equal(graph_add_user_to_team(c->in, "pat@partner.test", "Pat Doe", &r2, &c->err), 0);
    assert_string_equal(r1.user_id, r2.user_id);
    assert_string_equal(r1.membership_id, r2.membership_id);
    assert_int_equal(team_members(), 1);

    cJSON *st = t_fake_state(gr);
    const cJSON *inv = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "invitations"), 0);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(inv, "sendInvitationMessage")));
    assert_string_equal(cJSON_GetObjectItem(inv, "invitedUserDisplayName")->valuestring, "Pat Doe");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(inv, "invitedUser"), "id")->valuestring, r1.user_id);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "users")), 1);
    cJSON_Delete(st);
    /* One token for the whole run. */
    assert_int_equal(t_fake_state_int(gr, "tokens_issued"), 1);
}

static void reinvite_refused_falls_back_to_lookup(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(gr, "/_fake/config", "{\"reinvite\":\"400\"}"));
    graph_member_result r1, r2;
    assert_int_equal(graph_add_user_to_team(c->in, "o'neil@partner.test", "Sam O'Neil", &r1, &c->err), 0);
    assert_int_equal(graph_add_user_to_team(c->in, "o'neil@partner.test", "Sam O'Neil", &r2, &c->err), 0);
    assert_string_equal(r1.user_id, r2.user_id);
    assert_int_equal(team_members(), 1);
    assert_int_equal(t_fake_count(gr, "GET /v1.0/users"), 1);
}

static void channel_found_or_created_once(void **s)
{
    ctx *c = *s;
    graph_channel_result a, b;
    assert_int_equal(graph_ensure_channel(c->in, "Acme Corp", &a, &c->err), 0);
    assert_true(a.created);
    assert_string_equal(a.name, "Acme Corp");
    assert_int_equal(strncmp(a.id, "19:", 3), 0);
    assert_int_equal(graph_ensure_channel(c->in, "Acme Corp", &b, &c->err), 0);
    assert_false(b.created);
    assert_string_equal(a.id, b.id);
    assert_int_equal(channels_named("Acme Corp"), 1);
    assert_int_equal(t_fake_count(gr, "POST /v1.0/teams/team-1/channels"), 1);
}

static void channel_names_are_made_valid(void **s)
{
    ctx *c = *s;
    char name[160];
    graph_channel_name("Acme & Co: \"R/D\"", name, sizeof name);
    assert_string_equal(name, "Acme - Co- -R-D-");
    graph_channel_name("_.Dots.", name, sizeof name);
    assert_string_equal(name, "Dots");
    graph_channel_name("\xc3\x9c" "berlange Organisation mit einem sehr, sehr langen Namen GmbH & Co KG", name,
                       sizeof name);
    assert_int_equal(strlen(name), 51); /* 50 characters, one of them two bytes */
    graph_channel_name("", name, sizeof name);
    assert_string_equal(name, "Partner");

    graph_channel_result r;
    assert_int_equal(graph_ensure_channel(c->in, "O'Brien & Sons", &r, &c->err), 0);
    assert_string_equal(r.name, "O-Brien - Sons");
    assert_int_equal(channels_named("O-Brien - Sons"), 1);
}

static void channel_created_meanwhile_is_found(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(gr, "/_fake/seed", "{\"channels\":[{\"displayName\":\"Initech\"}]}"));
    /* Our lookup misses it; the create answers NameAlreadyExists. */
    t_fake_fault(gr, "{\"method\":\"GET\",\"path\":\"/channels\",\"status\":200,\"body\":{\"value\":[]}}");
    graph_channel_result r;
    assert_int_equal(graph_ensure_channel(c->in, "Initech", &r, &c->err), 0);
    assert_false(r.created);
    assert_true(r.id[0]);
    assert_int_equal(channels_named("Initech"), 1);
}

static void token_cached_until_a_minute_before_expiry(void **s)
{
    ctx *c = *s;
    graph_channel_result r;
    for (int i = 0; i < 3; i++) assert_int_equal(graph_ensure_channel(c->in, "Acme", &r, &c->err), 0);
    assert_int_equal(t_fake_state_int(gr, "tokens_issued"), 1);
    /* A token that lives 60 s is never reused (cached until a minute before). */
    cJSON_Delete(t_fake_post(gr, "/_fake/config", "{\"token_expires_in\":60}"));
    integ_drop_token(c->in);
    for (int i = 0; i < 3; i++) assert_int_equal(graph_ensure_channel(c->in, "Acme", &r, &c->err), 0);
    assert_int_equal(t_fake_state_int(gr, "tokens_issued"), 4);
}

static void revoked_token_is_renewed_once(void **s)
{
    ctx *c = *s;
    graph_channel_result r;
    assert_int_equal(graph_ensure_channel(c->in, "Acme", &r, &c->err), 0);
    cJSON_Delete(t_fake_post(gr, "/_fake/expire_tokens", "{}"));
    assert_int_equal(graph_ensure_channel(c->in, "Acme", &r, &c->err), 0);
    assert_int_equal(t_fake_state_int(gr, "tokens_issued"), 2);
    assert_int_equal(channels_named("Acme"), 1);
}

static void bad_secret_is_permanent_and_secret_free(void **s)
{
    ctx *c = *s;
    free(c->cfg->azure.client_secret);
    c->cfg->azure.client_secret = xstrdup("wrong-s3cret-value");
    graph_member_result r;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@partner.test", "Pat", &r, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "Microsoft login answered 401 (invalid_client: AADSTS7000215"));
    assert_non_null(strstr(c->err.msg, "check [azure] tenant_id, client_id and client_secret"));
    assert_null(strstr(c->err.msg, "wrong-s3cret-value"));
    assert_int_equal(c->log.n, 1);
    assert_string_equal(c->log.calls[0].service, "login");
    assert_string_equal(c->log.calls[0].path, "/tenant-1/oauth2/v2.0/token");
    assert_int_equal(team_members(), 0);
}

static void throttling_is_transient_then_succeeds(void **s)
{
    ctx *c = *s;
    t_fake_fault(gr, "{\"method\":\"POST\",\"path\":\"/members$\",\"status\":429,\"headers\":{\"Retry-After\":\"4\"}}");
    graph_member_result r;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@partner.test", "Pat", &r, &c->err), HY_ERR_TRANSIENT);
    assert_int_equal(c->err.retry_after, 4);
    assert_non_null(strstr(c->err.msg, "Microsoft Graph answered 429 to POST /v1.0/teams/team-1/members: TooManyRequests"));
    assert_int_equal(graph_add_user_to_team(c->in, "pat@partner.test", "Pat", &r, &c->err), 0);
    assert_int_equal(team_members(), 1);
    cJSON *st = t_fake_state(gr);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "users")), 1); /* invited once, found again */
    cJSON_Delete(st);
}

static void wrong_team_says_which_setting(void **s)
{
    ctx *c = *s;
    free(c->cfg->teams.team_id);
    c->cfg->teams.team_id = xstrdup("no-such-team");
    graph_channel_result r;
    assert_int_equal(graph_ensure_channel(c->in, "Acme", &r, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "Microsoft Graph answered 404"));
    assert_non_null(strstr(c->err.msg, "(check [teams] team_id)"));
}

static void check_gets_a_fresh_token(void **s)
{
    ctx *c = *s;
    assert_int_equal(graph_check(c->in, &c->err), 0);
    assert_int_equal(graph_check(c->in, &c->err), 0);
    assert_int_equal(t_fake_state_int(gr, "tokens_issued"), 2);
    assert_int_equal(t_fake_state_int(gr, "total_requests"), 2);
}

#define T(f) T_CLIENT_TEST(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(user_invited_and_added_once),
        T(reinvite_refused_falls_back_to_lookup),
        T(channel_found_or_created_once),
        T(channel_names_are_made_valid),
        T(channel_created_meanwhile_is_found),
        T(token_cached_until_a_minute_before_expiry),
        T(revoked_token_is_renewed_once),
        T(bad_secret_is_permanent_and_secret_free),
        T(throttling_is_transient_then_succeeds),
        T(wrong_team_says_which_setting),
        T(check_gets_a_fresh_token),
    };
    t_suite.name = "graph";
    return cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
}
