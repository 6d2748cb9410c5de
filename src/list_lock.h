/* Leases on external lists.
 *
 * Some lists held by a service can only be replaced whole: Slack's
 * usergroups.users.update takes the group's complete member list. Adding
 * someone is then a read-modify-write, and two runners doing it at the same
 * time lose one addition (the second write is based on a list read before
 * the first write). A lease per list, in the database, serializes those
 * writes across every runner of every process (workers, the terminal UI's
 * runner thread, `exec wait`):
 *
 *   list_lock_acquire   before reading the list
 *   list_lock_renew     before each further call (extends the lease; fails
 *                       if it was lost, e.g. expired while the holder hung)
 *   list_lock_release   after writing (and checking) it
 *
 * Each is a short transaction of its own: NO transaction is open while the
 * holder talks to the service. A lease expires ttl_ms after it was taken or
 * last renewed, so a holder that dies (kill -9, a lost machine) blocks the
 * list only that long. Waiting is bounded: list_lock_acquire polls (reads
 * only; it writes only when the lease looks free) for at most wait_ms, then
 * fails with HY_ERR_TRANSIENT and err->retry_after set to when the lease
 * runs out, so that the engine retries the step later.
 *
 * Keys name the service and the list: "slack:usergroup:S0123ABCD",
 * "metabase:permissions:graph". Owners name the holder (a runner's lease
 * owner): a holder may re-acquire its own lease. The calls take a
 * connection with no transaction open (a step's run function has one: r->c).
 * Lease bookkeeping writes no audit row (like the step lease heartbeat); the
 * step that holds the lease records what it did. */
#ifndef HY_LIST_LOCK_H
#define HY_LIST_LOCK_H

#include <stdint.h>

#include "db.h"
#include "err.h"

/* Takes the lease on key for owner, waiting up to wait_ms for its holder.
 * *waited_ms (may be NULL) gets how long it waited. */
int list_lock_acquire(hy_db *db, const char *key, const char *owner, int ttl_ms, int wait_ms, int64_t *waited_ms,
                      hy_err *err);
/* Extends owner's lease to now + ttl_ms; HY_ERR_TRANSIENT if owner no longer
 * holds it (it expired and another runner took it, or it was released). */
int list_lock_renew(hy_db *db, const char *key, const char *owner, int ttl_ms, hy_err *err);
/* Gives the lease back (nothing if owner does not hold it). */
void list_lock_release(hy_db *db, const char *key, const char *owner);

#endif
