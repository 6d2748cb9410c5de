/* Integrations: each one's mode and where it points (from the
 * configuration; never a secret) and, on `c`, the set-up check
 * (ops_integrations_check) with its result per line. The check calls every
 * live service (up to [http] timeout_ms each, in parallel): it runs as a
 * background job (job.h) while the screen shows the time so far; keys keep
 * working and Esc leaves without waiting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

typedef struct {
    integ_check_report report;
} check_job;

typedef struct {
    ui_list list;
    char where[INTEG_COUNT][300];
    bool checked;               /* report holds a finished check */
    integ_check_report report;
    ui_job *job;
    char *error;                /* the check could not run (not an integration's failure) */
    char checked_at[HY_TIME_LEN];
} integ_state;

enum { A_CHECK = 1 };

static const ui_action INTEG_ACTIONS[] = {
    {A_CHECK, "c Enter", "Check", "Check every live integration's set-up (calls the services, changes nothing)"},
    UI_ACTIONS_END,
};

static const ui_column INTEG_COLS[] = {
    {"Integration", 11, 11, 9, false},
    {"Mode", 8, 8, 8, false},
    {"Where", 12, 36, 3, false},
    {"Check", 20, 0, 7, false},
};

static const char *const NAMES[INTEG_COUNT] = {"metabase", "teams", "slack", "email", "studio"};

static hy_mode mode_of(const hy_config *cfg, int i)
{
    switch (i) {
    case INTEG_METABASE: return cfg->metabase.mode;
    case INTEG_TEAMS: return cfg->teams.mode;
    case INTEG_SLACK: return cfg->slack.mode;
    case INTEG_EMAIL: return cfg->smtp.mode;
    default: return HY_MODE_SIMULATE;
    }
}

/* Where each integration points: URLs, ids and hosts, never a key. */
static void describe(const hy_config *cfg, int i, char *out, size_t n)
{
    const char *s = "";
    if (mode_of(cfg, i) == HY_MODE_OFF) {
        snprintf(out, n, "-");
        return;
    }
    switch (i) {
    case INTEG_METABASE: snprintf(out, n, "%s", cfg->metabase.url ? cfg->metabase.url : s); break;
    case INTEG_TEAMS:
        snprintf(out, n, "%s%s%s", cfg->teams.team_id ? "team " : s, cfg->teams.team_id ? cfg->teams.team_id : s,
                 cfg->azure.tenant_id ? " (tenant set)" : s);
        break;
    case INTEG_SLACK: snprintf(out, n, "%s", cfg->slack.api_url ? cfg->slack.api_url : s); break;
    case INTEG_EMAIL:
        if (cfg->smtp.host)
            snprintf(out, n, "%s:%d %s", cfg->smtp.host, cfg->smtp.port,
                     cfg->smtp.tls == HY_TLS_IMPLICIT ? "TLS" : "STARTTLS");
        else
            snprintf(out, n, "%s", s);
        break;
    default: snprintf(out, n, "no public API"); break;
    }
}

static const char *integ_cell(void *data, int row, int col, char *buf, size_t n)
{
    integ_state *st = data;
    switch (col) {
    case 0: return NAMES[row];
    case 1: return config_mode_name(st->report.line[row].mode);
    case 2: return st->where[row];
    default:
        if (st->checked) return st->report.line[row].detail;
        if (st->report.line[row].mode == HY_MODE_LIVE) {
            snprintf(buf, n, "%s", st->job ? "checking..." : "not checked yet: press c");
            return buf;
        }
        return st->report.line[row].mode == HY_MODE_OFF ? "off: not configured" : "simulated: no calls are made";
    }
}

static ui_style integ_style(void *data, int row, int col)
{
    integ_state *st = data;
    const integ_check_line *l = &st->report.line[row];
    if (col == 1) return l->mode == HY_MODE_LIVE ? UI_S_NORMAL : UI_S_DIM;
    if (col != 3) return UI_S_NORMAL;
    if (!st->checked) return st->job && l->mode == HY_MODE_LIVE ? UI_S_RUNNING : UI_S_DIM;
    if (!l->checked) return UI_S_DIM;
    return l->ok ? UI_S_OK : UI_S_FAILED;
}

static int run_check(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err)
{
    check_job *j = arg;
    return ops_integrations_check(c, p, &j->report, err);
}

static int integ_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    integ_state *st = s->state;
    for (int i = 0; i < INTEG_COUNT; i++) {
        st->report.line[i].name = NAMES[i];
        st->report.line[i].mode = mode_of(u->cfg, i);
        describe(u->cfg, i, st->where[i], sizeof st->where[i]);
    }
    ui_list_init(&st->list, INTEG_COLS, 4, st, integ_cell);
    st->list.style = integ_style;
    st->list.noun = "integrations";
    ui_list_set_count(&st->list, INTEG_COUNT);
    s->focus = &st->list.w;
    return UI_REDRAW;
}

