/* The Microsoft Graph removal and listing client (graph_access.c) against
 * the fake Graph: team members across pages (and never a link to another
 * host), removal by user id or email once, the asynchronous channel
 * archive, guest deletion, the fault classes. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fakes.h"
#include "integrations/graph.h"
#include "util.h"

#define gr (t_suite.fake)

typedef t_client ctx;

static void config(const char *json) { cJSON_Delete(t_fake_post(gr, "/_fake/config", json)); }

/* Seeds n team members m0@acme.test ... (added by hand). */
static void seed_members(int n, const char *user_type)
{
    hy_buf b = {0};
    hy_buf_put(&b, "{\"team_members\":[");
    for (int i = 0; i < n; i++)
        hy_buf_printf(&b, "%s{\"mail\":\"m%d@acme.test\",\"displayName\":\"M %d\",\"userType\":\"%s\"}", i ? "," : "", i,
                      i, user_type);
    hy_buf_put(&b, "]}");
    cJSON_Delete(t_fake_post(gr, "/_fake/seed", b.s));
    hy_buf_free(&b);
}

static int fake_team_size(void)
{
    cJSON *st = t_fake_state(gr);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "team_members"), "team-1"));
    cJSON_Delete(st);
    return n;
}

static bool fake_in_team(const char *email)
{
    cJSON *st = t_fake_state(gr);
    bool found = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(cJSON_GetObjectItem(st, "team_members"), "team-1"))
    {
        if (strcasecmp(cJSON_GetObjectItem(m, "email")->valuestring, email) == 0) found = true;
    }
    cJSON_Delete(st);
    return found;
}

/* ---- members ---- */

static void team_members_across_pages(void **s)
{
    ctx *c = *s;
    seed_members(250, "Guest");
    graph_member_list l;
    assert_int_equal(graph_team_members(c->in, &l, &c->err), 0);
    assert_int_equal(l.n, 250);
    bool seen[250] = {false};
    for (int i = 0; i < l.n; i++) {
        int k = -1;
        assert_int_equal(sscanf(l.v[i].email, "m%d@acme.test", &k), 1);
        assert_true(k >= 0 && k < 250 && !seen[k]);
        seen[k] = true;
        assert_true(l.v[i].membership_id[0]);
        assert_true(l.v[i].user_id[0]);
    }
    char name[16];
    snprintf(name, sizeof name, "M %d", 0);
    bool named = false;
    for (int i = 0; i < l.n; i++) named |= strcmp(l.v[i].display_name, name) == 0;
    assert_true(named);
    graph_member_list_free(&l);
    /* $top=100: three pages, one call each. */
    assert_int_equal(t_fake_count(gr, "GET /v1.0/teams/team-1/members"), 3);

    /* A smaller page than asked for is followed too. */
    config("{\"members_page_size\":7}");
    assert_int_equal(graph_team_members(c->in, &l, &c->err), 0);
    assert_int_equal(l.n, 250);
    graph_member_list_free(&l);
    assert_int_equal(t_fake_count(gr, "GET /v1.0/teams/team-1/members"), 3 + 36);
}

static void next_link_to_another_host_is_not_followed(void **s)
{
    ctx *c = *s;
    seed_members(5, "Guest");
    config("{\"members_page_size\":2,\"next_link_base\":\"https://evil.example.com\"}");
    graph_member_list l;
    assert_int_equal(graph_team_members(c->in, &l, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "next-page link outside [azure] graph_url (https://evil.example.com/v1.0/"));
    assert_int_equal(l.n, 0);
    assert_int_equal(c->log.n, 2); /* token + first page: nothing sent elsewhere */
    /* The same host under another prefix is refused too. */
    char *base = xasprintf("{\"next_link_base\":\"%s.evil.test\"}", gr->url);
    config(base);
    free(base);
    assert_int_equal(graph_team_members(c->in, &l, &c->err), HY_ERR_PERMANENT);
}

