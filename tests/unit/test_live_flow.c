/* Both workflows in live mode, through ops and the engine, against the fake
 * services (Metabase, Graph, Slack, SMTP with STARTTLS): what each step
 * does to each service, the calls kept on the steps, every fault kind
 * (transient: retried then succeeding; permanent: failing at once with its
 * message), every step run twice with one effect, and the email: checked
 * part by part, never sent twice, and the operator asked when a send may or
 * may not have arrived. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/integrations.h"
#include "list_lock.h"
#include "testlib_live.h"
#include "util.h"

/* Not ASCII, and hostile to HTML */
#define ORG "M\xc3\xbcller & <S\xc3\xb6hne> \"GmbH\""
#define ORG_HTML "M\xc3\xbcller &amp; &lt;S\xc3\xb6hne&gt; &quot;GmbH&quot;"

static t_live *L;

static int setup_all(void **s)
{
    (void)s;
    L = t_live_start();
    return 0;
}

static int teardown_all(void **s)
{
    (void)s;
    t_live_stop(L);
    return 0;
}

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
} fx;

static fx *fx_new(int timeout_ms)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_live_env(L, timeout_ms);
    t_admin(f->e, &f->admin);
    return f;
}

static void fx_free(fx *f)
{
    t_env_free(f->e);
    free(f);
}

/* ---- small readers of the fakes' state ---- */

static cJSON *mb_state(void) { return t_fake_state(L->mb); }

static long mb_find(cJSON *st, const char *list, const char *field, const char *value)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, list)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, field);
        if (cJSON_IsString(v) && hy_strcaseeq(v->valuestring, value))
            return (long)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble;
    }
    return 0;
}

static int mb_count_where_num(cJSON *st, const char *list, const char *field, long value)
{
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, list)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, field);
        if (cJSON_IsNumber(v) && (long)v->valuedouble == value) n++;
    }
    return n;
}

static int state_int(t_fake *f, const char *key)
{
    cJSON *st = t_fake_state(f);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
    int n = cJSON_IsNumber(v) ? v->valueint : -1;
    cJSON_Delete(st);
    return n;
}

/* The members of a Slack user group (by handle), as "U1,U2". Caller frees. */
static char *slack_members(const char *handle)
{
    cJSON *st = t_fake_state(L->slack);
    hy_buf b = {0};
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(st, "usergroups")) {
        if (!hy_streq(cJSON_GetObjectItemCaseSensitive(g, "handle")->valuestring, handle)) continue;
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(g, "users"))
            hy_buf_printf(&b, "%s%s", b.len ? "," : "", u->valuestring);
    }
    cJSON_Delete(st);
    return b.s ? hy_buf_take(&b) : xstrdup("");
}

static int graph_users_with(const char *email)
{
    cJSON *st = t_fake_state(L->graph);
    int n = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(st, "users"))
        if (hy_strcaseeq(cJSON_GetObjectItemCaseSensitive(u, "mail")->valuestring, email)) n++;
    cJSON_Delete(st);
    return n;
}

static char *slack_seed_user(const char *email)
{
    char *body = xasprintf("{\"users\": [{\"email\": \"%s\"}]}", email);
    cJSON *r = t_fake_post(L->slack, "/_fake/seed", body);
    free(body);
    char *id = xstrdup(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "users"), 0)->valuestring);
    cJSON_Delete(r);
    return id;
}

/* Every call of every step of an execution, as stored (text). Caller frees. */
static char *all_calls(fx *f, const char *exec)
{
    return t_text(f->e, "SELECT group_concat(calls, '') FROM workflow_step_executions WHERE execution_id = ?", exec);
}

static void assert_no_secret(const char *text)
{
    const char *secrets[] = {T_MB_KEY, T_GRAPH_SECRET, T_SLACK_TOKEN, T_SMTP_PASSWORD, "gtok-", "Bearer", NULL};
    for (int i = 0; secrets[i]; i++)
        if (strstr(text, secrets[i])) fail_msg("a secret (%s) is in: %s", secrets[i], text);
}

/* ---- a partner and a user ---- */

static void seed_slack_group(const char *org, const char *const *members)
{
    char *handle = slack_group_handle(org);
    hy_buf b = {0};
    hy_buf_printf(&b, "{\"usergroups\": [{\"handle\": \"%s\", \"users\": [", handle);
    for (int i = 0; members && members[i]; i++) hy_buf_printf(&b, "%s\"%s\"", i ? "," : "", members[i]);
    hy_buf_put(&b, "]}]}");
    cJSON_Delete(t_fake_post(L->slack, "/_fake/seed", b.s));
    hy_buf_free(&b);
    free(handle);
}

