/* ops for the integrations themselves (the CLI's `integrations check` and
 * the TUI's Integrations screen). */
#ifndef HY_OPS_INTEGRATIONS_H
#define HY_OPS_INTEGRATIONS_H

#include "ctx.h"
#include "integrations/check.h"
#include "principal.h"

/* Administrators and support staff. Calls every live integration without changing anything (see
 * integrations/check.h); may take up to [http] timeout_ms: never call it on
 * a UI thread. Returns 0 when the check ran (out->failed says how many live
 * integrations failed), else the authorization error. */
int ops_integrations_check(hy_ctx *c, const hy_principal *p, integ_check_report *out, hy_err *err);

#endif
