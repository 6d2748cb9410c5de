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

/* libcurl's (and so the TLS library's) global set-up, once per process:
 * call it on the main thread before starting a thread that may call a
 * live service (curl_global_init before threads). A terminal session that
 * never does is spared it (memory). */
void ops_network_init(void);

#endif
