/* Revoking and offboarding from the terminal UI without a terminal (keys fed
 * through ui_feed_key; nothing draws): the dialogs ask first and say what
 * will be removed, then the reason and when; "n" starts nothing; a partner
 * admin gets "not found" for another organisation's user; a bad date is
 * refused with its field message; hostile text is kept as text. */
#include "testlib_exec.h"

#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "screens.h"

static ui_key ch(int c) { return (ui_key){false, c}; }

typedef struct {
    t_env *e;
    ui u;
    hy_principal admin;
    char org[HY_UUID_LEN], np[HY_UUID_LEN], ann[HY_UUID_LEN], other_org[HY_UUID_LEN], fay[HY_UUID_LEN];
    ui_revoke_pending pd;
} rig;

static int setup(void **s)
{
    rig *r = calloc(1, sizeof *r);
    r->e = t_exec_env();
    t_admin(r->e, &r->admin);
    t_partner(r->e, &r->admin, "Acme Corp", "st-acme", r->org, r->np);
    t_user(r->e, "ann@acme.example", "user", r->org, NULL, r->ann);
    t_org(r->e, "Globex", r->other_org);
    t_user(r->e, "fay@globex.example", "user", r->other_org, NULL, r->fay);
    r->u.app = r->e->app;
    r->u.ctx = r->e->c;
    r->u.cfg = r->e->app->cfg;
    r->u.me = r->admin;
    r->u.logged_in = true;
    r->u.last_key_ms = r->u.last_check_ms = hy_mono_ms();
    *s = r;
    return 0;
}

static int teardown(void **s)
{
    rig *r = *s;
    ui_close_all(&r->u);
    ui_revoke_pending_free(&r->pd);
    t_env_free(r->e);
    free(r);
    return 0;
}

static void feed(rig *r, const char *text)
{
    for (const char *c = text; *c; c++) ui_feed_key(&r->u, ch((unsigned char)*c));
}

/* The screen the dialogs answer to (as a key handler on it would ask). */
static void base(rig *r)
{
    ui_close_all(&r->u);
    assert_true(ui_push(&r->u, &ui_users_screen, NULL));
}

static int64_t revocations(rig *r)
{
    return t_count(r->e, "SELECT count(*) FROM workflow_executions e JOIN workflow_definitions d ON "
                         "d.id = e.workflow_definition_id WHERE d.name = 'revoke_partner_user'", "");
}

static void admin_revokes_through_the_dialogs(void **s)
{
    rig *r = *s;
    base(r);
    ui_user_revoke_ask(&r->u, &r->pd, r->ann);
    assert_non_null(r->u.top);
    feed(r, "n"); /* no: nothing */
    assert_non_null(strstr(r->u.msg, "Nothing was started"));
    assert_int_equal(revocations(r), 0);
    ui_user_revoke_ask(&r->u, &r->pd, r->ann);
    feed(r, "y");
    feed(r, "\r"); /* the reason is required: an empty one is refused */
    assert_int_equal(revocations(r), 0);
    feed(r, "left; DROP TABLE users;-- %s \"q\"\r");
    feed(r, "\r"); /* effective: now */
    assert_int_equal(revocations(r), 1);
    assert_non_null(strstr(r->u.msg, "Revocation"));
    char *reason = t_text(r->e, "SELECT json_extract(s.manual_input, '$.reason') FROM workflow_step_executions s JOIN "
                                "workflow_executions e ON e.id = s.execution_id WHERE e.user_id = ? AND s.step_order = 1",
                          r->ann);
    assert_non_null(strstr(reason, "left; DROP TABLE users;--"));
    free(reason);
    assert_int_equal(t_count(r->e, "SELECT count(*) FROM users", ""), 3); /* admin, ann, fay: nothing dropped */
    /* offboarded afterwards: the dialog says so instead */
    t_drain(r->e);
    char *id = t_text(r->e, "SELECT id FROM workflow_executions WHERE user_id = ? AND status = 'awaiting_input'", r->ann);
    t_submit_ok(r->e, &r->admin, id, "lms_removal", "lms_removed=yes", NULL);
    free(id);
    t_drain(r->e);
    base(r);
    ui_user_revoke_ask(&r->u, &r->pd, r->ann);
    assert_non_null(strstr(r->u.msg, "was offboarded on"));
}

