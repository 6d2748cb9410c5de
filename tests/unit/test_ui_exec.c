/* The execution console without a terminal: its view logic (exec_view.c:
 * status words, elapsed times, JSON as key/value lines, a step's lines, the
 * filter bar, the search note, the detail's geometry) and its screens
 * driven by keys (ui_feed_key) and the poll (ui_run_timers), nothing drawn:
 * new_partner through its forms with live defaults and field errors, the
 * runner thread doing the auto steps, the list's filters and search, the
 * partner's action table, a change made elsewhere reaching the screen
 * shown, no runner while a worker is alive, and the idle logout on a
 * faked clock. */
#include "testlib.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec_view.h"
#include "form.h"
#include "list.h"
#include "screens.h"
#include "testlib_exec.h"

static ui_key ch(int c) { return (ui_key){false, c}; }

/* ---- view logic ---- */

static void status_words_and_marks(void **s)
{
    (void)s;
    assert_int_equal(ui_status_mark("completed"), UI_MARK_DONE);
    assert_int_equal(ui_status_mark("awaiting_input"), UI_MARK_WAITING);
    assert_int_equal(ui_status_mark("cancelled"), UI_MARK_CANCELLED);
    assert_int_equal(ui_status_mark("skipped"), UI_MARK_SKIPPED);
    assert_int_equal(ui_status_mark(NULL), UI_MARK_PENDING);
    assert_string_equal(ui_status_word("awaiting_input", false), "awaiting input");
    assert_string_equal(ui_status_word("awaiting_input", true), "waiting");
    assert_string_equal(ui_status_word("completed", true), "done");
    assert_string_equal(ui_status_word("pending", false), "queued");
    assert_string_equal(ui_status_word("bogus", true), "pending");
}

static void elapsed_times(void **s)
{
    (void)s;
    char b[24];
    ui_elapsed(-5, b);
    assert_string_equal(b, "0s");
    ui_elapsed(12999, b);
    assert_string_equal(b, "12s");
    ui_elapsed(185000, b);
    assert_string_equal(b, "3m 05s");
    ui_elapsed(2 * 3600000 + 4 * 60000, b);
    assert_string_equal(b, "2h 04m");
    ui_elapsed(3 * 86400000LL + 2 * 3600000, b);
    assert_string_equal(b, "3d 2h");
}

static void json_as_key_value_lines(void **s)
{
    (void)s;
    ui_lines l = {0};
    int n = ui_json_lines("{\"a\":1,\"ok\":true,\"langs\":[\"en\",\"de\"],\"none\":[],\"o\":{\"x\":\"y\",\"z\":null},"
                          "\"big\":123456789012,\"list\":[{\"id\":5}]}",
                          "  ", UI_LINE_TEXT, &l);
    assert_int_equal(n, 8);
    assert_string_equal(l.v[0].text, "  a: 1");
    assert_string_equal(l.v[1].text, "  ok: yes");
    assert_string_equal(l.v[2].text, "  langs: en, de");
    assert_string_equal(l.v[3].text, "  none: (none)");
    assert_string_equal(l.v[4].text, "  o.x: y");
    assert_string_equal(l.v[5].text, "  o.z: -");
    assert_string_equal(l.v[6].text, "  big: 123456789012"); /* ids never in exponent form */
    assert_string_equal(l.v[7].text, "  list[1].id: 5");
    ui_lines_free(&l);
    assert_int_equal(ui_json_lines("not json", "", UI_LINE_DIM, &l), 1);
    assert_string_equal(l.v[0].text, "not json");
    assert_int_equal(l.v[0].kind, UI_LINE_DIM);
    ui_lines_free(&l);
    assert_int_equal(ui_json_lines(NULL, "", UI_LINE_TEXT, &l), 0);
}

static bool has_line(const ui_lines *l, ui_line_kind kind, const char *text)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].kind == kind && strstr(l->v[i].text, text)) return true;
    return false;
}

