/* The execution console's view logic, free of curses: see exec_view.h. */
#include "exec_view.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util.h"

/* ---- statuses ---- */

ui_mark ui_status_mark(const char *s)
{
    if (hy_streq(s, "completed")) return UI_MARK_DONE;
    if (hy_streq(s, "failed")) return UI_MARK_FAILED;
    if (hy_streq(s, "running")) return UI_MARK_RUNNING;
    if (hy_streq(s, "awaiting_input")) return UI_MARK_WAITING;
    if (hy_streq(s, "skipped")) return UI_MARK_SKIPPED;
    if (hy_streq(s, "cancelled")) return UI_MARK_CANCELLED;
    return UI_MARK_PENDING;
}

const char *ui_status_word(const char *s, bool step)
{
    if (hy_streq(s, "scheduled")) return "scheduled";
    if (step && hy_streq(s, "waiting")) return "waiting (children)";
    switch (ui_status_mark(s)) {
    case UI_MARK_DONE: return step ? "done" : "completed";
    case UI_MARK_FAILED: return "failed";
    case UI_MARK_RUNNING: return "running";
    case UI_MARK_WAITING: return step ? "waiting" : "awaiting input";
    case UI_MARK_SKIPPED: return "skipped";
    case UI_MARK_CANCELLED: return "cancelled";
    case UI_MARK_PENDING: break;
    }
    return step ? "pending" : "queued";
}

void ui_elapsed(int64_t ms, char out[24])
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s < 60) snprintf(out, 24, "%llds", (long long)s);
    else if (s < 3600) snprintf(out, 24, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400) snprintf(out, 24, "%lldh %02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else snprintf(out, 24, "%lldd %lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* "2026-11-26 12:34:01" (UTC), or "-". */
static void time_secs(const char *iso, char out[HY_TIME_LEN])
{
    int64_t ms;
    if (!iso || !hy_parse_time(iso, &ms)) {
        snprintf(out, HY_TIME_LEN, "-");
        return;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, HY_TIME_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- lines ---- */

void ui_lines_add(ui_lines *l, ui_line_kind kind, const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0) text = NULL;
    va_end(ap);
    l->v[l->n++] = (ui_line){kind, text ? text : xstrdup("")};
}

void ui_lines_free(ui_lines *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsString(v)) return xstrdup(v->valuestring ? v->valuestring : "");
    if (cJSON_IsBool(v)) return xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
    if (cJSON_IsNull(v)) return xstrdup("-");
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        /* ids are integers: print them whole, never in exponent form */
        if (d == (double)(long long)d) return xasprintf("%lld", (long long)d);
        return xasprintf("%g", d);
    }
    return NULL;
}

static bool all_scalars(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) if (cJSON_IsObject(it) || cJSON_IsArray(it)) return false;
    return true;
}

static int add_value(const char *key, const cJSON *v, const char *indent, ui_line_kind kind, ui_lines *out)
{
    int n = 0;
    if (cJSON_IsObject(v)) {
        const cJSON *it;
        if (!v->child) {
            ui_lines_add(out, kind, "%s%s: (none)", indent, key);
            return 1;
        }
        cJSON_ArrayForEach(it, v) {
            char *k = key[0] ? xasprintf("%s.%s", key, it->string ? it->string : "?") : xstrdup(it->string ? it->string : "?");
            n += add_value(k, it, indent, kind, out);
            free(k);
        }
        return n;
    }
    if (cJSON_IsArray(v)) {
        if (!v->child) {
            ui_lines_add(out, kind, "%s%s: (none)", indent, key);
            return 1;
        }
        if (all_scalars(v)) {
            hy_buf b = {0};
            hy_buf_put(&b, "");
            const cJSON *it;
            cJSON_ArrayForEach(it, v) {
                char *t = scalar_text(it);
                hy_buf_printf(&b, "%s%s", b.len ? ", " : "", t ? t : "?");
                free(t);
            }
            ui_lines_add(out, kind, "%s%s: %s", indent, key, b.s);
            hy_buf_free(&b);
            return 1;
        }
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            char *k = xasprintf("%s[%d]", key, ++i);
            n += add_value(k, it, indent, kind, out);
            free(k);
        }
        return n;
    }
    char *t = scalar_text(v);
    if (key[0]) ui_lines_add(out, kind, "%s%s: %s", indent, key, t ? t : "?");
    else ui_lines_add(out, kind, "%s%s", indent, t ? t : "?");
    free(t);
    return 1;
}

