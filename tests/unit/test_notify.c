/* Notifications without a network (email simulated): the event is part of
 * the state change's transaction, an input needed is made from the waiting
 * step by a runner, once; who gets what (administrators and
 * support, the requester, a partner admin's own request, people who turned
 * them off); an input needed that was filled in meanwhile is dropped;
 * reminders after remind_after_hours then daily, up to max_reminders (a
 * moved clock, no sleeping); the digest once a day; [notify] enabled =
 * false; the outbox and an execution's notifications, and who may see them. */
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "testlib_exec.h"
#include "util.h"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)

typedef struct {
    t_env *e;
    hy_principal admin, support, pa, pa2, pb;
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    hy_config *cfg = f->e->app->cfg;
    cfg->notify.input_delay_minutes = 0;
    cfg->notify.remind_after_hours = 2;
    cfg->notify.max_reminders = 2;
    t_admin(f->e, &f->admin);
    char id[HY_UUID_LEN];
    cfg->notify.enabled = false; /* the partners' set-up tells nobody */
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org_a, id);
    t_partner(f->e, &f->admin, "Globex", "st-glx", f->org_b, id);
    cfg->notify.enabled = true;
    t_user(f->e, "help@hyopps.local", "support", NULL, "support-pass-1", id);
    t_user(f->e, "quiet@hyopps.local", "support", NULL, "support-pass-1", id);
    t_user(f->e, "pa@acme.example", "partner_admin", f->org_a, "pa-password-1", id);
    t_user(f->e, "pa2@acme.example", "partner_admin", f->org_a, "pa-password-1", id);
    t_user(f->e, "pb@globex.example", "partner_admin", f->org_b, "pb-password-1", id);
    t_login(f->e, "help@hyopps.local", &f->support);
    t_login(f->e, "pa@acme.example", &f->pa);
    t_login(f->e, "pa2@acme.example", &f->pa2);
    t_login(f->e, "pb@globex.example", &f->pb);
    hy_principal quiet;
    t_login(f->e, "quiet@hyopps.local", &quiet);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_notify_set(f->e->c, &quiet, false, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hy_clock_set_offset_ms(0);
    t_env_free(f->e);
    free(f);
    return 0;
}

static void drain(fx *f, notify_stats *st)
{
    hy_err err;
    hy_err_clear(&err);
    hy_integ *in = integ_new(f->e->app->cfg);
    notify_stats local;
    if (notify_drain(f->e->c, in, "test:notify", st ? st : &local, &err) != 0) fail_msg("notify_drain: %s", err.msg);
    integ_free(in);
}

/* Outbox rows for an event of an execution, to a recipient (NULL: any). */
static int64_t rows(fx *f, const char *event, const char *exec, const char *to)
{
    return t_count(f->e,
                   "SELECT count(*) FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                   "WHERE e.event = ?1 AND (?2 IS NULL OR e.execution_id = ?2) AND (?3 IS NULL OR o.recipient = ?3)",
                   "ttt", event, exec, to);
}

static void fail_at_metabase(fx *f, const hy_principal *p, const char *org, const char *exec)
{
    hy_err err;
    hy_err_clear(&err);
    db_exec(f->e->c->db, &err, "DELETE FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", "t", org);
    t_submit_ok(f->e, p, exec, "input_user_details", "firstname=Fay", "lastname=Lure", "email=fay@acme.example", NULL);
    t_drain(f->e);
    char *st = t_exec_status(f->e, exec);
    assert_string_equal(st, "failed");
    free(st);
}

