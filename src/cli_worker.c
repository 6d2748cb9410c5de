/* hyopps worker [--once]: runs auto steps headless. While it runs, its
 * heartbeat (engine_worker.c) tells terminal sessions to leave the steps
 * to it. Between drains it sleeps until the next step is due, a commit is
 * notified (dbwatch.h: work queued by another process is taken at once) or
 * the poll interval passes. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "beacon.h"
#include "cli.h"
#include "cli_commands.h"
#include "dbwatch.h"
#include "engine.h"
#include "notify.h"
#include "reconcile.h"
#include "sanitize.h"
#include "util.h"

#define ERROR_WAIT_MS 1000       /* after a database error: 1 s, 2 s, 4 s ... */
#define ERROR_WAIT_MAX_MS 60000  /* ... at most a minute */
#define CHECKPOINT_EVERY_MS 250  /* as often as a runner does its own (engine_run.c) */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested) { /* a second signal: leave now; the step's lease runs out and another runner takes it */
        static const char msg[] = "hyopps worker: stopping now; the step being run is left to its lease\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(0);
    }
    stop_requested = 1;
}

static void sleep_ms(int64_t ms)
{
    if (ms <= 0) return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL); /* a signal ends it early */
}

/* Sleeps up to ms, or until another process commits (a signal ends it early). */
static void wait_ms(hy_dbwatch *w, int64_t ms)
{
    if (ms <= 0) return;
    struct pollfd p = {dbwatch_fd(w), POLLIN, 0};
    if (p.fd < 0) {
        sleep_ms(ms);
        return;
    }
    if (poll(&p, 1, ms > 600000 ? 600000 : (int)ms) > 0) dbwatch_take(w);
}

/* Partner admins' sessions watch beacons instead of the log while a worker
 * runs (beacon.h): a worker that cannot light them says so once, with the
 * fix. (Sessions that cannot make them either watch the log: nothing is
 * late then; one that can, under another account, would show this
 * worker's changes only at its next key or look.) */
static void warn_without_beacons(const char *db_path)
{
    /* An SQLite URI (file:...?mode=ro) has neither beacons nor a log watch
     * (both follow a plain path): sessions look every poll period there. */
    if (!db_path || !*db_path || !strcmp(db_path, ":memory:") || !strncmp(db_path, "file:", 5)) return;
    char *dir = beacon_dir(db_path, HY_BEACON_ALL);
    int e = errno;
    if (!dir) {
        char *m = hy_sanitize(db_path);
        fprintf(stderr,
                "hyopps worker: cannot make the beacons in %s-beacons/ (%s): partner admins' sessions watch the "
                "database's log instead (slower for this worker, nothing lost); make it a directory every account "
                "running hyopps can write\n",
                m, strerror(e));
        free(m);
    }
    free(dir);
}