static void integ_draw(ui *u, screen *s, ui_rect body)
{
    integ_state *st = s->state;
    int x = body.x + 2, w = body.w - 4;
    char line[256];
    if (u->cfg->embedded_default)
        ui_put(u, body.y + 1, x, w, UI_S_BADGE, UI_FIT_RAW,
               "No configuration file was found: every integration is simulated.");
    ui_list_draw(u, &st->list, (ui_rect){body.y + 2, body.x + 1, INTEG_COUNT + 2, body.w - 2});
    int y = body.y + 2 + INTEG_COUNT + 3;
    if (st->job) {
        snprintf(line, sizeof line, "%s Checking the live integrations%s (%ds; each may take up to %d s)",
                 ui_spinner(u), u->ascii ? "..." : "…", ui_job_elapsed_ms(st->job) / 1000,
                 (u->cfg->http.timeout_ms + 999) / 1000);
        ui_put(u, y, x, w, UI_S_RUNNING, UI_FIT_RAW, line);
    } else if (st->error) {
        ui_put(u, y, x, w, UI_S_ERROR, 0, st->error);
    } else if (st->checked) {
        int live = 0;
        for (int i = 0; i < INTEG_COUNT; i++) live += st->report.line[i].checked;
        if (!live)
            snprintf(line, sizeof line, "Checked at %s: no integration is live, so nothing was called.",
                     st->checked_at);
        else if (st->report.failed)
            snprintf(line, sizeof line, "Checked at %s: %d live integration%s failed.", st->checked_at,
                     st->report.failed, st->report.failed == 1 ? "" : "s");
        else
            snprintf(line, sizeof line, "Checked at %s: every live integration answered.", st->checked_at);
        ui_put(u, y, x, w, st->report.failed ? UI_S_ERROR : UI_S_OK, UI_FIT_RAW, line);
    } else {
        ui_put(u, y, x, w, UI_S_DIM, UI_FIT_RAW, "Press c to check the set-up: live services are called, nothing "
                                                 "is changed.");
    }
    /* The selected line's result in full (the column may be cut). */
    int row = ui_list_selected(&st->list);
    if (st->checked && row >= 0) {
        snprintf(line, sizeof line, "%s:", NAMES[row]);
        ui_put(u, y + 2, x, w, UI_S_TITLE, UI_FIT_RAW, line);
        const char *d = st->report.line[row].detail;
        int start[6], len[6];
        int n = ui_wrap(d, w, u->ascii, 6, start, len); /* detail is terminal-safe (sanitized by the check) */
        for (int i = 0; i < n && y + 3 + i < body.y + body.h; i++) {
            char part[600];
            snprintf(part, sizeof part, "%.*s", len[i], d + start[i]);
            ui_put(u, y + 3 + i, x, w, UI_S_NORMAL, 0, part);
        }
    }
}

static int integ_tick(ui *u, screen *s)
{
    integ_state *st = s->state;
    if (!st->job) return 0;
    if (!ui_job_done(st->job)) {
        ui_tick_in(u, UI_TICK_MS); /* the spinner and the seconds */
        return UI_REDRAW;
    }
    int rc;
    hy_err err;
    check_job *j = ui_job_take(&st->job, &rc, &err);
    int f = UI_REDRAW;
    if (rc == 0) {
        st->report = j->report;
        st->checked = true;
        char now[HY_TIME_LEN];
        hy_now_iso(now);
        hy_time_short(now, st->checked_at);
    } else {
        st->error = xstrdup(err.msg[0] ? err.msg : hy_code_name(err.code));
        if (err.code == HY_ERR_AUTH) f = ui_fail(u, &err);
    }
    free(j);
    return f;
}

static int integ_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    integ_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (st->job) {
        ui_msg(u, UI_S_INFO, "Still checking; Esc leaves without waiting.");
        return UI_REDRAW;
    }
    free(st->error);
    st->error = NULL;
    st->checked = false;
    st->job = ui_job_start(u, run_check, xcalloc(1, sizeof(check_job)), free);
    return UI_REDRAW;
}

static void integ_close(ui *u, screen *s)
{
    integ_state *st = s->state;
    ui_job_abandon(u, &st->job);
    ui_list_free(&st->list);
    free(st->error);
}

const screen_ops ui_integrations_screen = {
    .name = "Integrations",
    .state_size = sizeof(integ_state),
    .actions = INTEG_ACTIONS,
    .open = integ_open,
    .draw = integ_draw,
    .handle_key = integ_key,
    .tick = integ_tick,
    .close = integ_close,
};