static void a_bad_date_is_refused_with_its_message(void **s)
{
    rig *r = *s;
    base(r);
    ui_user_revoke_ask(&r->u, &r->pd, "ann@acme.example");
    feed(r, "y");
    feed(r, "contract ends\r");
    feed(r, "next tuesday\r");
    assert_non_null(strstr(r->u.msg, "at: 'next tuesday' is not a date/time"));
    assert_int_equal(revocations(r), 0);
    ui_user_revoke_ask(&r->u, &r->pd, "ann@acme.example");
    feed(r, "y");
    feed(r, "contract ends\r");
    feed(r, "+2d\r");
    EXPECT_TEXT(r->e, "scheduled", "SELECT status FROM workflow_executions WHERE user_id = ?", r->ann);
}

static void partner_admin_gets_not_found_for_another_organisation(void **s)
{
    rig *r = *s;
    char pa[HY_UUID_LEN];
    t_user(r->e, "pa@acme.example", "partner_admin", r->org, "pa-password-1", pa);
    t_login(r->e, "pa@acme.example", &r->u.me);
    base(r);
    ui_user_revoke_ask(&r->u, &r->pd, r->fay);
    if (!strstr(r->u.msg, "No user matches")) fail_msg("said: %s", r->u.msg);
    ui_user_revoke_ask(&r->u, &r->pd, "fay@globex.example");
    if (!strstr(r->u.msg, "No user matches")) fail_msg("said: %s", r->u.msg);
    assert_null(strstr(r->u.msg, "Globex"));
    /* offboarding is for administrators */
    ui_org_offboard_ask(&r->u, &r->pd, r->org);
    feed(r, "y");
    feed(r, "x\r\r");
    assert_int_equal(t_count(r->e, "SELECT count(*) FROM workflow_executions e JOIN workflow_definitions d ON "
                                   "d.id = e.workflow_definition_id WHERE d.name = 'offboard_partner'", ""), 0);
    /* their own organisation's user: yes */
    base(r);
    ui_user_revoke_ask(&r->u, &r->pd, "ann@acme.example");
    feed(r, "y");
    feed(r, "left\r\r");
    assert_int_equal(revocations(r), 1);
}

static void offboarding_says_what_will_happen(void **s)
{
    rig *r = *s;
    base(r);
    ui_org_offboard_ask(&r->u, &r->pd, r->org);
    feed(r, "y");
    feed(r, "partnership ended\r");
    feed(r, "+1d\r");
    EXPECT_TEXT(r->e, "scheduled",
                "SELECT e.status FROM workflow_executions e JOIN workflow_definitions d ON d.id = e.workflow_definition_id "
                "WHERE d.name = 'offboard_partner' AND e.organization_id = ?",
                r->org);
}

/* New request's "Start later": any workflow, scheduled at the time given. */
static void new_request_starts_later(void **s)
{
    rig *r = *s;
    ui_close_all(&r->u);
    assert_true(ui_push(&r->u, &ui_newreq_screen, NULL));
    int64_t before = t_count(r->e, "SELECT count(*) FROM workflow_executions", "");
    feed(r, "S");
    feed(r, "soon\r");
    assert_non_null(strstr(r->u.msg, "Start at: 'soon' is not a date/time"));
    assert_int_equal(t_count(r->e, "SELECT count(*) FROM workflow_executions", ""), before);
    feed(r, "S");
    feed(r, "+1d\r");
    assert_int_equal(t_count(r->e, "SELECT count(*) FROM workflow_executions WHERE status = 'scheduled'", ""), 1);
    assert_non_null(strstr(r->u.msg, "scheduled"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(admin_revokes_through_the_dialogs, setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_date_is_refused_with_its_message, setup, teardown),
        cmocka_unit_test_setup_teardown(partner_admin_gets_not_found_for_another_organisation, setup, teardown),
        cmocka_unit_test_setup_teardown(offboarding_says_what_will_happen, setup, teardown),
        cmocka_unit_test_setup_teardown(new_request_starts_later, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
