/* Waking without polling (issue 16): the commit notifications (dbwatch:
 * inotify on the -wal, dnotify on its directory as the fallback), the look
 * at what changed (ops_watch: any commit, a state change, a worker that
 * appears or goes), the workers' heartbeat, the runner thread that
 * looks for work only when kicked, and one that sets up no TLS when every
 * integration is simulated. */
#include "testlib.h"

#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "beacon.h"
#include "dbwatch.h"
#include "integrations/http.h"
#include "testlib_exec.h"

/* Waits up to ms for the watch's descriptor to become readable. */
static bool notified_within(hy_dbwatch *w, int ms)
{
    struct pollfd p = {dbwatch_fd(w), POLLIN, 0};
    return p.fd >= 0 && poll(&p, 1, ms) == 1;
}

/* A commit on another connection: a state change (an audit row). */
static void audited_change(hy_app *other)
{
    hy_err err;
    hy_err_clear(&err);
    hy_principal sys;
    principal_system(&sys);
    hy_ctx c = {.cfg = other->cfg, .db = other->db};
    assert_int_equal(db_begin(other->db, &err), 0);
    assert_int_equal(audit_write(&c, &sys, "test.change", "test", "x", NULL, &err), 0);
    assert_int_equal(db_commit(other->db, &err), 0);
}

/* A commit that changes no state (as a heartbeat or the search index). */
static void plain_commit(hy_app *other)
{
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(other->db, &err, "INSERT OR REPLACE INTO settings(key, value) VALUES('test.touch', ?)", "t",
                             "1"),
                     0);
}

static void notifications(bool dnotify)
{
    t_env *e = t_exec_env();
    hy_app *other = t_open_app(e->app->cfg->database.path);
    dbwatch_test_no_inotify(dnotify);
    hy_dbwatch *w = dbwatch_open(e->app->cfg->database.path);
    dbwatch_test_no_inotify(false);
    assert_non_null(w);
    assert_string_equal(dbwatch_kind(w), dnotify ? "dnotify" : "inotify");
    dbwatch_take(w);
    assert_false(notified_within(w, 50)); /* nothing written: nothing to say */
    plain_commit(other);
    assert_true(notified_within(w, 5000));
    assert_true(dbwatch_take(w));
    assert_false(notified_within(w, 50)); /* taken: quiet again, and armed again */
    audited_change(other);
    assert_true(notified_within(w, 5000));
    assert_true(dbwatch_take(w));
    dbwatch_close(w);
    app_close(other);
    t_env_free(e);
}

/* A write transaction on another connection that names an organisation
 * (NULL: names none) or says it is quiet; committed or rolled back. */
static void named_commit(hy_app *other, const char *org, bool quiet, bool commit)
{
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_begin(other->db, &err), 0);
    if (org) db_beacon_org(other->db, org);
    if (quiet) db_beacon_quiet(other->db);
    assert_int_equal(db_exec(other->db, &err, "INSERT OR REPLACE INTO settings(key, value) VALUES('test.touch', ?)",
                             "t", org ? org : "-"),
                     0);
    if (commit) assert_int_equal(db_commit(other->db, &err), 0);
    else db_rollback(other->db);
}

/* The beacons (beacon.h): a watch on organisation "mine" hears a commit
 * that names it and one that names nobody, not one that names another
 * organisation, is quiet or is rolled back; lit once the commit is
 * visible, so the poll right after the commit sees it. */
