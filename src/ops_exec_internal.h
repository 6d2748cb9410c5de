/* Shared by ops_exec.c and ops_exec_list.c. */
#ifndef HY_OPS_EXEC_INTERNAL_H
#define HY_OPS_EXEC_INTERNAL_H

#include "ops_exec.h"

/* May p see an execution of this workflow and organisation? */
bool opx_visible(const hy_principal *p, const char *wf_name, const char *org_id);

#endif
