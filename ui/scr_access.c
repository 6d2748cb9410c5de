/* Access (staff): the current drift, what the latest checks of Metabase,
 * Teams and Slack found that HyOpps' grants do not say (ops_access.h), one
 * finding a row: organisation, system, kind, person, since when, the
 * execution that granted it, what was done about it. `f` and `s` filter by
 * kind and by system; Enter opens the organisation's users x systems
 * matrix, `p` the person's access. `R` runs a reconciliation now (staff who
 * may: a background job, the services are read). Repairs (administrators):
 * Space marks findings, `x` repairs the marked ones (or the selected one)
 * after a confirmation that says exactly what is done (the account a
 * removal takes out); a finding with several repairs (a person HyOpps
 * knows) asks which first; an unknown group opens the organisation's group
 * id editor. Repairs run as a job too (a removal calls the service). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "job.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

typedef struct {
    hy_reconcile_req req;
    hy_reconcile_stats stats;
} run_job;

typedef struct {
    int64_t *ids;
    int n;
    hy_repair action;
    hy_repair_result res;
} repair_job;

typedef struct {
    ui_list list;
    hy_finding_list l;
    int kind;                   /* -1: every kind */
    int sys;                    /* -1: every system */
    bool *marked;               /* per row of l */
    ui_job *job;
    bool job_is_run;
    int64_t *pending;           /* the findings a confirmation is about */
    int npending;
    hy_repair pending_action;
} access_state;

enum { A_OPEN = 1, A_PERSON, A_KIND, A_SYSTEM, A_MARK, A_REPAIR, A_RUN, A_REFRESH };

static const ui_action ACCESS_ACTIONS[] = {
    {A_OPEN, "Enter", "Matrix", "Open the organisation's users x systems matrix"},
    {A_PERSON, "p", "Person", "Show the selected person's access: granted, and what the last check saw"},
    {A_KIND, "f", "Kind", "Show one kind of drift, then the next (missing, unexpected, revoked, unknown group, all)"},
    {A_SYSTEM, "s", "System", "Show one system, then the next (Metabase, Teams, Slack, all)"},
    {A_MARK, "Space", "Mark", "Mark or unmark the selected finding for a repair of several"},
    {A_REPAIR, "x", "Repair", "Repair the marked findings, or the selected one (asks first, saying what is done)"},
    {A_RUN, "R", "Reconcile", "Read Metabase, Teams and Slack now and compare them with the grants"},
    {A_REFRESH, "r C-r", NULL, "Load the current drift again"},
    UI_ACTIONS_END,
};

static const ui_column ACCESS_COLS[] = {
    {"", 1, 1, 10, false},
    {"#", 3, 6, 6, true},
    {"Organisation", 10, 20, 8, false},
    {"System", 8, 8, 9, false},
    {"Kind", 10, 19, 10, false},
    {"Person", 24, 0, 9, false},
    {"Since", 10, 16, 3, false},
    {"Granted by", 8, 8, 2, false},
    {"Repair", 6, 30, 1, false},
};

static const char *access_cell(void *data, int row, int col, char *buf, size_t n)
{
    access_state *st = data;
    const hy_finding *f = &st->l.items[row];
    switch (col) {
    case 0: return st->marked && st->marked[row] ? "*" : "";
    case 1: snprintf(buf, n, "%lld", (long long)f->id); return buf;
    case 2: return f->organization_name ? f->organization_name : "(the shared team)";
    case 3: return hy_sys_label(f->sys);
    case 4: return hy_drift_label(f->kind);
    case 5: {
        char *p = hy_finding_person(f);
        snprintf(buf, n, "%s", p);
        free(p);
        return buf;
    }
    case 6: {
        char t[HY_TIME_LEN];
        hy_time_short(f->first_seen, t);
        snprintf(buf, n, "%s", t);
        return buf;
    }
    case 7: snprintf(buf, n, "%.8s", f->grant_execution_id ? f->grant_execution_id : "-"); return buf;
    default: return f->repair ? f->repair : "";
    }
}

static ui_style access_style(void *data, int row, int col)
{
    access_state *st = data;
    const hy_finding *f = &st->l.items[row];
    if (f->repaired_at) return UI_S_DIM;
    if (col == 4) return f->kind == HY_DRIFT_MISSING ? UI_S_WAITING : UI_S_FAILED;
    return col == 6 || col == 7 ? UI_S_DIM : UI_S_NORMAL;
}

