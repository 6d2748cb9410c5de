/* Leases on external lists (list_lock.h), between two connections as two
 * runners would hold them: one holder at a time, a bounded wait that ends
 * in a transient failure saying when to come back, the lease of a holder
 * that died expiring, a lost lease refused at renewal, and release. */
#include "testlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "list_lock.h"
#include "util.h"

#define KEY "slack:usergroup:S0TEST"

typedef struct {
    t_env *e;
    hy_db *other;            /* a second connection: the other runner */
    hy_err err;
} fx;

static int64_t clock_offset;

static void clock_forward(int64_t ms)
{
    clock_offset += ms;
    hy_clock_set_offset_ms(clock_offset);
}

static int setup(void **s)
{
    fx *f = calloc(1, sizeof *f);
    f->e = t_env_new();
    char path[300];
    snprintf(path, sizeof path, "%s/hyopps.db", f->e->dir);
    hy_err err;
    assert_int_equal(db_open(path, &f->other, &err), 0);
    hy_err_clear(&f->err);
    *s = f;
    return 0;
}

static int teardown(void **s)
{
    fx *f = *s;
    db_close(f->other);
    t_env_free(f->e);
    free(f);
    clock_offset = 0;
    hy_clock_set_offset_ms(0);
    return 0;
}

static hy_db *A(fx *f) { return f->e->c->db; }

static void one_holder_at_a_time_and_a_bounded_wait(void **s)
{
    fx *f = *s;
    int64_t waited = -1;
    assert_int_equal(list_lock_acquire(A(f), KEY, "runner-a", 30000, 100, &waited, &f->err), 0);
    assert_true(waited >= 0 && waited < 100);
    /* the same holder may take it again */
    assert_int_equal(list_lock_acquire(A(f), KEY, "runner-a", 30000, 100, NULL, &f->err), 0);
    /* another waits at most wait_ms, then comes back when the lease ends */
    int64_t t0 = hy_mono_ms();
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-b", 30000, 150, &waited, &f->err), HY_ERR_TRANSIENT);
    int64_t took = hy_mono_ms() - t0;
    assert_true(took >= 150 && took < 2000);
    assert_true(waited >= 150);
    assert_true(f->err.retry_after >= 29 && f->err.retry_after <= 30);
    assert_non_null(strstr(f->err.msg, "another runner (runner-a) is changing " KEY));
    /* another key is independent */
    assert_int_equal(list_lock_acquire(f->other, "slack:usergroup:S0OTHER", "runner-b", 30000, 0, NULL, &f->err), 0);
    /* given back: the other takes it at once */
    list_lock_release(A(f), KEY, "runner-a");
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-b", 30000, 0, NULL, &f->err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM list_locks WHERE key = ? AND owner = 'runner-b'", "t", KEY), 1);
    /* releasing someone else's lease does nothing */
    list_lock_release(A(f), KEY, "runner-a");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM list_locks WHERE key = ?", "t", KEY), 1);
}

static void a_dead_holders_lease_expires_and_its_renewal_is_refused(void **s)
{
    fx *f = *s;
    assert_int_equal(list_lock_acquire(A(f), KEY, "runner-a", 5000, 0, NULL, &f->err), 0);
    /* runner-a stops (killed): no renewal, no release */
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-b", 5000, 0, NULL, &f->err), HY_ERR_TRANSIENT);
    clock_forward(5001);
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-b", 5000, 0, NULL, &f->err), 0);
    /* runner-a comes back: its lease is gone, it must start again */
    assert_int_equal(list_lock_renew(A(f), KEY, "runner-a", 5000, &f->err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(f->err.msg, "this runner lost its lease on " KEY));
    assert_int_equal(list_lock_renew(f->other, KEY, "runner-b", 5000, &f->err), 0);
}

static void an_expired_lease_is_not_renewed_even_if_nobody_took_it(void **s)
{
    fx *f = *s;
    assert_int_equal(list_lock_acquire(A(f), KEY, "runner-a", 5000, 0, NULL, &f->err), 0);
    clock_forward(3000);
    assert_int_equal(list_lock_renew(A(f), KEY, "runner-a", 5000, &f->err), 0);
    clock_forward(4000); /* 7 s after taking it, 4 s after renewing: still held */
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-b", 5000, 0, NULL, &f->err), HY_ERR_TRANSIENT);
    clock_forward(1001);
    assert_int_equal(list_lock_renew(A(f), KEY, "runner-a", 5000, &f->err), HY_ERR_TRANSIENT);
}

typedef struct {
    hy_db *db;
    int after_ms;
} releaser;

static void *release_later(void *arg)
{
    releaser *r = arg;
    struct timespec ts = {0, (long)r->after_ms * 1000000L};
    nanosleep(&ts, NULL); /* the holder's read-modify-write */
    list_lock_release(r->db, KEY, "runner-a");
    return NULL;
}

static void a_waiter_gets_it_when_the_holder_gives_it_back(void **s)
{
    fx *f = *s;
    assert_int_equal(list_lock_acquire(f->other, KEY, "runner-a", 30000, 0, NULL, &f->err), 0);
    releaser r = {.db = f->other, .after_ms = 120};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_later, &r), 0);
    int64_t waited = 0;
    int rc = list_lock_acquire(A(f), KEY, "runner-b", 30000, 10000, &waited, &f->err);
    pthread_join(th, NULL);
    assert_int_equal(rc, 0);
    assert_true(waited >= 100 && waited < 5000);
}

static void never_inside_a_transaction(void **s)
{
    fx *f = *s;
    assert_int_equal(db_begin(A(f), &f->err), 0);
    assert_int_equal(list_lock_acquire(A(f), KEY, "runner-a", 5000, 0, NULL, &f->err), HY_ERR_INTERNAL);
    db_rollback(A(f));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(one_holder_at_a_time_and_a_bounded_wait),
        T(a_dead_holders_lease_expires_and_its_renewal_is_refused),
        T(an_expired_lease_is_not_renewed_even_if_nobody_took_it),
        T(a_waiter_gets_it_when_the_holder_gives_it_back),
        T(never_inside_a_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