static void endless_paging_is_bounded(void **s)
{
    ctx *c = *s;
    /* Every page points at itself. */
    char *f = xasprintf("{\"method\":\"GET\",\"path\":\"/members\",\"count\":1000,\"status\":200,\"body\":{\"value\":[],"
                        "\"@odata.nextLink\":\"%s/v1.0/teams/team-1/members?$skiptoken=x\"}}", gr->url);
    t_fake_fault(gr, f);
    free(f);
    graph_member_list l;
    assert_int_equal(graph_team_members(c->in, &l, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "more than 200 pages of team members"));
    assert_int_equal(t_fake_count(gr, "GET /v1.0/teams/team-1/members"), 200);
}

static void member_without_id_fails_the_list(void **s)
{
    ctx *c = *s;
    t_fake_fault(gr, "{\"method\":\"GET\",\"path\":\"/members\",\"status\":200,\"body\":{\"value\":[{\"userId\":\"u\"}]}}");
    graph_member_list l;
    assert_int_equal(graph_team_members(c->in, &l, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "Microsoft Graph listed a team member without an id");
    t_fake_fault(gr, "{\"method\":\"GET\",\"path\":\"/members\",\"status\":200,\"body\":{\"members\":[]}}");
    assert_int_equal(graph_team_members(c->in, &l, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "without a value list"));
}

static int call_members(t_client *c, void *arg)
{
    (void)arg;
    graph_member_list l;
    int rc = graph_team_members(c->in, &l, &c->err);
    graph_member_list_free(&l);
    return rc;
}

static void members_fault_classes(void **s)
{
    ctx *c = *s;
    seed_members(3, "Guest");
    config("{\"members_page_size\":2}");
    /* On the second page. */
    t_fault_classes(gr, c, "GET", "skiptoken", true, call_members, NULL);
}

/* ---- removing a member ---- */

static void member_removed_by_user_id_once(void **s)
{
    ctx *c = *s;
    graph_member_result pat, sam;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@acme.test", "Pat", &pat, &c->err), 0);
    assert_int_equal(graph_add_user_to_team(c->in, "sam@acme.test", "Sam", &sam, &c->err), 0);
    bool removed = false;
    assert_int_equal(graph_remove_user_from_team(c->in, pat.user_id, NULL, &removed, &c->err), 0);
    assert_true(removed);
    assert_false(fake_in_team("pat@acme.test"));
    assert_true(fake_in_team("sam@acme.test"));
    assert_int_equal(graph_remove_user_from_team(c->in, pat.user_id, "pat@acme.test", &removed, &c->err), 0);
    assert_false(removed);
    cJSON *dels = t_fake_bodies(gr, "DELETE", "/v1.0/teams/team-1/members/");
    assert_int_equal(cJSON_GetArraySize(dels), 1);
    cJSON_Delete(dels);
    assert_int_equal(fake_team_size(), 1);
}

static void member_removed_by_email_when_the_id_is_unknown(void **s)
{
    ctx *c = *s;
    seed_members(3, "Guest");
    bool removed = false;
    /* The stored id is stale; the email (any case) still finds the membership. */
    assert_int_equal(graph_remove_user_from_team(c->in, "00000000-0000-0000-0000-000000000000", "M1@ACME.test",
                                                 &removed, &c->err), 0);
    assert_true(removed);
    assert_false(fake_in_team("m1@acme.test"));
    assert_int_equal(fake_team_size(), 2);
    assert_int_equal(graph_remove_user_from_team(c->in, NULL, "nobody@acme.test", &removed, &c->err), 0);
    assert_false(removed);
    assert_int_equal(graph_remove_user_from_team(c->in, "", NULL, &removed, &c->err), HY_ERR_PERMANENT);
    assert_string_equal(c->err.msg, "no Teams user id or email address to remove");
}

static void member_gone_meanwhile_is_done(void **s)
{
    ctx *c = *s;
    seed_members(1, "Guest");
    /* Removed by hand between our list and our delete. */
    t_fake_fault(gr, "{\"method\":\"DELETE\",\"path\":\"/members/\",\"status\":404}");
    bool removed = true;
    assert_int_equal(graph_remove_user_from_team(c->in, NULL, "m0@acme.test", &removed, &c->err), 0);
    assert_false(removed);
}

typedef struct {
    const char *a, *b;
} args;

static int call_remove(t_client *c, void *arg)
{
    bool removed;
    return graph_remove_user_from_team(c->in, ((args *)arg)->a, ((args *)arg)->b, &removed, &c->err);
}

static void remove_fault_classes(void **s)
{
    ctx *c = *s;
    seed_members(2, "Guest");
    args a = {NULL, "m1@acme.test"};
    t_fault_classes(gr, c, "DELETE", "/members/", false, call_remove, &a);
    assert_false(fake_in_team("m1@acme.test"));
    assert_true(fake_in_team("m0@acme.test"));
}

/* ---- channels ---- */

static const graph_channel *channel_in(const graph_channel_list *l, const char *id)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0) return &l->v[i];
    return NULL;
}