int ui_json_lines(const char *json, const char *indent, ui_line_kind kind, ui_lines *out)
{
    if (!json) return 0;
    cJSON *v = cJSON_Parse(json);
    if (!v) {
        ui_lines_add(out, kind, "%s%s", indent, json);
        return 1;
    }
    int n = add_value("", v, indent, kind, out);
    cJSON_Delete(v);
    return n;
}

static void attempt_lines(const char *json, ui_lines *out)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsArray(a) || !a->child) {
        cJSON_Delete(a);
        return;
    }
    ui_lines_add(out, UI_LINE_HEAD, "Attempts");
    const cJSON *it;
    cJSON_ArrayForEach(it, a) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(it, "at");
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(it, "duration_ms");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "error");
        const cJSON *lost = cJSON_GetObjectItemCaseSensitive(it, "lost");
        char t[HY_TIME_LEN];
        time_secs(cJSON_IsString(at) ? at->valuestring : NULL, t);
        bool failed = cJSON_IsString(e) && e->valuestring && *e->valuestring;
        ui_lines_add(out, failed ? UI_LINE_ERROR : UI_LINE_TEXT, "  %s  %.0f ms  %s%s", t,
                     cJSON_IsNumber(dur) ? dur->valuedouble : 0.0, failed ? e->valuestring : "ok",
                     cJSON_IsTrue(lost) ? " (its runner stopped; taken over)" : "");
    }
    cJSON_Delete(a);
}

static void call_lines(const char *json, ui_lines *out)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsArray(a) || !a->child) {
        cJSON_Delete(a);
        return;
    }
    ui_lines_add(out, UI_LINE_HEAD, "Calls");
    const cJSON *it;
    cJSON_ArrayForEach(it, a) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "method");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "status");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "duration_ms");
        int status = cJSON_IsNumber(s) ? (int)s->valuedouble : 0;
        ui_lines_add(out, status >= 400 || status == 0 ? UI_LINE_ERROR : UI_LINE_TEXT, "  %s %s -> %d (%.0f ms)",
                     cJSON_IsString(m) ? m->valuestring : "?", cJSON_IsString(p) ? p->valuestring : "?", status,
                     cJSON_IsNumber(d) ? d->valuedouble : 0.0);
    }
    cJSON_Delete(a);
}

