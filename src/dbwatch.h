/* Waiting for other processes' commits without polling: a file
 * notification (inotify) on the database's write-ahead log. Every commit
 * in WAL mode writes to the -wal file, so an idle process can sleep in
 * poll() until one happens, and costs nothing meanwhile.
 *
 * Notifications are an optimisation, never the only way: when they cannot
 * be had (inotify's per-user limit of instances, fs.inotify.
 * max_user_instances, 128 by default; a file system without them) the fd
 * is -1 and the caller looks for changes by itself every so often. A
 * notification only says "the WAL was written"; what changed is read from
 * the database (ops_watch). No sqlite3_* here. */
#ifndef HY_DBWATCH_H
#define HY_DBWATCH_H

#include <stdbool.h>

typedef struct hy_dbwatch hy_dbwatch;

/* Watches db_path's write-ahead log (db_path + "-wal"). Returns NULL when
 * notifications are not available (the caller polls instead); never fails
 * otherwise. */
hy_dbwatch *dbwatch_open(const char *db_path);
/* The descriptor to poll() for POLLIN, or -1 when the watch was lost
 * (the log deleted and not yet there again: poll meanwhile). */
int dbwatch_fd(const hy_dbwatch *w);
/* Reads the pending notifications (never blocks). True when the log was
 * written (or the watch had to be renewed: something may have changed). */
bool dbwatch_take(hy_dbwatch *w);
void dbwatch_close(hy_dbwatch *w);

#endif
