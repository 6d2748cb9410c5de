/* Notifications through the real SMTP client and Slack client against the
 * fakes (STARTTLS + AUTH; chat.postMessage):
 *  - a failed step: exactly one email per configured recipient
 *    (multipart text + HTML, values escaped) and one Slack message;
 *  - a runner killed (SIGKILL) after the server took the message and
 *    before it recorded it: the next runner sends it again once, with the
 *    same Message-ID (at most one duplicate), the others exactly once, and
 *    the outbox says it may have arrived twice;
 *  - the server's answer lost in the same process: the same, and a second
 *    loss leaves it "uncertain", never sent a third time;
 *  - a dead server: retried with backoff, then given up, saying why;
 *  - a partner admin's request: input needed to that partner admin only;
 *  - a reminder after remind_after_hours, then no more than max_reminders
 *    (the clock is moved: nothing sleeps a day). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "testlib_live.h"
#include "util.h"

#define HOUR_MS (3600LL * 1000)

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
    hy_principal admin, pa;
    char org[HY_UUID_LEN];
    int mails;          /* messages the SMTP fake had at the start */
} fx;

/* Simulated steps (the partner's set-up), then email live through the
 * fake; notifications to two configured addresses and a Slack channel. */
static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    hy_config *cfg = f->e->app->cfg;
    cfg->notify.enabled = false;
    t_admin(f->e, &f->admin);
    char id[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Acme & <Sons>", "st-acme", f->org, id);
    t_user(f->e, "pa@acme.example", "partner_admin", f->org, "pa-password-1", id);
    t_login(f->e, "pa@acme.example", &f->pa);
    cfg->notify.enabled = true;
    cfg->notify.input_delay_minutes = 0;
    cfg->notify.admin_emails = xstrdup("ops@example.com, lead@example.com");
    cfg->notify.slack_channel = xstrdup("#hy-ops");
    t_config_smtp(cfg, L->smtp->port, "starttls", L->cert, T_SMTP_PASSWORD);
    t_config_slack(cfg, L->slack->url, T_SLACK_TOKEN);
    cfg->http.timeout_ms = 1500;
    t_smtp_fault(L->smtp, "[]");
    t_fake_reset(L->slack);
    f->mails = t_smtp_messages(L->smtp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hy_clock_set_offset_ms(0);
    t_smtp_fault(L->smtp, "[]");
    t_env_free(f->e);
    free(f);
    return 0;
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

static char *db_file(t_env *e)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    return path;
}

static void drain(fx *f, notify_stats *st)
{
    hy_err err;
    hy_err_clear(&err);
    hy_integ *in = integ_new(f->e->app->cfg);
    notify_stats local;
    if (notify_drain(f->e->c, in, "test:1:notify", st ? st : &local, &err) != 0) fail_msg("drain: %s", err.msg);
    integ_free(in);
}

/* Messages the SMTP fake kept since the test began, to one address (NULL: all). */
static int mails_to(fx *f, const char *to)
{
    cJSON *st = t_smtp_state(L->smtp);
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(st, "messages"), *m;
    int n = 0, i = 0;
    cJSON_ArrayForEach(m, msgs)
    {
        if (i++ < f->mails) continue;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(m, "rcpt_tos")) if (!to || hy_strcaseeq(r->valuestring, to)) n++;
    }
    cJSON_Delete(st);
    return n;
}

/* The first recipient of message k (1-based, since the test began). */
static char *mail_rcpt(fx *f, int k)
{
    cJSON *st = t_smtp_state(L->smtp);
    const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "messages"), f->mails + k - 1);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "rcpt_tos"), 0);
    char *out = xstrdup(cJSON_IsString(r) ? r->valuestring : "");
    cJSON_Delete(st);
    return out;
}

static int slack_messages(const char *channel)
{
    cJSON *st = t_fake_state(L->slack);
    int n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(st, "messages"))
        if (hy_streq(cJSON_GetObjectItemCaseSensitive(m, "channel")->valuestring, channel)) n++;
    cJSON_Delete(st);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A new_partner_user of the organisation failed at Metabase (no group). */
static void failed_request(fx *f, char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    db_exec(f->e->c->db, &err, "DELETE FROM system_groups WHERE organization_id = ? AND tool = 'metabase'", "t",
            f->org);
    f->e->app->cfg->notify.enabled = false; /* just the failure */
    t_start_user(f->e, &f->admin, f->org, id);
    f->e->app->cfg->notify.enabled = true;
    t_submit_ok(f->e, &f->admin, id, "input_user_details", "firstname=Fay", "lastname=Lure",
                "email=fay@acme.example", NULL);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "failed");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_events WHERE execution_id = ? AND event = 'failed'",
                             "t", id), 1);
}

