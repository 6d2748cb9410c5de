/* The heartbeat: while a runner waits on a service, a second thread (with
 * its own connection) renews the step's lease every third of its length, so
 * a slow call is not mistaken for a dead runner. If the process dies, the
 * renewals stop and the lease runs out. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_internal.h"
#include "util.h"

struct lease_keeper {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool started, quit, active;
    int lease_ms;
    char *db_path;
    char step_id[HY_UUID_LEN], exec_id[HY_UUID_LEN], owner[160];
};

static void renew(hy_db *db, const char *step_id, const char *exec_id, const char *owner, int lease_ms)
{
    hy_err err;
    hy_err_clear(&err);
    int64_t until = hy_now_ms() + lease_ms;
    if (db_begin(db, &err) != 0) return;
    db_beacon_quiet(db); /* a lease is not on a partner's screens: no beacon (beacon.h) */
    int rc = db_exec(db, &err,
                     "UPDATE workflow_step_executions SET lease_expires_at = ? WHERE id = ? AND status = 'running' "
                     "AND lease_owner = ?",
                     "Itt", until, step_id, owner);
    if (rc == 0 && db_changes(db) == 1)
        rc = db_exec(db, &err,
                     "UPDATE workflow_executions SET next_run_at = ? WHERE id = ? AND next_run_at IS NOT NULL", "It",
                     until, exec_id);
    if (rc == 0) db_commit(db, &err);
    else db_rollback(db);
}

static void *keeper_main(void *arg)
{
    lease_keeper *k = arg;
    hy_db *db = NULL;
    hy_err err;
    hy_err_clear(&err);
    pthread_mutex_lock(&k->mu);
    while (!k->quit) {
        if (!k->active) {
            pthread_cond_wait(&k->cv, &k->mu);
            continue;
        }
        struct timespec ts = hy_mono_deadline(k->lease_ms / 3);
        int w = pthread_cond_timedwait(&k->cv, &k->mu, &ts);
        if (w != ETIMEDOUT || !k->active || k->quit) continue;
        char step[HY_UUID_LEN], ex[HY_UUID_LEN], owner[160];
        memcpy(step, k->step_id, sizeof step);
        memcpy(ex, k->exec_id, sizeof ex);
        memcpy(owner, k->owner, sizeof owner);
        pthread_mutex_unlock(&k->mu);
        if (!db && db_open_raw(k->db_path, &db, &err) != 0) db = NULL;
        if (db) renew(db, step, ex, owner, k->lease_ms);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    db_close(db);
    return NULL;
}

lease_keeper *lease_keeper_new(const char *db_path, int lease_ms)
{
    lease_keeper *k = xcalloc(1, sizeof *k);
    k->db_path = xstrdup(db_path);
    k->lease_ms = lease_ms;
    pthread_mutex_init(&k->mu, NULL);
    hy_cond_init_monotonic(&k->cv);
    k->started = pthread_create(&k->th, NULL, keeper_main, k) == 0;
    return k;
}

void lease_keeper_hold(lease_keeper *k, const char *step_id, const char *exec_id, const char *owner)
{
    pthread_mutex_lock(&k->mu);
    hy_strlcpy(k->step_id, step_id, sizeof k->step_id);
    hy_strlcpy(k->exec_id, exec_id, sizeof k->exec_id);
    hy_strlcpy(k->owner, owner, sizeof k->owner);
    k->active = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

void lease_keeper_release(lease_keeper *k)
{
    pthread_mutex_lock(&k->mu);
    k->active = false;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

void lease_keeper_free(lease_keeper *k)
{
    if (!k) return;
    pthread_mutex_lock(&k->mu);
    k->quit = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    if (k->started) pthread_join(k->th, NULL);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k->db_path);
    free(k);
}