static void step_lines_say_everything(void **s)
{
    (void)s;
    hy_exec_step st = {
        .order = 4, .label = "Add User to Metabase Group", .description = "Adds the user to the group",
        .integration = "metabase", .mode = "live", .status = "failed", .attempts = 3,
        .error = "Metabase answered 500", .started_at = "2026-01-01T10:00:00Z", .completed_at = "2026-01-01T10:00:02Z",
        .attempt_log_json = "[{\"at\":\"2026-01-01T10:00:01Z\",\"duration_ms\":35,\"error\":\"HTTP 500\"},"
                            "{\"at\":\"2026-01-01T10:00:02Z\",\"duration_ms\":12,\"error\":null,\"lost\":true}]",
        .calls_json = "[{\"method\":\"GET\",\"path\":\"/api/user\",\"status\":500,\"duration_ms\":35}]",
        .next_attempt_at = "2026-01-01T10:05:00Z",
    };
    ui_lines l = {0};
    ui_step_lines(&st, 0, false, &l);
    assert_true(has_line(&l, UI_LINE_DIM, "Adds the user to the group"));
    assert_true(has_line(&l, UI_LINE_DIM, "An automatic step: metabase (live)."));
    assert_true(has_line(&l, UI_LINE_ERROR, "Status: failed, attempt 3"));
    assert_true(has_line(&l, UI_LINE_ERROR, "Error: Metabase answered 500"));
    assert_true(has_line(&l, UI_LINE_TEXT, "Next attempt at 2026-01-01 10:05:00"));
    assert_true(has_line(&l, UI_LINE_HEAD, "Attempts"));
    assert_true(has_line(&l, UI_LINE_ERROR, "2026-01-01 10:00:01  35 ms  HTTP 500"));
    assert_true(has_line(&l, UI_LINE_TEXT, "12 ms  ok (its runner stopped; taken over)"));
    assert_true(has_line(&l, UI_LINE_HEAD, "Calls"));
    assert_true(has_line(&l, UI_LINE_ERROR, "GET /api/user -> 500 (35 ms)"));
    ui_lines_free(&l);

    hy_exec_step man = {.order = 2, .manual = true, .status = "awaiting_input", .started_at = "2026-01-01T10:00:00Z"};
    int64_t t0;
    assert_true(hy_parse_time("2026-01-01T10:03:05Z", &t0));
    ui_step_lines(&man, t0, true, &l);
    assert_true(has_line(&l, UI_LINE_DIM, "A manual step"));
    assert_true(has_line(&l, UI_LINE_TEXT, "Status: waiting for 3m 05s"));
    assert_true(has_line(&l, UI_LINE_OK, "press f (or Enter) to fill in"));
    ui_lines_free(&l);

    hy_exec_step done = {.manual = true, .status = "completed", .input_json = "{\"organization_name\":\"Acme\"}",
                         .input_by_email = "admin@x", .input_at = "2026-01-01T10:00:00Z"};
    ui_step_lines(&done, 0, false, &l);
    assert_true(has_line(&l, UI_LINE_HEAD, "Input, given by admin@x at 2026-01-01 10:00:00"));
    assert_true(has_line(&l, UI_LINE_TEXT, "  organization_name: Acme"));
    assert_true(has_line(&l, UI_LINE_OK, "Status: done"));
    ui_lines_free(&l);

    hy_exec_step sk = {.status = "skipped", .note = "not used", .completed_by_email = "admin@x", .mode = "off",
                       .integration = "slack"};
    ui_step_lines(&sk, 0, false, &l);
    assert_true(has_line(&l, UI_LINE_TEXT, "Skipped by admin@x: not used"));
    ui_lines_free(&l);
}

