/* The only module that calls sqlite3_* (besides nothing): open with the
 * pragmas every connection needs, migrate, transactions, and statement
 * helpers with bound parameters and a per-connection statement cache.
 *
 * Binding format strings (one char per parameter, in order):
 *   t  const char *  (NULL binds SQL NULL)
 *   i  int
 *   I  int64_t
 *   d  double
 *   n  (no argument) SQL NULL
 *
 * A connection belongs to one thread. */
#ifndef HY_DB_H
#define HY_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef struct hy_db hy_db;
typedef struct hy_stmt hy_stmt;

/* Opens (creating if needed) and applies pending migrations. */
int db_open(const char *path, hy_db **out, hy_err *err);
/* Opens without migrating (the migration runner and `db migrate --status`). */
int db_open_raw(const char *path, hy_db **out, hy_err *err);
void db_close(hy_db *db);
const char *db_path(const hy_db *db);

/* Applies every embedded migration above PRAGMA user_version, each in one
 * BEGIN IMMEDIATE transaction. *applied (may be NULL) gets how many ran. */
int db_migrate(hy_db *db, int *applied, hy_err *err);
int db_schema_version(hy_db *db);
int db_latest_version(void);

/* Transactions. Every write transaction is BEGIN IMMEDIATE. Nesting is not
 * supported; db_in_tx tells whether one is open. */
int db_begin(hy_db *db, hy_err *err);
int db_commit(hy_db *db, hy_err *err);

/* Beacons (beacon.h): after the commit, the open write transaction lights
 * the beacons of the organisations it named, else the one for all. Name
 * every organisation whose rows it changes, or none; `quiet`: what it
 * writes without naming it is shown by no session (a heartbeat's renewal,
 * the search index). Both are forgotten at the next begin, commit or
 * rollback. */
void db_beacon_org(hy_db *db, const char *org_id); /* NULL or "": the one for all */
void db_beacon_quiet(hy_db *db);
/* db_begin, then db_beacon_quiet: for what only staff see (notifications,
 * list locks, reconciliation runs). */
int db_begin_quiet(hy_db *db, hy_err *err);
void db_rollback(hy_db *db);
bool db_in_tx(const hy_db *db);
/* A read transaction around several queries: one snapshot, and one lock
 * and cache check instead of one per statement (each a few system calls).
 * db_read_begin returns whether it began one (false inside a transaction);
 * call db_read_end only then. */
bool db_read_begin(hy_db *db);
void db_read_end(hy_db *db);

/* Runs one statement (no rows expected). Returns 0 or an error code;
 * a UNIQUE violation is HY_ERR_CONFLICT. */
int db_exec(hy_db *db, hy_err *err, const char *sql, const char *fmt, ...);
/* Rows changed by the last db_exec. */
int db_changes(hy_db *db);
/* Runs a script of several statements without parameters. */
int db_exec_script(hy_db *db, const char *sql, hy_err *err);

/* Queries: prepare+bind, then step through rows. The statement is cached on
 * the connection: always end with db_done (also on early exit). */
hy_stmt *db_query(hy_db *db, hy_err *err, const char *sql, const char *fmt, ...);
bool db_row(hy_stmt *st);                   /* next row? false at end or on error */
bool db_failed(const hy_stmt *st);          /* did stepping fail (err filled)? */
int db_done(hy_stmt *st);                   /* reset; returns 0 or the error code */
const char *db_text(hy_stmt *st, int col);  /* NULL for SQL NULL; valid until next db_row */
char *db_dup(hy_stmt *st, int col);         /* owned copy (NULL stays NULL) */
int64_t db_int(hy_stmt *st, int col);
double db_double(hy_stmt *st, int col);
bool db_null(hy_stmt *st, int col);
int db_columns(hy_stmt *st);
const char *db_column_name(hy_stmt *st, int col);

/* Single-value helpers: run a query returning one row, one column.
 * *found (may be NULL) says whether a row came back. */
int db_get_int(hy_db *db, hy_err *err, int64_t *out, bool *found, const char *sql, const char *fmt, ...);
int db_get_text(hy_db *db, hy_err *err, char **out, const char *sql, const char *fmt, ...);

/* Copies the WAL back into the database file for the other connections,
 * from a background thread (the runners): first with no lock and a sync of
 * what was copied, then completes it holding the write lock only for what
 * was written meanwhile (giving up after a few ms if readers are in the
 * way). Connections' own automatic checkpoints (at a large WAL) are the
 * fallback when no runner runs. *frames (may be NULL): the WAL's length. */
int db_checkpoint(hy_db *db, int *frames, hy_err *err);

/* Frees the page cache's unused pages (an idle terminal session: another
 * process's next commit would make them stale anyway) and returns free
 * heap pages to the system. */
void db_release_memory(hy_db *db);

/* Settings table (key/value), e.g. the generated JWT signing key. */
int db_setting_get(hy_db *db, const char *key, char **out, hy_err *err);
int db_setting_set(hy_db *db, const char *key, const char *value, hy_err *err);

/* Statistics for benchmarks: statements prepared (cache misses). */
long db_prepare_count(const hy_db *db);
/* Tests: fn gets the SQL of every statement this connection prepares from
 * now on (each once: they are cached), e.g. to check their query plans.
 * NULL turns it off. */
void db_on_prepare(hy_db *db, void (*fn)(const char *sql, void *ud), void *ud);
/* Tests: the query plan of sql, one step a line ("SEARCH e USING INDEX
 * ..."), or NULL if it does not prepare. Caller frees. */
char *db_query_plan(hy_db *db, const char *sql);
/* Tests: the next `times` statements (any connection of this process)
 * whose SQL contains `pattern` fail as a full disk would ("database or disk
 * is full"), without touching the database; times < 0: every one until
 * turned off. "BEGIN IMMEDIATE" and "COMMIT" match the transaction
 * statements. pattern NULL turns it off. Nothing in the program calls it. */
void db_test_fail(const char *pattern, int times);
/* Tests: how many injected failures are still to come (-1: unlimited). */
int db_test_fail_left(void);

#endif
