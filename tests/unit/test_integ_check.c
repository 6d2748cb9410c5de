/* integrations_check (the library) against fakes, and ops_integrations_check's
 * authorization (administrators only). */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "ops.h"
#include "util.h"

static void one_line_per_integration_with_the_exact_problem(void **s)
{
    (void)s;
    t_fake *mb = t_fake_start("metabase", NULL), *sl = t_fake_start("slack", NULL), *gr = t_fake_start("graph", NULL);
    hy_config *cfg = t_integ_config(3000);
    t_config_metabase(cfg, mb->url, "mb-test-key");
    t_config_slack(cfg, sl->url, "xoxb-wrong-token");
    t_config_graph(cfg, gr->url, "graph-secret");
    cfg->smtp.mode = HY_MODE_SIMULATE;

    integ_check_report r;
    integrations_check(cfg, &r);
    assert_int_equal(r.failed, 1);
    assert_string_equal(r.line[INTEG_METABASE].name, "metabase");
    assert_true(r.line[INTEG_METABASE].checked);
    assert_true(r.line[INTEG_METABASE].ok);
    assert_string_equal(r.line[INTEG_METABASE].detail, "OK: Metabase answers; the API key acts as Ada Admin <admin@example.com>");
    assert_true(r.line[INTEG_TEAMS].ok);
    assert_string_equal(r.line[INTEG_TEAMS].detail, "OK: got a Microsoft Graph token for tenant tenant-1");
    assert_false(r.line[INTEG_SLACK].ok);
    assert_int_equal(r.line[INTEG_SLACK].code, HY_ERR_PERMANENT);
    assert_string_equal(r.line[INTEG_SLACK].detail, "Slack refused the token (invalid_auth): check [slack] bot_token");
    assert_false(r.line[INTEG_EMAIL].checked);
    assert_int_equal(r.line[INTEG_EMAIL].mode, HY_MODE_SIMULATE);
    assert_string_equal(r.line[INTEG_EMAIL].detail, "simulated: no calls are made");
    assert_string_equal(r.line[INTEG_STUDIO].detail, "simulated: Studio has no public API");
    /* Nothing was changed: only the check calls were made. */
    assert_int_equal(t_fake_count(mb, "GET /api/user/current"), 1);
    cJSON *st = t_fake_state(mb);
    assert_int_equal(cJSON_GetObjectItem(st, "total_requests")->valueint, 1);
    cJSON_Delete(st);
    assert_int_equal(t_fake_count(sl, "POST /api/auth.test"), 1);

    /* Wrong key, and a service that is down. */
    free(cfg->metabase.api_key);
    cfg->metabase.api_key = xstrdup("not-the-key");
    free(cfg->azure.graph_url);
    free(cfg->azure.login_url);
    cfg->azure.login_url = xstrdup("http://127.0.0.1:9");
    cfg->azure.graph_url = xstrdup("http://127.0.0.1:9");
    cfg->slack.mode = HY_MODE_OFF;
    integrations_check(cfg, &r);
    assert_int_equal(r.failed, 2);
    assert_non_null(strstr(r.line[INTEG_METABASE].detail, "Metabase answered 401 (Unauthenticated): check [metabase] api_key"));
    assert_null(strstr(r.line[INTEG_METABASE].detail, "not-the-key"));
    assert_int_equal(r.line[INTEG_TEAMS].code, HY_ERR_TRANSIENT);
    assert_non_null(strstr(r.line[INTEG_TEAMS].detail, "cannot reach Microsoft login"));
    assert_string_equal(r.line[INTEG_SLACK].detail, "off: Slack is not configured (set [slack] bot_token)");
    assert_true(r.line[INTEG_SLACK].ok);

    config_free(cfg);
    t_fake_stop(mb);
    t_fake_stop(sl);
    t_fake_stop(gr);
}

static void only_administrators_may_check(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    char org[HY_UUID_LEN], pa[HY_UUID_LEN], u[HY_UUID_LEN];
    t_org(e, "Acme", org);
    t_user(e, "pa@acme.test", "partner_admin", org, "pw-partner-1", pa);
    t_user(e, "u@acme.test", "user", org, "pw-user-1", u);
    hy_principal admin, partner, user;
    t_admin(e, &admin);
    t_login(e, "pa@acme.test", &partner);
    t_login(e, "u@acme.test", &user);
    hy_err err;
    integ_check_report r;
    assert_int_equal(ops_integrations_check(e->c, &partner, &r, &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_integrations_check(e->c, &user, &r, &err), HY_ERR_FORBIDDEN);
    assert_int_equal(ops_integrations_check(e->c, NULL, &r, &err), HY_ERR_AUTH);
    assert_int_equal(ops_integrations_check(e->c, &admin, &r, &err), 0);
    assert_int_equal(r.failed, 0); /* the embedded default simulates everything: nothing to contact */
    assert_int_equal(r.line[INTEG_METABASE].mode, HY_MODE_SIMULATE);
    assert_false(r.line[INTEG_METABASE].checked);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_line_per_integration_with_the_exact_problem),
        cmocka_unit_test(only_administrators_may_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