static void filter_bar_fits(void **s)
{
    (void)s;
    int64_t counts[HY_EXEC_NSTATUS] = {0};
    counts[HY_EXEC_RUNNING] = 3;
    counts[HY_EXEC_AWAITING_INPUT] = 2000;
    counts[HY_EXEC_FAILED] = 4000;
    counts[HY_EXEC_COMPLETED] = 190000;
    char out[UI_NFILTERS][64];
    int w = ui_filter_bar(counts, 200000, true, 200, out);
    assert_string_equal(out[0], "All 200000");
    assert_string_equal(out[1], "Running 3");
    assert_string_equal(out[2], "Awaiting input 2000");
    assert_string_equal(out[3], "Failed 4000");
    assert_string_equal(out[4], "Completed 190000");
    assert_int_equal(w, (int)strlen("a All 200000  r Running 3  w Awaiting input 2000  f Failed 4000  c Completed 190000"));
    /* 76 cells (an 80-column terminal): the short label */
    w = ui_filter_bar(counts, 200000, true, 77, out); /* an 80-column terminal */
    assert_string_equal(out[2], "Awaiting 2000");
    assert_string_equal(out[0], "All 200000");
    assert_true(w <= 77);
    w = ui_filter_bar(counts, 200000, false, 77, out); /* lower bounds: compact numbers */
    assert_string_equal(out[0], "All 200k+");
    assert_string_equal(out[4], "Done 190k+");
    assert_true(w <= 77);
    for (int i = 0; i < UI_NFILTERS; i++) assert_non_null(ui_status_filters[i].key);
    /* scheduled: its key and count only when there are some */
    assert_string_equal(out[5], "");
    counts[HY_EXEC_SCHEDULED] = 2;
    w = ui_filter_bar(counts, 200002, true, 200, out);
    assert_string_equal(out[5], "Scheduled 2");
    assert_int_equal(w, (int)strlen("a All 200002  r Running 3  w Awaiting input 2000  f Failed 4000  c Completed 190000  "
                                    "s Scheduled 2"));
    assert_string_equal(ui_status_word("scheduled", false), "scheduled");
}

static void search_notes(void **s)
{
    (void)s;
    assert_null(ui_search_note(NULL, true));
    assert_null(ui_search_note("", true));
    assert_non_null(strstr(ui_search_note("ab", true), "1-2 characters match execution ids only"));
    assert_non_null(strstr(ui_search_note("é", true), "ids only"));
    assert_null(ui_search_note("abc", true));
    assert_non_null(strstr(ui_search_note("abc", false), "lower bounds"));
}

static void exec_geometry(void **s)
{
    (void)s;
    ui_exec_geom g;
    ui_exec_layout((ui_rect){1, 0, 21, 80}, 9, &g); /* 80x24: 21 body rows */
    assert_false(g.side_by_side);
    assert_int_equal(g.header.y, 1);
    assert_int_equal(g.header.h, UI_EXEC_HEADER_ROWS);
    assert_int_equal(g.steps_title_y, 5);
    assert_int_equal(g.steps.y, 6);
    assert_int_equal(g.steps.h, 9); /* every step */
    assert_int_equal(g.detail_title_y, 15);
    assert_int_equal(g.detail.y, 16);
    assert_int_equal(g.detail.h, 6); /* up to the body's last row */
    assert_int_equal(g.detail.y + g.detail.h, 22);
    /* 100x30 */
    ui_exec_layout((ui_rect){1, 0, 27, 100}, 8, &g);
    assert_int_equal(g.steps.h, 8);
    assert_int_equal(g.detail.h, 27 - 4 - 2 - 8);
    /* wide: side by side, full height each */
    ui_exec_layout((ui_rect){1, 0, 27, 130}, 9, &g);
    assert_true(g.side_by_side);
    assert_int_equal(g.steps.w, UI_EXEC_STEPS_W);
    assert_int_equal(g.steps.h, 27 - 5);
    assert_int_equal(g.detail.h, 27 - 5);
    assert_true(g.detail.x > g.steps.x + g.steps.w);
    assert_int_equal(g.detail.x + g.detail.w, 129);
    /* many steps: 4 detail rows stay, the steps scroll */
    ui_exec_layout((ui_rect){1, 0, 21, 80}, 40, &g);
    assert_int_equal(g.steps.h, 21 - 4 - 2 - 4);
    assert_int_equal(g.detail.h, 4);
    /* tiny bodies: nothing negative */
    for (int h = 0; h < 12; h++)
        for (int w = 0; w < 30; w += 7) {
            ui_exec_layout((ui_rect){1, 0, h, w}, 9, &g);
            assert_true(g.steps.h >= 0 && g.detail.h >= 0 && g.steps.w >= 0 && g.detail.w >= 0);
            assert_true(g.detail.y + g.detail.h <= 1 + ui_max(h, UI_EXEC_HEADER_ROWS + 2));
        }
}

/* ---- screens on a test database ---- */