static void partner(fx *f, const char *name, const char *prefix)
{
    t_partner(f->e, &f->admin, name, prefix, f->org, f->pexec);
}

static void set_docs(fx *f, const char *internal, const char *general, const char *additional)
{
    hy_err err;
    hy_org_docs d = {.internal = internal, .general = general, .additional = additional};
    if (ops_org_set_docs(f->e->c, &f->admin, f->org, &d, &err) != 0) fail_msg("set docs: %s", err.msg);
}

/* A new_partner_user execution for (first, last, email), input given, then drained. */
static void user_exec(fx *f, const char *first, const char *last, const char *email, char id[HY_UUID_LEN])
{
    t_start_user(f->e, &f->admin, f->org, id);
    char a[160], b[160], c[300];
    snprintf(a, sizeof a, "firstname=%s", first);
    snprintf(b, sizeof b, "lastname=%s", last);
    snprintf(c, sizeof c, "email=%s", email);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", a, b, c, NULL);
    t_drain(f->e);
}

static void expect_exec(fx *f, const char *id, const char *status)
{
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, status) != 0) {
        char *err = t_text(f->e, "SELECT group_concat(step_order || ': ' || error, ' | ') FROM workflow_step_executions "
                                 "WHERE execution_id = ? AND error IS NOT NULL", id);
        fail_msg("execution is %s, expected %s (errors: %s)", st, status, err);
    }
    free(st);
}

static void expect_step(fx *f, const char *id, int order, const char *status)
{
    char *st = t_step_status(f->e, id, order);
    if (strcmp(st, status) != 0) {
        char *err = t_step_col(f->e, id, order, "error");
        fail_msg("step %d is %s, expected %s (error: %s)", order, st, status, err);
    }
    free(st);
}

static void expect_error_has(fx *f, const char *id, int order, const char *needle)
{
    char *e = t_step_col(f->e, id, order, "error");
    if (!strstr(e, needle)) fail_msg("step %d's error \"%s\" does not say \"%s\"", order, e, needle);
    free(e);
}

/* ---- new_partner ---- */

