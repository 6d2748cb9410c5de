/* Notifications: the events (notify.h). The engine's hooks write one row
 * each in the transaction of the change; runners add reminders and digests
 * when they are due. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)

static int add_event(hy_ctx *c, const char *event, int64_t due_ms, const char *exec_id, int order,
                     const char *step_id, const char *since, const char *detail, const char *actor, hy_err *err)
{
    char at[HY_TIME_LEN];
    hy_now_iso(at);
    return db_exec(c->db, err,
                   "INSERT INTO notify_events(at, due_ms, event, execution_id, step_order, step_id, since, detail, "
                   "actor_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "tIttitttt", at, due_ms, event, exec_id, order, step_id, since, detail,
                   actor && *actor ? actor : NULL);
}

int notify_failed(hy_ctx *c, const char *exec_id, int step_order, const char *step_id, const char *error,
                  hy_err *err)
{
    if (!c->cfg->notify.enabled) return 0;
    return add_event(c, "failed", hy_now_ms(), exec_id, step_order, step_id, NULL, error, NULL, err);
}

int notify_finished(hy_ctx *c, const char *exec_id, int step_order, bool cancelled, const char *actor_id,
                    hy_err *err)
{
    if (!c->cfg->notify.enabled) return 0;
    return add_event(c, cancelled ? "cancelled" : "completed", hy_now_ms(), exec_id, step_order, NULL, NULL, NULL,
                     actor_id, err);
}

/* ---- input needed: derived from the waiting step itself ----
 *
 * A step waiting for input is durable in its own row (status
 * awaiting_input since started_at, written in the transaction of the
 * change), so the event is made from it once the delay has passed, with a
 * dedup key: it cannot be lost, it is made once, and an input given within
 * the delay (most of them: the person who started the request is at the
 * form) costs no write at all. Steps that began waiting more than
 * INPUT_LOOKBACK_MS before a runner looked are left to the reminders. */

#define INPUT_LOOKBACK_MS (7 * DAY_MS)
/* A transaction stamps started_at before it commits: a scan from the last
 * one's time looks this much further back (the dedup key keeps it once). */
#define INPUT_COMMIT_MARGIN_MS 60000

/* Steps waiting for input since floor_ms .. now - the delay and not yet
 * notified for this waiting period (idx_wse_awaiting_since; the dedup key:
 * 'input:' step ':' since). */
#define INPUT_DUE_STEPS                                                                                                \
    "FROM workflow_step_executions s WHERE s.status = 'awaiting_input' AND s.started_at >= :lo AND "                 \
    "s.started_at <= :hi AND NOT EXISTS (SELECT 1 FROM notify_events n WHERE n.dedup = 'input:' || s.id || ':' || "  \
    "s.started_at)"

static int64_t input_delay_ms(const hy_ctx *c) { return (int64_t)c->cfg->notify.input_delay_minutes * 60000; }

/* Is any step of the window [floor_ms, now - the delay] due? A read: most
 * passes find none, and then take no write lock and write nothing (a
 * read-only database stays readable). */
static int any_input_due(hy_ctx *c, const char *lo, const char *hi, bool *any, hy_err *err)
{
    int64_t one = 0;
    return db_get_int(c->db, err, &one, any, "SELECT 1 " INPUT_DUE_STEPS " LIMIT 1", "tt", lo, hi);
}

static int schedule_input_needed(hy_ctx *c, int64_t now_ms, int64_t floor_ms, int *added, hy_err *err)
{
    char lo[HY_TIME_LEN], hi[HY_TIME_LEN], at[HY_TIME_LEN];
    hy_iso_from_ms(floor_ms, lo);
    hy_iso_from_ms(now_ms - input_delay_ms(c), hi);
    hy_iso_from_ms(now_ms, at);
    bool any = false;
    int rc = any_input_due(c, lo, hi, &any, err);
    if (rc || !any) return rc;
    rc = db_exec(c->db, err,
                 "INSERT OR IGNORE INTO notify_events(at, due_ms, event, execution_id, step_order, step_id, since, "
                 "dedup) SELECT ?1, ?2, 'input_needed', s.execution_id, s.step_order, s.id, s.started_at, "
                 "'input:' || s.id || ':' || s.started_at " INPUT_DUE_STEPS " ORDER BY s.started_at",
                 "tItt", at, now_ms, lo, hi);
    if (rc == 0) *added += db_changes(c->db);
    return rc;
}

