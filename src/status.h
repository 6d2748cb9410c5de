/* Statuses of executions and steps: enums everywhere in C, text only in the
 * database (the CHECK constraints of migrations 005 and 015) and on screen. These are
 * the mapping; nothing else compares status strings. */
#ifndef HY_STATUS_H
#define HY_STATUS_H

#include <stdbool.h>

typedef enum {
    HY_EXEC_PENDING = 0,
    HY_EXEC_RUNNING,
    HY_EXEC_AWAITING_INPUT,
    HY_EXEC_COMPLETED,
    HY_EXEC_FAILED,
    HY_EXEC_CANCELLED,
    HY_EXEC_SCHEDULED,        /* waits until next_run_at before its current step starts */
    HY_EXEC_NSTATUS           /* also: unknown */
} hy_exec_status;

typedef enum {
    HY_SS_PENDING = 0,
    HY_SS_RUNNING,
    HY_SS_AWAITING_INPUT,
    HY_SS_COMPLETED,
    HY_SS_FAILED,
    HY_SS_SKIPPED,
    HY_SS_CANCELLED,
    HY_SS_WAITING,            /* started child executions and waits for them */
    HY_SS_NSTATUS             /* also: unknown */
} hy_step_status;

const char *hy_exec_status_name(hy_exec_status s);          /* "awaiting_input" */
/* Also "awaiting" for awaiting_input (typed by people). */
bool hy_exec_status_parse(const char *s, hy_exec_status *out);
/* The database's text -> the enum (HY_EXEC_NSTATUS if unknown or NULL). */
hy_exec_status hy_exec_status_of(const char *s);

const char *hy_step_status_name(hy_step_status s);
hy_step_status hy_step_status_of(const char *s);

static inline bool hy_exec_finished(hy_exec_status s) { return s == HY_EXEC_COMPLETED || s == HY_EXEC_CANCELLED; }

#endif
