/* Notifications: due events become outbox rows, one per recipient and
 * channel (notify.h says who gets what). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz.h"
#include "notify.h"
#include "notify_text.h"
#include "status.h"
#include "util.h"
#include "validate.h"
#include "workflows.h"

#define DIGEST_MAX 200

typedef struct {
    char *email, *user_id;
} rcpt;

typedef struct {
    rcpt *v;
    int n, cap;
} rcpts;

static void rcpt_add(rcpts *r, const char *email, const char *user_id)
{
    if (!email || !hy_valid_email(email)) return;
    for (int i = 0; i < r->n; i++)
        if (strcasecmp(r->v[i].email, email) == 0) return;
    if (r->n == r->cap) r->v = xrealloc(r->v, (size_t)(r->cap = r->cap ? r->cap * 2 : 8) * sizeof *r->v);
    r->v[r->n].email = xstrdup(email);
    r->v[r->n].user_id = user_id && *user_id ? xstrdup(user_id) : NULL;
    r->n++;
}

static void rcpts_free(rcpts *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->v[i].email);
        free(r->v[i].user_id);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Users whose rows a query returns (id, email). */
static int add_users(rcpts *r, hy_stmt *st)
{
    while (db_row(st)) rcpt_add(r, db_text(st, 1), db_text(st, 0));
    return db_done(st);
}

/* [notify] admin_emails (minus those whose account turned notifications
 * off), else every admin and support user who has them on. */
static int admins(hy_ctx *c, rcpts *r, hy_err *err)
{
    const char *list = c->cfg->notify.admin_emails;
    if (!list)
        return add_users(r,
                         db_query(c->db, err,
                                  "SELECT id, email FROM users WHERE app_role IN ('admin', 'support') AND "
                                  "notifications = 1 ORDER BY email",
                                  ""));
    char *copy = xstrdup(list), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok && rc == 0; tok = strtok_r(NULL, ", ", &save)) {
        for (char *p = tok; *p; p++) *p = (char)tolower((unsigned char)*p);
        hy_stmt *st = db_query(c->db, err, "SELECT id, notifications FROM users WHERE lower(email) = ?", "t", tok);
        bool off = false;
        char *id = NULL;
        if (db_row(st)) {
            id = db_dup(st, 0);
            off = db_int(st, 1) == 0;
        }
        rc = db_done(st);
        if (rc == 0 && !off) rcpt_add(r, tok, id);
        free(id);
    }
    free(copy);
    return rc;
}

/* What an event is about. */
typedef struct {
    int64_t id;
    char event[16];
    char *exec_id, *step_id, *since, *detail, *actor_id;
    int step_order;
} event_row;

typedef struct {
    bool found;
    char *status, *org_id, *wf_name, *org_name, *user_email;
    char *rb_id, *rb_email, *rb_role, *rb_org;
    bool rb_on;
    const hy_workflow_def *wf;
} exec_info;

static void exec_info_free(exec_info *x)
{
    free(x->status); free(x->org_id); free(x->wf_name); free(x->org_name); free(x->user_email);
    free(x->rb_id); free(x->rb_email); free(x->rb_role); free(x->rb_org);
    memset(x, 0, sizeof *x);
}

static int load_exec(hy_ctx *c, const char *id, exec_info *x, hy_err *err)
{
    memset(x, 0, sizeof *x);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT e.status, e.organization_id, wd.name, o.name, u.email, rb.id, rb.email, rb.app_role, "
                           "rb.organization_id, rb.notifications FROM workflow_executions e "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "LEFT JOIN organizations o ON o.id = e.organization_id LEFT JOIN users u ON u.id = e.user_id "
                           "LEFT JOIN users rb ON rb.id = e.requested_by WHERE e.id = ?",
                           "t", id);
    if (db_row(st)) {
        x->found = true;
        x->status = db_dup(st, 0);
        x->org_id = db_dup(st, 1);
        x->wf_name = db_dup(st, 2);
        x->org_name = db_dup(st, 3);
        x->user_email = db_dup(st, 4);
        x->rb_id = db_dup(st, 5);
        x->rb_email = db_dup(st, 6);
        x->rb_role = db_dup(st, 7);
        x->rb_org = db_dup(st, 8);
        x->rb_on = db_int(st, 9) != 0;
    }
    x->wf = workflow_find(x->wf_name);
    return db_done(st);
}