typedef struct {
    t_env *e;
    ui u;
} rig;

static void rig_open(rig *r, t_env *e, const char *partner_email)
{
    memset(r, 0, sizeof *r);
    r->e = e;
    r->u.app = e->app;
    r->u.ctx = e->c;
    r->u.cfg = e->app->cfg;
    static const ui_glyphs g = {.spinner = {"|"}, .nspinner = 1};
    r->u.g = &g;
    if (partner_email) t_login(e, partner_email, &r->u.me);
    else t_admin(e, &r->u.me);
    r->u.logged_in = true;
    r->u.last_key_ms = r->u.last_check_ms = hy_mono_ms();
}

static void rig_close(rig *r)
{
    ui_close_all(&r->u);
    ui_runner_stop(&r->u);
    t_env_free(r->e);
}

static void feed(rig *r, const char *text)
{
    for (const char *c = text; *c; c++) ui_feed_key(&r->u, ch((unsigned char)*c));
}
static void key(rig *r, int c) { ui_feed_key(&r->u, ch(c)); }

static bool poll_until(rig *r, bool (*cond)(rig *r))
{
    for (int i = 0; i < 1000; i++) {
        r->u.last_look_ms = 0; /* a look at the database now (the main loop's on a notification) */
        ui_run_timers(&r->u);
        if (cond(r)) return true;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static const char *top(rig *r) { return r->u.top ? r->u.top->ops->name : ""; }
static ui_form *top_form(rig *r) { return r->u.top->state; } /* the form is the state's first member */

static char *newest_exec(rig *r) { return t_text(r->e, "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1", NULL); }

static char *watched;
static bool lms_waits(rig *r)
{
    (void)r;
    char *s = t_step_status(r->e, watched, 8);
    bool yes = hy_streq(s, "awaiting_input");
    free(s);
    return yes;
}

static void new_partner_through_forms_with_the_runner(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_exec_env(), NULL);
    ui_runner_start(&r.u);
    assert_non_null(r.u.runner);
    assert_true(ui_push(&r.u, &ui_newreq_screen, NULL));
    key(&r, '\r'); /* New partner */
    assert_string_equal(top(&r), "Fill in");
    watched = newest_exec(&r);
    ui_form *f = top_form(&r);
    feed(&r, "Acme");
    /* the live defaults follow the name as it is typed */
    assert_string_equal(ui_form_get(f, "studio_company_name_test"), "Acme TEST");
    assert_string_equal(ui_form_get(f, "studio_company_name_prod"), "Acme PROD");
    key(&r, 127); /* Backspace */
    assert_string_equal(ui_form_get(f, "studio_company_name_test"), "Acm TEST");
    feed(&r, "e");
    /* edited by hand: it keeps what was typed */
    ui_form_focus(f, "studio_company_name_prod");
    feed(&r, "!");
    ui_form_focus(f, "organization_name");
    feed(&r, " Corp");
    assert_string_equal(ui_form_get(f, "studio_company_name_test"), "Acme Corp TEST");
    assert_string_equal(ui_form_get(f, "studio_company_name_prod"), "Acme PROD!");
    ui_form_set(f, "studio_company_id_test", "st-1");
    ui_form_set(f, "studio_company_id_prod", "st-1");
    key(&r, '\r');
    /* field error from ops beside its field; nothing lost; nothing submitted */
    assert_string_equal(top(&r), "Fill in");
    assert_non_null(ui_form_field(f, "studio_company_id_prod")->error);
    assert_string_equal(ui_form_get(f, "organization_name"), "Acme Corp");
    char *st = t_step_status(r.e, watched, 1);
    assert_string_equal(st, "awaiting_input");
    free(st);
    ui_form_set(f, "studio_company_id_prod", "st-2");
    key(&r, '\r');
    /* the next manual step's form at once: Infrabot, with the values to copy */
    assert_string_equal(top(&r), "Fill in");
    f = top_form(&r);
    assert_non_null(ui_form_field(f, "keycloak_cluster"));
    bool saw_test_id = false;
    for (int i = 0; i < f->n; i++)
        if (f->f[i].kind == UI_FIELD_INFO && hy_streq(f->f[i].info, "st-1")) saw_test_id = true;
    assert_true(saw_test_id);
    ui_form_focus(f, "keycloak_confirmed");
    key(&r, ' ');
    key(&r, '\r');
    /* the form closed onto the execution; the runner thread runs steps 3-7 */
    assert_string_equal(top(&r), "Execution");
    assert_true(poll_until(&r, lms_waits));
    ui_runner_stop(&r.u);
    assert_null(r.u.runner);
    free(watched);
    rig_close(&r);
}

static void executions_list_filters_and_search(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_exec_env(), NULL);
    char org[HY_UUID_LEN], np[HY_UUID_LEN], u1[HY_UUID_LEN], u2[HY_UUID_LEN];
    t_partner(r.e, &r.u.me, "Acme Corp", "st-a", org, np);
    t_start_user(r.e, &r.u.me, org, u1); /* waits at step 2 */
    t_start_user(r.e, &r.u.me, org, u2);
    assert_true(ui_push(&r.u, &ui_execs_screen, NULL));
    ui_list *l = r.u.top->state;
    assert_int_equal(l->count, 3);
    key(&r, 'w');
    assert_int_equal(l->count, 2);
    key(&r, 'c');
    assert_int_equal(l->count, 1);
    key(&r, 'f');
    assert_int_equal(l->count, 0);
    assert_non_null(strstr(l->empty_text, "No execution is failed."));
    key(&r, 'a');
    assert_int_equal(l->count, 3);
    /* search through ops: 2 characters match ids only */
    key(&r, '/');
    char two[3] = {u1[0], u1[1], 0};
    feed(&r, two);
    assert_true(l->count >= 1);
    for (int i = 0; i < l->count; i++) assert_memory_equal(l->row_id(l->data, i), two, 2);
    key(&r, 21); /* C-u */
    feed(&r, "acme");
    assert_int_equal(l->count, 3);
    feed(&r, "zz");
    assert_int_equal(l->count, 0);
    assert_non_null(strstr(l->empty_text, "No execution matches 'acmezz'"));
    key(&r, 27); /* Esc clears */
    assert_int_equal(l->count, 3);
    /* Enter opens the selected execution */
    key(&r, '\r');
    assert_string_equal(top(&r), "Execution");
    rig_close(&r);
}

