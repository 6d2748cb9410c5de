/* ops for notifications (notify.h): the outbox, and each person's choice
 * to get them or not. */
#ifndef HY_OPS_NOTIFY_H
#define HY_OPS_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "ops_exec.h"
#include "principal.h"

typedef struct {
    bool pending_only;          /* not delivered yet (pending, sending) */
    const char *execution_ref;  /* about this execution only (id or prefix), or NULL */
    int limit;                  /* 0 = 100; at most 1000 */
} hy_notice_query;

typedef struct {
    hy_notice *items;           /* newest first */
    int count;
    int64_t events_due;         /* events not addressed yet (input needed waits [notify] input_delay_minutes) */
} hy_notice_list;

/* Administrators and support staff. */
int ops_notify_list(hy_ctx *c, const hy_principal *p, const hy_notice_query *q, hy_notice_list *out, hy_err *err);
void hy_notice_list_free(hy_notice_list *l);
void hy_notice_free(hy_notice *n);
cJSON *hy_notice_to_json(const hy_notice *n);

/* The caller's own choice (every logged-in person); a change is audited
 * ("user.notifications"). */
int ops_notify_get(hy_ctx *c, const hy_principal *p, bool *on, hy_err *err);
int ops_notify_set(hy_ctx *c, const hy_principal *p, bool on, hy_err *err);

#endif
