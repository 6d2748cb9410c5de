/* Beacons: which organisations a commit changed, told only to the
 * sessions that show them.
 *
 * A watch on the write-ahead log (dbwatch) wakes its session at every
 * commit, and every write to a watched file costs the writer, in the
 * kernel, about 0.16 us per watcher (measured on Debian 12's 6.1: a 4 KiB
 * pwrite 1.7 us alone, 23.7 us with 120 inotify watchers, 41 us with 250;
 * a commit writes the log several times). A worker's commits would pay
 * that for every idle partner admin on a bastion. So a commit also lights
 * a beacon, once, after it is visible: the beacons of the organisations
 * the transaction declared (db_beacon_org), else the one for all. A
 * partner admin's session, while a worker runs the steps, watches its
 * organisation's beacon and the one for all instead of the log.
 *
 * Layout: <database>-beacons/all/b and <database>-beacons/NNNN/b, NNNN the
 * organisation's bucket (a collision only wakes a session for nothing). A
 * directory per beacon so that dnotify (events of a directory's files: the
 * fallback past inotify's per-user limit) tells them apart too. Lighting
 * is a utimensat (an attribute event: IN_ATTRIB, DN_ATTRIB). Directories
 * and files take the database file's permissions (and owner, for root), as
 * SQLite's -wal and -shm do. No sqlite3_* here. */
#ifndef HY_BEACON_H
#define HY_BEACON_H

#include <stdbool.h>

#define HY_BEACON_ALL (-1)
#define HY_BEACON_BUCKETS 1024

typedef struct hy_beacons hy_beacons;

/* The bucket of an organisation (0 .. HY_BEACON_BUCKETS-1); HY_BEACON_ALL
 * for NULL or "". */
int beacon_bucket(const char *org_id);

/* The directory of one beacon (to watch), created with its file when
 * missing; NULL when it cannot be (then watch the log). Caller frees. */
char *beacon_dir(const char *db_path, int bucket);

/* A writer's handle (the beacons' directory, opened at the first light). */
hy_beacons *beacons_new(const char *db_path);
/* Lights one beacon; false when it could not be (no directory rights). */
bool beacons_light(hy_beacons *b, int bucket);
void beacons_free(hy_beacons *b);

#endif
