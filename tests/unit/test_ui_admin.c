/* The admin screens without a terminal (keys fed through ui_feed_key, the
 * poll through ui_run_timers; nothing draws): the list's paging hook,
 * background jobs, the organisations and users lists on big tables (with
 * timings), and the Metabase panel's add and remove in simulate mode. */
#include "testlib.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

static ui_key ch(int c) { return (ui_key){false, c}; }
static ui_key fn(int c) { return (ui_key){true, c}; }

/* ---- the list's on_more ---- */

typedef struct {
    int loaded, available, calls;
    ui_list *list;
} pages;

static const char *num_cell(void *data, int row, int col, char *buf, size_t n)
{
    (void)data, (void)col;
    snprintf(buf, n, "row %d", row);
    return buf;
}

static void next_page(void *data)
{
    pages *p = data;
    p->calls++;
    p->loaded = ui_min(p->loaded + 100, p->available);
    p->list->more = p->loaded < p->available;
    ui_list_set_count(p->list, p->loaded);
}

static const ui_column ONE_COL[] = {{"Row", 10, 0, 1, false}};

static int lkey(ui_list *l, ui_key k) { return l->w.handle_key(NULL, &l->w, k); }

static void list_loads_the_next_page_at_the_last_row(void **s)
{
    (void)s;
    pages p = {.loaded = 100, .available = 250};
    ui_list l;
    ui_list_init(&l, ONE_COL, 1, &p, num_cell);
    p.list = &l;
    l.on_more = next_page;
    l.more = true;
    ui_list_set_count(&l, p.loaded);
    l.page = 20;
    for (int i = 0; i < 50; i++) lkey(&l, ch('j'));
    assert_int_equal(p.calls, 0); /* not at the end yet */
    assert_int_equal(lkey(&l, fn(KEY_END)), UI_REDRAW);
    assert_int_equal(p.calls, 1); /* reaching the last row loads the next page */
    assert_int_equal(l.count, 200);
    assert_int_equal(ui_list_selected(&l), 99); /* the selection stays */
    lkey(&l, fn(KEY_END));
    assert_int_equal(l.count, 250);
    assert_false(l.more);
    assert_int_equal(ui_list_selected(&l), 199);
    lkey(&l, fn(KEY_END));
    assert_int_equal(ui_list_selected(&l), 249);
    assert_int_equal(lkey(&l, ch('j')), UI_HANDLED); /* nothing more: nothing to do */
    assert_int_equal(p.calls, 2);
    ui_list_free(&l);
}

/* ---- a UI on a test database, logged in as the admin ---- */

typedef struct {
    t_env *e;
    ui u;
} rig;

static void rig_open(rig *r, t_env *e)
{
    memset(r, 0, sizeof *r);
    r->e = e;
    r->u.app = e->app;
    r->u.ctx = e->c;
    r->u.cfg = e->app->cfg;
    t_admin(e, &r->u.me);
    r->u.logged_in = true;
    r->u.last_key_ms = r->u.last_check_ms = hy_mono_ms();
}

static void rig_close(rig *r)
{
    ui_close_all(&r->u);
    assert_int_equal(ui_jobs_wait(&r->u, 10000), 0);
    t_env_free(r->e);
}

static void feed(rig *r, const char *text)
{
    for (const char *c = text; *c; c++) ui_feed_key(&r->u, ch((unsigned char)*c));
}

/* Polls the top screen (as the main loop would) until cond or 10 s. */
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

/* ---- jobs ---- */

typedef struct {
    int count;
    int *freed;
    int sleep_ms;
} job_arg;

static int count_orgs(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err)
{
    job_arg *a = arg;
    struct timespec ts = {0, (long)a->sleep_ms * 1000 * 1000};
    nanosleep(&ts, NULL);
    hy_org_list l;
    int rc = ops_org_list(c, p, NULL, &l, err); /* on the job's own connection */
    if (rc == 0) a->count = l.count;
    hy_org_list_free(&l);
    return rc;
}

static void free_arg(void *p)
{
    job_arg *a = p;
    (*a->freed)++;
    free(a);
}

static void jobs_run_off_the_ui_thread(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_env_new());
    char id[HY_UUID_LEN];
    t_org(r.e, "Acme", id);
    t_org(r.e, "Globex", id);
    int freed = 0;
    job_arg *a = calloc(1, sizeof *a);
    a->freed = &freed;
    ui_job *j = ui_job_start(&r.u, count_orgs, a, free_arg);
    for (int i = 0; i < 1000 && !ui_job_done(j); i++) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(ui_job_done(j));
    int rc = -1;
    hy_err err;
    job_arg *back = ui_job_take(&j, &rc, &err);
    assert_null(j);
    assert_ptr_equal(back, a);
    assert_int_equal(rc, 0);
    assert_int_equal(back->count, 2);
    free(back);
    assert_int_equal(freed, 0); /* taken back: the caller frees it */

    /* Abandoned while running: it ends on its own and its argument is freed. */
    a = calloc(1, sizeof *a);
    a->freed = &freed;
    a->sleep_ms = 100;
    j = ui_job_start(&r.u, count_orgs, a, free_arg);
    ui_job_abandon(&r.u, &j);
    assert_null(j);
    assert_non_null(r.u.jobs);
    assert_int_equal(ui_jobs_wait(&r.u, 10000), 0);
    assert_null(r.u.jobs);
    assert_int_equal(freed, 1);
    rig_close(&r);
}

