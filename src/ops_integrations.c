#include "ops_integrations.h"

#include "integrations/http.h"

#include "ops.h"

int ops_integrations_check(hy_ctx *c, const hy_principal *p, integ_check_report *out, hy_err *err)
{
    if (ops_begin_staff(c, p, err)) return err->code;
    integrations_check(c->cfg, out);
    return 0;
}

void ops_network_init(void) { integ_global_init(); }