void ui_step_lines(const hy_exec_step *s, int64_t now_ms, bool can_fill, ui_lines *out)
{
    char t1[HY_TIME_LEN], t2[HY_TIME_LEN];
    if (s->description && *s->description) ui_lines_add(out, UI_LINE_DIM, "%s", s->description);
    if (s->manual) ui_lines_add(out, UI_LINE_DIM, "A manual step: a person fills in its form.");
    else
        ui_lines_add(out, UI_LINE_DIM, "An automatic step: %s (%s).", s->integration ? s->integration : "?",
                     s->mode ? s->mode : "?");

    ui_mark m = ui_status_mark(s->status);
    hy_buf b = {0};
    hy_buf_printf(&b, "Status: %s", ui_status_word(s->status, true));
    if (s->attempts > 0 && !s->manual) hy_buf_printf(&b, ", attempt %d", s->attempts);
    if (m == UI_MARK_RUNNING || m == UI_MARK_WAITING) {
        int64_t since;
        if (s->started_at && hy_parse_time(s->started_at, &since)) {
            char el[24];
            ui_elapsed(now_ms - since, el);
            hy_buf_printf(&b, " for %s", el);
        }
    }
    ui_lines_add(out, m == UI_MARK_FAILED ? UI_LINE_ERROR : m == UI_MARK_DONE ? UI_LINE_OK : UI_LINE_TEXT, "%s", b.s);
    hy_buf_free(&b);
    if (s->started_at || s->completed_at) {
        time_secs(s->started_at, t1);
        time_secs(s->completed_at, t2);
        ui_lines_add(out, UI_LINE_DIM, "Started %s, finished %s", t1, s->completed_at ? t2 : "-");
    }
    if (s->error && *s->error) ui_lines_add(out, UI_LINE_ERROR, "Error: %s", s->error);
    if (s->next_attempt_at) {
        time_secs(s->next_attempt_at, t1);
        ui_lines_add(out, UI_LINE_TEXT, "Next attempt at %s", t1);
    }
    if (m == UI_MARK_RUNNING && s->lease_owner) {
        time_secs(s->lease_expires_at, t1);
        ui_lines_add(out, UI_LINE_DIM, "Run by %s (lease until %s)", s->lease_owner, t1);
    }
    if (can_fill) ui_lines_add(out, UI_LINE_OK, "Waiting for input: press f (or Enter) to fill in its form.");
    if (hy_streq(s->status, "skipped"))
        ui_lines_add(out, UI_LINE_TEXT, "Skipped by %s: %s", s->completed_by_email ? s->completed_by_email : "-",
                     s->note ? s->note : "-");
    else if (s->completed_manually) {
        time_secs(s->completed_at, t1);
        ui_lines_add(out, UI_LINE_TEXT, "Done by hand by %s at %s: %s",
                     s->completed_by_email ? s->completed_by_email : "-", t1, s->note ? s->note : "-");
    } else if (s->note && *s->note) {
        ui_lines_add(out, UI_LINE_TEXT, "Note: %s", s->note);
    }
    if (s->input_json) {
        time_secs(s->input_at, t1);
        ui_lines_add(out, UI_LINE_HEAD, "Input, given by %s at %s", s->input_by_email ? s->input_by_email : "system",
                     t1);
        ui_json_lines(s->input_json, "  ", UI_LINE_TEXT, out);
    }
    if (s->output_json) {
        ui_lines_add(out, UI_LINE_HEAD, "Output");
        ui_json_lines(s->output_json, "  ", UI_LINE_TEXT, out);
    }
    attempt_lines(s->attempt_log_json, out);
    call_lines(s->calls_json, out);
}

/* ---- filters ---- */

const ui_status_filter ui_status_filters[UI_NFILTERS] = {
    {"a", "All", NULL},
    {"r", "Running", "running"},
    {"w", "Awaiting input", "awaiting_input"},
    {"f", "Failed", "failed"},
    {"c", "Completed", "completed"},
    {"s", "Scheduled", "scheduled"},
};

static int64_t filter_count(int i, const int64_t counts[HY_EXEC_NSTATUS], int64_t total)
{
    hy_exec_status st;
    if (!ui_status_filters[i].status) return total;
    return hy_exec_status_parse(ui_status_filters[i].status, &st) ? counts[st] : 0;
}

/* 190000 -> "190k", 1234567 -> "1.2M" (pass 2 of the bar). */
static void compact(int64_t n, char out[24])
{
    if (n >= 1000000) snprintf(out, 24, "%.1fM", (double)n / 1e6);
    else if (n >= 10000) snprintf(out, 24, "%lldk", (long long)(n / 1000));
    else snprintf(out, 24, "%lld", (long long)n);
}