static const hy_step_def *step_def(const exec_info *x, int order)
{
    return x->wf && order >= 1 && order <= x->wf->nsteps ? &x->wf->steps[order - 1] : NULL;
}

/* Is the waiting step one the requesting partner admin fills in (the same
 * rule as everywhere: authz)? */
static bool for_requester(const exec_info *x, int order)
{
    hy_role role;
    if (!x->rb_id || !hy_role_parse(x->rb_role, &role) || role != HY_ROLE_PARTNER_ADMIN) return false;
    hy_principal p;
    memset(&p, 0, sizeof p);
    p.role = role;
    hy_strlcpy(p.org_id, x->rb_org ? x->rb_org : "", sizeof p.org_id);
    unsigned actions = authz_exec_actions(&p, x->wf, x->org_id);
    return authz_may_input_step(&p, actions, step_def(x, order));
}

/* The requester; for a partner admin's request, the organisation's partner admins too. */
static int requester(hy_ctx *c, const exec_info *x, rcpts *r, hy_err *err)
{
    if (!x->rb_id) return 0;
    if (x->rb_on) rcpt_add(r, x->rb_email, x->rb_id);
    if (!hy_streq(x->rb_role, "partner_admin") || !x->org_id) return 0;
    return add_users(r,
                     db_query(c->db, err,
                              "SELECT id, email FROM users WHERE organization_id = ? AND app_role = 'partner_admin' "
                              "AND notifications = 1 ORDER BY email",
                              "t", x->org_id));
}

static int add_row(hy_ctx *c, int64_t event_id, const char *channel, const char *recipient, const char *user_id,
                   const char *subject, const char *text, const char *html, int64_t now_ms, hy_err *err)
{
    hy_mode mode = hy_streq(channel, "slack") ? c->cfg->slack.mode : c->cfg->smtp.mode;
    const char *status = mode == HY_MODE_LIVE ? "pending" : mode == HY_MODE_SIMULATE ? "simulated" : "skipped";
    const char *why = mode != HY_MODE_OFF ? NULL
                      : hy_streq(channel, "slack")
                          ? "Slack is off: set [slack] bot_token (or mode) to post notifications"
                          : "email is off: set [smtp] host and from (or mode) to send notifications";
    char now[HY_TIME_LEN];
    hy_iso_from_ms(now_ms, now);
    return db_exec(c->db, err,
                   "INSERT INTO notify_outbox(event_id, channel, recipient, user_id, subject, body_text, body_html, "
                   "status, next_ms, error, created_at, sent_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, "
                   "CASE WHEN ?9 > 0 THEN ?9 END, ?, ?, ?)",
                   "ItttttttIttt", event_id, channel, recipient, user_id, subject, text, html, status,
                   mode == HY_MODE_LIVE ? now_ms : (int64_t)0, why, now,
                   mode == HY_MODE_SIMULATE ? now : NULL);
}

static int write_rows(hy_ctx *c, int64_t event_id, const rcpts *r, bool slack, const notify_body *b, int64_t now_ms,
                      hy_err *err)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < r->n; i++)
        rc = add_row(c, event_id, "email", r->v[i].email, r->v[i].user_id, b->subject, b->text, b->html, now_ms, err);
    if (rc == 0 && slack && c->cfg->notify.slack_channel)
        rc = add_row(c, event_id, "slack", c->cfg->notify.slack_channel, NULL, b->subject, b->slack, NULL, now_ms, err);
    return rc;
}

