/* Temporary: being written. */
#include "ops.h"
int ops_org_name(hy_ctx *c, const hy_principal *p, const char *org_id, char **out, hy_err *err)
{ (void)c; (void)p; (void)org_id; *out = NULL; return hy_fail(err, HY_ERR_INTERNAL, "todo"); }