static void partner_sees_only_fill_retry_cancel(void **s)
{
    (void)s;
    const ui_action *t = ui_exec_partner_screen.actions;
    assert_non_null(ui_action_find(t, ch('f')));
    assert_non_null(ui_action_find(t, ch('t')));
    assert_non_null(ui_action_find(t, ch('x')));
    assert_null(ui_action_find(t, ch('s')));
    assert_null(ui_action_find(t, ch('d')));
    assert_null(ui_action_find(t, ch('R')));
    t = ui_exec_screen.actions;
    assert_non_null(ui_action_find(t, ch('s')));
    assert_non_null(ui_action_find(t, ch('d')));
    assert_non_null(ui_action_find(t, ch('R')));

    rig r;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], np[HY_UUID_LEN], pid[HY_UUID_LEN], other[HY_UUID_LEN], oexec[HY_UUID_LEN];
    t_partner(e, &admin, "Acme Corp", "st-a", org, np);
    t_partner(e, &admin, "Globex", "st-g", other, oexec);
    t_user(e, "jane@acme.example", "partner_admin", org, "partner-pass-1", pid);
    rig_open(&r, e, "jane@acme.example");
    assert_ptr_equal(ui_home_for(&r.u), &ui_partner_home_screen);
    assert_ptr_equal(ui_exec_screen_for(&r.u), &ui_exec_partner_screen);
    assert_ptr_equal(ui_execs_screen_for(&r.u), &ui_requests_screen);
    /* another organisation's execution: not found, the screen does not open */
    assert_false(ui_push(&r.u, &ui_exec_partner_screen, oexec));
    assert_non_null(strstr(r.u.msg, "o execution matches"));
    /* Add user: the user details form at once, their organisation filled in */
    assert_true(ui_push(&r.u, &ui_partner_home_screen, NULL));
    key(&r, 'a');
    assert_string_equal(top(&r), "Fill in");
    ui_form *f = top_form(&r);
    assert_non_null(ui_form_field(f, "email"));
    assert_null(ui_form_field(f, "organization_id"));
    /* the enabled flags: nothing to retry while it waits */
    key(&r, 27);
    assert_string_equal(top(&r), "Request");
    const screen *sc = r.u.top;
    assert_true(sc->ops->enabled(&r.u, sc, ui_action_find(sc->ops->actions, ch('f'))));
    assert_false(sc->ops->enabled(&r.u, sc, ui_action_find(sc->ops->actions, ch('t'))));
    assert_true(sc->ops->enabled(&r.u, sc, ui_action_find(sc->ops->actions, ch('x'))));
    key(&r, 't');
    assert_non_null(strstr(r.u.msg, "only a failed step"));
    rig_close(&r);
}

