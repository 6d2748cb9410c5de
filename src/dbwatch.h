/* Waiting for other processes' commits without polling: a file
 * notification on the database's write-ahead log. Every commit in WAL mode
 * writes to the -wal file, so an idle process can sleep in poll() until one
 * happens, and costs nothing meanwhile. Or, for a session that shows one
 * organisation (dbwatch_open_beacons), on that organisation's beacon and
 * the one for all (beacon.h): only the commits that changed it.
 *
 * Two kinds, tried in order:
 *  - inotify on the -wal file itself;
 *  - where inotify is refused (its per-user limit of instances,
 *    fs.inotify.max_user_instances, 128 by default: a bastion with more
 *    sessions of one account reaches it), dnotify on the database's
 *    directory (no such limit): a one-shot notification of a write to any
 *    file there, delivered as SIGIO to a handler that writes to a pipe,
 *    armed again by dbwatch_take. One process has at most one.
 * Notifications are never the only way: with neither (dbwatch_open
 * returns NULL) the caller looks for changes every so often. A
 * notification says only "something was written", possibly before the
 * commit is visible (SQLite writes the log, may sync it, then publishes
 * the commit in shared memory): look a few ms later; what changed is read
 * from the database (ops_watch). No sqlite3_* here. */
#ifndef HY_DBWATCH_H
#define HY_DBWATCH_H

#include <stdbool.h>

typedef struct hy_dbwatch hy_dbwatch;

/* Watches db_path's write-ahead log. Returns NULL when no notifications
 * can be had (the caller polls instead). */
hy_dbwatch *dbwatch_open(const char *db_path);
/* Watches the beacon of org_id's bucket and the one for all instead
 * (beacon.h): commits that change other organisations wake nobody here.
 * NULL when the beacons cannot be had (the caller watches the log). */
hy_dbwatch *dbwatch_open_beacons(const char *db_path, const char *org_id);
/* Whether w watches beacons. */
bool dbwatch_beacons(const hy_dbwatch *w);
/* The descriptor to poll() for POLLIN, or -1 when the watch was lost
 * (the log deleted and not yet there again: poll meanwhile). */
int dbwatch_fd(const hy_dbwatch *w);
/* "inotify" or "dnotify" (for messages and benchmarks). */
const char *dbwatch_kind(const hy_dbwatch *w);
/* Reads the pending notifications and arms the watch again (never
 * blocks): call it before looking at the database, so that a commit made
 * during the look is notified. True when something was written (or the
 * watch had to be renewed: something may have changed). */
bool dbwatch_take(hy_dbwatch *w);
void dbwatch_close(hy_dbwatch *w);

/* Tests: pretend inotify is refused (the dnotify fallback). */
void dbwatch_test_no_inotify(bool no);

#endif
