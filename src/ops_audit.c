#include "ops.h"

int ops_audit_list(hy_ctx *c, const hy_principal *p, const hy_audit_filter *f, hy_audit_list *out, hy_err *err)
{
    if (ops_begin_staff(c, p, err) != 0) return err->code;
    return audit_query(c, f, out, err);
}
