/* ops for notifications: the outbox (staff), an execution's notifications,
 * and each person's choice. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ops.h"
#include "ops_exec_internal.h"
#include "util.h"

/* o.id, created, event, execution, step, channel, recipient, status, subject, error, sent_at, attempts,
 * uncertain: the columns every query here selects, in this order. */
#define NOTICE_COLUMNS                                                                                           \
    "o.id, coalesce(o.created_at, e.at), e.event, e.execution_id, e.step_order, o.channel, o.recipient, "        \
    "coalesce(o.status, CASE e.state WHEN 'new' THEN 'due' ELSE e.state END), o.subject, coalesce(o.error, "     \
    "e.note), o.sent_at, coalesce(o.attempts, 0), coalesce(o.uncertain, 0) "

static void read_notice(hy_stmt *st, hy_notice *n)
{
    memset(n, 0, sizeof *n);
    n->id = db_int(st, 0);
    n->created_at = db_dup(st, 1);
    n->event = db_dup(st, 2);
    n->execution_id = db_dup(st, 3);
    n->step_order = (int)db_int(st, 4);
    n->channel = db_dup(st, 5);
    n->recipient = db_dup(st, 6);
    n->status = db_dup(st, 7);
    n->subject = db_dup(st, 8);
    n->error = db_dup(st, 9);
    n->sent_at = db_dup(st, 10);
    n->attempts = (int)db_int(st, 11);
    n->uncertain = db_int(st, 12) != 0;
}

static int read_all(hy_stmt *st, hy_notice **out, int *count)
{
    int cap = 0;
    *out = NULL;
    *count = 0;
    while (db_row(st)) {
        if (*count == cap) *out = xrealloc(*out, (size_t)(cap = cap ? cap * 2 : 16) * sizeof **out);
        read_notice(st, &(*out)[(*count)++]);
    }
    return db_done(st);
}

void hy_notice_free(hy_notice *n)
{
    free(n->created_at); free(n->event); free(n->execution_id); free(n->channel); free(n->recipient);
    free(n->status); free(n->subject); free(n->error); free(n->sent_at);
    memset(n, 0, sizeof *n);
}

static void free_items(hy_notice *v, int n)
{
    for (int i = 0; i < n; i++) hy_notice_free(&v[i]);
    free(v);
}

void hy_notice_list_free(hy_notice_list *l)
{
    free_items(l->items, l->count);
    memset(l, 0, sizeof *l);
}

int opx_exec_notices(hy_ctx *c, const hy_principal *p, const char *exec_id, hy_notice **out, int *n, hy_err *err)
{
    bool all = authz_can(p, HY_CAP_READ_ALL);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT " NOTICE_COLUMNS "FROM notify_events e LEFT JOIN notify_outbox o ON o.event_id = e.id "
                           "WHERE e.execution_id = ?1 AND (?2 OR o.user_id = ?3) ORDER BY e.id, o.id",
                           "tit", exec_id, all ? 1 : 0, p->user_id);
    int rc = read_all(st, out, n);
    if (rc) {
        free_items(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int ops_notify_list(hy_ctx *c, const hy_principal *p, const hy_notice_query *q, hy_notice_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin_staff(c, p, err) != 0) return err->code;
    int limit = q && q->limit > 0 ? q->limit : 100;
    if (limit > 1000) limit = 1000;
    char exec[HY_UUID_LEN] = "";
    if (q && q->execution_ref && ops_exec_resolve(c, p, q->execution_ref, exec, err) != 0) return err->code;
    hy_stmt *st;
    if (q && q->pending_only)
        st = db_query(c->db, err,
                      "SELECT " NOTICE_COLUMNS "FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                      "WHERE o.next_ms IS NOT NULL AND o.status IN ('pending', 'sending') AND (?1 IS NULL OR e.execution_id = ?1) "
                      "ORDER BY o.id DESC LIMIT ?2",
                      "ti", exec[0] ? exec : NULL, limit);
    else
        st = db_query(c->db, err,
                      "SELECT " NOTICE_COLUMNS "FROM notify_outbox o JOIN notify_events e ON e.id = o.event_id "
                      "WHERE ?1 IS NULL OR e.execution_id = ?1 ORDER BY o.id DESC LIMIT ?2",
                      "ti", exec[0] ? exec : NULL, limit);
    int rc = read_all(st, &out->items, &out->count);
    if (rc == 0)
        rc = db_get_int(c->db, err, &out->events_due, NULL, "SELECT count(*) FROM notify_events WHERE state = 'new'",
                        "");
    if (rc) hy_notice_list_free(out);
    return rc;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

cJSON *hy_notice_to_json(const hy_notice *n)
{
    cJSON *o = cJSON_CreateObject();
    if (n->id) cJSON_AddNumberToObject(o, "id", (double)n->id);
    else cJSON_AddNullToObject(o, "id");
    add_str(o, "created_at", n->created_at);
    add_str(o, "event", n->event);
    add_str(o, "execution_id", n->execution_id);
    if (n->step_order) cJSON_AddNumberToObject(o, "step_order", n->step_order);
    else cJSON_AddNullToObject(o, "step_order");
    add_str(o, "channel", n->channel);
    add_str(o, "recipient", n->recipient);
    add_str(o, "status", n->status);
    add_str(o, "subject", n->subject);
    add_str(o, "sent_at", n->sent_at);
    cJSON_AddNumberToObject(o, "attempts", n->attempts);
    cJSON_AddBoolToObject(o, "uncertain", n->uncertain);
    add_str(o, "error", n->error);
    return o;
}

static int own_account(const hy_principal *p, hy_err *err)
{
    if (!p->user_id[0]) return hy_fail(err, HY_ERR_INVALID, "only a person's account has notifications to turn on or off");
    return 0;
}

int ops_notify_get(hy_ctx *c, const hy_principal *p, bool *on, hy_err *err)
{
    *on = false;
    if (ops_begin(c, p, err) != 0 || own_account(p, err) != 0) return err->code;
    int64_t v = 0;
    bool found;
    int rc = db_get_int(c->db, err, &v, &found, "SELECT notifications FROM users WHERE id = ?", "t", p->user_id);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
    *on = v != 0;
    return rc;
}

int ops_notify_set(hy_ctx *c, const hy_principal *p, bool on, hy_err *err)
{
    if (ops_begin(c, p, err) != 0 || own_account(p, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err, "UPDATE users SET notifications = ?, updated_at = ? WHERE id = ?", "itt", on ? 1 : 0,
                     now, p->user_id);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddBoolToObject(d, "notifications", on);
        rc = audit_write(c, p, "user.notifications", "user", p->user_id, d, err);
        cJSON_Delete(d);
    }
    return ops_finish(c, rc, err);
}