int ui_filter_bar(const int64_t counts[HY_EXEC_NSTATUS], int64_t total, bool exact, int width,
                  char out[UI_NFILTERS][64])
{
    int used = 0;
    /* pass 0: full labels; 1: "Awaiting"; 2: "Done" and compact numbers */
    for (int pass = 0; pass < 3; pass++) {
        used = 0;
        for (int i = 0; i < UI_NFILTERS; i++) {
            const char *label = ui_status_filters[i].label;
            if (pass >= 1 && strcmp(label, "Awaiting input") == 0) label = "Awaiting";
            if (pass == 2 && strcmp(label, "Completed") == 0) label = "Done";
            char num[24];
            int64_t n = filter_count(i, counts, total);
            if (n == 0 && hy_streq(ui_status_filters[i].status, "scheduled")) { /* shown when there are some */
                out[i][0] = '\0';
                continue;
            }
            if (pass == 2) compact(n, num);
            else snprintf(num, sizeof num, "%lld", (long long)n);
            snprintf(out[i], 64, "%s %s%s", label, num, exact ? "" : "+");
            /* "k " before, two spaces after */
            used += (i ? 2 : 0) + (int)strlen(ui_status_filters[i].key) + 1 + (int)strlen(out[i]);
        }
        if (used <= width) break;
    }
    return used;
}

const char *ui_search_note(const char *search, bool exact)
{
    if (!search) return NULL;
    int chars = 0;
    for (const char *p = search; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && *p != ' ') chars++;
    if (chars == 0) return NULL;
    if (chars < 3)
        return "1-2 characters match execution ids only: type 3 or more to search organisations and user emails.";
    if (!exact) return "More matches than are counted: the counts are lower bounds. Type more to narrow the search.";
    return NULL;
}

/* ---- geometry ---- */

void ui_exec_layout(ui_rect body, int nsteps, ui_exec_geom *g)
{
    memset(g, 0, sizeof *g);
    int hh = ui_min(UI_EXEC_HEADER_ROWS, ui_max(0, body.h));
    g->header = (ui_rect){body.y, body.x + 2, hh, ui_max(0, body.w - 4)};
    int top = body.y + hh;              /* the steps rule */
    int rest = body.y + body.h - top;   /* rows below the header */
    g->steps_title_y = top;
    if (body.w >= UI_EXEC_WIDE) {
        g->side_by_side = true;
        g->steps = (ui_rect){top + 1, body.x + 1, ui_max(0, rest - 1), UI_EXEC_STEPS_W};
        g->detail_title_y = top;
        int dx = body.x + UI_EXEC_STEPS_W + 3;
        g->detail = (ui_rect){top + 1, dx, ui_max(0, rest - 1), ui_max(0, body.x + body.w - dx - 1)};
        return;
    }
    /* Stacked: the steps take what they need while 4 detail rows remain. */
    int avail = ui_max(0, rest - 2);    /* below the two rules */
    int sh = ui_min(nsteps, ui_max(ui_min(3, avail), avail - 4));
    g->steps = (ui_rect){top + 1, body.x + 1, sh, ui_max(0, body.w - 2)};
    g->detail_title_y = top + 1 + sh;
    g->detail = (ui_rect){g->detail_title_y + 1, body.x + 2, ui_max(0, rest - 2 - sh), ui_max(0, body.w - 4)};
}

void ui_notice_lines(const hy_notice *v, int n, int order, ui_lines *out)
{
    bool head = false;
    for (int i = 0; i < n; i++) {
        const hy_notice *x = &v[i];
        if (x->step_order != order) continue;
        if (!head) ui_lines_add(out, UI_LINE_HEAD, "Notifications");
        head = true;
        char at[HY_TIME_LEN];
        hy_time_short(x->sent_at ? x->sent_at : x->created_at, at);
        bool bad = hy_streq(x->status, "failed") || hy_streq(x->status, "uncertain") || hy_streq(x->status, "skipped");
        bool sent = hy_streq(x->status, "sent") || hy_streq(x->status, "simulated");
        ui_lines_add(out, bad ? UI_LINE_ERROR : sent ? UI_LINE_OK : UI_LINE_TEXT, "  %s  %s %s %s: %s%s %s",
                     x->event ? x->event : "?", x->channel ? x->channel : "", x->channel ? "to" : "",
                     x->recipient ? x->recipient : "nobody", x->status ? x->status : "?",
                     x->uncertain && hy_streq(x->status, "sent") ? " (maybe twice)" : "", at);
        if (x->error && !sent) ui_lines_add(out, UI_LINE_DIM, "    %s", x->error);
    }
}