int notify_schedule_inputs(hy_ctx *c, int64_t now_ms, int64_t *scanned_ms, int *added, hy_err *err)
{
    *added = 0;
    if (!c->cfg->notify.enabled) return 0;
    int64_t floor = *scanned_ms > 0 ? *scanned_ms - INPUT_COMMIT_MARGIN_MS : now_ms - INPUT_LOOKBACK_MS;
    char lo[HY_TIME_LEN], hi[HY_TIME_LEN];
    hy_iso_from_ms(floor, lo);
    hy_iso_from_ms(now_ms - input_delay_ms(c), hi);
    bool any = false;
    int rc = any_input_due(c, lo, hi, &any, err); /* no write lock for a look that finds none */
    if (rc == 0 && any) {
        if (db_begin_quiet(c->db, err) != 0) return err->code;
        rc = schedule_input_needed(c, now_ms, floor, added, err);
        rc = rc ? (db_rollback(c->db), rc) : db_commit(c->db, err);
    }
    if (rc == 0) *scanned_ms = now_ms - input_delay_ms(c);
    return rc;
}

/* ---- reminders and the digest ---- */

/* Reminders already made for this waiting period of the step. */
static int reminders_made(hy_ctx *c, const char *step_id, const char *since, int64_t *n, hy_err *err)
{
    char *lo = xasprintf("reminder:%s:%s:", step_id, since), *hi = xasprintf("reminder:%s:%s;", step_id, since);
    int rc = db_get_int(c->db, err, n, NULL, "SELECT count(*) FROM notify_events WHERE dedup >= ? AND dedup < ?",
                        "tt", lo, hi);
    free(lo);
    free(hi);
    return rc;
}

typedef struct {
    char step_id[HY_UUID_LEN], exec_id[HY_UUID_LEN], since[HY_TIME_LEN + 8];
    int order;
} waiting;

static int schedule_reminders(hy_ctx *c, int64_t now_ms, int *added, hy_err *err)
{
    const hy_config *cfg = c->cfg;
    if (cfg->notify.max_reminders <= 0) return 0;
    int64_t after = (int64_t)cfg->notify.remind_after_hours * 3600 * 1000;
    char threshold[HY_TIME_LEN];
    hy_iso_from_ms(now_ms - after, threshold);
    waiting *w = NULL;
    int n = 0, cap = 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, execution_id, step_order, started_at FROM workflow_step_executions "
                           "WHERE status = 'awaiting_input' AND started_at <= ?",
                           "t", threshold);
    while (db_row(st)) {
        if (n == cap) w = xrealloc(w, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *w);
        hy_strlcpy(w[n].step_id, db_text(st, 0), sizeof w[n].step_id);
        hy_strlcpy(w[n].exec_id, db_text(st, 1), sizeof w[n].exec_id);
        w[n].order = (int)db_int(st, 2);
        hy_strlcpy(w[n].since, db_text(st, 3) ? db_text(st, 3) : "", sizeof w[n].since);
        n++;
    }
    int rc = db_done(st);
    for (int i = 0; rc == 0 && i < n; i++) {
        int64_t since_ms, made = 0;
        if (!hy_parse_time(w[i].since, &since_ms)) continue;
        if ((rc = reminders_made(c, w[i].step_id, w[i].since, &made, err)) != 0) break;
        /* the first after remind_after_hours, then one a day */
        if (made >= cfg->notify.max_reminders || now_ms < since_ms + after + made * DAY_MS) continue;
        char *dedup = xasprintf("reminder:%s:%s:%lld", w[i].step_id, w[i].since, (long long)made + 1);
        char at[HY_TIME_LEN];
        hy_iso_from_ms(now_ms, at);
        char detail[24];
        snprintf(detail, sizeof detail, "%lld", (long long)made + 1);
        rc = db_exec(c->db, err,
                     "INSERT OR IGNORE INTO notify_events(at, due_ms, event, execution_id, step_order, step_id, since, "
                     "detail, dedup) VALUES(?, ?, 'reminder', ?, ?, ?, ?, ?, ?)",
                     "tItitttt", at, now_ms, w[i].exec_id, w[i].order, w[i].step_id, w[i].since, detail, dedup);
        if (rc == 0 && db_changes(c->db) == 1) (*added)++;
        free(dedup);
    }
    free(w);
    return rc;
}