static void a_failed_step_one_email_per_recipient(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    failed_request(f, id);
    notify_stats st;
    drain(f, &st);
    assert_int_equal(st.sent, 3);
    assert_int_equal(mails_to(f, NULL), 2);
    assert_int_equal(mails_to(f, "ops@example.com"), 1);
    assert_int_equal(mails_to(f, "lead@example.com"), 1);
    assert_int_equal(slack_messages("#hy-ops"), 1);
    cJSON *mail = t_mail_parse(L->smtp, f->mails + 1);
    const cJSON *tree = cJSON_GetObjectItemCaseSensitive(mail, "tree");
    assert_string_equal(cJSON_GetArrayItem(tree, 1)->valuestring, "  multipart/alternative");
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(mail, "subject")->valuestring,
                           "[HyOpps] Failed: New partner user for Acme & <Sons> (fay@acme.example), step 4"));
    assert_non_null(strstr(t_mail_part(mail, 0), "No Metabase group configured for this organisation"));
    assert_non_null(strstr(t_mail_part(mail, 1), "Acme &amp; &lt;Sons&gt;"));
    assert_null(strstr(t_mail_part(mail, 1), "<Sons>"));
    char *msgid = t_text(f->e, "SELECT message_id FROM notify_outbox WHERE recipient = ?", t_mail_header(mail, "To"));
    assert_string_equal(t_mail_header(mail, "Message-ID"), msgid);
    free(msgid);
    cJSON_Delete(mail);
    /* recorded once, never again */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_outbox WHERE status = 'sent' AND attempts = 1 AND "
                                   "uncertain = 0 AND sent_at IS NOT NULL", ""), 3);
    drain(f, &st);
    assert_int_equal(st.sent, 0);
    assert_int_equal(mails_to(f, NULL), 2);
}

static void killed_between_sending_and_recording(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    failed_request(f, id);
    set_str(&f->e->app->cfg->notify.slack_channel, NULL);
    /* the first message is kept by the server, which then does not answer */
    t_smtp_fault(L->smtp, "[{\"kind\": \"hang_after_data\", \"seconds\": 20}]");
    hy_config *cfg = f->e->app->cfg;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        hy_config *c2 = config_default();
        free(c2->database.path);
        c2->database.path = xstrdup(db_file(f->e));
        c2->notify = cfg->notify;
        c2->notify.admin_emails = xstrdup(cfg->notify.admin_emails);
        c2->notify.slack_channel = NULL;
        t_config_smtp(c2, L->smtp->port, "starttls", L->cert, T_SMTP_PASSWORD);
        c2->http.timeout_ms = 15000;
        hy_app *app = NULL;
        hy_err err;
        if (app_open(c2, &app, &err) != 0) _exit(2);
        hy_integ *in = integ_new(app->cfg);
        notify_stats st;
        _exit(notify_drain(&app->ctx, in, "child:notify", &st, &err) == 0 ? 0 : 1);
    }
    int waited = 0;
    while (mails_to(f, NULL) == 0 && waited < 15000) {
        sleep_ms(20);
        waited += 20;
    }
    assert_true(waited < 15000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    char *first = mail_rcpt(f, 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_outbox WHERE recipient = ? AND status = 'sending' "
                                   "AND lease_owner = 'child:notify'", "t", first), 1);
    /* the next runner, once the lease ran out */
    t_smtp_fault(L->smtp, "[]");
    hy_clock_set_offset_ms(60000);
    drain(f, NULL);
    const char *second = hy_strcaseeq(first, "ops@example.com") ? "lead@example.com" : "ops@example.com";
    assert_int_equal(mails_to(f, first), 2);  /* at most one duplicate */
    assert_int_equal(mails_to(f, second), 1); /* the other one: exactly once */
    cJSON *a = t_mail_parse(L->smtp, f->mails + 1), *b = NULL;
    for (int k = 2; k <= 3 && !b; k++) {
        char *r = mail_rcpt(f, k);
        if (hy_streq(r, first)) b = t_mail_parse(L->smtp, f->mails + k);
        free(r);
    }
    assert_non_null(b);
    assert_string_equal(t_mail_header(a, "Message-ID"), t_mail_header(b, "Message-ID")); /* recognisable as the same */
    cJSON_Delete(a);
    cJSON_Delete(b);
    /* the outbox says so */
    char *row = t_text(f->e, "SELECT status || '|' || uncertain || '|' || attempts || '|' || error FROM notify_outbox "
                             "WHERE recipient = ?", first);
    assert_non_null(strstr(row, "sent|1|2|the runner child:notify stopped while handing it to the server: it may "
                                "have arrived; sent again once, with the same Message-ID"));
    free(row);
    hy_notice_list l;
    hy_notice_query q = {0};
    hy_err err;
    assert_int_equal(ops_notify_list(f->e->c, &f->admin, &q, &l, &err), 0);
    int maybe = 0;
    for (int i = 0; i < l.count; i++) maybe += l.items[i].uncertain && hy_streq(l.items[i].status, "sent");
    assert_int_equal(maybe, 1);
    hy_notice_list_free(&l);
    free(first);
}