/* ---- big tables ---- */

static int64_t ms_since(int64_t t0) { return hy_mono_ms() - t0; }

static void fill(t_env *e, int orgs, int users)
{
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(e->c->db, &err,
                             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                             "INSERT INTO organizations(id, name, account_types, created_at) "
                             "SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'Org ' || i, '[\"partner\"]', "
                             "'2026-01-01T00:00:00Z' FROM n",
                             "i", orgs),
                     0);
    assert_int_equal(db_exec(e->c->db, &err,
                             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                             "INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, "
                             "password_hash, metabase_user_id) "
                             "SELECT printf('%08x-1111-4000-8000-%012x', i, i), 'First' || i, printf('Last%06d', i), "
                             "'user' || i || '@example.com', printf('%08x-0000-4000-8000-%012x', 1 + i % ?2, 1 + i % ?2), "
                             "'user', '!', i FROM n",
                             "ii", users, orgs),
                     0);
}

static void orgs_list_stays_fast_with_20000(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_env_new());
    fill(r.e, 20000, 20000);
    int64_t t0 = hy_mono_ms();
    assert_true(ui_push(&r.u, &ui_orgs_screen, NULL));
    int64_t open_ms = ms_since(t0);
    ui_list *l = r.u.top->state; /* the list is the state's first member */
    assert_int_equal(l->count, 20000);
    feed(&r, "/");
    int64_t worst = 0;
    const char *typed = "org 1999";
    for (const char *c = typed; *c; c++) {
        t0 = hy_mono_ms();
        ui_feed_key(&r.u, ch((unsigned char)*c));
        worst = ms_since(t0) > worst ? ms_since(t0) : worst;
    }
    assert_int_equal(l->nvis, 11); /* Org 1999, 19990..19999 */
    print_message("# organisations: open %lld ms, worst filter keystroke %lld ms (20,000 rows)\n",
                  (long long)open_ms, (long long)worst);
    /* Generous bounds (sanitizer builds are slower): they catch a list that
     * went quadratic, not a slow machine. */
    assert_true(open_ms < 3000);
    assert_true(worst < 500);
    rig_close(&r);
}

static void users_list_pages_100000(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_env_new());
    fill(r.e, 100, 100000);
    int64_t t0 = hy_mono_ms();
    assert_true(ui_push(&r.u, &ui_users_screen, NULL));
    int64_t open_ms = ms_since(t0);
    ui_list *l = r.u.top->state;
    assert_int_equal(l->count, 200); /* one page, not 100,000 rows */
    assert_true(l->more);
    assert_int_equal(l->total, 100001);
    t0 = hy_mono_ms();
    ui_feed_key(&r.u, fn(KEY_END)); /* the last row loads the next page */
    int64_t page_ms = ms_since(t0);
    assert_int_equal(l->count, 400);
    feed(&r, "/");
    int64_t worst = 0;
    for (const char *c = "user99999@"; *c; c++) {
        t0 = hy_mono_ms();
        ui_feed_key(&r.u, ch((unsigned char)*c));
        worst = ms_since(t0) > worst ? ms_since(t0) : worst;
    }
    assert_int_equal(l->count, 1);
    assert_false(l->more);
    print_message("# users: open %lld ms, next page %lld ms, worst filter keystroke %lld ms (100,000 rows)\n",
                  (long long)open_ms, (long long)page_ms, (long long)worst);
    assert_true(open_ms < 3000);
    assert_true(worst < 1500);
    rig_close(&r);
}