static const char *access_id(void *data, int row)
{
    static char key[32];
    snprintf(key, sizeof key, "%lld", (long long)((access_state *)data)->l.items[row].id);
    return key;
}

static int load(ui *u, access_state *st)
{
    hy_drift_query q = {.kinds = st->kind < 0 ? 0 : 1u << st->kind, .systems = st->sys < 0 ? 0 : 1u << st->sys};
    hy_finding_list l;
    hy_err err;
    hy_err_clear(&err);
    if (ops_access_drift(u->ctx, &u->me, &q, &l, &err) != 0) return ui_fail(u, &err);
    /* keep the marks of the findings still shown */
    bool *marked = xcalloc((size_t)(l.count ? l.count : 1), sizeof *marked);
    for (int i = 0; i < l.count && st->marked; i++)
        for (int j = 0; j < st->l.count; j++)
            if (st->l.items[j].id == l.items[i].id) marked[i] = st->marked[j];
    free(st->marked);
    st->marked = marked;
    hy_finding_list_free(&st->l);
    st->l = l;
    st->list.empty_text = st->kind < 0 && st->sys < 0
                              ? "No drift: the latest checks found what HyOpps granted (R runs one now)."
                              : "No drift of this kind or system.";
    ui_list_set_count(&st->list, l.count);
    return 0;
}

static int access_reload(ui *u, screen *s)
{
    int f = load(u, s->state);
    return f ? f : UI_REDRAW;
}

static int access_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    access_state *st = s->state;
    st->kind = st->sys = -1;
    ui_list_init(&st->list, ACCESS_COLS, 9, st, access_cell);
    st->list.style = access_style;
    st->list.row_id = access_id;
    st->list.noun = "findings";
    s->focus = &st->list.w;
    int f = load(u, st);
    return f ? (f | UI_CLOSE) : UI_REDRAW;
}

static int nmarked(const access_state *st)
{
    int n = 0;
    for (int i = 0; i < st->l.count; i++) n += st->marked[i];
    return n;
}

static void access_draw(ui *u, screen *s, ui_rect body)
{
    access_state *st = s->state;
    char head[300];
    int marks = nmarked(st);
    snprintf(head, sizeof head, "Current drift: %d finding%s   kind: %s   system: %s", st->l.count,
             st->l.count == 1 ? "" : "s", st->kind < 0 ? "all" : hy_drift_label(st->kind),
             st->sys < 0 ? "all" : hy_sys_label(st->sys));
    if (marks) snprintf(head + strlen(head), sizeof head - strlen(head), "   %d marked", marks);
    ui_put(u, body.y, body.x + 2, body.w - 4, UI_S_TITLE, 0, head);
    int detail = body.h >= 14 ? 3 : 0;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 2 - detail, body.w - 2});
    int y = body.y + body.h - 1 - detail;
    if (st->job) {
        char line[200];
        snprintf(line, sizeof line, "%s %s%s (%ds)", ui_spinner(u),
                 st->job_is_run ? "Reading Metabase, Teams and Slack" : "Repairing", u->ascii ? "..." : "…",
                 ui_job_elapsed_ms(st->job) / 1000);
        ui_put(u, y, body.x + 2, body.w - 4, UI_S_RUNNING, UI_FIT_RAW, line);
    }
    int row = ui_list_selected(&st->list);
    if (!detail || row < 0) return;
    const hy_finding *f = &st->l.items[row];
    char line[600], t[HY_TIME_LEN];
    hy_time_short(f->checked_at, t);
    snprintf(line, sizeof line, "%s  (account %s, group %s; last seen %s)", f->detail ? f->detail : "",
             f->account_id && *f->account_id ? f->account_id : "-", f->group_id && *f->group_id ? f->group_id : "-", t);
    ui_put(u, y + 1, body.x + 2, body.w - 4, UI_S_NORMAL, 0, line);
    if (f->repaired_at) {
        hy_time_short(f->repaired_at, t);
        snprintf(line, sizeof line, "repaired %s by %s: %s", t, f->repaired_by_email ? f->repaired_by_email : "?",
                 f->repair ? f->repair : "");
        ui_put(u, y + 2, body.x + 2, body.w - 4, UI_S_OK, 0, line);
    } else if (f->grant_execution_id) {
        hy_time_short(f->granted_at, t);
        snprintf(line, sizeof line, "granted %s by execution %s", t, f->grant_execution_id);
        ui_put(u, y + 2, body.x + 2, body.w - 4, UI_S_DIM, 0, line);
    }
}

