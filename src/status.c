/* Status names <-> enums (status.h). */
#include "status.h"

#include <string.h>

static const char *const EXEC_NAMES[HY_EXEC_NSTATUS] = {"pending",   "running", "awaiting_input",
                                                        "completed", "failed",  "cancelled",
                                                        "scheduled"};
static const char *const STEP_NAMES[HY_SS_NSTATUS] = {"pending", "running", "awaiting_input", "completed",
                                                      "failed",  "skipped", "cancelled", "waiting"};

const char *hy_exec_status_name(hy_exec_status s) { return s < HY_EXEC_NSTATUS ? EXEC_NAMES[s] : "?"; }

bool hy_exec_status_parse(const char *s, hy_exec_status *out)
{
    for (int i = 0; s && i < HY_EXEC_NSTATUS; i++) {
        if (strcmp(EXEC_NAMES[i], s) == 0 || (i == HY_EXEC_AWAITING_INPUT && strcmp(s, "awaiting") == 0)) {
            *out = (hy_exec_status)i;
            return true;
        }
    }
    return false;
}

hy_exec_status hy_exec_status_of(const char *s)
{
    for (int i = 0; s && i < HY_EXEC_NSTATUS; i++)
        if (strcmp(EXEC_NAMES[i], s) == 0) return (hy_exec_status)i;
    return HY_EXEC_NSTATUS;
}

const char *hy_step_status_name(hy_step_status s) { return s < HY_SS_NSTATUS ? STEP_NAMES[s] : "?"; }

hy_step_status hy_step_status_of(const char *s)
{
    for (int i = 0; s && i < HY_SS_NSTATUS; i++)
        if (strcmp(STEP_NAMES[i], s) == 0) return (hy_step_status)i;
    return HY_SS_NSTATUS;
}