static void the_event_is_part_of_the_change(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    const hy_workflow_def *wf = workflow_find("new_partner");
    char id[HY_UUID_LEN];
    int added = 0;
    int64_t before = t_count(f->e, "SELECT count(*) FROM notify_events", "");
    /* a finished execution's event: undone with the transaction */
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(engine_start(f->e->c, &f->admin, wf, NULL, id, &err), 0);
    assert_int_equal(engine_cancel(f->e->c, &f->admin, id, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND event = "
                                   "'cancelled'", "t", id), 1);
    db_rollback(f->e->c->db);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events", ""), before);
    /* an input needed is made from the waiting step's own row, by a runner:
     * nothing is written at the change, nothing for a start rolled back */
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(engine_start(f->e->c, &f->admin, wf, NULL, id, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ?", "t", id), 0);
    db_rollback(f->e->c->db);
    assert_int_equal(notify_schedule(f->e->c, hy_now_ms(), &added, &err), 0);
    assert_int_equal(added, 0);
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(engine_start(f->e->c, &f->admin, wf, NULL, id, &err), 0);
    assert_int_equal(db_commit(f->e->c->db, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ?", "t", id), 0);
    /* made once, whichever runner looks first (a notifier's look after a kick, a full pass) */
    int64_t scanned = 0;
    assert_int_equal(notify_schedule_inputs(f->e->c, hy_now_ms(), &scanned, &added, &err), 0);
    assert_int_equal(added, 1);
    assert_true(scanned > 0);
    assert_int_equal(notify_schedule_inputs(f->e->c, hy_now_ms(), &scanned, &added, &err), 0);
    assert_int_equal(added, 0);
    assert_int_equal(notify_schedule(f->e->c, hy_now_ms(), &added, &err), 0);
    assert_int_equal(added, 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events e JOIN workflow_step_executions s ON s.id = "
                                   "e.step_id WHERE e.execution_id = ? AND e.event = 'input_needed' AND "
                                   "e.step_order = 1 AND e.state = 'new' AND e.since = s.started_at AND e.dedup = "
                                   "'input:' || s.id || ':' || s.started_at", "t", id), 1);
    /* [notify] enabled = false: nothing */
    f->e->app->cfg->notify.enabled = false;
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, id, &err), 0);
    notify_stats st;
    drain(f, &st);
    assert_int_equal(st.addressed + st.sent + st.scheduled, 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ?", "t", id), 0);
    f->e->app->cfg->notify.enabled = true;
}

/* An admin's step: administrators and support who have them on, simulated
 * (no config file). A partner admin's request: that partner admin only. */
static void input_needed_goes_to_who_can_fill_it(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char np[HY_UUID_LEN], req[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, np, &err), 0);
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, req, &err), 0);
    notify_stats st;
    drain(f, &st);
    assert_int_equal(rows(f, "input_needed", np, NULL), 2);
    assert_int_equal(rows(f, "input_needed", np, "admin@hyopps.local"), 1);
    assert_int_equal(rows(f, "input_needed", np, "help@hyopps.local"), 1);
    assert_int_equal(rows(f, "input_needed", np, "quiet@hyopps.local"), 0); /* turned them off */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_outbox WHERE status = 'simulated' AND sent_at IS "
                                   "NOT NULL AND channel = 'email'", ""), rows(f, "input_needed", NULL, NULL));
    /* the partner admin's request: step 1 was filled in at once (nothing to tell), step 2 is theirs */
    assert_int_equal(rows(f, "input_needed", req, NULL), 1);
    assert_int_equal(rows(f, "input_needed", req, "pa@acme.example"), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND step_order = 1",
                             "t", req), 0);
    /* what it says */
    char *text = t_text(f->e, "SELECT o.subject || '|' || o.body_text FROM notify_outbox o JOIN notify_events e ON "
                              "e.id = o.event_id WHERE e.execution_id = ? LIMIT 1", req);
    assert_non_null(strstr(text, "[HyOpps] Input needed: New partner user for Acme Corp, step 2"));
    assert_non_null(strstr(text, "hyopps exec input"));
    assert_non_null(strstr(text, "Requests (r)")); /* the partner console's keys */
    free(text);
    /* delivered once: a second drain sends nothing */
    drain(f, &st);
    assert_int_equal(st.addressed + st.sent, 0);
}

/* With a delay: an input given within it writes nothing at all; a step
 * still waiting when it has passed is notified then, once; one filled in
 * between the event and its addressing is dropped. */
static void filled_in_before_it_is_due_is_dropped(void **state)
{
    fx *f = *state;
    f->e->app->cfg->notify.input_delay_minutes = 5;
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN], late[HY_UUID_LEN], raced[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, id);
    t_start_user(f->e, &f->admin, f->org_a, late);
    drain(f, NULL);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE event = 'input_needed'", ""), 0);
    hy_err_clear(&err);
    int64_t due = -1;
    assert_int_equal(notify_next_due(f->e->c, &due, &err), 0); /* the notifier sleeps until then */
    assert_true(due > hy_now_ms() + 4 * 60000 && due <= hy_now_ms() + 5 * 60000);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", "firstname=A", "lastname=B", "email=ab@acme.example", NULL);
    hy_clock_set_offset_ms(6 * 60000);
    drain(f, NULL);
    assert_int_equal(
        t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND event = 'input_needed'", "t", id),
        0);
    assert_int_equal(rows(f, "input_needed", late, "admin@hyopps.local"), 1);
    drain(f, NULL);
    assert_int_equal(rows(f, "input_needed", late, NULL), 2); /* admin and support, once each */
    /* made, then filled in before it was addressed */
    t_start_user(f->e, &f->admin, f->org_a, raced);
    hy_clock_set_offset_ms(12 * 60000);
    int added = 0;
    assert_int_equal(notify_schedule(f->e->c, hy_now_ms(), &added, &err), 0);
    assert_int_equal(added, 1);
    t_submit_ok(f->e, &f->admin, raced, "input_user_details", "firstname=C", "lastname=D", "email=cd@acme.example",
                NULL);
    drain(f, NULL);
    assert_int_equal(rows(f, "input_needed", raced, NULL), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND event = "
                                   "'input_needed' AND step_order = 2 AND state = 'dropped' AND note LIKE "
                                   "'%no longer waited%'", "t", raced), 1);
}