static void new_partner_live_end_to_end(void **s)
{
    (void)s;
    fx *f = fx_new(3000);
    /* the organisation's Slack group exists already, with two members: found, not created */
    char *old1 = slack_seed_user("old1@mueller.test"), *old2 = slack_seed_user("old2@mueller.test");
    const char *members[] = {old1, old2, NULL};
    seed_slack_group(ORG, members);
    cJSON *before = mb_state();
    int dashboards_before = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(before, "dashboards"));
    int graph_writes_before = cJSON_GetObjectItemCaseSensitive(before, "graph_writes")->valueint;
    cJSON_Delete(before);

    partner(f, ORG, "mu");
    expect_exec(f, f->pexec, "completed");
    /* every live step says it was not simulated */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order "
                                   "BETWEEN 3 AND 7 AND status = 'completed' AND json_extract(output, '$.simulated') IS NULL",
                             "t", f->pexec), 5);

    /* Metabase: the collection under the parent, the template's two dashboards copied into it */
    cJSON *mb = mb_state();
    long coll = mb_find(mb, "collections", "name", ORG);
    assert_true(coll > 0);
    char *stored = t_text(f->e, "SELECT metabase_collection_id FROM organization_integrations WHERE organization_id = ?", f->org);
    assert_int_equal(atol(stored), coll);
    free(stored);
    assert_int_equal(mb_count_where_num(mb, "dashboards", "collection_id", coll), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "dashboards")), dashboards_before + 2);
    /* the group, recorded in system_groups, with query-builder access to databases 1 and 2 */
    char *gname = mb_group_name(ORG);
    long gid = mb_find(mb, "groups", "name", gname);
    assert_true(gid > 0);
    char *sg = t_text(f->e, "SELECT external_name || '=' || external_id FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", f->org);
    char want[200];
    snprintf(want, sizeof want, "%s=%ld", gname, gid);
    assert_string_equal(sg, want);
    free(sg);
    const cJSON *perms = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(mb, "graph"), "groups");
    char gkey[32];
    snprintf(gkey, sizeof gkey, "%ld", gid);
    for (int db = 1; db <= 2; db++) {
        char dk[16];
        snprintf(dk, sizeof dk, "%d", db);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(perms, gkey), dk);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(p, "create-queries")->valuestring, "query-builder");
    }
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(perms, gkey), "3"));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(mb, "graph_writes")->valueint, graph_writes_before + 1);
    cJSON_Delete(mb);
    free(gname);

    /* Teams: a standard channel named after the organisation */
    char chan[160];
    graph_channel_name(ORG, chan, sizeof chan);
    cJSON *gs = t_fake_state(L->graph);
    const cJSON *c, *found = NULL;
    int nchan = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(gs, "channels"), "team-1"))
        if (hy_streq(cJSON_GetObjectItemCaseSensitive(c, "displayName")->valuestring, chan)) {
            nchan++;
            found = c;
        }
    assert_int_equal(nchan, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(found, "membershipType")->valuestring, "standard");
    char *tg = t_text(f->e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'teams'", f->org);
    assert_string_equal(tg, cJSON_GetObjectItemCaseSensitive(found, "id")->valuestring);
    free(tg);
    cJSON_Delete(gs);

    /* Slack: the existing group was found (one group with the handle, same members) */
    char *handle = slack_group_handle(ORG);
    assert_int_equal(t_live_count_where(L->slack, "usergroups", "handle", handle), 1);
    char *m = slack_members(handle);
    char both[64];
    snprintf(both, sizeof both, "%s,%s", old1, old2);
    assert_string_equal(m, both);
    free(m);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 7 "
                                   "AND json_extract(output, '$.created') = 0 AND json_extract(output, '$.slack_group_handle') = ?",
                             "tt", f->pexec, handle), 1);
    free(handle);

    /* the calls are on the steps: service, method, path, status, duration; no secret */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions s, json_each(s.calls) c WHERE "
                                   "s.execution_id = ? AND s.step_order = 3 AND json_extract(c.value, '$.service') = 'metabase' "
                                   "AND json_extract(c.value, '$.method') = 'POST' AND json_extract(c.value, '$.path') = '/api/collection' "
                                   "AND json_extract(c.value, '$.status') = 200 AND json_type(c.value, '$.duration_ms') = 'integer'",
                             "t", f->pexec), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions s, json_each(s.calls) c WHERE "
                                   "s.execution_id = ? AND s.step_order = 6 AND json_extract(c.value, '$.service') = 'login'",
                             "t", f->pexec), 1);
    char *calls = all_calls(f, f->pexec);
    assert_no_secret(calls);
    free(calls);
    free(old1);
    free(old2);
    fx_free(f);
}

/* ---- new_partner_user, and the email part by part ---- */