static void beacons(bool dnotify)
{
    t_env *e = t_exec_env();
    const char *db = e->app->cfg->database.path;
    hy_app *other = t_open_app(db);
    const char *mine = "org-mine", *theirs = "org-theirs";
    assert_int_not_equal(beacon_bucket(mine), beacon_bucket(theirs));
    assert_int_equal(beacon_bucket(""), HY_BEACON_ALL);
    dbwatch_test_no_inotify(dnotify);
    hy_dbwatch *w = dbwatch_open_beacons(db, mine);
    dbwatch_test_no_inotify(false);
    assert_non_null(w);
    assert_true(dbwatch_beacons(w));
    assert_string_equal(dbwatch_kind(w), dnotify ? "dnotify" : "inotify");
    dbwatch_take(w);
    named_commit(other, theirs, false, true);
    assert_false(notified_within(w, 50));
    named_commit(other, NULL, true, true); /* quiet */
    assert_false(notified_within(w, 50));
    named_commit(other, mine, false, false); /* rolled back */
    assert_false(notified_within(w, 50));
    named_commit(other, mine, false, true);
    assert_true(notified_within(w, 5000));
    assert_true(dbwatch_take(w));
    assert_false(notified_within(w, 50));
    named_commit(other, theirs, true, true); /* quiet, but it names theirs: theirs only */
    assert_false(notified_within(w, 50));
    plain_commit(other); /* names nobody (autocommit): the beacon for all */
    assert_true(notified_within(w, 5000));
    assert_true(dbwatch_take(w));
    named_commit(other, "", false, true); /* "": all */
    assert_true(notified_within(w, 5000));
    assert_true(dbwatch_take(w));
    /* the engine's group commit names up to 64 organisations: each is lit,
     * not all; a 65th bucket makes it the beacon for all */
    for (int extra = 0; extra <= 1; extra++) {
        hy_err err;
        hy_err_clear(&err);
        assert_int_equal(db_begin(other->db, &err), 0);
        int named = 0;
        bool used[HY_BEACON_BUCKETS] = {false};
        used[beacon_bucket(mine)] = true;
        for (int i = 0; named < 64 + extra; i++) { /* 64 (65) buckets, none of them mine */
            char org[32];
            snprintf(org, sizeof org, "org-%d", i);
            if (used[beacon_bucket(org)]) continue;
            used[beacon_bucket(org)] = true;
            db_beacon_org(other->db, org);
            db_beacon_org(other->db, org); /* named twice: counted once */
            named++;
        }
        assert_int_equal(db_exec(other->db, &err, "INSERT OR REPLACE INTO settings(key, value) VALUES('test.touch', 'x')",
                                 ""),
                         0);
        assert_int_equal(db_commit(other->db, &err), 0);
        if (extra) assert_true(notified_within(w, 5000));
        else assert_false(notified_within(w, 50));
        dbwatch_take(w);
    }
    dbwatch_close(w);
    /* what the beacons are made of: the database file's permissions */
    char *dir = beacon_dir(db, beacon_bucket(mine));
    assert_non_null(dir);
    char *file = xasprintf("%s/b", dir);
    struct stat dst, fst, dbst;
    assert_int_equal(stat(dir, &dst), 0);
    assert_int_equal(stat(file, &fst), 0);
    assert_int_equal(stat(db, &dbst), 0);
    assert_int_equal(dbst.st_mode & 0777, 0600);
    assert_int_equal(dst.st_mode & 0777, 0700);
    assert_int_equal(fst.st_mode & 0777, 0600);
    free(file);
    free(dir);
    app_close(other);
    t_env_free(e);
}

static void beacons_on_inotify(void **s)
{
    (void)s;
    beacons(false);
}

static void beacons_on_dnotify(void **s)
{
    (void)s;
    beacons(true);
}

static void inotify_on_the_log(void **s)
{
    (void)s;
    notifications(false);
}

static void dnotify_when_inotify_is_refused(void **s)
{
    (void)s;
    notifications(true);
}

static void a_look_tells_what_changed(void **s)
{
    (void)s;
    t_env *e = t_exec_env();
    hy_app *other = t_open_app(e->app->cfg->database.path);
    hy_err err;
    hy_err_clear(&err);
    hy_watch w = {0};
    unsigned ch = 0;
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_int_equal(ch, HY_WATCH_DATA | HY_WATCH_STATE | HY_WATCH_WORKER | HY_WATCH_ANY); /* the first look */
    assert_int_equal(w.worker_until, 0);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_int_equal(ch, 0);                                /* nothing committed */
    plain_commit(other);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_int_equal(ch, HY_WATCH_DATA);                    /* a commit, no state change */
    audited_change(other);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_int_equal(ch, HY_WATCH_DATA | HY_WATCH_STATE | HY_WATCH_ANY);
    /* a worker appears: its heartbeat, fresh for three intervals */
    hy_heartbeat *hb = NULL;
    assert_int_equal(worker_heartbeat_start(other, 1000, &hb, &err), 0);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_true(ch & HY_WATCH_WORKER);
    assert_true(ch & HY_WATCH_STATE); /* worker.start is audited */
    assert_true(w.worker_until > hy_now_ms() + 2000);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE action = 'worker.start'", ""), 1);
    /* it stops: its heartbeat goes at once */
    worker_heartbeat_stop(hb);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_true(ch & HY_WATCH_WORKER);
    assert_int_equal(w.worker_until, 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM worker_heartbeats", ""), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE action = 'worker.stop'", ""), 1);
    app_close(other);
    t_env_free(e);
}

