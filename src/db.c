#include "db.h"

#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beacon.h"
#include "db_profile.h"
#include "db_vfs.h"
#include "migrations.h"
#include "util.h"

#define CACHE_SLOTS 256   /* power of two */
#define AUTOCHECKPOINT_FRAMES 40000 /* what PRAGMA wal_autocheckpoint did before the commit hook replaced it */
/* Organisations one transaction names (the engine's group commit: up to
 * 64 steps, each of one execution); more: the beacon for all. */
#define BEACONS_MAX 64
#define BUSY_TIMEOUT_MS 15000
#define CHECKPOINT_WAIT_MS 10    /* a completing checkpoint waits this long for the lock */
#define CHECKPOINT_PASSES 4       /* unlocked copies before it... */
#define CHECKPOINT_REST 256       /* ...until fewer frames than this came meanwhile */

struct hy_stmt {
    sqlite3_stmt *s;
    hy_db *db;
    hy_err *err;
    char *sql;           /* owned copy, the cache key */
    unsigned hash;
    bool cached;         /* lives in the cache (else finalized by db_done) */
    bool in_use;
    bool failed;
};

struct hy_db {
    sqlite3 *conn;
    int64_t busy_since;  /* when the current wait for a lock began (monotonic ms) */
    uint32_t busy_rand;  /* jitter state */
    char *path;
    bool in_tx;
    int changes;
    long prepares;
    hy_stmt *cache[CACHE_SLOTS];
    int ncached;
    /* BEGIN IMMEDIATE, BEGIN (a read), COMMIT, ROLLBACK: prepared once
     * (sqlite3_exec would parse them at every transaction) */
    sqlite3_stmt *begin_st, *read_begin_st, *commit_st, *rollback_st;
    /* What the open write transaction changed, for the beacons (beacon.h):
     * reset at every begin, rollback and commit. */
    hy_beacons *beacons;  /* NULL: an in-memory database */
    int lit[BEACONS_MAX];
    int nlit;
    uint64_t lit_set[HY_BEACON_BUCKETS / 64]; /* the buckets in lit[] */
    bool lit_all, quiet;
    void (*on_prepare)(const char *sql, void *ud);   /* tests (db_on_prepare) */
    void *on_prepare_ud;
#ifdef HY_DB_PROFILE
    prof_conn *prof;
#endif
};

/* The statement cache's key: the length and up to 48 bytes from each end
 * (a byte-serial hash of whole statements of several hundred bytes cost a
 * few per cent of an action); equal keys are confirmed with strcmp. */