static void failed_completed_cancelled(void **state)
{
    fx *f = *state;
    f->e->app->cfg->notify.admin_emails = xstrdup("ops@example.com, quiet@hyopps.local");
    hy_err err;
    hy_err_clear(&err);
    /* failed: the configured addresses (minus one whose account turned them off) */
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, id, &err), 0);
    fail_at_metabase(f, &f->pa, f->org_a, id);
    drain(f, NULL);
    assert_int_equal(rows(f, "failed", id, NULL), 1);
    assert_int_equal(rows(f, "failed", id, "ops@example.com"), 1);
    char *text = t_text(f->e, "SELECT o.body_text FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                              "WHERE e.execution_id = ? AND e.event = 'failed'", id);
    assert_non_null(strstr(text, "No Metabase group configured for this organisation"));
    assert_non_null(strstr(text, "hyopps exec retry"));
    free(text);
    /* support retries it, fixed: completed, to the requesting partner admin and the organisation's partner admins */
    db_exec(f->e->c->db, &err,
            "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id) VALUES('g1', ?, "
            "'metabase', 'ext-acme-corp', '42')", "t", f->org_a);
    assert_int_equal(ops_exec_retry(f->e->c, &f->support, id, &err), 0);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    drain(f, NULL);
    assert_int_equal(rows(f, "completed", id, NULL), 2);
    assert_int_equal(rows(f, "completed", id, "pa@acme.example"), 1);
    assert_int_equal(rows(f, "completed", id, "pa2@acme.example"), 1);
    /* an admin's request, cancelled by another: to the requester, saying who */
    char np[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, np, &err), 0);
    hy_principal other;
    t_user(f->e, "other@hyopps.local", "admin", NULL, "admin-pass-12", id);
    t_login(f->e, "other@hyopps.local", &other);
    assert_int_equal(ops_exec_cancel(f->e->c, &other, np, &err), 0);
    drain(f, NULL);
    assert_int_equal(rows(f, "cancelled", np, NULL), 1);
    text = t_text(f->e, "SELECT o.recipient || '|' || o.body_text FROM notify_outbox o JOIN notify_events e ON "
                        "e.id = o.event_id WHERE e.execution_id = ? AND e.event = 'cancelled'", np);
    assert_non_null(strstr(text, "admin@hyopps.local|"));
    assert_non_null(strstr(text, "cancelled by other@hyopps.local"));
    free(text);
}

/* After remind_after_hours, then daily, at most max_reminders (2 here). */
static void reminders_then_daily_up_to_the_maximum(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, id);
    drain(f, NULL);
    assert_int_equal(rows(f, "input_needed", id, "admin@hyopps.local"), 1);
    int64_t at[] = {HOUR_MS, 2 * HOUR_MS + 60000, 3 * HOUR_MS, 2 * HOUR_MS + DAY_MS + 60000, 5 * DAY_MS, 9 * DAY_MS};
    int64_t want[] = {0, 1, 1, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        hy_clock_set_offset_ms(at[i]);
        drain(f, NULL);
        if (rows(f, "reminder", id, "admin@hyopps.local") != want[i])
            fail_msg("at +%lld min: %lld reminders, expected %lld", (long long)(at[i] / 60000),
                     (long long)rows(f, "reminder", id, "admin@hyopps.local"), (long long)want[i]);
    }
    char *subject = t_text(f->e, "SELECT o.subject FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                                 "WHERE e.execution_id = ? AND e.event = 'reminder' ORDER BY o.id DESC LIMIT 1", id);
    assert_non_null(strstr(subject, "Reminder 2 of 2: input needed"));
    free(subject);
    /* filled in: the SLA mark and reminders stop; a new waiting period starts over */
    hy_clock_set_offset_ms(0);
}

static void digest_once_a_day(void **state)
{
    fx *f = *state;
    f->e->app->cfg->notify.digest_hour = 0; /* any time of day: due */
    notify_stats st;
    drain(f, &st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE event = 'digest' AND state = 'dropped' "
                                   "AND note = 'nothing was waiting or failed'", ""), 1);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, id);
    drain(f, &st);
    assert_int_equal(rows(f, "digest", NULL, NULL), 0); /* one a day: today's is done */
    hy_clock_set_offset_ms(DAY_MS);
    drain(f, &st);
    assert_int_equal(rows(f, "digest", NULL, NULL), 2); /* admin and support (not the one who turned them off) */
    char *text = t_text(f->e, "SELECT body_text FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                              "WHERE e.event = 'digest' LIMIT 1", NULL);
    assert_non_null(strstr(text, "Waiting for input (1), oldest first:"));
    assert_non_null(strstr(text, "1d 00h"));
    free(text);
}