static void new_partner_user_live_end_to_end(void **s)
{
    (void)s;
    fx *f = fx_new(3000);
    char *old = slack_seed_user("old@user-e2e.test");
    const char *members[] = {old, NULL};
    seed_slack_group("User E2E " ORG, members);
    partner(f, "User E2E " ORG, "ue");
    set_docs(f, "https://docs.example.com/int?a=1&b=2", "https://docs.example.com/gen", "");
    char *zoe = slack_seed_user("zoe@user-e2e.test");
    int mails = t_smtp_messages(L->smtp);

    char id[HY_UUID_LEN];
    user_exec(f, "Zo\xc3\xab", "\xc3\x9cnal", "Zoe@User-E2E.test", id);
    expect_exec(f, id, "completed");
    /* Studio is simulated and says so; the four live steps are not */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "json_extract(output, '$.simulated') = 1", "t", id), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order IN "
                                   "(4, 5, 6, 9) AND json_extract(output, '$.simulated') IS NULL AND status = 'completed'",
                             "t", id), 4);

    /* Metabase: one user, a member of the organisation's group, its id stored */
    cJSON *mb = mb_state();
    long uid = mb_find(mb, "users", "email", "zoe@user-e2e.test");
    assert_true(uid > 0);
    assert_int_equal(t_live_count_where(L->mb, "users", "email", "zoe@user-e2e.test"), 1);
    char *gid = t_text(f->e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", f->org);
    assert_int_equal(t_mb_memberships(mb, uid, atol(gid)), 1);
    cJSON_Delete(mb);
    free(gid);
    char *stored = t_text(f->e, "SELECT metabase_user_id FROM users WHERE email = ?", "zoe@user-e2e.test");
    assert_int_equal(atol(stored), uid);
    free(stored);

    /* Teams: invited without Microsoft's email, then a member of the team */
    cJSON *gs = t_fake_state(L->graph);
    const cJSON *inv = NULL, *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(gs, "invitations"))
        if (hy_strcaseeq(cJSON_GetObjectItemCaseSensitive(it, "invitedUserEmailAddress")->valuestring, "zoe@user-e2e.test")) inv = it;
    assert_non_null(inv);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inv, "sendInvitationMessage")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(inv, "invitedUserDisplayName")->valuestring, "Zo\xc3\xab \xc3\x9cnal");
    cJSON_Delete(gs);
    assert_int_equal(t_team_members_with(L, "zoe@user-e2e.test"), 1);

    /* Slack: the user added, the existing member kept */
    char *handle = slack_group_handle("User E2E " ORG);
    char *m = slack_members(handle), want[80];
    snprintf(want, sizeof want, "%s,%s", old, zoe);
    assert_string_equal(m, want);
    free(m);
    free(handle);

    /* the email: one message, part by part */
    assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
    cJSON *st = t_smtp_state(L->smtp);
    const cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "messages"), mails);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "tls")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "authenticated")));
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(env, "rcpt_tos"), 0)->valuestring, "zoe@user-e2e.test");
    cJSON_Delete(st);
    cJSON *mail = t_mail_parse(L->smtp, mails + 1);
    assert_int_equal(strncmp(t_mail_header(mail, "Subject"), "=?UTF-8?B?", 10), 0); /* RFC 2047: the name is not ASCII */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(mail, "subject")->valuestring, "Documentation for User E2E " ORG);
    assert_string_equal(t_mail_header(mail, "To"), "zoe@user-e2e.test");
    assert_string_equal(t_mail_header(mail, "From"), "hyopps@example.com");
    char *msgid = t_text(f->e, "SELECT json_extract(output, '$.message_id') FROM workflow_step_executions WHERE "
                               "execution_id = ? AND step_order = 9", id);
    assert_string_equal(t_mail_header(mail, "Message-ID"), msgid);
    free(msgid);
    const char *text = t_mail_part(mail, 0), *html = t_mail_part(mail, 1);
    assert_non_null(strstr(text, "Hello Zo\xc3\xab,"));
    assert_non_null(strstr(text, "Here is the documentation for User E2E " ORG ":"));
    assert_non_null(strstr(text, "Internal Documentation: https://docs.example.com/int?a=1&b=2\r\n"));
    assert_non_null(strstr(text, "General Documentation: https://docs.example.com/gen\r\n"));
    assert_null(strstr(text, "Additional Documentation"));
    assert_non_null(strstr(html, "<strong>User E2E " ORG_HTML "</strong>"));
    assert_null(strstr(html, "<S\xc3\xb6hne>"));
    assert_non_null(strstr(html, "<a href=\"https://docs.example.com/int?a=1&amp;b=2\">"));
    cJSON_Delete(mail);
    /* the output keeps sent_to, links_sent and the Message-ID */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 9 AND "
                                   "json_extract(output, '$.sent_to') = 'zoe@user-e2e.test' AND "
                                   "json_array_length(output, '$.links_sent') = 2 AND json_extract(output, '$.message_id') LIKE '<%@example.com>'",
                             "t", id), 1);
    /* the calls of the user's steps, shown by exec show (through ops), without secrets */
    hy_exec_detail d;
    hy_err err;
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, id, &d, &err), 0);
    assert_non_null(strstr(d.steps[8].calls_json, "\"service\":\"smtp\""));
    assert_non_null(strstr(d.steps[8].calls_json, "\"method\":\"SEND\""));
    assert_non_null(strstr(d.steps[8].calls_json, "\"status\":250"));
    assert_non_null(strstr(d.steps[5].calls_json, "\"path\":\"/usergroups.users.update\""));
    for (int i = 0; i < d.nsteps; i++)
        if (d.steps[i].calls_json) assert_no_secret(d.steps[i].calls_json);
    hy_exec_detail_free(&d);
    free(old);
    free(zoe);
    fx_free(f);
}

/* ---- every step twice: one effect ---- */

typedef struct {
    int collections, dashboards, groups, graph_writes, mb_users, memberships;
    int channels, graph_users, slack_groups, slack_writes, mails;
} effects;

static effects count_effects(void)
{
    effects x;
    cJSON *mb = mb_state();
    x.collections = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "collections"));
    x.dashboards = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "dashboards"));
    x.groups = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "groups"));
    x.graph_writes = cJSON_GetObjectItemCaseSensitive(mb, "graph_writes")->valueint;
    x.mb_users = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "users"));
    x.memberships = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mb, "memberships"));
    cJSON_Delete(mb);
    cJSON *gs = t_fake_state(L->graph);
    x.channels = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(gs, "channels"), "team-1"));
    x.graph_users = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(gs, "team_members"), "team-1"));
    cJSON_Delete(gs);
    x.slack_groups = t_live_count(L->slack, "usergroups");
    x.slack_writes = state_int(L->slack, "membership_writes");
    x.mails = t_smtp_messages(L->smtp);
    return x;
}