/* Polls the channel list until the channel shows archived (deadline 5 s). */
static bool wait_archived(ctx *c, const char *id)
{
    for (int waited = 0; waited < 5000; waited += 25) {
        graph_channel_list l;
        assert_int_equal(graph_list_channels(c->in, &l, &c->err), 0);
        const graph_channel *ch = channel_in(&l, id);
        bool done = ch && ch->archived;
        graph_channel_list_free(&l);
        if (done) return true;
        struct timespec ts = {0, 25 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void channel_archived_asynchronously_once(void **s)
{
    ctx *c = *s;
    graph_channel_result ch;
    assert_int_equal(graph_ensure_channel(c->in, "Acme", &ch, &c->err), 0);
    bool archived = false;
    assert_int_equal(graph_archive_channel(c->in, ch.id, &archived, &c->err), 0);
    assert_true(archived);
    /* Accepted, not done yet: the list still shows it active. */
    graph_channel_list l;
    assert_int_equal(graph_list_channels(c->in, &l, &c->err), 0);
    assert_int_equal(l.n, 2);
    assert_non_null(channel_in(&l, ch.id));
    assert_false(channel_in(&l, ch.id)->archived);
    assert_string_equal(channel_in(&l, ch.id)->name, "Acme");
    graph_channel_list_free(&l);
    assert_true(wait_archived(c, ch.id));
    /* Again: "already archived" is done. */
    assert_int_equal(graph_archive_channel(c->in, ch.id, &archived, &c->err), 0);
    assert_false(archived);
    cJSON *posts = t_fake_bodies(gr, "POST", "/archive");
    assert_int_equal(cJSON_GetArraySize(posts), 2);
    cJSON_Delete(posts);
    /* The General channel stays. */
    assert_int_equal(graph_list_channels(c->in, &l, &c->err), 0);
    assert_false(channel_in(&l, "19:general@thread.tacv2")->archived);
    graph_channel_list_free(&l);
}

static void unknown_or_general_channel_is_an_error(void **s)
{
    ctx *c = *s;
    bool archived = true;
    assert_int_equal(graph_archive_channel(c->in, "teams-ch-1234", &archived, &c->err), HY_ERR_PERMANENT);
    assert_false(archived);
    assert_non_null(strstr(c->err.msg, "Microsoft Graph has no channel teams-ch-1234 in team team-1 (404)"));
    assert_int_equal(graph_archive_channel(c->in, "19:general@thread.tacv2", &archived, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "General channel cannot be archived"));
    assert_int_equal(graph_archive_channel(c->in, "", &archived, &c->err), HY_ERR_PERMANENT);
}

static void channels_listed_across_pages(void **s)
{
    ctx *c = *s;
    cJSON_Delete(t_fake_post(gr, "/_fake/seed", "{\"channels\":[{\"displayName\":\"A\"},{\"displayName\":\"B\"},"
                                                 "{\"displayName\":\"C\"}]}"));
    config("{\"channels_page_size\":2}");
    graph_channel_list l;
    assert_int_equal(graph_list_channels(c->in, &l, &c->err), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[3].name, "C");
    graph_channel_list_free(&l);
    assert_int_equal(t_fake_count(gr, "GET /v1.0/teams/team-1/channels"), 2);
}

static int call_archive(t_client *c, void *arg)
{
    bool archived;
    return graph_archive_channel(c->in, ((args *)arg)->a, &archived, &c->err);
}

static void archive_fault_classes(void **s)
{
    ctx *c = *s;
    graph_channel_result ch;
    assert_int_equal(graph_ensure_channel(c->in, "Acme", &ch, &c->err), 0);
    args a = {ch.id, NULL};
    t_fault_classes(gr, c, "POST", "/archive$", false, call_archive, &a);
    assert_true(wait_archived(c, ch.id));
}

/* ---- guest accounts ---- */

static void guest_deleted_once_members_never(void **s)
{
    ctx *c = *s;
    graph_member_result pat;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@acme.test", "Pat", &pat, &c->err), 0);
    bool deleted = false;
    assert_int_equal(graph_delete_user(c->in, pat.user_id, &deleted, &c->err), 0);
    assert_true(deleted);
    cJSON *st = t_fake_state(gr);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "users")), 0);
    cJSON_Delete(st);
    assert_false(fake_in_team("pat@acme.test"));
    assert_int_equal(graph_delete_user(c->in, pat.user_id, &deleted, &c->err), 0);
    assert_false(deleted);

    /* A member of the tenant is never deleted. */
    cJSON *r = t_fake_post(gr, "/_fake/seed", "{\"users\":[{\"mail\":\"staff@example.com\",\"userType\":\"Member\"}]}");
    char id[64];
    hy_strlcpy(id, cJSON_GetArrayItem(cJSON_GetObjectItem(r, "users"), 0)->valuestring, sizeof id);
    cJSON_Delete(r);
    assert_int_equal(graph_delete_user(c->in, id, &deleted, &c->err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c->err.msg, "is not a guest (userType Member)"));
    assert_false(deleted);
    st = t_fake_state(gr);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "users")), 1);
    cJSON_Delete(st);
    char key[192];
    snprintf(key, sizeof key, "DELETE /v1.0/users/%s", pat.user_id);
    assert_int_equal(t_fake_count(gr, key), 1);
    assert_int_equal(graph_delete_user(c->in, NULL, &deleted, &c->err), HY_ERR_PERMANENT);
}