/* ---- jobs: a run, a repair ---- */

static void run_job_free(void *p)
{
    run_job *j = p;
    free((char *)j->req.org_ref);
    hy_reconcile_stats_free(&j->stats);
    free(j);
}

static int do_run(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err)
{
    run_job *j = arg;
    return ops_reconcile(c, p, &j->req, &j->stats, err);
}

static void repair_job_free(void *p)
{
    repair_job *j = p;
    free(j->ids);
    hy_repair_result_free(&j->res);
    free(j);
}

static int do_repair(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err)
{
    repair_job *j = arg;
    return ops_access_repair(c, p, j->ids, j->n, j->action, NULL, &j->res, err);
}

static void run_done(ui *u, run_job *j)
{
    const hy_reconcile_stats *s = &j->stats;
    int calls = 0;
    for (int i = 0; i < HY_NSYS; i++) calls += s->calls[i];
    if (s->nfailures)
        ui_msg(u, UI_S_ERROR, "Reconciled %d organisation%s: %d drift%s; could not read %s%s", s->organizations,
               s->organizations == 1 ? "" : "s", s->findings, s->findings == 1 ? "" : "s", s->failures[0],
               s->nfailures > 1 ? " (and more)" : "");
    else
        ui_msg(u, s->findings ? UI_S_INFO : UI_S_OK, "Reconciled %d organisation%s: %d drift%s, %d service call%s.",
               s->organizations, s->organizations == 1 ? "" : "s", s->findings, s->findings == 1 ? "" : "s", calls,
               calls == 1 ? "" : "s");
}

static void repair_done(ui *u, repair_job *j)
{
    const hy_repair_result *r = &j->res;
    const char *first = r->n ? r->v[0].message : "";
    for (int i = 0; i < r->n; i++)
        if (r->v[i].code) {
            first = r->v[i].message;
            break;
        }
    if (r->n == 1)
        ui_msg(u, r->failed ? UI_S_ERROR : UI_S_OK, "#%lld %s: %s", (long long)r->v[0].id,
               r->failed ? "not repaired" : "repaired", first ? first : "");
    else
        ui_msg(u, r->failed ? UI_S_ERROR : UI_S_OK, "%d repaired, %d not%s%s", r->done, r->failed,
               r->failed ? ": " : "", r->failed && first ? first : "");
    if (r->done) ui_runner_kick(u); /* a re-grant or a revocation queued steps */
}

static int access_tick(ui *u, screen *s)
{
    access_state *st = s->state;
    if (!st->job) return u->data_changed ? access_reload(u, s) : 0; /* another session's run or repair */
    if (!ui_job_done(st->job)) {
        ui_tick_in(u, UI_TICK_MS); /* the spinner and the seconds */
        return UI_REDRAW;
    }
    int rc;
    hy_err err;
    bool was_run = st->job_is_run;
    void *j = ui_job_take(&st->job, &rc, &err);
    int f = UI_REDRAW;
    if (rc != 0) {
        f = ui_fail(u, &err);
    } else if (was_run) {
        run_done(u, j);
    } else {
        repair_done(u, j);
        memset(st->marked, 0, (size_t)st->l.count * sizeof *st->marked);
    }
    if (was_run) run_job_free(j);
    else repair_job_free(j);
    if (f & UI_LOGOUT) return f;
    int lf = load(u, st);
    return lf ? lf : f;
}

static void start_repair(ui *u, access_state *st, const int64_t *ids, int n, hy_repair a)
{
    repair_job *j = xcalloc(1, sizeof *j);
    j->ids = xcalloc((size_t)n, sizeof *j->ids);
    memcpy(j->ids, ids, (size_t)n * sizeof *ids);
    j->n = n;
    j->action = a;
    st->job_is_run = false;
    st->job = ui_job_start(u, do_repair, j, repair_job_free);
}