static int digest_items(hy_ctx *c, bool failed, int64_t now_ms, notify_digest_item **out, int *n, hy_err *err)
{
    *out = NULL;
    *n = 0;
    hy_stmt *st =
        failed ? db_query(c->db, err,
                          "SELECT e.id, wd.name, o.name, e.current_step_order, s.error, coalesce(s.updated_at, "
                          "e.updated_at) FROM workflow_executions e JOIN workflow_definitions wd ON wd.id = "
                          "e.workflow_definition_id LEFT JOIN organizations o ON o.id = e.organization_id "
                          "LEFT JOIN workflow_step_executions s ON s.execution_id = e.id AND s.step_order = "
                          "e.current_step_order WHERE e.status = 'failed' ORDER BY 6 LIMIT ?",
                          "i", DIGEST_MAX)
               : db_query(c->db, err,
                          "SELECT s.execution_id, wd.name, o.name, s.step_order, NULL, s.started_at "
                          "FROM workflow_step_executions s JOIN workflow_executions e ON e.id = s.execution_id "
                          "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                          "LEFT JOIN organizations o ON o.id = e.organization_id "
                          "WHERE s.status = 'awaiting_input' ORDER BY s.started_at LIMIT ?",
                          "i", DIGEST_MAX);
    int cap = 0;
    while (db_row(st)) {
        if (*n == cap) *out = xrealloc(*out, (size_t)(cap = cap ? cap * 2 : 16) * sizeof **out);
        notify_digest_item *it = &(*out)[(*n)++];
        const hy_workflow_def *wf = workflow_find(db_text(st, 1));
        it->exec_id = db_dup(st, 0);
        it->workflow_label = xstrdup(wf ? wf->label : db_text(st, 1));
        it->org_name = db_dup(st, 2);
        it->step_order = (int)db_int(st, 3);
        const hy_step_def *sd = wf && it->step_order >= 1 && it->step_order <= wf->nsteps
                                    ? &wf->steps[it->step_order - 1] : NULL;
        it->what = failed ? db_dup(st, 4) : xstrdup(sd ? sd->label : "?");
        int64_t at;
        it->age_ms = hy_parse_time(db_text(st, 5), &at) ? now_ms - at : 0;
    }
    return db_done(st);
}

static void digest_free(notify_digest_item *v, int n)
{
    for (int i = 0; i < n; i++) {
        free((char *)v[i].exec_id);
        free((char *)v[i].workflow_label);
        free((char *)v[i].org_name);
        free((char *)v[i].what);
    }
    free(v);
}