static void every_step_twice_one_effect(void **s)
{
    (void)s;
    fx *f = fx_new(3000);
    partner(f, "Twice Co", "tw");
    set_docs(f, "https://docs.example.com/twice", NULL, NULL);
    t_live_slack_user(L, "ann@twice.test");
    char id[HY_UUID_LEN];
    user_exec(f, "Ann", "Twice", "ann@twice.test", id);
    expect_exec(f, id, "completed");
    effects before = count_effects();

    /* new_partner again from its first auto step (the fakes keep their state) */
    hy_err err;
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, f->pexec, "3", &err), 0);
    t_drain(f->e);
    t_submit_ok(f->e, &f->admin, f->pexec, "lms_setup", "lms_confirmed=yes", NULL);
    expect_exec(f, f->pexec, "completed");
    /* new_partner_user again from its first auto step */
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "3", &err), 0);
    t_drain(f->e);
    expect_exec(f, id, "completed");

    effects after = count_effects();
    assert_int_equal(after.collections, before.collections);
    assert_int_equal(after.dashboards, before.dashboards);
    assert_int_equal(after.groups, before.groups);
    assert_int_equal(after.graph_writes, before.graph_writes); /* access already there: no write */
    assert_int_equal(after.mb_users, before.mb_users);
    assert_int_equal(after.memberships, before.memberships);
    assert_int_equal(after.channels, before.channels);
    assert_int_equal(after.graph_users, before.graph_users);
    assert_int_equal(after.slack_groups, before.slack_groups);
    assert_int_equal(after.slack_writes, before.slack_writes); /* already a member: no write */
    assert_int_equal(after.mails, before.mails);               /* the email is not sent twice */
    assert_int_equal(graph_users_with("ann@twice.test"), 1);
    /* the second runs say what they found */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order IN "
                                   "(3, 4, 6, 7) AND json_extract(output, '$.created') = 0", "t", f->pexec), 4);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND ("
                                   "(step_order = 4 AND json_extract(output, '$.metabase_user_existed') = 1 AND "
                                   "json_extract(output, '$.membership_added') = 0) OR "
                                   "(step_order = 6 AND json_extract(output, '$.added') = 0) OR "
                                   "(step_order = 9 AND json_extract(output, '$.resumed') = 1))", "t", id), 3);

    /* a changed email (another link) is a new email: a re-run sends it, once */
    set_docs(f, NULL, NULL, "https://docs.example.com/more");
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "9", &err), 0);
    t_drain(f->e);
    expect_exec(f, id, "completed");
    assert_int_equal(t_smtp_messages(L->smtp), before.mails + 1);
    cJSON *mail = t_mail_parse(L->smtp, before.mails + 1);
    assert_non_null(strstr(t_mail_part(mail, 0), "Additional Documentation: https://docs.example.com/more"));
    cJSON_Delete(mail);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "9", &err), 0);
    t_drain(f->e);
    assert_int_equal(t_smtp_messages(L->smtp), before.mails + 1);
    fx_free(f);
}

/* ---- faults ---- */

/* One attempt's entry in the attempt log: its error. Caller frees. */
static char *attempt_error(fx *f, const char *id, int order, int n)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT json_extract(attempt_log, '$[%d].error') FROM workflow_step_executions "
                              "WHERE execution_id = ? AND step_order = %d", n, order);
    return t_text(f->e, sql, id);
}

/* Drains once: the step must be waiting for a retry after one failed attempt
 * whose error says `says`; the retry is due no earlier than min_wait_ms.
 * Then the clock jumps past it and the step completes on its second attempt. */
static void retried_then_succeeds(fx *f, const char *id, int order, const char *says, int64_t min_wait_ms)
{
    t_drain(f->e);
    expect_step(f, id, order, "pending");
    expect_exec(f, id, "running");
    assert_int_equal(t_step_int(f->e, id, order, "attempts"), 1);
    char *e = attempt_error(f, id, order, 0);
    if (!strstr(e, says)) fail_msg("step %d's first attempt failed with \"%s\", expected \"%s\"", order, e, says);
    free(e);
    int64_t wait = t_step_int(f->e, id, order, "next_attempt_at") - hy_now_ms();
    if (wait < min_wait_ms - 300) fail_msg("step %d retries in %lld ms, expected at least %lld", order, (long long)wait, (long long)min_wait_ms);
    t_drain(f->e); /* not due yet: nothing happens */
    assert_int_equal(t_step_int(f->e, id, order, "attempts"), 1);
    t_clock_forward(wait + 10);
    t_drain(f->e);
    expect_step(f, id, order, "completed");
    assert_int_equal(t_step_int(f->e, id, order, "attempts"), 2);
}