int cli_cmd_worker(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps worker [--once] [--poll-ms N]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Runs the auto steps of every execution, headless: as a service, or next to\n"
               "terminal sessions (runners coordinate through the database; a step runs at\n"
               "most once at a time, and a step whose runner died is taken over when its\n"
               "lease runs out). --once runs everything runnable now and exits (1 after an\n"
               "error, e.g. a read-only database or a full disk). Work queued by others is\n"
               "noticed at once (a file notification on the database's log); --poll-ms is\n"
               "how often to look anyway (default 1000).\n\n"
               "While it runs it renews a heartbeat in the database every [engine]\n"
               "worker_heartbeat_seconds (default 60): terminal sessions then run no steps\n"
               "and look for no work. It removes the heartbeat when it stops (sessions take\n"
               "over at once); a worker that died is taken as gone after three intervals.\n\n"
               "After an error the worker tries again in 1 s, then 2, 4 ... up to every\n"
               "60 s until it clears; the error is printed once, then how often it came\n"
               "back, and \"working again\" when it has cleared.\n\n"
               "It also delivers notifications (hyopps notify list): on a thread of its own,\n"
               "so a slow mail server delays no step; with --once, what is due at the end.\n"
               "And, every [reconcile] every_hours (default 24; 0 never; not with --once), it\n"
               "reconciles every organisation with Metabase, Teams and Slack (hyopps\n"
               "reconcile), one at a time, on a thread of its own; one worker at a time\n"
               "does it, whatever the number of workers.\n\n"
               "SIGTERM or SIGINT: finish the step being run, then exit 0 (a second signal\n"
               "exits at once). No login is needed: it acts as the system, and whoever can\n"
               "read the configuration and the database may run it.\n",
               usage);
        return CLI_OK;
    }
    static const struct option opts[] = {
        {"once", no_argument, 0, 'o'}, {"poll-ms", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    bool once = false;
    long poll = 1000;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (o == 'o') once = true;
        else if (o == 'p') {
            poll = strtol(optarg, &end, 10);
            if (*end || poll < 10 || poll > 60000) return cli_usage_error(usage, "--poll-ms must be 10 to 60000");
        } else return cli_usage_error(usage, "unknown option");
    }
    if (optind < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
    int rc = cli_open_app(env);
    if (rc) return rc;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: sleeps end at once */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    hy_err err;
    hy_err_clear(&err);
    hy_engine *eng;
    engine_open(&env->app->ctx, NULL, &eng, &err);
    char modes[512];
    config_describe_modes(env->app->cfg, modes, sizeof modes);
    hy_buf line = {0};
    for (char *tok = strtok(modes, "\n"); tok; tok = strtok(NULL, "\n")) hy_buf_printf(&line, "%s%s", line.len ? ", " : "", tok);
    char *clean = hy_sanitize(line.s);
    fprintf(stderr, "hyopps worker %s: started (%s)\n", engine_owner(eng), clean);
    free(clean);
    hy_buf_free(&line);
    hy_heartbeat *hb = NULL;
    hy_dbwatch *watch = NULL;
    hy_checkpointer *checkpointer = NULL;
    if (!once) {
        if (worker_heartbeat_start(env->app, env->app->cfg->engine.worker_heartbeat_seconds * 1000, &hb, &err) != 0) {
            char *m = hy_sanitize(err.msg);
            fprintf(stderr, "hyopps worker: cannot announce itself (%s): terminal sessions keep running steps too\n", m);
            free(m);
        }
        warn_without_beacons(env->app->cfg->database.path);
        watch = dbwatch_open(env->app->cfg->database.path);
        if (worker_checkpointer_start(env->app, CHECKPOINT_EVERY_MS, &checkpointer, &err) == 0) {
            engine_leave_checkpoints(eng);
        } else { /* the runner does them itself, as --once does: slower, nothing lost */
            char *m = hy_sanitize(err.msg);
            fprintf(stderr, "hyopps worker: checkpoints on the runner's own thread (%s)\n", m);
            free(m);
        }
    }
    /* An error (the database read-only, a full disk...): --once reports it
     * and exits 1; otherwise wait 1, 2, 4 ... up to 60 s between tries and
     * print the error once, then how often it came back. */
    hy_backoff backoff = {.base_ms = ERROR_WAIT_MS, .max_ms = ERROR_WAIT_MAX_MS};
    hy_repeats repeats = {0};
    int status = CLI_OK;
    hy_notifier *notifier = NULL;
    if (!once && notifier_start(env->app, 1000, &notifier, &err) != 0) {
        char *m = hy_sanitize(err.msg);
        fprintf(stderr, "hyopps worker: notifications are not delivered by this worker: %s\n", m);
        free(m);
    }
    hy_reconciler *reconciler = NULL;
    if (!once && reconciler_start(env->app, engine_owner(eng), &reconciler, &err) != 0) {
        char *m = hy_sanitize(err.msg);
        fprintf(stderr, "hyopps worker: no periodic reconciliation in this worker: %s\n", m);
        free(m);
    }
    while (!stop_requested) {
        hy_err_clear(&err);
        if (engine_drain(eng, &stop_requested, &err) != 0) {
            char *m = hy_sanitize(err.msg);
            if (once) fprintf(stderr, "hyopps worker: %s\n", m);
            else hy_repeats_error(&repeats, stderr, "hyopps worker", m, hy_mono_ms());
            free(m);
            if (once) {
                status = CLI_ERR;
                break;
            }
            sleep_ms(hy_backoff_fail(&backoff));
            continue;
        }
        hy_backoff_ok(&backoff);
        hy_repeats_clear(&repeats, stderr, "hyopps worker", hy_mono_ms());
        if (once) break;
        int64_t due = -1, wait = poll;
        if (engine_next_due(eng, &due, &err) == 0 && due >= 0) {
            int64_t until = due - hy_now_ms();
            if (until < wait) wait = until;
        }
        wait_ms(watch, wait);
    }
    hy_repeats_flush(&repeats, stderr, "hyopps worker", hy_mono_ms());
    hy_repeats_free(&repeats);
    notifier_stop(notifier);
    reconciler_stop(reconciler);
    if (once) {
        hy_integ *in = integ_new(env->app->cfg);
        notify_stats ns;
        char owner[200];
        snprintf(owner, sizeof owner, "%s:notify", engine_owner(eng));
        hy_err_clear(&err);
        if (notify_drain(&env->app->ctx, in, owner, &ns, &err) != 0) {
            char *m = hy_sanitize(err.msg);
            fprintf(stderr, "hyopps worker: notifications: %s\n", m);
            free(m);
        } else if (ns.addressed + ns.sent + ns.failed) {
            fprintf(stderr, "hyopps worker: notifications: %d addressed, %d sent, %d given up\n", ns.addressed, ns.sent,
                    ns.failed);
        }
        integ_free(in);
    }
    dbwatch_close(watch);
    worker_checkpointer_stop(checkpointer);
    worker_heartbeat_stop(hb); /* sessions take over at once */
    hy_engine_stats st;
    engine_get_stats(eng, &st);
    fprintf(stderr,
            "hyopps worker: %s; %ld steps completed, %ld failed, %ld retries scheduled, %ld taken over from "
            "stopped runners\n",
            status ? "stopped by the error above" : stop_requested ? "stopped" : "nothing more to run",
            st.steps_completed, st.steps_failed, st.retries_scheduled, st.reclaimed);
    engine_close(eng);
    return status;
}