static void a_dead_workers_heartbeat_expires(void **s)
{
    (void)s;
    t_env *e = t_exec_env();
    hy_err err;
    hy_err_clear(&err);
    /* a worker that died: its row stays, and expires */
    int64_t now = hy_now_ms();
    assert_int_equal(db_exec(e->c->db, &err,
                             "INSERT INTO worker_heartbeats(owner, started_at, beat_at, expires_at) "
                             "VALUES('gone:1', '2020-01-01T00:00:00.000Z', ?, ?)",
                             "II", now, now + 300),
                     0);
    hy_watch w = {0};
    unsigned ch = 0;
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0);
    assert_true(w.worker_until > 0);
    while (hy_now_ms() <= now + 300) usleep(20000);
    assert_int_equal(ops_watch(e->c, NULL, &w, &ch, &err), 0); /* nothing committed, but time passed */
    assert_int_equal(ch, HY_WATCH_WORKER);
    assert_int_equal(w.worker_until, 0);
    /* the next worker to start removes it */
    hy_heartbeat *hb = NULL;
    assert_int_equal(worker_heartbeat_start(e->app, 60000, &hb, &err), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM worker_heartbeats WHERE owner = 'gone:1'", ""), 0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM worker_heartbeats", ""), 1);
    worker_heartbeat_stop(hb);
    t_env_free(e);
}

static char *step3_status(t_env *e, const char *id) { return t_step_status(e, id, 3); }

/* An admin, a partner organisation, every step left to a runner. */
static t_env *runner_env(hy_principal *admin, const char *name, const char *slug, char *org)
{
    t_env *e = t_exec_env();
    t_admin(e, admin);
    char np[HY_UUID_LEN];
    t_partner(e, admin, name, slug, org, np);
    e->app->cfg->engine.inline_local_steps = false;
    return e;
}

/* A terminal session's runner (no polling, every execution). */
static hy_runner *started(t_env *e)
{
    hy_runner *r = NULL;
    hy_err err;
    hy_err_clear(&err);
    hy_runner_opts o = {0};
    assert_int_equal(runner_start(e->app, &o, &r, &err), 0);
    return r;
}

/* Waits up to 10 s for the execution to complete. */
static void completes(t_env *e, const char *id)
{
    int64_t deadline = hy_mono_ms() + 10000;
    char *ex = NULL;
    do {
        free(ex);
        usleep(20000);
        ex = t_exec_status(e, id);
    } while (strcmp(ex, "completed") != 0 && hy_mono_ms() < deadline);
    assert_string_equal(ex, "completed");
    free(ex);
}

/* A session's runner with every integration simulated runs its steps
 * without libcurl's global set-up (TLS: memory on a bastion of hundreds of
 * sessions); one that may call a live service has it done before its
 * thread starts. First in this program: nothing before it set libcurl up. */
static void a_simulated_runner_sets_up_no_tls(void **s)
{
    (void)s;
    assert_false(integ_global_ready());
    hy_principal admin;
    char org[HY_UUID_LEN], id[HY_UUID_LEN];
    t_env *e = runner_env(&admin, "Quiet Co", "st-quiet", org);
    hy_runner *r = started(e);
    t_start_user(e, &admin, org, id);
    t_submit_ok(e, &admin, id, "input_user_details", "firstname=Tia", "lastname=Quiet", "email=tia@quiet.example", NULL);
    runner_kick(r);
    completes(e, id);
    runner_stop(r);
    assert_false(integ_global_ready()); /* its simulated steps ran without it */
    hy_mode was = e->app->cfg->metabase.mode;
    e->app->cfg->metabase.mode = HY_MODE_LIVE; /* now a step may call Metabase */
    r = started(e);
    assert_true(integ_global_ready()); /* set up before the thread started */
    runner_stop(r);
    e->app->cfg->metabase.mode = was;
    t_env_free(e);
}