static void outbox_and_execution_notices_by_role(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, id, &err), 0);
    char np[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, np, &err), 0);
    drain(f, NULL);
    hy_notice_list l;
    hy_notice_query q = {0};
    assert_int_equal(ops_notify_list(f->e->c, &f->support, &q, &l, &err), 0);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.items[0].status, "simulated");
    hy_notice_list_free(&l);
    q.pending_only = true;
    assert_int_equal(ops_notify_list(f->e->c, &f->admin, &q, &l, &err), 0);
    assert_int_equal(l.count, 0);
    hy_notice_list_free(&l);
    assert_int_equal(ops_notify_list(f->e->c, &f->pa, &q, &l, &err), HY_ERR_FORBIDDEN);
    /* the execution shows its notifications: staff all of them, a partner admin their own */
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->support, id, &d, &err), 0);
    assert_int_equal(d.nnotices, 1); /* step 2, to the partner admin (step 1 was filled in at once) */
    assert_string_equal(d.notices[0].recipient, "pa@acme.example");
    hy_exec_detail_free(&d);
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, id, &d, &err), 0);
    assert_int_equal(d.nnotices, 1);
    assert_string_equal(d.notices[0].recipient, "pa@acme.example");
    hy_exec_detail_free(&d);
    /* turning them off is the person's own, audited choice */
    bool on = false;
    assert_int_equal(ops_notify_get(f->e->c, &f->pa, &on, &err), 0);
    assert_true(on);
    assert_int_equal(ops_notify_set(f->e->c, &f->pa, false, &err), 0);
    assert_int_equal(ops_notify_get(f->e->c, &f->pa, &on, &err), 0);
    assert_false(on);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE action = 'user.notifications' AND "
                                   "actor_email = 'pa@acme.example' AND json_extract(details, '$.notifications') = 0",
                             ""), 1);
    char id2[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, id2, &err), 0);
    drain(f, NULL);
    assert_int_equal(rows(f, "input_needed", id2, NULL), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND step_order = 2 "
                                   "AND state = 'dropped' AND note LIKE 'nobody to tell%'", "t", id2), 1);
}

/* SLA marks: a step waiting longer than remind_after_hours (2 h here) is
 * late in the list, the inbox and the count, for those who see it. */
static void late_marks(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char late[HY_UUID_LEN], fresh[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, late);
    t_start_user(f->e, &f->admin, f->org_a, fresh);
    char old[HY_TIME_LEN];
    hy_iso_from_ms(hy_now_ms() - 2 * HOUR_MS - 60000, old);
    db_exec(f->e->c->db, &err, "UPDATE workflow_step_executions SET started_at = ? WHERE execution_id = ? AND "
                               "step_order = 2", "tt", old, late);
    int64_t n = -1;
    assert_int_equal(ops_exec_late_count(f->e->c, &f->admin, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ops_exec_late_count(f->e->c, &f->pa, &n, &err), 0);
    assert_int_equal(n, 1); /* their organisation's */
    assert_int_equal(ops_exec_late_count(f->e->c, &f->pb, &n, &err), 0);
    assert_int_equal(n, 0); /* another's */
    assert_int_equal(ops_exec_late_count(f->e->c, &f->support, &n, &err), 0);
    assert_int_equal(n, 1);
    hy_exec_page pg;
    hy_exec_query q = {0};
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    int marked = 0;
    for (int i = 0; i < pg.count; i++) {
        if (pg.items[i].late) assert_string_equal(pg.items[i].id, late);
        marked += pg.items[i].late;
    }
    assert_int_equal(marked, 1);
    hy_exec_page_free(&pg);
    hy_inbox in;
    assert_int_equal(ops_exec_inbox(f->e->c, &f->support, 0, &in, &err), 0);
    assert_int_equal(in.count, 2);
    assert_true(in.items[0].late);  /* oldest first */
    assert_false(in.items[1].late);
    hy_inbox_free(&in);
    /* filled in: no longer late */
    t_submit_ok(f->e, &f->support, late, "input_user_details", "firstname=L", "lastname=Ate", "email=late@acme.example",
                NULL);
    assert_int_equal(ops_exec_late_count(f->e->c, &f->admin, &n, &err), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_event_is_part_of_the_change, setup, teardown),
        cmocka_unit_test_setup_teardown(input_needed_goes_to_who_can_fill_it, setup, teardown),
        cmocka_unit_test_setup_teardown(filled_in_before_it_is_due_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_completed_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(reminders_then_daily_up_to_the_maximum, setup, teardown),
        cmocka_unit_test_setup_teardown(digest_once_a_day, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_and_execution_notices_by_role, setup, teardown),
        cmocka_unit_test_setup_teardown(late_marks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