static unsigned hash_sql(const char *s)
{
    size_t n = strlen(s);
    unsigned h = 2166136261u ^ (unsigned)n;
    size_t head = n < 48 ? n : 48, tail = n - head < 48 ? n - head : 48;
    for (size_t i = 0; i < head; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    for (size_t i = n - tail; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int sql_error(hy_db *db, hy_err *err, int rc, const char *what)
{
    const char *msg = db && db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);
    int ext = db && db->conn ? sqlite3_extended_errcode(db->conn) : rc;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return hy_fail(err, HY_ERR_CONFLICT, "already exists (%s)", msg);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return hy_fail(err, HY_ERR_TRANSIENT, "the database is busy (%s); try again", msg);
    return hy_fail(err, HY_ERR_INTERNAL, "database error during %s: %s", what, msg);
}

/* ---- tests: injected failures (db_test_fail) ---- */

static atomic_int inject_on;   /* the fast path: one relaxed load per statement */
static pthread_mutex_t inject_mu = PTHREAD_MUTEX_INITIALIZER;
static char *inject_pattern;
static int inject_left;

void db_test_fail(const char *pattern, int times)
{
    pthread_mutex_lock(&inject_mu);
    free(inject_pattern);
    inject_pattern = pattern && times ? xstrdup(pattern) : NULL;
    inject_left = inject_pattern ? times : 0;
    atomic_store(&inject_on, inject_pattern != NULL);
    pthread_mutex_unlock(&inject_mu);
}

int db_test_fail_left(void)
{
    pthread_mutex_lock(&inject_mu);
    int n = inject_left;
    pthread_mutex_unlock(&inject_mu);
    return n;
}

/* Does this statement fail now? Fills err as a full disk would. */
static bool injected(const char *sql, const char *what, hy_err *err)
{
    if (!atomic_load_explicit(&inject_on, memory_order_relaxed)) return false;
    pthread_mutex_lock(&inject_mu);
    bool hit = inject_pattern && strstr(sql, inject_pattern) != NULL;
    if (hit && inject_left > 0 && --inject_left == 0) {
        free(inject_pattern);
        inject_pattern = NULL;
        atomic_store(&inject_on, 0);
    }
    pthread_mutex_unlock(&inject_mu);
    if (hit) hy_fail(err, HY_ERR_INTERNAL, "database error during %s: %s (injected by a test)", what,
                     sqlite3_errstr(SQLITE_FULL));
    return hit;
}

/* Waiting for another connection's lock. SQLite's own busy timeout sleeps
 * 1, 2, 5, 10, 15, 20, 25 ms... between tries: behind a transaction of a
 * few hundred µs a writer oversleeps while a busy runner takes the lock
 * again and again. Retry every 50-600 µs, with jitter, for the same total
 * time (measured, BENCHMARKS.md: an input to its execution's completion
 * 50-100 -> 8 ms median; executions/s up by a fifth). */
static int busy_wait(void *arg, int count)
{
    hy_db *db = arg;
#ifdef HY_DB_PROFILE
    prof_busy();
#endif
    int64_t now = hy_mono_ms();
    if (count == 0) db->busy_since = now;
    if (now - db->busy_since >= BUSY_TIMEOUT_MS) return 0;
    db->busy_rand ^= db->busy_rand << 13;
    db->busy_rand ^= db->busy_rand >> 17;
    db->busy_rand ^= db->busy_rand << 5;
    unsigned base = 50u << (count < 3 ? count : 3);
    struct timespec ts = {0, (long)(base + db->busy_rand % (base / 2 + 1)) * 1000L};
    nanosleep(&ts, NULL);
    return 1;
}

/* Before the first connection: SQLite's memory statistics take a global
 * mutex on every allocation (measured: a twentieth of an action's time);
 * nothing here reads them. */
static const char *vfs_name;

static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
    vfs_name = getenv("HYOPPS_PLAIN_VFS") ? NULL : db_vfs_register();
}

/* Why a database could not be opened, in terms a person can act on (SQLite
 * only says "unable to open database file"). "" when nothing is seen. */
static const char *open_hint(const char *path, char *buf, size_t n)
{
    char dir[1024];
    hy_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash) hy_strlcpy(dir, ".", sizeof dir);
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    struct stat sb;
    if (access(path, F_OK) == 0) {
        if (access(path, R_OK | W_OK) != 0)
            snprintf(buf, n, " (this user may not read and write it: run HyOpps as the account that owns it)");
        else if (access(dir, W_OK | X_OK) != 0)
            snprintf(buf, n, " (its directory %s is not writable by this user, which SQLite needs for the -wal "
                             "and -shm files)", dir);
        else
            buf[0] = '\0';
    } else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(buf, n, " (the directory %s does not exist: create it, or set [database] path or HYOPPS_DB)", dir);
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(buf, n, " (the directory %s is not writable by this user)", dir);
    } else {
        buf[0] = '\0';
    }
    return buf;
}

/* ---- beacons (beacon.h) ---- */

static void beacons_reset(hy_db *db)
{
    for (int i = 0; i < db->nlit; i++) db->lit_set[db->lit[i] / 64] = 0;
    db->nlit = 0;
    db->lit_all = db->quiet = false;
}

void db_beacon_org(hy_db *db, const char *org_id)
{
    int bucket = beacon_bucket(org_id);
    if (bucket == HY_BEACON_ALL) {
        db->lit_all = true;
        return;
    }
    uint64_t bit = 1ull << (bucket % 64);
    if (db->lit_set[bucket / 64] & bit) return;
    if (db->nlit == BEACONS_MAX) {
        db->lit_all = true;
        return;
    }
    db->lit_set[bucket / 64] |= bit;
    db->lit[db->nlit++] = bucket;
}