/* The runner of a terminal session never polls: work queued by another
 * process waits until it is kicked (the UI kicks it when it sees a state
 * change); paused, a kick does nothing. */
static void the_runner_looks_only_when_kicked(void **s)
{
    (void)s;
    hy_principal admin;
    char org[HY_UUID_LEN], id[HY_UUID_LEN];
    t_env *e = runner_env(&admin, "Kick Co", "st-kick", org);
    hy_runner *r = started(e);
    hy_runner_status rs;
    do { /* its first look, at start, is over */
        usleep(5000);
        runner_get_status(r, &rs);
    } while (rs.rounds < 1);
    t_start_user(e, &admin, org, id);
    t_submit_ok(e, &admin, id, "input_user_details", "firstname=Kim", "lastname=Kick", "email=kim@kick.example", NULL);
    /* queued, nobody kicked: it stays queued (well past the old 500 ms poll) */
    usleep(1500000);
    char *st = step3_status(e, id);
    assert_string_equal(st, "pending");
    free(st);
    runner_get_status(r, &rs);
    assert_int_equal(rs.rounds, 1); /* it did not look again */
    runner_pause(r, true);
    runner_kick(r);
    usleep(300000);
    st = step3_status(e, id);
    assert_string_equal(st, "pending"); /* paused: a worker runs the steps */
    free(st);
    runner_pause(r, false); /* resumed: it looks at once */
    completes(e, id);
    runner_stop(r);
    t_env_free(e);
}

/* One look of the partner's view (b) and of the staff's (all), on their
 * own connection: what each was told. */
static void look2(hy_ctx *c, const hy_principal *b, hy_watch *wb, unsigned *cb, hy_watch *wall, unsigned *call)
{
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_watch(c, b, wb, cb, &err), 0);
    assert_int_equal(ops_watch(c, NULL, wall, call, &err), 0);
}

/* Runs one step of whatever is runnable (batch of one); whether it did. */
static bool one_step(t_env *e, hy_engine *eng)
{
    (void)e;
    hy_err err;
    hy_err_clear(&err);
    bool worked = false;
    assert_int_equal(engine_tick(eng, &worked, &err), 0);
    return worked;
}

/* A partner admin's view is their organisation: a worker advancing another
 * organisation's requests is a state change somewhere (ANY: the session is
 * checked) but not one of theirs (no STATE: no reload); every step of one
 * of their own requests is. Staff (no principal) see every change. */