static void clear_pending(access_state *st)
{
    free(st->pending);
    st->pending = NULL;
    st->npending = 0;
}

static int confirmed(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    access_state *st = s->state;
    if (yes && st->npending && !st->job) start_repair(u, st, st->pending, st->npending, st->pending_action);
    clear_pending(st);
    return UI_REDRAW;
}

/* Asks before a repair of one finding, saying what it does. */
static int ask_one(ui *u, access_state *st, const hy_finding *f, hy_repair a)
{
    char *what = hy_repair_describe(f, a);
    char *q = xasprintf("#%lld: %s?", (long long)f->id, what ? what : hy_repair_name(a));
    free(what);
    clear_pending(st);
    st->pending = xcalloc(1, sizeof *st->pending);
    st->pending[0] = f->id;
    st->npending = 1;
    st->pending_action = a;
    ui_confirm(u, "Repair access", q, confirmed, NULL);
    free(q);
    return UI_REDRAW;
}

static const hy_repair ORDER[] = {HY_REPAIR_REGRANT, HY_REPAIR_REVOKE, HY_REPAIR_ADOPT, HY_REPAIR_REMOVE};
#define NORDER (int)(sizeof ORDER / sizeof ORDER[0])

static int chosen(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)ctx;
    access_state *st = s->state;
    if (!result || !text || st->npending != 1) {
        clear_pending(st);
        return UI_REDRAW;
    }
    int64_t id = st->pending[0];
    for (int i = 0; i < st->l.count; i++) {
        if (st->l.items[i].id != id) continue;
        for (int k = 0; k < NORDER; k++)
            if (hy_streq(text, hy_repair_name(ORDER[k]))) return ask_one(u, st, &st->l.items[i], ORDER[k]);
    }
    clear_pending(st);
    ui_msg(u, UI_S_INFO, "That finding is no longer in the list.");
    return UI_REDRAW;
}

static int repair_selected(ui *u, access_state *st, const hy_finding *f)
{
    if (f->repaired_at) {
        ui_msg(u, UI_S_INFO, "#%lld was repaired already (%s); the next reconciliation shows what is left.",
               (long long)f->id, f->repair ? f->repair : "");
        return UI_REDRAW;
    }
    unsigned choices = hy_repair_choices(f);
    if (!choices && f->kind != HY_DRIFT_UNKNOWN_GROUP) {
        ui_msg(u, UI_S_INFO, "#%lld names no one HyOpps could give the access back to.", (long long)f->id);
        return UI_REDRAW;
    }
    if (!choices) {
        if (f->organization_id && *f->organization_id) {
            ui_msg(u, UI_S_INFO, "An unknown group is repaired by setting its real id here.");
            ui_push(u, &ui_org_groups_screen, f->organization_id);
        } else {
            ui_msg(u, UI_S_INFO, "The shared team's id is [teams] team_id in the configuration file.");
        }
        return UI_REDRAW;
    }
    int n = 0;
    const char *ids[NORDER], *labels[NORDER], *details[NORDER];
    char *texts[NORDER];
    for (int k = 0; k < NORDER; k++) {
        if (!(choices & (1u << ORDER[k]))) continue;
        texts[n] = hy_repair_describe(f, ORDER[k]);
        ids[n] = labels[n] = hy_repair_name(ORDER[k]);
        details[n] = texts[n] ? texts[n] : "";
        n++;
    }
    if (n == 1) {
        hy_repair a = HY_REPAIR_DEFAULT;
        for (int k = 0; k < NORDER; k++)
            if (hy_streq(ids[0], hy_repair_name(ORDER[k]))) a = ORDER[k];
        free(texts[0]);
        return ask_one(u, st, f, a);
    }
    char *heading = hy_finding_person(f);
    char *h = xasprintf("How to repair #%lld (%s, %s: %s)?", (long long)f->id, heading, hy_sys_label(f->sys),
                        hy_drift_label(f->kind));
    free(heading);
    /* what each does is the long text: the first, flexible column */
    ui_pick_arg pa = {.heading = h, .noun = "repairs", .col1 = "What it does", .col2 = "Repair", .n = n,
                      .ids = ids, .labels = details, .details = labels};
    clear_pending(st);
    st->pending = xcalloc(1, sizeof *st->pending);
    st->pending[0] = f->id;
    st->npending = 1;
    ui_push_then(u, &ui_pick_screen, &pa, chosen, NULL);
    free(h);
    for (int i = 0; i < n; i++) free(texts[i]);
    return UI_REDRAW;
}