/* ---- live data: another process changes what is shown ---- */

/* Another process starts a request: the list the session shows has it
 * after the next look (what the main loop does on a commit notification),
 * not before; a commit that changes no state reloads nothing. */
static void a_change_elsewhere_reaches_the_list_shown(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_exec_env(), NULL);
    char org[HY_UUID_LEN], np[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(r.e, &r.u.me, "Acme Corp", "st-a", org, np);
    assert_true(ui_push(&r.u, &ui_execs_screen, NULL));
    ui_look(&r.u); /* the first look */
    ui_list *l = r.u.top->state;
    assert_int_equal(l->count, 1);
    hy_app *other = t_open_app(r.e->app->cfg->database.path);
    hy_ctx oc = {.cfg = other->cfg, .db = other->db};
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_start(&oc, &r.u.me, "new_partner_user", org, id, &err), 0);
    r.u.last_look_ms = hy_mono_ms();
    ui_run_timers(&r.u); /* no look due: nothing is polled */
    assert_int_equal(l->count, 1);
    ui_look(&r.u);
    assert_int_equal(l->count, 2);
    r.u.dirty = false;
    assert_int_equal(db_exec(other->db, &err, "INSERT OR REPLACE INTO settings(key, value) VALUES('t', '1')", ""), 0);
    ui_look(&r.u); /* a commit, no state change (the audit trail did not grow) */
    assert_false(r.u.dirty);
    app_close(other);
    rig_close(&r);
}

static bool exec_done(rig *r)
{
    char *st = t_exec_status(r->e, watched);
    bool yes = hy_streq(st, "completed");
    free(st);
    return yes;
}

/* While a worker's heartbeat is fresh the session runs no runner (no
 * thread, no connection) and no step; when the worker goes, its runner
 * starts and runs what waits. */
static void no_runner_while_a_worker_is_alive(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_exec_env(), NULL);
    char org[HY_UUID_LEN], np[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(r.e, &r.u.me, "Acme Corp", "st-a", org, np);
    r.e->app->cfg->engine.inline_local_steps = false; /* every auto step left to a runner */
    hy_app *other = t_open_app(r.e->app->cfg->database.path);
    hy_heartbeat *hb = NULL;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(worker_heartbeat_start(other, 60000, &hb, &err), 0);
    ui_runner_start(&r.u);
    assert_null(r.u.runner);
    t_start_user(r.e, &r.u.me, org, id);
    watched = id;
    t_submit_ok(r.e, &r.u.me, id, "input_user_details", "firstname=Wo", "lastname=Rker", "email=wo@acme.example", NULL);
    ui_runner_kick(&r.u);
    ui_look(&r.u);
    assert_null(r.u.runner);
    char *st = t_step_status(r.e, id, 3);
    assert_string_equal(st, "pending");
    free(st);
    worker_heartbeat_stop(hb); /* the worker stops: the session takes over */
    assert_true(poll_until(&r, exec_done));
    assert_non_null(r.u.runner);
    /* a worker comes back: the runner is paused, what comes next waits for the worker */
    assert_int_equal(worker_heartbeat_start(other, 60000, &hb, &err), 0);
    ui_look(&r.u);
    char id2[HY_UUID_LEN];
    t_start_user(r.e, &r.u.me, org, id2);
    t_submit_ok(r.e, &r.u.me, id2, "input_user_details", "firstname=Wo", "lastname=Two", "email=wo2@acme.example", NULL);
    ui_runner_kick(&r.u);
    ui_look(&r.u);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL); /* what a runner would take to run it */
    st = t_step_status(r.e, id2, 3);
    assert_string_equal(st, "pending");
    free(st);
    worker_heartbeat_stop(hb);
    app_close(other);
    watched = NULL;
    rig_close(&r);
}

