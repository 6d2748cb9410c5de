/* Shared by ops_exec.c and ops_exec_list.c. */
#ifndef HY_OPS_EXEC_INTERNAL_H
#define HY_OPS_EXEC_INTERNAL_H

#include "ops_exec.h"

#include "authz.h"

/* The actions (authz.h HY_ACT_*) p may take on an execution of this
 * workflow (by name) and organisation; 0 = p may not even see it. */
unsigned opx_actions(const hy_principal *p, const char *wf_name, const char *org_id);
/* The workflow_definitions ids of the workflows p may see, as a JSON array
 * text for SQL (`IN (SELECT value FROM json_each(?))`), or NULL when p sees
 * every workflow. Caller frees. */
int opx_scope_wf_ids(hy_ctx *c, const hy_principal *p, char **out, hy_err *err);

/* The notifications of an execution p may see (ops_notify.c): staff see
 * all, others those addressed to them. */
int opx_exec_notices(hy_ctx *c, const hy_principal *p, const char *exec_id, hy_notice **out, int *n, hy_err *err);

#endif