static void transient_faults_are_retried_then_succeed(void **s)
{
    (void)s;
    fx *f = fx_new(1000);
    partner(f, "Flaky Co", "fl");
    t_live_slack_user(L, "bo@flaky.test");
    int mails = t_smtp_messages(L->smtp);
    char id[HY_UUID_LEN];
    /* one fault in each live step of the user's workflow */
    t_fake_fault(L->mb, "{\"method\": \"POST\", \"path\": \"^/api/user$\", \"kind\": \"status\", \"status\": 500}");
    t_fake_fault(L->graph, "{\"method\": \"POST\", \"path\": \"/invitations\", \"kind\": \"status\", \"status\": 429, "
                           "\"headers\": {\"Retry-After\": \"7\"}}");
    t_fake_fault(L->slack, "{\"path\": \"users.lookupByEmail\", \"kind\": \"hang\", \"seconds\": 2}");
    t_smtp_fault(L->smtp, "[{\"kind\": \"reject_after_data\", \"reply\": \"451 4.3.0 Try again later\"}]");
    user_exec(f, "Bo", "Flaky", "bo@flaky.test", id);
    retried_then_succeeds(f, id, 4, "Metabase answered 500 to POST /api/user", 1000);
    retried_then_succeeds(f, id, 5, "Microsoft Graph answered 429", 7000); /* Retry-After honoured */
    retried_then_succeeds(f, id, 6, "Slack did not answer POST /users.lookupByEmail within 1.0 s", 1000);
    retried_then_succeeds(f, id, 9, "answered 451", 1000);
    expect_exec(f, id, "completed");
    /* the effects happened once */
    assert_int_equal(t_live_count_where(L->mb, "users", "email", "bo@flaky.test"), 1);
    assert_int_equal(t_team_members_with(L, "bo@flaky.test"), 1);
    assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
    /* both attempts' calls are on the step: the timed-out one says so */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions s, json_each(s.calls) c WHERE "
                                   "s.execution_id = ? AND s.step_order = 6 AND json_extract(c.value, '$.error') = 'timeout' "
                                   "AND json_extract(c.value, '$.status') = 0", "t", id), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions s, json_each(s.calls) c WHERE "
                                   "s.execution_id = ? AND s.step_order = 5 AND json_extract(c.value, '$.status') = 429",
                             "t", id), 1);

    /* a connection closed without an answer (twice: libcurl itself tries a
     * request again once on a fresh connection when a reused one died) */
    t_live_slack_user(L, "cy@flaky.test");
    t_fake_fault(L->mb, "{\"method\": \"POST\", \"path\": \"^/api/permissions/membership\", \"kind\": \"close\", \"count\": 2}");
    char id2[HY_UUID_LEN];
    user_exec(f, "Cy", "Flaky", "cy@flaky.test", id2);
    retried_then_succeeds(f, id2, 4, "Metabase", 1000);
    expect_exec(f, id2, "completed");
    cJSON *mb = mb_state();
    long uid = mb_find(mb, "users", "email", "cy@flaky.test");
    char *gid = t_text(f->e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", f->org);
    assert_int_equal(t_mb_memberships(mb, uid, atol(gid)), 1);
    free(gid);
    cJSON_Delete(mb);
    fx_free(f);
}

/* Another runner holds the Slack group's list lease: the step waits for it
 * (bounded: [http] timeout_ms + 5 s), then gives the step back as a
 * transient failure retried when that lease runs out; Slack saw no write. */