static int schedule_digest(hy_ctx *c, int64_t now_ms, int *added, hy_err *err)
{
    int hour = c->cfg->notify.digest_hour;
    if (hour < 0) return 0;
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (tm.tm_hour < hour) return 0;
    char dedup[64], at[HY_TIME_LEN];
    snprintf(dedup, sizeof dedup, "digest:%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    hy_iso_from_ms(now_ms, at);
    int rc = db_exec(c->db, err,
                     "INSERT OR IGNORE INTO notify_events(at, due_ms, event, dedup) VALUES(?, ?, 'digest', ?)", "tIt",
                     at, now_ms, dedup);
    if (rc == 0 && db_changes(c->db) == 1) (*added)++;
    return rc;
}

int notify_schedule(hy_ctx *c, int64_t now_ms, int *added, hy_err *err)
{
    *added = 0;
    if (!c->cfg->notify.enabled) return 0;
    if (db_begin_quiet(c->db, err) != 0) return err->code;
    int rc = schedule_input_needed(c, now_ms, now_ms - INPUT_LOOKBACK_MS, added, err);
    if (rc == 0) rc = schedule_reminders(c, now_ms, added, err);
    if (rc == 0) rc = schedule_digest(c, now_ms, added, err);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

int notify_next_due(hy_ctx *c, int64_t *due, hy_err *err)
{
    *due = -1;
    int64_t a = -1, b = -1;
    bool fa = false, fb = false;
    int rc = db_get_int(c->db, err, &a, &fa, "SELECT min(due_ms) FROM notify_events WHERE state = 'new'", "");
    if (rc == 0)
        rc = db_get_int(c->db, err, &b, &fb,
                        "SELECT min(next_ms) FROM notify_outbox WHERE next_ms IS NOT NULL", "");
    /* the next step to become due for an input needed (idx_wse_awaiting_since) */
    int64_t delay = input_delay_ms(c);
    char after[HY_TIME_LEN], *next = NULL;
    hy_iso_from_ms(hy_now_ms() - delay, after);
    if (rc == 0)
        rc = db_get_text(c->db, err, &next,
                         "SELECT min(started_at) FROM workflow_step_executions WHERE status = 'awaiting_input' "
                         "AND started_at > ?",
                         "t", after);
    int64_t since;
    if (rc == 0 && next && hy_parse_time(next, &since) && (!fa || a <= 0 || since + delay < a)) {
        a = since + delay;
        fa = true;
    }
    free(next);
    if (rc) return rc;
    if (fa && a > 0) *due = a;
    if (fb && b > 0 && (*due < 0 || b < *due)) *due = b;
    return 0;
}

int notify_drain(hy_ctx *c, hy_integ *in, const char *owner, notify_stats *st, hy_err *err)
{
    memset(st, 0, sizeof *st);
    if (!c->cfg->notify.enabled) return 0;
    int64_t now = hy_now_ms();
    int rc = notify_schedule(c, now, &st->scheduled, err);
    if (rc == 0) rc = notify_address(c, now, 1000000, st, err);
    bool worked = true;
    while (rc == 0 && worked) rc = notify_send_next(c, in, owner, &worked, st, err);
    return rc;
}
