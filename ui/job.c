/* Background jobs for screens: see job.h. */
#include "job.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

struct ui_job {
    pthread_t tid;
    bool started;               /* the thread exists (else fn ran inline) */
    atomic_bool done;
    const hy_app *app;
    hy_principal p;
    ui_job_fn fn;
    void *arg;
    void (*arg_free)(void *);
    int rc;
    hy_err err;
    int64_t start_ms;
    struct ui_job *next;        /* in u->jobs once abandoned */
};

static void run(ui_job *j)
{
    hy_db *db = NULL;
    hy_err_clear(&j->err);
    j->rc = app_open_connection(j->app, &db, &j->err);
    if (j->rc == 0) {
        hy_ctx c = {.cfg = j->app->cfg, .db = db};
        j->rc = j->fn(&c, &j->p, j->arg, &j->err);
        db_close(db);
    }
    atomic_store(&j->done, true);
}

static void *thread_main(void *arg)
{
    run(arg);
    return NULL;
}

ui_job *ui_job_start(ui *u, ui_job_fn fn, void *arg, void (*arg_free)(void *))
{
    ui_jobs_reap(u);
    ui_job *j = xcalloc(1, sizeof *j);
    atomic_init(&j->done, false);
    j->app = u->app;
    j->p = u->me;
    j->fn = fn;
    j->arg = arg;
    j->arg_free = arg_free;
    j->start_ms = hy_mono_ms();
    ops_network_init(); /* jobs call live services: libcurl's set-up here, on the main thread */
    ui_tick_in(u, UI_TICK_MS); /* the screen shows its progress */
    /* The thread starts with every signal blocked, so SIGTERM, SIGHUP and
     * SIGINT reach the UI thread and interrupt its wait for a key. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    j->started = pthread_create(&j->tid, NULL, thread_main, j) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!j->started) run(j); /* no thread to be had: do it here rather than not at all */
    return j;
}

bool ui_job_done(const ui_job *j) { return j && atomic_load(&((ui_job *)j)->done); }

int ui_job_elapsed_ms(const ui_job *j) { return j ? (int)(hy_mono_ms() - j->start_ms) : 0; }

static void join_free(ui_job *j, bool free_arg)
{
    if (j->started) pthread_join(j->tid, NULL);
    if (free_arg && j->arg_free) j->arg_free(j->arg);
    free(j);
}

void *ui_job_take(ui_job **jp, int *rc, hy_err *err)
{
    ui_job *j = *jp;
    *jp = NULL;
    if (!j) return NULL;
    if (j->started) pthread_join(j->tid, NULL);
    j->started = false;
    void *arg = j->arg;
    if (rc) *rc = j->rc;
    if (err) *err = j->err;
    free(j);
    return arg;
}

void ui_job_abandon(ui *u, ui_job **jp)
{
    ui_job *j = *jp;
    *jp = NULL;
    if (!j) return;
    j->next = u->jobs;
    u->jobs = j;
    ui_jobs_reap(u);
}

void ui_jobs_reap(ui *u)
{
    ui_job **pp = &u->jobs;
    while (*pp) {
        ui_job *j = *pp;
        if (atomic_load(&j->done)) {
            *pp = j->next;
            join_free(j, true);
        } else {
            pp = &j->next;
        }
    }
}

int ui_jobs_wait(ui *u, int max_ms)
{
    int64_t deadline = hy_mono_ms() + max_ms;
    for (;;) {
        ui_jobs_reap(u);
        int left = 0;
        for (ui_job *j = u->jobs; j; j = j->next) left++;
        if (!left || hy_mono_ms() >= deadline) return left;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