static void a_partner_is_told_only_of_their_organisation(void **s)
{
    (void)s;
    hy_principal admin, pb;
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN], np[HY_UUID_LEN], uid[HY_UUID_LEN], ida[HY_UUID_LEN],
        idb[HY_UUID_LEN];
    t_env *e = runner_env(&admin, "Alpha Co", "st-alpha", org_a);
    t_partner(e, &admin, "Beta Co", "st-beta", org_b, np);
    t_user(e, "pat@beta.example", "partner_admin", org_b, "Secret-pass-123", uid);
    t_login(e, "pat@beta.example", &pb);
    pb.must_change_password = false;
    hy_app *other = t_open_app(e->app->cfg->database.path); /* the session's connection */
    hy_ctx c = {.cfg = other->cfg, .db = other->db};
    hy_watch wb = {0}, wall = {0};
    unsigned cb = 0, call = 0;
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_STATE); /* the first look */
    assert_string_equal(wb.scope, org_b);
    hy_engine *eng = NULL;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(engine_open(e->c, &(hy_engine_opts){.batch_max = 1}, &eng, &err), 0);
    /* B's beacon (beacon.h): what B's session watches while a worker runs;
     * two random organisations share a bucket once in 1024 times, and then
     * B hears A's commits too (a look for nothing): not asserted then. */
    hy_dbwatch *beacon_b = dbwatch_open_beacons(e->app->cfg->database.path, org_b);
    assert_non_null(beacon_b);
    bool apart = beacon_bucket(org_a) != beacon_bucket(org_b);

    /* organisation A: a request started, its input given, every step run */
    t_start_user(e, &admin, org_a, ida);
    if (apart) assert_false(notified_within(beacon_b, 0));
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_ANY);
    assert_false(cb & HY_WATCH_STATE);
    assert_true(call & HY_WATCH_STATE);
    int64_t state_b = wb.state;
    t_submit_ok(e, &admin, ida, "input_user_details", "firstname=Ann", "lastname=Alpha", "email=ann@alpha.example", NULL);
    int steps = 0;
    do {
        if (apart) assert_false(notified_within(beacon_b, 0)); /* the input, then every step: A's only */
        look2(&c, &pb, &wb, &cb, &wall, &call);
        assert_true(call & HY_WATCH_STATE);
        assert_true(cb & HY_WATCH_ANY);
        assert_false(cb & HY_WATCH_STATE);
        assert_int_equal(wb.state, state_b);
        steps++;
    } while (one_step(e, eng));
    char *st = t_exec_status(e, ida);
    assert_string_equal(st, "completed");
    free(st);
    assert_true(steps > 3);

    /* organisation B: every change of its request is told */
    t_start_user(e, &admin, org_b, idb);
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_STATE);
    t_submit_ok(e, &admin, idb, "input_user_details", "firstname=Bob", "lastname=Beta", "email=bob@beta.example", NULL);
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_STATE);
    assert_true(notified_within(beacon_b, 0));
    dbwatch_take(beacon_b);
    while (one_step(e, eng)) {
        assert_true(notified_within(beacon_b, 0)); /* lit after the step's commit */
        dbwatch_take(beacon_b);
        look2(&c, &pb, &wb, &cb, &wall, &call);
        assert_true(cb & HY_WATCH_STATE); /* a worker finishing a step */
    }
    st = t_exec_status(e, idb);
    assert_string_equal(st, "completed");
    free(st);
    /* B's organisation row and users: told too */
    assert_int_equal(db_exec(e->c->db, &err, "UPDATE users SET lastname = 'Betamax' WHERE email = 'bob@beta.example'", ""),
                     0);
    audited_change(e->app);
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_STATE);
    /* a change elsewhere with no row of B: nothing for B */
    audited_change(e->app);
    look2(&c, &pb, &wb, &cb, &wall, &call);
    assert_true(cb & HY_WATCH_ANY);
    assert_false(cb & HY_WATCH_STATE);
    dbwatch_close(beacon_b);
    engine_close(eng);
    app_close(other);
    t_env_free(e);
}

/* The worker's checkpoints from a thread of their own: what is committed
 * reaches the database file (only a checkpoint writes it in WAL mode; the
 * automatic one waits for 40,000 pages), while nothing else checkpoints. */
static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void the_checkpointer_copies_the_log_to_the_database(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec(e->c->db, &err, "CREATE TABLE filler(x BLOB)", ""), 0);
    for (int i = 0; i < 50; i++)
        assert_int_equal(db_exec(e->c->db, &err, "INSERT INTO filler VALUES(randomblob(8000))", ""), 0);
    const char *path = e->app->cfg->database.path;
    off_t before = file_size(path);
    assert_true(before > 0);
    hy_checkpointer *ck = NULL;
    assert_int_equal(worker_checkpointer_start(e->app, 10, &ck, &err), 0);
    off_t after = before;
    for (int i = 0; i < 500 && (after = file_size(path)) < before + 50 * 8000; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    worker_checkpointer_stop(ck);
    assert_true(after >= before + 50 * 8000);
    /* and it stopped: what is committed now stays in the log */
    assert_int_equal(db_exec(e->c->db, &err, "INSERT INTO filler VALUES(randomblob(80000))", ""), 0);
    assert_int_equal(file_size(path), after);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_simulated_runner_sets_up_no_tls),
        cmocka_unit_test(inotify_on_the_log),
        cmocka_unit_test(dnotify_when_inotify_is_refused),
        cmocka_unit_test(beacons_on_inotify),
        cmocka_unit_test(beacons_on_dnotify),
        cmocka_unit_test(a_look_tells_what_changed),
        cmocka_unit_test(a_dead_workers_heartbeat_expires),
        cmocka_unit_test(the_checkpointer_copies_the_log_to_the_database),
        cmocka_unit_test(the_runner_looks_only_when_kicked),
        cmocka_unit_test(a_partner_is_told_only_of_their_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
