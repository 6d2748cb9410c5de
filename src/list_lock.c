/* Leases on external lists: see list_lock.h. */
#include "list_lock.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define POLL_MIN_MS 5
#define POLL_JITTER_MS 20

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Who holds key, until when (a read: no transaction). */
static int holder(hy_db *db, const char *key, char *owner, size_t n, int64_t *expires, bool *found, hy_err *err)
{
    hy_stmt *st = db_query(db, err, "SELECT owner, expires_at FROM list_locks WHERE key = ?", "t", key);
    *found = db_row(st);
    owner[0] = '\0';
    *expires = 0;
    if (*found) {
        hy_strlcpy(owner, db_text(st, 0), n);
        *expires = db_int(st, 1);
    }
    return db_done(st);
}

/* One short transaction: takes the lease if it is free, expired or ours. */
static int try_take(hy_db *db, const char *key, const char *owner, int ttl_ms, bool *taken, hy_err *err)
{
    *taken = false;
    int64_t now = hy_now_ms();
    int rc = db_begin_quiet(db, err);
    if (rc) return rc;
    rc = db_exec(db, err,
                 "INSERT INTO list_locks(key, owner, expires_at, acquired_at) VALUES(?1, ?2, ?3, ?4) "
                 "ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, "
                 "acquired_at = excluded.acquired_at "
                 "WHERE list_locks.expires_at <= ?4 OR list_locks.owner = excluded.owner",
                 "ttII", key, owner, now + ttl_ms, now);
    if (rc == 0) *taken = db_changes(db) == 1;
    if (rc == 0) return db_commit(db, err);
    db_rollback(db);
    return rc;
}

int list_lock_acquire(hy_db *db, const char *key, const char *owner, int ttl_ms, int wait_ms, int64_t *waited_ms,
                      hy_err *err)
{
    if (db_in_tx(db)) return hy_fail(err, HY_ERR_INTERNAL, "list lock %s taken inside a transaction (a bug)", key);
    int64_t t0 = hy_mono_ms();
    if (waited_ms) *waited_ms = 0;
    for (;;) {
        char who[160];
        int64_t until;
        bool found;
        int rc = holder(db, key, who, sizeof who, &until, &found, err);
        if (rc) return rc;
        int64_t now = hy_now_ms();
        if (!found || until <= now || strcmp(who, owner) == 0) {
            bool taken;
            if ((rc = try_take(db, key, owner, ttl_ms, &taken, err))) return rc;
            if (taken) {
                if (waited_ms) *waited_ms = hy_mono_ms() - t0;
                return 0;
            }
            continue; /* someone was quicker: look again */
        }
        if (hy_mono_ms() - t0 >= wait_ms) {
            int64_t left = until - now;
            hy_fail(err, HY_ERR_TRANSIENT,
                    "another runner (%s) is changing %s; waited %.1f s for it (its lease ends in %.1f s)", who, key,
                    (double)(hy_mono_ms() - t0) / 1000.0, (double)left / 1000.0);
            err->retry_after = (int)((left + 999) / 1000);
            if (waited_ms) *waited_ms = hy_mono_ms() - t0;
            return err->code;
        }
        pause_ms(POLL_MIN_MS + (int)hy_random_uniform(POLL_JITTER_MS + 1));
    }
}

int list_lock_renew(hy_db *db, const char *key, const char *owner, int ttl_ms, hy_err *err)
{
    int rc = db_begin_quiet(db, err);
    if (rc) return rc;
    int64_t now = hy_now_ms();
    /* An expired lease is not ours any more, even if nobody took it yet:
     * the list may have been changed meanwhile. */
    rc = db_exec(db, err, "UPDATE list_locks SET expires_at = ? WHERE key = ? AND owner = ? AND expires_at > ?",
                 "IttI", now + ttl_ms, key, owner, now);
    bool held = rc == 0 && db_changes(db) == 1;
    if (rc == 0) rc = db_commit(db, err);
    else db_rollback(db);
    if (rc) return rc;
    if (!held)
        return hy_fail(err, HY_ERR_TRANSIENT,
                       "this runner lost its lease on %s (it ran out while a call was slow); starting again", key);
    return 0;
}

void list_lock_release(hy_db *db, const char *key, const char *owner)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_begin_quiet(db, &err) != 0) return; /* the lease then runs out by itself */
    if (db_exec(db, &err, "DELETE FROM list_locks WHERE key = ? AND owner = ?", "tt", key, owner) == 0)
        db_commit(db, &err);
    else
        db_rollback(db);
}