void db_beacon_quiet(hy_db *db) { db->quiet = true; }

/* SQLite calls it after every commit of this connection (WAL mode), once
 * the commit is visible to the others and the write lock released. */
static int after_commit(void *arg, sqlite3 *conn, const char *schema, int frames)
{
    hy_db *db = arg;
    if (frames >= AUTOCHECKPOINT_FRAMES) sqlite3_wal_checkpoint(conn, schema); /* the hook replaced the pragma */
    if (db->beacons) {
        if (db->lit_all || (db->nlit == 0 && !db->quiet)) beacons_light(db->beacons, HY_BEACON_ALL);
        else
            for (int i = 0; i < db->nlit; i++) beacons_light(db->beacons, db->lit[i]);
    }
    beacons_reset(db);
    return SQLITE_OK;
}

static int open_conn(const char *path, hy_db **out, hy_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    *out = NULL;
    hy_db *db = xcalloc(1, sizeof *db);
    db->path = xstrdup(path);
    bool fresh = strcmp(path, ":memory:") != 0 && access(path, F_OK) != 0;
    int rc = sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             vfs_name);
    if (rc != SQLITE_OK) {
        char hint[1200];
        hy_fail(err, HY_ERR_INTERNAL, "cannot open database %s: %s%s", path,
                db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc), open_hint(path, hint, sizeof hint));
        db_close(db);
        return err->code;
    }
    /* It holds password hashes and the session key: owner only. */
    if (fresh) chmod(path, 0600);
    sqlite3_extended_result_codes(db->conn, 1);
    db->busy_rand = (uint32_t)hy_mono_ms() ^ (uint32_t)(uintptr_t)db;
    sqlite3_busy_handler(db->conn, busy_wait, db);
#ifdef HY_DB_PROFILE
    db->prof = prof_attach(db->conn);
#endif
    /* journal_mode=WAL needs a write lock the first time: the busy timeout covers it. */
    static const char *pragmas =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(db->conn, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        hy_fail(err, HY_ERR_INTERNAL, "cannot use database %s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        db_close(db);
        return err->code;
    }
    if (strcmp(path, ":memory:") != 0 && *path) db->beacons = beacons_new(path);
    sqlite3_wal_hook(db->conn, after_commit, db);
    *out = db;
    return 0;
}

int db_open_raw(const char *path, hy_db **out, hy_err *err)
{
    hy_err_clear(err);
    return open_conn(path, out, err);
}

int db_open(const char *path, hy_db **out, hy_err *err)
{
    hy_err_clear(err);
    int rc = open_conn(path, out, err);
    if (rc) return rc;
    rc = db_migrate(*out, NULL, err);
    if (rc) {
        db_close(*out);
        *out = NULL;
    }
    return rc;
}

void db_close(hy_db *db)
{
    if (!db) return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (!db->cache[i]) continue;
        sqlite3_finalize(db->cache[i]->s);
        free(db->cache[i]->sql);
        free(db->cache[i]);
    }
    sqlite3_finalize(db->begin_st);
    sqlite3_finalize(db->read_begin_st);
    sqlite3_finalize(db->commit_st);
    sqlite3_finalize(db->rollback_st);
    if (db->conn) sqlite3_close_v2(db->conn);
    beacons_free(db->beacons);
#ifdef HY_DB_PROFILE
    prof_detach(db->prof);
#endif
    free(db->path);
    free(db);
}

const char *db_path(const hy_db *db) { return db->path; }

long db_prepare_count(const hy_db *db) { return db->prepares; }

char *db_query_plan(hy_db *db, const char *sql)
{
    char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db->conn, q, -1, &s, NULL);
    free(q);
    if (rc != SQLITE_OK) return NULL;
    hy_buf out = {0};
    while (sqlite3_step(s) == SQLITE_ROW) hy_buf_printf(&out, "%s\n", (const char *)sqlite3_column_text(s, 3));
    sqlite3_finalize(s);
    return out.s ? out.s : xstrdup("");
}

void db_on_prepare(hy_db *db, void (*fn)(const char *sql, void *ud), void *ud)
{
    db->on_prepare = fn;
    db->on_prepare_ud = ud;
}