/* The answer lost after the data, in this process: sent again once; lost
 * again: "uncertain", and never a third time. */
static void a_lost_answer_is_resent_once_then_left_uncertain(void **state)
{
    fx *f = *state;
    set_str(&f->e->app->cfg->notify.admin_emails, "ops@example.com");
    set_str(&f->e->app->cfg->notify.slack_channel, NULL);
    char id[HY_UUID_LEN];
    failed_request(f, id);
    t_smtp_fault(L->smtp, "[{\"kind\": \"hang_after_data\", \"seconds\": 5, \"count\": 2}]");
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_outbox WHERE channel = 'email' AND status = 'pending' "
                                   "AND uncertain = 1 AND error LIKE '%may have been delivered; sent again once%'",
                             ""), 1);
    hy_clock_set_offset_ms(31000);
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM notify_outbox WHERE channel = 'email' AND status = "
                                   "'uncertain' AND error LIKE '%not sent again'", ""), 1);
    hy_clock_set_offset_ms(3 * HOUR_MS);
    notify_stats st;
    drain(f, &st);
    assert_int_equal(mails_to(f, "ops@example.com"), 2);
    assert_int_equal(st.sent, 0);
}

/* A dead server delays nothing and is retried with backoff, then given up. */
static void a_dead_server_is_retried_then_given_up(void **state)
{
    fx *f = *state;
    hy_config *cfg = f->e->app->cfg;
    set_str(&cfg->notify.admin_emails, "ops@example.com");
    set_str(&cfg->notify.slack_channel, NULL);
    char id[HY_UUID_LEN];
    failed_request(f, id);
    cfg->smtp.port = 1; /* nothing listens */
    int64_t offset = 0;
    for (int i = 1; i <= NOTIFY_MAX_ATTEMPTS; i++) {
        drain(f, NULL);
        int64_t attempts = t_count(f->e, "SELECT attempts FROM notify_outbox WHERE channel = 'email'", "");
        if (attempts != i) fail_msg("after drain %d: %lld attempts", i, (long long)attempts);
        offset += 2 * HOUR_MS; /* beyond the longest backoff */
        hy_clock_set_offset_ms(offset);
    }
    char *row = t_text(f->e, "SELECT status || '|' || error FROM notify_outbox WHERE channel = 'email'", NULL);
    assert_non_null(strstr(row, "failed|gave up after 8 attempts: cannot reach the SMTP server 127.0.0.1:1"));
    free(row);
    drain(f, NULL);
    assert_int_equal(t_count(f->e, "SELECT attempts FROM notify_outbox WHERE channel = 'email'", ""), 8);
}

static void partner_request_input_needed_to_that_partner_admin_only(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->pa, "new_partner_user", NULL, id, &err), 0);
    drain(f, NULL);
    assert_int_equal(mails_to(f, NULL), 1);
    assert_int_equal(mails_to(f, "pa@acme.example"), 1);
    assert_int_equal(slack_messages("#hy-ops"), 0);
    cJSON *mail = t_mail_parse(L->smtp, f->mails + 1);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(mail, "subject")->valuestring,
                           "[HyOpps] Input needed: New partner user for Acme & <Sons>, step 2: Input User Details"));
    cJSON_Delete(mail);
}

static void a_reminder_after_the_configured_time_up_to_the_maximum(void **state)
{
    fx *f = *state;
    hy_config *cfg = f->e->app->cfg;
    set_str(&cfg->notify.admin_emails, "ops@example.com");
    set_str(&cfg->notify.slack_channel, NULL);
    cfg->notify.remind_after_hours = 1;
    cfg->notify.max_reminders = 1;
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, id, &err), 0);
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 1); /* input needed */
    hy_clock_set_offset_ms(HOUR_MS - 60000);
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 1);
    hy_clock_set_offset_ms(HOUR_MS + 60000);
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 2);
    cJSON *mail = t_mail_parse(L->smtp, f->mails + 2);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(mail, "subject")->valuestring,
                           "[HyOpps] Reminder 1 of 1: input needed for New partner, waiting 1h 01m"));
    cJSON_Delete(mail);
    hy_clock_set_offset_ms(5 * 24 * HOUR_MS);
    drain(f, NULL);
    assert_int_equal(mails_to(f, "ops@example.com"), 2); /* max_reminders = 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_failed_step_one_email_per_recipient, setup, teardown),
        cmocka_unit_test_setup_teardown(killed_between_sending_and_recording, setup, teardown),
        cmocka_unit_test_setup_teardown(a_lost_answer_is_resent_once_then_left_uncertain, setup, teardown),
        cmocka_unit_test_setup_teardown(a_dead_server_is_retried_then_given_up, setup, teardown),
        cmocka_unit_test_setup_teardown(partner_request_input_needed_to_that_partner_admin_only, setup, teardown),
        cmocka_unit_test_setup_teardown(a_reminder_after_the_configured_time_up_to_the_maximum, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
