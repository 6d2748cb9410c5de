/* A periodic background thread (ticker.h). */
#include "ticker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

struct hy_ticker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit;
    int interval_ms;
    hy_tick_fn fn;
    void *ud;
};

static void *tick_main(void *arg)
{
    hy_ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->quit) {
        struct timespec ts = hy_mono_deadline(t->interval_ms);
        if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) != ETIMEDOUT || t->quit) continue;
        pthread_mutex_unlock(&t->mu);
        t->fn(t->ud);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

hy_ticker *ticker_start(int interval_ms, hy_tick_fn fn, void *ud)
{
    hy_ticker *t = xcalloc(1, sizeof *t);
    t->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    t->fn = fn;
    t->ud = ud;
    pthread_mutex_init(&t->mu, NULL);
    hy_cond_init_monotonic(&t->cv);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t->th, NULL, tick_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        free(t);
        return NULL;
    }
    return t;
}

void ticker_stop(hy_ticker *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->quit = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
