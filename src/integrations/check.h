/* Checking the set-up without changing anything: one line per integration,
 * its mode and OK or the exact problem. Live integrations are called (in
 * parallel, each with its own client context): Metabase GET /api/user/current,
 * Graph a fresh token, Slack auth.test, SMTP connect + STARTTLS + AUTH then
 * QUIT. Nothing here touches the database; messages never hold a secret. */
#ifndef HY_INTEG_CHECK_H
#define HY_INTEG_CHECK_H

#include <stdbool.h>

#include "config.h"
#include "err.h"

enum { INTEG_METABASE, INTEG_TEAMS, INTEG_SLACK, INTEG_EMAIL, INTEG_STUDIO, INTEG_COUNT };

typedef struct {
    const char *name;           /* "metabase", "teams", "slack", "email", "studio" */
    hy_mode mode;
    bool checked;               /* a live check ran */
    bool ok;                    /* live: the check passed; otherwise true */
    hy_code code;               /* the failure's kind when !ok */
    char detail[512];           /* "OK: ..." or the problem (terminal-safe) */
} integ_check_line;

typedef struct {
    integ_check_line line[INTEG_COUNT];
    int failed;                 /* live integrations whose check failed */
} integ_check_report;

void integrations_check(const hy_config *cfg, integ_check_report *out);

#endif
