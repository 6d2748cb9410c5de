/* The db module's profiler (db_profile.h): compiled in only with
 * -DHY_DB_PROFILE. */
#include "db_profile.h"

#ifdef HY_DB_PROFILE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROF_MAX 512
#define PROF_TX_MAX 64

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct stmt_stat {
    char *sql;
    long n;
    double ns;
} stmts[PROF_MAX];
static int nstmts;
static struct {
    char *label;
    long n, pages;
    double ns, held_ns;
} txs[PROF_TX_MAX];
static int ntxs;
static long commits, pages_written, slow_commits, begins[5];
static double commit_ns, slow_commit_ns, begin_ns[5];
static _Thread_local int busy_calls;

struct prof_conn {
    char label[120];           /* the current transaction's first statement */
    struct timespec begun;     /* when it got the write lock */
};

static double ns_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

static bool slow_log(void) { return getenv("HY_DB_PROFILE_SLOW") != NULL; }

static int trace(unsigned type, void *ctx, void *p, void *x)
{
    prof_conn *pc = ctx;
    if (type != SQLITE_TRACE_PROFILE) return 0;
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);
    double ns = (double)*(sqlite3_int64 *)x; /* (SQLite's clock: millisecond steps) */
    if (!sql) sql = "?";
    if (strcmp(sql, "BEGIN IMMEDIATE") == 0) {
        pc->label[0] = '\0';
        clock_gettime(CLOCK_MONOTONIC, &pc->begun);
    } else if (!pc->label[0] && !sqlite3_get_autocommit(sqlite3_db_handle((sqlite3_stmt *)p))) {
        snprintf(pc->label, sizeof pc->label, "%s", sql);
    }
    pthread_mutex_lock(&mu);
    int i = 0;
    while (i < nstmts && strcmp(stmts[i].sql, sql) != 0) i++;
    if (i == nstmts && nstmts < PROF_MAX) stmts[nstmts++].sql = strdup(sql);
    if (i < nstmts) {
        stmts[i].n++;
        stmts[i].ns += ns;
    }
    pthread_mutex_unlock(&mu);
    if (ns > 10e6 && slow_log()) fprintf(stderr, "slow statement %.1f ms: %.60s\n", ns / 1e6, sql);
    return 0;
}

static int by_time(const void *a, const void *b)
{
    double x = ((const struct stmt_stat *)a)->ns, y = ((const struct stmt_stat *)b)->ns;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void dump(void)
{
    qsort(stmts, (size_t)nstmts, sizeof stmts[0], by_time);
    double total = 0;
    long n = 0;
    for (int i = 0; i < nstmts; i++) total += stmts[i].ns, n += stmts[i].n;
    fprintf(stderr, "db profile: %ld statements, %.1f ms; %ld commits %.1f ms, %ld pages written\n", n, total / 1e6,
            commits, commit_ns / 1e6, pages_written);
    fprintf(stderr, "commits over 0.5 ms: %ld, %.1f ms\n", slow_commits, slow_commit_ns / 1e6);
    static const char *const bucket[] = {"<10us", "<100us", "<1ms", "<10ms", ">=10ms"};
    for (int i = 0; i < 5; i++) fprintf(stderr, "BEGIN %-7s %7ld  %8.1f ms\n", bucket[i], begins[i], begin_ns[i] / 1e6);
    for (int i = 0; i < ntxs; i++)
        fprintf(stderr, "tx %7ld x: %6.1f pages, commit %6.1f us, held %6.1f us: %.90s\n", txs[i].n,
                (double)txs[i].pages / (double)txs[i].n, txs[i].ns / 1e3 / (double)txs[i].n,
                txs[i].held_ns / 1e3 / (double)txs[i].n, txs[i].label);
    for (int i = 0; i < nstmts; i++)
        fprintf(stderr, "%9ld %9.1f ms %6.2f us  %.150s\n", stmts[i].n, stmts[i].ns / 1e6,
                stmts[i].ns / 1e3 / (double)stmts[i].n, stmts[i].sql);
}

prof_conn *prof_attach(sqlite3 *conn)
{
    prof_conn *pc = calloc(1, sizeof *pc);
    sqlite3_trace_v2(conn, SQLITE_TRACE_PROFILE, trace, pc);
    static bool registered;
    pthread_mutex_lock(&mu);
    if (!registered) atexit(dump);
    registered = true;
    pthread_mutex_unlock(&mu);
    return pc;
}

void prof_detach(prof_conn *pc) { free(pc); }

void prof_busy(void) { busy_calls++; }

void prof_begin(const struct timespec *t0, const struct timespec *t1)
{
    double ns = ns_between(t0, t1);
    int b = ns < 1e4 ? 0 : ns < 1e5 ? 1 : ns < 1e6 ? 2 : ns < 1e7 ? 3 : 4;
    pthread_mutex_lock(&mu);
    begins[b]++;
    begin_ns[b] += ns;
    pthread_mutex_unlock(&mu);
    if (ns > 5e6 && slow_log())
        fprintf(stderr, "slow BEGIN %.1f ms at %ld.%03ld (busy handler %d times)\n", ns / 1e6, (long)t1->tv_sec,
                t1->tv_nsec / 1000000, busy_calls);
    busy_calls = 0;
}

void prof_commit(prof_conn *pc, int pages, const struct timespec *t0, const struct timespec *t1)
{
    double ns = ns_between(t0, t1), held = ns_between(&pc->begun, t1);
    pthread_mutex_lock(&mu);
    int i = 0;
    while (i < ntxs && strcmp(txs[i].label, pc->label) != 0) i++;
    if (i == ntxs && ntxs < PROF_TX_MAX) txs[ntxs++].label = strdup(pc->label);
    if (i < ntxs) {
        txs[i].n++;
        txs[i].pages += pages;
        txs[i].ns += ns;
        txs[i].held_ns += held;
    }
    commits++;
    pages_written += pages;
    commit_ns += ns;
    if (ns > 5e5) slow_commits++, slow_commit_ns += ns;
    pthread_mutex_unlock(&mu);
    if (held > 5e6 && slow_log())
        fprintf(stderr, "long tx %.1f ms (%d pages) ends %ld.%03ld: %.60s\n", held / 1e6, pages, (long)t1->tv_sec,
                t1->tv_nsec / 1000000, pc->label);
}

void prof_ckpt(const char *phase, struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (slow_log())
        fprintf(stderr, "  checkpoint %-8s %.1f ms, ends %ld.%03ld\n", phase, ns_between(t0, &t1) / 1e6,
                (long)t1.tv_sec, t1.tv_nsec / 1000000);
    *t0 = t1;
}
#else
typedef int db_profile_is_off; /* (an empty file is not C) */
#endif