static void a_step_waits_for_the_groups_lease_then_is_retried(void **s)
{
    (void)s;
    fx *f = fx_new(1000);
    partner(f, "Held Co", "hd");
    t_live_slack_user(L, "hal@held.test");
    char *gid = t_text(f->e, "SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = 'slack'", f->org);
    char *key = xasprintf("slack:usergroup:%s", gid);
    hy_db *other;
    hy_err err;
    char path[300];
    snprintf(path, sizeof path, "%s/hyopps.db", f->e->dir);
    assert_int_equal(db_open(path, &other, &err), 0);
    assert_int_equal(list_lock_acquire(other, key, "another-runner", 60000, 0, NULL, &err), 0);
    int writes = t_fake_count(L->slack, "POST /api/usergroups.users.update");
    int64_t t0 = hy_mono_ms();
    char id[HY_UUID_LEN];
    user_exec(f, "Hal", "Held", "hal@held.test", id);
    int64_t took = hy_mono_ms() - t0;
    if (took < 6000 || took > 20000) fail_msg("the step waited %lld ms for the lease (bound: 6 s)", (long long)took);
    assert_int_equal(t_fake_count(L->slack, "POST /api/usergroups.users.update"), writes);
    list_lock_release(other, key, "another-runner");
    db_close(other);
    char *says = xasprintf("another runner (another-runner) is changing %s", key);
    retried_then_succeeds(f, id, 6, says, 50000); /* when the holder's lease would have run out */
    free(says);
    expect_exec(f, id, "completed");
    assert_int_equal(t_fake_count(L->slack, "POST /api/usergroups.users.update"), writes + 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM list_locks", ""), 0);
    free(key);
    free(gid);
    fx_free(f);
}

/* Fails at once: one attempt, no retry scheduled, the execution failed. */
static void failed_at_once(fx *f, const char *id, int order, const char *says)
{
    expect_step(f, id, order, "failed");
    expect_exec(f, id, "failed");
    assert_int_equal(t_step_int(f->e, id, order, "attempts"), 1);
    assert_int_equal(t_step_int(f->e, id, order, "next_attempt_at IS NULL"), 1);
    expect_error_has(f, id, order, says);
}

static void permanent_faults_fail_at_once(void **s)
{
    (void)s;
    fx *f = fx_new(1000);
    partner(f, "Broken Co", "br");
    hy_err err;
    char id[HY_UUID_LEN];
    /* malformed JSON */
    t_live_slack_user(L, "di@broken.test");
    t_fake_fault(L->mb, "{\"method\": \"GET\", \"path\": \"^/api/user\\\\?\", \"kind\": \"malformed\"}");
    user_exec(f, "Di", "Broken", "di@broken.test", id);
    failed_at_once(f, id, 4, "Metabase answered 200 with a body that is not JSON");
    /* a 4xx from Graph */
    t_fake_fault(L->graph, "{\"method\": \"POST\", \"path\": \"/invitations\", \"kind\": \"status\", \"status\": 403, "
                           "\"body\": {\"error\": {\"code\": \"Authorization_RequestDenied\", \"message\": "
                           "\"Insufficient privileges to complete the operation.\"}}}");
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
    t_drain(f->e);
    failed_at_once(f, id, 5, "Microsoft Graph answered 403");
    expect_error_has(f, id, 5, "Insufficient privileges");
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
    t_drain(f->e);
    expect_exec(f, id, "completed");

    /* Slack: no account in the workspace; a person invites them, then retries */
    char id2[HY_UUID_LEN];
    user_exec(f, "Ed", "Broken", "ed@broken.test", id2);
    failed_at_once(f, id2, 6, "ed@broken.test has no Slack account in this workspace");
    expect_error_has(f, id2, 6, "invite them first, then retry");
    t_live_slack_user(L, "ed@broken.test");
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id2, &err), 0);
    t_drain(f->e);
    expect_exec(f, id2, "completed");

    /* a refused message (5xx after the data) fails at once, nothing sent */
    t_live_slack_user(L, "fi@broken.test");
    int mails = t_smtp_messages(L->smtp);
    t_smtp_fault(L->smtp, "[{\"kind\": \"reject_after_data\", \"reply\": \"554 5.7.1 Message rejected\"}]");
    char id3[HY_UUID_LEN];
    user_exec(f, "Fi", "Broken", "fi@broken.test", id3);
    failed_at_once(f, id3, 9, "refused the message (554)");
    assert_int_equal(t_smtp_messages(L->smtp), mails);
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id3, &err), 0);
    t_drain(f->e);
    expect_exec(f, id3, "completed");
    assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
    fx_free(f);
}

/* ---- the email that may or may not have arrived ---- */