/* ---- migrations ---- */

int db_schema_version(hy_db *db)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

int db_latest_version(void) { return hy_migration_count; }

int db_migrate(hy_db *db, int *applied, hy_err *err)
{
    if (applied) *applied = 0;
    /* Up to date (the usual case): no write lock at all. */
    int current = db_schema_version(db);
    if (current > hy_migration_count)
        return hy_fail(err, HY_ERR_INTERNAL,
                       "%s has schema version %d, newer than this hyopps knows (%d): use a newer hyopps",
                       db->path, current, hy_migration_count);
    if (current == hy_migration_count) return 0;
    for (int i = 0; i < hy_migration_count; i++) {
        const struct hy_migration *m = &hy_migrations[i];
        /* Foreign keys are switched off around a migration (it may rebuild a
         * table; SQLite ignores this pragma inside a transaction), and
         * checked before commit. */
        sqlite3_exec(db->conn, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
        if (db_begin(db, err) != 0) goto fail_nobegin;
        /* Re-read inside the write lock: another process may have migrated. */
        if (db_schema_version(db) >= m->version) {
            db_rollback(db);
            sqlite3_exec(db->conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
            continue;
        }
        char *msg = NULL;
        int rc = sqlite3_exec(db->conn, m->sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            hy_fail(err, HY_ERR_INTERNAL, "migration %s failed: %s", m->name, msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            goto fail;
        }
        sqlite3_stmt *fk;
        if (sqlite3_prepare_v2(db->conn, "PRAGMA foreign_key_check", -1, &fk, NULL) == SQLITE_OK) {
            int bad = sqlite3_step(fk) == SQLITE_ROW;
            char table[128] = "";
            if (bad) hy_strlcpy(table, (const char *)sqlite3_column_text(fk, 0), sizeof table);
            sqlite3_finalize(fk);
            if (bad) {
                hy_fail(err, HY_ERR_INTERNAL, "migration %s left a broken reference in table %s", m->name, table);
                goto fail;
            }
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", m->version);
        rc = sqlite3_exec(db->conn, pragma, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            hy_fail(err, HY_ERR_INTERNAL, "migration %s: %s", m->name, msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            goto fail;
        }
        if (db_commit(db, err) != 0) goto fail_nobegin;
        sqlite3_exec(db->conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
        if (applied) (*applied)++;
    }
    return 0;
fail:
    db_rollback(db);
fail_nobegin:
    sqlite3_exec(db->conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    return err->code ? err->code : HY_ERR_INTERNAL;
}

/* ---- transactions ---- */

/* Runs one of the transaction statements (prepared on first use). */
static int tx_step(hy_db *db, sqlite3_stmt **slot, const char *sql)
{
    if (!*slot) {
        int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) return rc;
    }
    sqlite3_step(*slot);
    return sqlite3_reset(*slot);
}

int db_begin(hy_db *db, hy_err *err)
{
    if (db->in_tx) return hy_fail(err, HY_ERR_INTERNAL, "nested transaction (a bug)");
    if (injected("BEGIN IMMEDIATE", "begin", err)) return HY_ERR_INTERNAL;
    /* A ROLLBACK that failed left SQLite's transaction open: end it now,
     * or every later BEGIN would fail. */
    if (!sqlite3_get_autocommit(db->conn)) tx_step(db, &db->rollback_st, "ROLLBACK");
    /* BEGIN IMMEDIATE waits up to the busy timeout for the write lock; a
     * few more tries cover a checkpoint or a very long writer. */
    int rc = SQLITE_BUSY;
#ifdef HY_DB_PROFILE
    struct timespec b0, b1;
    clock_gettime(CLOCK_MONOTONIC, &b0);
#endif
    for (int tries = 0; tries < 4; tries++) {
        rc = tx_step(db, &db->begin_st, "BEGIN IMMEDIATE");
        if ((rc & 0xff) != SQLITE_BUSY) break;
    }
#ifdef HY_DB_PROFILE
    clock_gettime(CLOCK_MONOTONIC, &b1);
    prof_begin(&b0, &b1);
#endif
    if (rc != SQLITE_OK) return sql_error(db, err, rc, "begin");
    beacons_reset(db);
    db->in_tx = true;
    return 0;
}

int db_begin_quiet(hy_db *db, hy_err *err)
{
    int rc = db_begin(db, err);
    if (rc == 0) db_beacon_quiet(db);
    return rc;
}

int db_commit(hy_db *db, hy_err *err)
{
    if (injected("COMMIT", "commit", err)) {
        db_rollback(db);
        return HY_ERR_INTERNAL;
    }
#ifdef HY_DB_PROFILE
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tx_step(db, &db->commit_st, "COMMIT");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int cur = 0, hi = 0;
    sqlite3_db_status(db->conn, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 1);
    prof_commit(db->prof, cur, &t0, &t1);
#else
    int rc = tx_step(db, &db->commit_st, "COMMIT");
#endif
    if (rc != SQLITE_OK) {
        sql_error(db, err, rc, "commit");
        db_rollback(db);
        return err->code;
    }
    db->in_tx = false;
    return 0;
}

void db_rollback(hy_db *db)
{
    if (!sqlite3_get_autocommit(db->conn)) tx_step(db, &db->rollback_st, "ROLLBACK");
    beacons_reset(db);
    db->in_tx = false;
}

bool db_in_tx(const hy_db *db) { return db->in_tx; }

bool db_read_begin(hy_db *db)
{
    if (db->in_tx || !sqlite3_get_autocommit(db->conn)) return false; /* already in one */
    return tx_step(db, &db->read_begin_st, "BEGIN") == SQLITE_OK;
}

void db_read_end(hy_db *db)
{
    if (db->in_tx || sqlite3_get_autocommit(db->conn)) return;
    /* never left open: the connection would go on reading an old snapshot */
    if (tx_step(db, &db->commit_st, "COMMIT") != SQLITE_OK) tx_step(db, &db->rollback_st, "ROLLBACK");
}

/* ---- statements ---- */

static hy_stmt *stmt_get(hy_db *db, hy_err *err, const char *sql)
{
    unsigned h = hash_sql(sql);
    unsigned slot = h & (CACHE_SLOTS - 1);
    for (unsigned probe = 0; probe < CACHE_SLOTS; probe++) {
        hy_stmt *c = db->cache[(slot + probe) & (CACHE_SLOTS - 1)];
        if (!c) break;
        if (c->hash == h && !c->in_use && strcmp(c->sql, sql) == 0) {
            c->in_use = true;
            c->failed = false;
            c->err = err;
            return c;
        }
    }
    sqlite3_stmt *s = NULL;
    db->prepares++;
    if (db->on_prepare) db->on_prepare(sql, db->on_prepare_ud);
    int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        sql_error(db, err, rc, "prepare");
        return NULL;
    }
    hy_stmt *st = xcalloc(1, sizeof *st);
    st->s = s;
    st->db = db;
    st->err = err;
    st->sql = xstrdup(sql);
    st->hash = h;
    st->in_use = true;
    /* Cache it while the table is at most half full. */
    if (db->ncached < CACHE_SLOTS / 2) {
        for (unsigned probe = 0; probe < CACHE_SLOTS; probe++) {
            unsigned i = (slot + probe) & (CACHE_SLOTS - 1);
            if (!db->cache[i]) {
                db->cache[i] = st;
                st->cached = true;
                db->ncached++;
                break;
            }
        }
    }
    return st;
}

/* copy_text: SQLite keeps its own copy of text arguments (db_query, whose
 * rows are read after the call returns); otherwise it uses the caller's,
 * which live until the statement is reset before returning (db_exec,
 * db_get_*), and db_done clears the bindings. */
static int bind_args(hy_stmt *st, bool copy_text, const char *fmt, va_list ap)
{
    int idx = 1, rc = SQLITE_OK;
    for (const char *f = fmt ? fmt : ""; *f && rc == SQLITE_OK; f++, idx++) {
        switch (*f) {
        case 't': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st->s, idx, v, -1, copy_text ? SQLITE_TRANSIENT : SQLITE_STATIC)
                   : sqlite3_bind_null(st->s, idx);
            break;
        }
        case 'i': rc = sqlite3_bind_int(st->s, idx, va_arg(ap, int)); break;
        case 'I': rc = sqlite3_bind_int64(st->s, idx, (sqlite3_int64)va_arg(ap, int64_t)); break;
        case 'd': rc = sqlite3_bind_double(st->s, idx, va_arg(ap, double)); break;
        case 'n': rc = sqlite3_bind_null(st->s, idx); break;
        default: hy_fatal("db: bad bind format '%c' in \"%s\"", *f, fmt);
        }
    }
    if (rc == SQLITE_OK && idx - 1 != sqlite3_bind_parameter_count(st->s))
        hy_fatal("db: %d parameters bound, statement has %d: %s", idx - 1, sqlite3_bind_parameter_count(st->s),
                 st->sql);
    return rc;
}

static hy_stmt *vquery(hy_db *db, hy_err *err, const char *sql, bool copy_text, const char *fmt, va_list ap)
{
    hy_stmt *st = stmt_get(db, err, sql);
    if (!st) return NULL;
    if (injected(sql, "statement", err)) {
        st->failed = true;
        return st;
    }
    int rc = bind_args(st, copy_text, fmt, ap);
    if (rc != SQLITE_OK) {
        sql_error(db, err, rc, "bind");
        st->failed = true;
    }
    return st;
}

hy_stmt *db_query(hy_db *db, hy_err *err, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hy_stmt *st = vquery(db, err, sql, true, fmt, ap);
    va_end(ap);
    return st;
}

bool db_row(hy_stmt *st)
{
    if (!st || st->failed) return false;
    int rc = sqlite3_step(st->s);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) {
        sql_error(st->db, st->err, rc, "query");
        st->failed = true;
    }
    return false;
}

bool db_failed(const hy_stmt *st) { return !st || st->failed; }

int db_done(hy_stmt *st)
{
    if (!st) return HY_ERR_INTERNAL;
    int code = st->failed ? (st->err && st->err->code ? st->err->code : HY_ERR_INTERNAL) : 0;
    sqlite3_reset(st->s);
    sqlite3_clear_bindings(st->s);
    st->in_use = false;
    st->err = NULL;
    if (!st->cached) {
        sqlite3_finalize(st->s);
        free(st->sql);
        free(st);
    }
    return code;
}

const char *db_text(hy_stmt *st, int col) { return (const char *)sqlite3_column_text(st->s, col); }
char *db_dup(hy_stmt *st, int col) { return xstrdup(db_text(st, col)); }
int64_t db_int(hy_stmt *st, int col) { return sqlite3_column_int64(st->s, col); }
double db_double(hy_stmt *st, int col) { return sqlite3_column_double(st->s, col); }
bool db_null(hy_stmt *st, int col) { return sqlite3_column_type(st->s, col) == SQLITE_NULL; }
int db_columns(hy_stmt *st) { return sqlite3_column_count(st->s); }
const char *db_column_name(hy_stmt *st, int col) { return sqlite3_column_name(st->s, col); }

int db_exec(hy_db *db, hy_err *err, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hy_stmt *st = vquery(db, err, sql, false, fmt, ap);
    va_end(ap);
    if (!st) return err && err->code ? err->code : HY_ERR_INTERNAL;
    if (!st->failed) {
        int rc = sqlite3_step(st->s);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            sql_error(db, err, rc, "update");
            st->failed = true;
        }
    }
    db->changes = sqlite3_changes(db->conn);
    return db_done(st);
}

int db_changes(hy_db *db) { return db->changes; }

int db_exec_script(hy_db *db, const char *sql, hy_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        hy_fail(err, HY_ERR_INTERNAL, "database error: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return err->code;
    }
    return 0;
}

int db_get_int(hy_db *db, hy_err *err, int64_t *out, bool *found, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hy_stmt *st = vquery(db, err, sql, false, fmt, ap);
    va_end(ap);
    if (found) *found = false;
    if (!st) return err && err->code ? err->code : HY_ERR_INTERNAL;
    if (db_row(st)) {
        *out = db_int(st, 0);
        if (found) *found = true;
    }
    return db_done(st);
}

int db_get_text(hy_db *db, hy_err *err, char **out, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hy_stmt *st = vquery(db, err, sql, false, fmt, ap);
    va_end(ap);
    *out = NULL;
    if (!st) return err && err->code ? err->code : HY_ERR_INTERNAL;
    if (db_row(st)) *out = db_dup(st, 0);
    return db_done(st);
}

/* ---- memory ---- */

void db_release_memory(hy_db *db)
{
    sqlite3_db_release_memory(db->conn);
    malloc_trim(0); /* and give the freed pages back to the system */
}

/* ---- checkpoints ---- */

/* Gives up after a few ms: a FULL checkpoint holds the write lock while it
 * waits, so it must not wait long for a slow reader. */
static int busy_short(void *arg, int count)
{
    hy_db *db = arg;
    int64_t now = hy_mono_ms();
    if (count == 0) db->busy_since = now;
    if (now - db->busy_since >= CHECKPOINT_WAIT_MS) return 0;
    struct timespec ts = {0, 100000L};
    nanosleep(&ts, NULL);
    return 1;
}

/* Syncs the database file or its WAL (op: SQLITE_FCNTL_FILE_POINTER or
 * SQLITE_FCNTL_JOURNAL_POINTER) through SQLite's own file handle. */
static int sync_file(hy_db *db, int op)
{
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(db->conn, "main", op, &f) != SQLITE_OK || !f || !f->pMethods) return SQLITE_OK;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

#ifdef HY_DB_PROFILE
#define CK_LOG(phase) prof_ckpt(phase, &ck_t0)
#else
#define CK_LOG(phase) ((void)0)
#endif

int db_checkpoint(hy_db *db, int *frames, hy_err *err)
{
#ifdef HY_DB_PROFILE
    struct timespec ck_t0;
    clock_gettime(CLOCK_MONOTONIC, &ck_t0);
#endif
    if (frames) *frames = 0;
    int nlog = 0, nckpt = 0, before = 0, rc;
    /* 1. Copy what is in the WAL, holding up no one; again while writers
     * added many frames meanwhile, so that little is left for step 3. */
    for (int pass = 0; pass < CHECKPOINT_PASSES; pass++) {
        rc = sqlite3_wal_checkpoint_v2(db->conn, "main", SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return 0; /* another checkpointer */
        if (rc != SQLITE_OK) return sql_error(db, err, rc, "checkpoint");
        if (frames && pass == 0) *frames = nlog;
        if (nlog <= 0) return 0; /* nothing in the WAL */
        CK_LOG("passive");
        if (pass > 0 && nlog - before < CHECKPOINT_REST) break;
        before = nlog;
        /* 2. The counts are those of the WAL as the checkpoint began: when
         * a writer added frames meanwhile (the usual case under load),
         * SQLite left the database file unsynced until a checkpoint
         * completes. Sync what was copied now, in this thread, and the WAL
         * frames written meanwhile, so that the checkpoint that completes
         * (below, or a writer's automatic one) has little left to flush. */
        if ((rc = sync_file(db, SQLITE_FCNTL_FILE_POINTER)) != SQLITE_OK ||
            (rc = sync_file(db, SQLITE_FCNTL_JOURNAL_POINTER)) != SQLITE_OK)
            return sql_error(db, err, rc, "checkpoint sync");
        CK_LOG("syncs");
    }
    /* 3. Complete it: the write lock only for the frames added since. */
    sqlite3_busy_handler(db->conn, busy_short, db);
    rc = sqlite3_wal_checkpoint_v2(db->conn, "main", SQLITE_CHECKPOINT_FULL, &nlog, &nckpt);
    sqlite3_busy_handler(db->conn, busy_wait, db);
    CK_LOG("full");
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return 0; /* next time */
    if (rc != SQLITE_OK) return sql_error(db, err, rc, "checkpoint");
    return 0;
}

int db_setting_get(hy_db *db, const char *key, char **out, hy_err *err)
{
    return db_get_text(db, err, out, "SELECT value FROM settings WHERE key = ?", "t", key);
}

int db_setting_set(hy_db *db, const char *key, const char *value, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(db, err,
                   "INSERT INTO settings(key, value, updated_at) VALUES(?, ?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                   "ttt", key, value, now);
}
