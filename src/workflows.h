/* The two HyOpps workflows, as data: one table per workflow drives the
 * engine, the forms (TUI and CLI), input validation and the seeding of
 * workflow_definitions / workflow_step_definitions.
 *
 * Ids are stable: a fresh database gets the ids below; a database written by
 * the original app keeps its own (rows are matched by workflow name and
 * step_order), so its executions stay valid. */
#ifndef HY_WORKFLOWS_H
#define HY_WORKFLOWS_H

#include <stdbool.h>

#include "ctx.h"

typedef enum { HY_STEP_MANUAL, HY_STEP_AUTO } hy_step_kind;

typedef struct hy_step_def {
    const char *id;          /* stable id for fresh databases */
    const char *name;        /* e.g. "input_studio_companies" */
    const char *label;       /* e.g. "Input Studio Companies" */
    hy_step_kind kind;
    const char *description;
} hy_step_def;

typedef struct hy_workflow_def {
    const char *id;
    const char *name;        /* "new_partner", "new_partner_user" */
    const char *description;
    const hy_step_def *steps;
    int nsteps;
} hy_workflow_def;

extern const hy_workflow_def *const hy_workflows[];
extern const int hy_workflow_count;

const hy_workflow_def *workflow_find(const char *name);
const hy_step_def *workflow_step(const hy_workflow_def *wf, const char *step_name);

/* Inserts or updates the definitions (inside the caller's transaction). */
int workflows_seed(hy_ctx *c, hy_err *err);

#endif
