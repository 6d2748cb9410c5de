/* Part of the db module (db.c only): a statement and transaction profiler
 * for performance work, compiled in only with
 *     make BUILD=build/prof CFLAGS=-DHY_DB_PROFILE
 * It counts and times every statement (sqlite3_trace_v2), the pages and
 * time of every commit by kind of transaction (its first statement), and
 * BEGIN IMMEDIATE's waits, and prints them to stderr at exit.
 * HY_DB_PROFILE_SLOW=1 also prints, as they happen, statements over 10 ms,
 * transactions holding the write lock over 5 ms, BEGINs waiting over 5 ms
 * and the phases of background checkpoints (to line them up). */
#ifndef HY_DB_PROFILE_H
#define HY_DB_PROFILE_H

#ifdef HY_DB_PROFILE
#include <sqlite3.h>
#include <time.h>

typedef struct prof_conn prof_conn;

prof_conn *prof_attach(sqlite3 *conn);
void prof_detach(prof_conn *pc);
/* the busy handler was called */
void prof_busy(void);
/* BEGIN IMMEDIATE took from t0 to t1 */
void prof_begin(const struct timespec *t0, const struct timespec *t1);
/* COMMIT took from t0 to t1 and wrote `pages` pages */
void prof_commit(prof_conn *pc, int pages, const struct timespec *t0, const struct timespec *t1);
/* a checkpoint phase ended now; *t0 is its start, set to now */
void prof_ckpt(const char *phase, struct timespec *t0);
#endif

#endif