/* Support: the staff screens, and on an execution only the keys of the
 * actions its role may take (screen_ops.exists): fill in and retry. The
 * others do not exist: pressing them opens nothing. */
static void support_has_only_fill_and_retry(void **s)
{
    (void)s;
    rig r;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], np[HY_UUID_LEN], uid[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(e, &admin, "Acme Corp", "st-a", org, np);
    t_user(e, "sue@hyopps.local", "support", NULL, "support-pass-1", uid);
    t_start_user(e, &admin, org, id);
    rig_open(&r, e, "sue@hyopps.local");
    assert_ptr_equal(ui_home_for(&r.u), &ui_admin_home_screen);
    assert_ptr_equal(ui_exec_screen_for(&r.u), &ui_exec_screen);
    assert_ptr_equal(ui_execs_screen_for(&r.u), &ui_execs_screen);
    assert_true(ui_push(&r.u, &ui_exec_screen, id));
    const screen *sc = r.u.top;
    const char *present = "ft", *absent = "sdRx";
    for (const char *c = present; *c; c++)
        assert_true(ui_action_exists(&r.u, sc, ui_action_find(sc->ops->actions, ch(*c))));
    for (const char *c = absent; *c; c++) {
        assert_false(ui_action_exists(&r.u, sc, ui_action_find(sc->ops->actions, ch(*c))));
        key(&r, *c);
        assert_string_equal(top(&r), "Execution"); /* no dialog */
    }
    key(&r, 'f');
    assert_string_equal(top(&r), "Fill in");
    rig_close(&r);
    /* the admin has them all */
    e = t_exec_env();
    rig_open(&r, e, NULL);
    t_start_user(e, &r.u.me, NULL, id);
    assert_true(ui_push(&r.u, &ui_exec_screen, id));
    sc = r.u.top;
    for (const char *c = "ftsdRx"; *c; c++)
        assert_true(ui_action_exists(&r.u, sc, ui_action_find(sc->ops->actions, ch(*c))));
    rig_close(&r);
}

static void idle_logout_on_a_faked_clock(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_exec_env(), NULL);
    r.e->app->cfg->security.idle_minutes = 2;
    assert_true(ui_push(&r.u, &ui_admin_home_screen, NULL));
    int64_t now = hy_mono_ms();
    /* 1:59 without a key: still logged in */
    r.u.last_key_ms = now - 119000;
    ui_run_timers(&r.u);
    assert_true(r.u.logged_in);
    /* a key resets the clock */
    key(&r, 'j');
    assert_true(r.u.last_key_ms >= now);
    r.u.last_key_ms = now - 120001;
    ui_run_timers(&r.u);
    assert_false(r.u.logged_in);
    assert_string_equal(top(&r), "Log in");
    assert_false(r.u.quit);
    /* restricted: nobody at the login screen after another idle period -> the program ends */
    r.u.restricted = true;
    r.u.last_key_ms = hy_mono_ms() - 120001;
    ui_run_timers(&r.u);
    assert_true(r.u.quit);
    rig_close(&r);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_words_and_marks),
        cmocka_unit_test(elapsed_times),
        cmocka_unit_test(json_as_key_value_lines),
        cmocka_unit_test(step_lines_say_everything),
        cmocka_unit_test(filter_bar_fits),
        cmocka_unit_test(search_notes),
        cmocka_unit_test(exec_geometry),
        cmocka_unit_test(new_partner_through_forms_with_the_runner),
        cmocka_unit_test(executions_list_filters_and_search),
        cmocka_unit_test(partner_sees_only_fill_retry_cancel),
        cmocka_unit_test(a_change_elsewhere_reaches_the_list_shown),
        cmocka_unit_test(no_runner_while_a_worker_is_alive),
        cmocka_unit_test(support_has_only_fill_and_retry),
        cmocka_unit_test(idle_logout_on_a_faked_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