static void audit_pages_back_through_older_entries(void **s)
{
    (void)s;
    rig r;
    rig_open(&r, t_env_new());
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(r.e->c->db, &err,
                             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450) "
                             "INSERT INTO audit_log(at, actor_email, action, target_type, target_id) "
                             "SELECT '2026-01-01T00:00:00Z', 'someone@example.com', "
                             "CASE WHEN i % 2 THEN 'org.update' ELSE 'user.update' END, 'x', printf('t%03d', i) FROM n",
                             ""),
                     0);
    int64_t all = t_count(r.e, "SELECT count(*) FROM audit_log", "");
    assert_true(ui_push(&r.u, &ui_audit_screen, NULL));
    ui_list *l = r.u.top->state;
    assert_int_equal(l->count, 200);
    assert_true(l->more);
    ui_feed_key(&r.u, fn(KEY_END));
    assert_int_equal(l->count, 400);
    ui_feed_key(&r.u, fn(KEY_END));
    assert_int_equal(l->count, all); /* every entry, each once */
    assert_false(l->more);
    /* The filter form narrows through ops: 225 org.update entries, paged again. */
    feed(&r, "f");
    assert_string_equal(r.u.top->ops->name, "Audit filter");
    ui_feed_key(&r.u, ch('\t'));
    feed(&r, "org.");
    ui_feed_key(&r.u, ch('\r'));
    assert_ptr_equal(r.u.top->ops, &ui_audit_screen);
    assert_int_equal(l->count, 200);
    ui_feed_key(&r.u, fn(KEY_END));
    assert_int_equal(l->count, 225);
    feed(&r, "c"); /* clear */
    assert_int_equal(l->count, 200);
    assert_true(l->more);
    rig_close(&r);
}

/* ---- the Metabase panel (simulate) ---- */

/* Presses key until the screen named `name` is on top (the panel answers
 * "Still waiting" while a job runs). */
static const char *press_key, *press_until;
static bool pressed_through(rig *r)
{
    if (r->u.top && strcmp(r->u.top->ops->name, press_until) == 0) return true;
    feed(r, press_key);
    return false;
}
static bool press(rig *r, const char *key, const char *until)
{
    press_key = key;
    press_until = until;
    return poll_until(r, pressed_through);
}
static bool says_added(rig *r) { return strstr(r->u.msg, "Added to Metabase group 7") != NULL; }
static bool says_removed(rig *r) { return strstr(r->u.msg, "Removed from Metabase group 7") != NULL; }

/* Simulated Metabase, Acme Corp with Metabase group 7 and a user of it. */
static void mb_rig(rig *r, const char *email, char user[HY_UUID_LEN])
{
    rig_open(r, t_env_new());
    r->e->app->cfg->metabase.mode = HY_MODE_SIMULATE;
    char org[HY_UUID_LEN];
    t_org(r->e, "Acme Corp", org);
    t_user(r->e, email, "user", org, NULL, user);
    hy_err err;
    hy_err_clear(&err);
    hy_org_groups g = {.metabase = "7"};
    assert_int_equal(ops_org_set_groups(r->e->c, &r->u.me, org, &g, &err), 0);
}

static void metabase_panel_adds_and_removes(void **s)
{
    (void)s;
    rig r;
    char jane[HY_UUID_LEN];
    mb_rig(&r, "jane@acme.example", jane);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(r.e->c->db, &err, "UPDATE users SET metabase_user_id = 42 WHERE id = ?", "t", jane), 0);

    assert_true(ui_push(&r.u, &ui_user_mb_screen, jane));
    feed(&r, "a"); /* the first load still runs: asked to wait */
    assert_non_null(strstr(r.u.msg, "Still waiting for Metabase"));
    assert_true(press(&r, "a", "Choose"));
    ui_feed_key(&r.u, ch('\r')); /* the only group: ext-acme-corp (7) */
    assert_true(poll_until(&r, says_added));
    assert_int_equal(t_count(r.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.add_membership'", ""), 1);
    assert_true(press(&r, "x", "Confirm"));
    feed(&r, "y");
    assert_true(poll_until(&r, says_removed));
    assert_int_equal(t_count(r.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.remove_membership'", ""),
                     1);
    rig_close(&r);
}

static bool says_linked(rig *r)
{
    return strstr(r->u.msg, "Added to Metabase group 7. Their Metabase account (created) is now stored.") != NULL;
}

/* A user without a stored Metabase id can be added: the panel makes the
 * (simulated) account and stores its id. */
static void metabase_panel_adds_a_user_without_an_id(void **s)
{
    (void)s;
    rig r;
    char joe[HY_UUID_LEN];
    mb_rig(&r, "joe@acme.example", joe);
    assert_true(ui_push(&r.u, &ui_user_mb_screen, joe));
    assert_true(press(&r, "a", "Choose"));
    ui_feed_key(&r.u, ch('\r'));
    assert_true(poll_until(&r, says_linked));
    assert_int_equal(t_count(r.e, "SELECT count(*) FROM users WHERE id = ? AND metabase_user_id >= 1000", "t", joe), 1);
    assert_int_equal(t_count(r.e, "SELECT count(*) FROM audit_log WHERE action = 'metabase.link_user'", ""), 1);
    rig_close(&r);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_loads_the_next_page_at_the_last_row),
        cmocka_unit_test(jobs_run_off_the_ui_thread),
        cmocka_unit_test(orgs_list_stays_fast_with_20000),
        cmocka_unit_test(users_list_pages_100000),
        cmocka_unit_test(audit_pages_back_through_older_entries),
        cmocka_unit_test(metabase_panel_adds_and_removes),
        cmocka_unit_test(metabase_panel_adds_a_user_without_an_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