static void lost_answer_after_the_data_asks_a_person(void **s)
{
    (void)s;
    fx *f = fx_new(1500);
    partner(f, "Unsure Co", "un");
    const char *faults[] = {"[{\"kind\": \"drop_after_data\"}]", "[{\"kind\": \"hang_after_data\", \"seconds\": 3}]"};
    const char *says[] = {"lost the connection before confirming the message", "did not confirm the message in time"};
    for (int i = 0; i < 2; i++) {
        char email[64];
        snprintf(email, sizeof email, "gu%d@unsure.test", i);
        t_live_slack_user(L, email);
        int mails = t_smtp_messages(L->smtp);
        t_smtp_fault(L->smtp, faults[i]);
        char id[HY_UUID_LEN];
        user_exec(f, "Gu", "Unsure", email, id);
        /* the server kept it but never said so: failed at once, a person is asked */
        failed_at_once(f, id, 9, says[i]);
        expect_error_has(f, id, 9, "it may have been delivered");
        expect_error_has(f, id, 9, "HyOpps will not send it again by itself");
        expect_error_has(f, id, 9, email);
        assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
        cJSON *mail = t_mail_parse(L->smtp, mails + 1);
        char *first_id = xstrdup(t_mail_header(mail, "Message-ID"));
        cJSON_Delete(mail);
        expect_error_has(f, id, 9, first_id); /* the Message-ID to look for */
        /* time passes, runners run: nothing is sent again */
        t_clock_forward(600000);
        t_drain(f->e);
        assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
        /* the person found nothing and retries: sent again with the same Message-ID */
        hy_err err;
        assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
        t_drain(f->e);
        expect_exec(f, id, "completed");
        assert_int_equal(t_smtp_messages(L->smtp), mails + 2);
        mail = t_mail_parse(L->smtp, mails + 2);
        assert_string_equal(t_mail_header(mail, "Message-ID"), first_id);
        cJSON_Delete(mail);
        char *out_id = t_text(f->e, "SELECT json_extract(output, '$.message_id') FROM workflow_step_executions WHERE "
                                    "execution_id = ? AND step_order = 9", id);
        assert_string_equal(out_id, first_id);
        free(out_id);
        free(first_id);
    }
    /* ... or finds it and marks the step done by hand */
    t_live_slack_user(L, "hu@unsure.test");
    t_smtp_fault(L->smtp, faults[0]);
    char id[HY_UUID_LEN];
    user_exec(f, "Hu", "Unsure", "hu@unsure.test", id);
    failed_at_once(f, id, 9, "it may have been delivered");
    hy_err err;
    assert_int_equal(ops_exec_mark_done(f->e->c, &f->admin, id, "share_documentation", "it arrived (checked with Hu)", &err), 0);
    expect_exec(f, id, "completed");
    fx_free(f);
}

/* A runner that stopped after the send was recorded (before the step was):
 * the next one finds the record and does not send again. */
static void recovery_after_a_recorded_send_does_not_resend(void **s)
{
    (void)s;
    fx *f = fx_new(3000);
    partner(f, "Recover Co", "rc");
    t_live_slack_user(L, "ivy@recover.test");
    char id[HY_UUID_LEN];
    user_exec(f, "Ivy", "Recover", "ivy@recover.test", id);
    expect_exec(f, id, "completed");
    int mails = t_smtp_messages(L->smtp);
    /* as if the runner died between saving the send and recording the step */
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(f->e->c->db, &err,
                             "UPDATE workflow_step_executions SET status = 'running', output = NULL, completed_at = NULL, "
                             "lease_owner = 'gone:1:1', lease_expires_at = ? WHERE execution_id = ? AND step_order = 9",
                             "It", hy_now_ms() - 1, id), 0);
    assert_int_equal(db_exec(f->e->c->db, &err,
                             "UPDATE workflow_executions SET status = 'running', current_step_order = 9, completed_at = NULL, "
                             "next_run_at = ? WHERE id = ?", "It", hy_now_ms() - 1, id), 0);
    t_recount(f->e);
    t_drain(f->e);
    expect_exec(f, id, "completed");
    assert_int_equal(t_smtp_messages(L->smtp), mails);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 9 "
                                   "AND json_extract(output, '$.resumed') = 1 AND attempts = 2", "t", id), 1);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_partner_live_end_to_end),
        cmocka_unit_test(new_partner_user_live_end_to_end),
        cmocka_unit_test(every_step_twice_one_effect),
        cmocka_unit_test(transient_faults_are_retried_then_succeed),
        cmocka_unit_test(a_step_waits_for_the_groups_lease_then_is_retried),
        cmocka_unit_test(permanent_faults_fail_at_once),
        cmocka_unit_test(lost_answer_after_the_data_asks_a_person),
        cmocka_unit_test(recovery_after_a_recorded_send_does_not_resend),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