/* Addresses one event; *why: set when it is dropped (static text). */
static int address(hy_ctx *c, const event_row *ev, int64_t now_ms, const char **why, hy_err *err)
{
    *why = NULL;
    rcpts r = {0};
    notify_body b = {0};
    int rc = 0;
    bool slack = false;
    if (hy_streq(ev->event, "digest")) {
        notify_digest_item *w = NULL, *f = NULL;
        int nw = 0, nf = 0;
        rc = digest_items(c, false, now_ms, &w, &nw, err);
        if (rc == 0) rc = digest_items(c, true, now_ms, &f, &nf, err);
        if (rc == 0 && nw + nf == 0) *why = "nothing was waiting or failed";
        if (rc == 0 && !*why) {
            notify_render_digest(w, nw, f, nf, &b);
            rc = admins(c, &r, err);
        }
        digest_free(w, nw);
        digest_free(f, nf);
    } else {
        exec_info x;
        rc = load_exec(c, ev->exec_id, &x, err);
        if (rc == 0 && !x.found) *why = "the execution no longer exists";
        bool input = hy_streq(ev->event, "input_needed") || hy_streq(ev->event, "reminder");
        if (rc == 0 && !*why && input) {
            char *status = NULL, *started = NULL;
            rc = db_get_text(c->db, err, &status, "SELECT status FROM workflow_step_executions WHERE id = ?", "t",
                             ev->step_id);
            if (rc == 0)
                rc = db_get_text(c->db, err, &started, "SELECT started_at FROM workflow_step_executions WHERE id = ?",
                                 "t", ev->step_id);
            if (rc == 0 && (hy_step_status_of(status) != HY_SS_AWAITING_INPUT || !hy_streq(started, ev->since)))
                *why = "the step no longer waited for input when it was due";
            free(status);
            free(started);
        }
        bool partner = false;
        if (rc == 0 && !*why) {
            if (input && for_requester(&x, ev->step_order)) {
                partner = true;
                if (x.rb_on) rcpt_add(&r, x.rb_email, x.rb_id);
            } else if (input || hy_streq(ev->event, "failed")) {
                rc = admins(c, &r, err);
                slack = true;
            } else {
                rc = requester(c, &x, &r, err);
            }
        }
        if (rc == 0 && !*why) {
            const hy_step_def *sd = step_def(&x, ev->step_order);
            char *by = NULL;
            if (ev->actor_id)
                rc = db_get_text(c->db, err, &by, "SELECT email FROM users WHERE id = ?", "t", ev->actor_id);
            int64_t since = 0;
            notify_msg m = {.event = ev->event, .exec_id = ev->exec_id, .workflow_label = x.wf ? x.wf->label : x.wf_name,
                            .org_name = x.org_name, .user_email = x.user_email, .step_order = ev->step_order,
                            .step_label = sd ? sd->label : NULL, .detail = ev->detail,
                            .waiting_ms = hy_parse_time(ev->since, &since) ? now_ms - since : 0,
                            .reminder = ev->detail ? atoi(ev->detail) : 0,
                            .max_reminders = c->cfg->notify.max_reminders, .cancelled_by = by, .partner = partner};
            if (rc == 0) notify_render(&m, &b);
            free(by);
        }
        exec_info_free(&x);
    }
    if (rc == 0 && !*why && r.n == 0 && !(slack && c->cfg->notify.slack_channel))
        *why = "nobody to tell: no recipient has notifications on";
    if (rc == 0 && !*why) rc = write_rows(c, ev->id, &r, slack, &b, now_ms, err);
    notify_body_free(&b);
    rcpts_free(&r);
    return rc;
}

int notify_address(hy_ctx *c, int64_t now_ms, int max, notify_stats *st, hy_err *err)
{
    if (!c->cfg->notify.enabled) return 0;
    /* A read first: an idle runner takes no write lock. */
    int64_t due = 0;
    bool found;
    int rc = db_get_int(c->db, err, &due, &found,
                        "SELECT due_ms FROM notify_events WHERE state = 'new' AND due_ms <= ? LIMIT 1", "I", now_ms);
    if (rc || !found) return rc;
    if (db_begin_quiet(c->db, err) != 0) return err->code;
    event_row *evs = NULL;
    int n = 0, cap = 0;
    hy_stmt *q = db_query(c->db, err,
                          "SELECT id, event, execution_id, step_order, step_id, since, detail, actor_id "
                          "FROM notify_events WHERE state = 'new' AND due_ms <= ? ORDER BY due_ms LIMIT ?",
                          "Ii", now_ms, max);
    while (db_row(q)) {
        if (n == cap) evs = xrealloc(evs, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *evs);
        event_row *e = &evs[n++];
        memset(e, 0, sizeof *e);
        e->id = db_int(q, 0);
        hy_strlcpy(e->event, db_text(q, 1), sizeof e->event);
        e->exec_id = db_dup(q, 2);
        e->step_order = (int)db_int(q, 3);
        e->step_id = db_dup(q, 4);
        e->since = db_dup(q, 5);
        e->detail = db_dup(q, 6);
        e->actor_id = db_dup(q, 7);
    }
    rc = db_done(q);
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *why = NULL;
        rc = address(c, &evs[i], now_ms, &why, err);
        if (rc == 0)
            rc = db_exec(c->db, err, "UPDATE notify_events SET state = ?, note = ? WHERE id = ?", "ttI",
                         why ? "dropped" : "addressed", why, evs[i].id);
        if (rc == 0 && st) {
            if (why) st->dropped++;
            else st->addressed++;
        }
    }
    for (int i = 0; i < n; i++) {
        free(evs[i].exec_id);
        free(evs[i].step_id);
        free(evs[i].since);
        free(evs[i].detail);
        free(evs[i].actor_id);
    }
    free(evs);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}
