/* A test workflow whose steps the tests control: "test_flow" =
 *   1 ext_call   (auto, external: claimed, run with no transaction, recorded)
 *   2 local_work (auto, Studio: run and persisted inside one transaction)
 * ext_call "creates" a remote object at most once per execution: it looks it
 * up first (a file <dir>/effects/<exec>) and creates it otherwise, appending
 * a line to <dir>/creations.log; every run appends to <dir>/runs.log.
 * local_work's persist inserts a row into test_effects. */
#ifndef HY_TESTLIB_STEPS_H
#define HY_TESTLIB_STEPS_H

#include <stdbool.h>

#include "testlib.h"

typedef enum {
    TS_OK = 0,
    TS_TRANSIENT,        /* fail transiently while transient_left > 0 */
    TS_PERMANENT,        /* fail permanently while permanent_left > 0 */
    TS_BLOCK_BEFORE,     /* announce on ready_fd, then block on block_fd, before creating */
    TS_BLOCK_AFTER,      /* create, announce, then block */
} ts_mode;

typedef struct {
    ts_mode mode;
    int transient_left, permanent_left;
    int retry_after;        /* seconds, for TS_TRANSIENT */
    int ready_fd, block_fd; /* for the blocking modes */
    int sleep_ms;           /* sleep inside the call */
    bool checkpoint;        /* save {"sent": true} before failing/ending, and skip the "send" if present */
    int sends;              /* "emails" sent (this process) */
    bool saw_renewed_lease; /* sleep_ms > lease: the lease was still ours afterwards */
    char dir[256];          /* where the logs live */
} ts_control;

extern ts_control ts;

/* Registers test_flow (and the test_effects table) in this database. */
void ts_register(t_env *e);
/* Starts a test_flow execution as the admin. */
void ts_start(t_env *e, const hy_principal *admin, char id[HY_UUID_LEN]);
/* Lines in a log file of ts.dir ("runs.log", "creations.log"). */
int ts_lines(const char *file);
int ts_lines_with(const char *file, const char *needle);

#endif