static int repair_marked(ui *u, access_state *st, int marks)
{
    clear_pending(st);
    st->pending = xcalloc((size_t)marks, sizeof *st->pending);
    int removals = 0;
    for (int i = 0; i < st->l.count; i++) {
        if (!st->marked[i]) continue;
        st->pending[st->npending++] = st->l.items[i].id;
        removals += st->l.items[i].kind == HY_DRIFT_UNEXPECTED && !st->l.items[i].known;
    }
    st->pending_action = HY_REPAIR_DEFAULT;
    char *q = xasprintf("Repair the %d marked findings, each as its kind says (a missing one is granted again, "
                        "%d account%s unknown to HyOpps removed from the group; a person HyOpps knows is "
                        "repaired one at a time)?",
                        st->npending, removals, removals == 1 ? "" : "s");
    ui_confirm(u, "Repair access", q, confirmed, NULL);
    free(q);
    return UI_REDRAW;
}

static int access_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    access_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    int row = ui_list_selected(&st->list);
    const hy_finding *f = row >= 0 ? &st->l.items[row] : NULL;
    if ((a->id == A_REPAIR || a->id == A_RUN) && st->job) {
        ui_msg(u, UI_S_INFO, "Still busy; wait for it to end (Esc leaves without waiting).");
        return UI_REDRAW;
    }
    switch (a->id) {
    case A_REFRESH: return UI_RELOAD;
    case A_KIND:
    case A_SYSTEM: {
        int *v = a->id == A_KIND ? &st->kind : &st->sys;
        int n = a->id == A_KIND ? HY_NDRIFT : HY_NSYS;
        *v = *v + 1 >= n ? -1 : *v + 1;
        int fl = load(u, st);
        return fl ? fl : UI_REDRAW;
    }
    case A_OPEN:
        if (!f) return UI_HANDLED;
        if (!f->organization_id || !*f->organization_id) {
            ui_msg(u, UI_S_INFO, "This is about the Teams team all partners share, not one organisation.");
            return UI_REDRAW;
        }
        ui_push(u, &ui_access_matrix_screen, f->organization_id);
        return UI_REDRAW;
    case A_PERSON:
        if (!f) return UI_HANDLED;
        if (!f->user_id || !*f->user_id) {
            ui_msg(u, UI_S_INFO, "HyOpps does not know this account: it has no access recorded.");
            return UI_REDRAW;
        }
        ui_push(u, &ui_access_user_screen, f->user_id);
        return UI_REDRAW;
    case A_MARK:
        if (!f) return UI_HANDLED;
        st->marked[row] = !st->marked[row];
        ui_list_select(&st->list, row + 1 < st->l.count ? row + 1 : row);
        return UI_REDRAW;
    case A_REPAIR: {
        int marks = nmarked(st);
        if (marks) return repair_marked(u, st, marks);
        return f ? repair_selected(u, st, f) : UI_HANDLED;
    }
    case A_RUN: {
        run_job *j = xcalloc(1, sizeof *j);
        st->job_is_run = true;
        st->job = ui_job_start(u, do_run, j, run_job_free);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

/* Running one and repairing are capabilities (ops_can): without them the keys do not exist. */
static bool access_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    if (a->id == A_RUN) return ops_can(&u->me, HY_CAP_RECONCILE);
    if (a->id == A_MARK || a->id == A_REPAIR) return ops_can(&u->me, HY_CAP_REPAIR);
    return true;
}

static void access_close(ui *u, screen *s)
{
    access_state *st = s->state;
    ui_job_abandon(u, &st->job);
    ui_list_free(&st->list);
    hy_finding_list_free(&st->l);
    free(st->marked);
    clear_pending(st);
}

const screen_ops ui_access_screen = {
    .name = "Access",
    .state_size = sizeof(access_state),
    .actions = ACCESS_ACTIONS,
    .open = access_open,
    .draw = access_draw,
    .handle_key = access_key,
    .tick = access_tick,
    .reload = access_reload,
    .close = access_close,
    .exists = access_exists,
};