static int call_delete_user(t_client *c, void *arg)
{
    bool deleted;
    return graph_delete_user(c->in, ((args *)arg)->a, &deleted, &c->err);
}

static void delete_user_fault_classes(void **s)
{
    ctx *c = *s;
    graph_member_result pat;
    assert_int_equal(graph_add_user_to_team(c->in, "pat@acme.test", "Pat", &pat, &c->err), 0);
    args a = {pat.user_id, NULL};
    t_fault_classes(gr, c, "GET", "^/v1.0/users/", true, call_delete_user, &a);
    graph_member_result sam;
    assert_int_equal(graph_add_user_to_team(c->in, "sam@acme.test", "Sam", &sam, &c->err), 0);
    args b = {sam.user_id, NULL};
    t_fault_classes(gr, c, "DELETE", "^/v1.0/users/", false, call_delete_user, &b);
    cJSON *st = t_fake_state(gr);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "users")), 0);
    cJSON_Delete(st);
}

#define T(f) T_CLIENT_TEST(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(team_members_across_pages),
        T(next_link_to_another_host_is_not_followed),
        T(endless_paging_is_bounded),
        T(member_without_id_fails_the_list),
        T(members_fault_classes),
        T(member_removed_by_user_id_once),
        T(member_removed_by_email_when_the_id_is_unknown),
        T(member_gone_meanwhile_is_done),
        T(remove_fault_classes),
        T(channel_archived_asynchronously_once),
        T(unknown_or_general_channel_is_an_error),
        T(channels_listed_across_pages),
        T(archive_fault_classes),
        T(guest_deleted_once_members_never),
        T(delete_user_fault_classes),
    };
    t_suite.name = "graph";
    return cmocka_run_group_tests(tests, t_suite_start, t_suite_stop);
}
