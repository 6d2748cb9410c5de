/* The words of notifications (notify_text.h). */
#include "notify_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/email.h"
#include "util.h"

/* Plain text and HTML side by side. */
typedef struct {
    hy_buf t, h;
} doc;

/* A value for a message: control characters become spaces. Caller frees. */
static char *clean(const char *s)
{
    char *c = xstrdup(s ? s : "");
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7f) *p = ' ';
    return c;
}

static void para(doc *d, const char *text)
{
    char *c = clean(text);
    hy_buf_printf(&d->t, "%s\n\n", c);
    hy_buf_put(&d->h, "<p>");
    email_html_escape(&d->h, c);
    hy_buf_put(&d->h, "</p>\n");
    free(c);
}

/* Commands, one a line. */
static void commands(doc *d, const char *const *lines, int n)
{
    hy_buf_put(&d->h, "<pre>");
    for (int i = 0; i < n; i++) {
        char *c = clean(lines[i]);
        hy_buf_printf(&d->t, "    %s\n", c);
        email_html_escape(&d->h, c);
        hy_buf_put(&d->h, "\n");
        free(c);
    }
    hy_buf_put(&d->t, "\n");
    hy_buf_put(&d->h, "</pre>\n");
}

static void doc_finish(doc *d, notify_body *out)
{
    hy_buf_put(&d->t, "-- \nHyOpps. To stop these emails: hyopps notify off (or Change password in the terminal UI).\n");
    hy_buf_put(&d->h, "<p style=\"color:#666\">HyOpps. To stop these emails: <code>hyopps notify off</code> (or "
                      "Change password in the terminal UI).</p>\n");
    hy_buf b = {0};
    hy_buf_put(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"></head><body>\n");
    hy_buf_put(&b, d->h.s ? d->h.s : "");
    hy_buf_put(&b, "</body></html>\n");
    hy_buf_free(&d->h);
    out->text = hy_buf_take(&d->t);
    out->html = hy_buf_take(&b);
}

void notify_age(int64_t ms, char out[24])
{
    int64_t m = ms / 60000;
    if (m < 0) m = 0;
    if (m >= 24 * 60) snprintf(out, 24, "%lldd %02lldh", (long long)(m / 1440), (long long)(m / 60 % 24));
    else if (m >= 60) snprintf(out, 24, "%lldh %02lldm", (long long)(m / 60), (long long)(m % 60));
    else snprintf(out, 24, "%lldm", (long long)m);
}

/* "New partner user for Acme Corp (jane@acme.example)" */
static char *what(const notify_msg *m)
{
    hy_buf b = {0};
    hy_buf_put(&b, m->workflow_label ? m->workflow_label : "An execution");
    if (m->org_name && *m->org_name) hy_buf_printf(&b, " for %s", m->org_name);
    if (m->user_email && *m->user_email) hy_buf_printf(&b, " (%s)", m->user_email);
    char *raw = hy_buf_take(&b), *c = clean(raw);
    free(raw);
    return c;
}

static char *step_words(const notify_msg *m)
{
    return xasprintf("step %d%s%s", m->step_order, m->step_label ? ": " : "", m->step_label ? m->step_label : "");
}

void notify_render(const notify_msg *m, notify_body *out)
{
    memset(out, 0, sizeof *out);
    doc d = {0};
    char *w = what(m), *step = step_words(m);
    char short_id[9];
    hy_strlcpy(short_id, m->exec_id ? m->exec_id : "", sizeof short_id);
    bool input = hy_streq(m->event, "input_needed") || hy_streq(m->event, "reminder");
    char *show = xasprintf("hyopps exec show %s", m->exec_id);
    if (input) {
        char age[24] = "";
        notify_age(m->waiting_ms, age);
        if (hy_streq(m->event, "reminder"))
            out->subject = xasprintf("[HyOpps] Reminder %d of %d: input needed for %s, waiting %s", m->reminder,
                                     m->max_reminders, w, age);
        else out->subject = xasprintf("[HyOpps] Input needed: %s, %s", w, step);
        char *p = hy_streq(m->event, "reminder")
                      ? xasprintf("%s (execution %s) has been waiting for input for %s, at %s.", w, short_id, age, step)
                      : xasprintf("%s (execution %s) is waiting for input at %s.", w, short_id, step);
        para(&d, p);
        free(p);
        para(&d, "To fill it in, from a shell:");
        char *input_cmd = xasprintf("hyopps exec input %s %d key=value ...", m->exec_id, m->step_order);
        const char *cmds[] = {show, input_cmd};
        commands(&d, cmds, 2);
        free(input_cmd);
        para(&d, m->partner ? "or in HyOpps: Requests (r), select the request, then f to fill it in."
                            : "or in HyOpps: Awaiting input, select it, then Enter to fill it in.");
        out->slack = xasprintf("Input needed: %s, %s. `hyopps exec show %s`", w, step, m->exec_id);
    } else if (hy_streq(m->event, "failed")) {
        out->subject = xasprintf("[HyOpps] Failed: %s, %s", w, step);
        char *p = xasprintf("%s (execution %s) failed at %s, after its automatic attempts.", w, short_id, step);
        para(&d, p);
        free(p);
        p = xasprintf("The error: %s", m->detail && *m->detail ? m->detail : "(none recorded)");
        para(&d, p);
        free(p);
        para(&d, "Look at it, fix the cause, then retry the step:");
        char *retry = xasprintf("hyopps exec retry %s", m->exec_id);
        const char *cmds[] = {show, retry};
        commands(&d, cmds, 2);
        free(retry);
        para(&d, "or in HyOpps: Executions, f (failed), Enter, then t to retry. An administrator may also skip it "
                 "(s) or mark it done by hand (d) when it was done outside HyOpps.");
        out->slack = xasprintf("Failed: %s, %s: %s. `hyopps exec show %s`", w, step,
                               m->detail && *m->detail ? m->detail : "(no error recorded)", m->exec_id);
    } else if (hy_streq(m->event, "cancelled")) {
        out->subject = xasprintf("[HyOpps] Cancelled: %s", w);
        char *p = xasprintf("%s (execution %s) was cancelled%s%s, at %s.", w, short_id,
                            m->cancelled_by ? " by " : "", m->cancelled_by ? m->cancelled_by : "", step);
        para(&d, p);
        free(p);
        const char *cmds[] = {show};
        commands(&d, cmds, 1);
        out->slack = xasprintf("Cancelled: %s", w);
    } else {
        out->subject = xasprintf("[HyOpps] Completed: %s", w);
        char *p = xasprintf("%s (execution %s) is completed: every step is done.", w, short_id);
        para(&d, p);
        free(p);
        const char *cmds[] = {show};
        commands(&d, cmds, 1);
        out->slack = xasprintf("Completed: %s", w);
    }
    char *subject = clean(out->subject), *slack = clean(out->slack);
    free(out->subject);
    free(out->slack);
    out->subject = subject;
    out->slack = slack;
    doc_finish(&d, out);
    free(show);
    free(w);
    free(step);
}

static void digest_list(doc *d, const char *title, const notify_digest_item *items, int n)
{
    char *t = xasprintf("%s (%d), oldest first:", title, n);
    para(d, t);
    free(t);
    const char **lines = xcalloc((size_t)(n ? n : 1), sizeof *lines);
    char **own = xcalloc((size_t)(n ? n : 1), sizeof *own);
    for (int i = 0; i < n; i++) {
        char age[24];
        notify_age(items[i].age_ms, age);
        own[i] = xasprintf("%-8s %.8s  %s%s%s, step %d: %s", age, items[i].exec_id,
                           items[i].workflow_label ? items[i].workflow_label : "?", items[i].org_name ? " for " : "",
                           items[i].org_name ? items[i].org_name : "", items[i].step_order,
                           items[i].what ? items[i].what : "");
        lines[i] = own[i];
    }
    if (n) commands(d, lines, n);
    for (int i = 0; i < n; i++) free(own[i]);
    free(own);
    free(lines);
}

void notify_render_digest(const notify_digest_item *waiting, int nwaiting, const notify_digest_item *failed,
                          int nfailed, notify_body *out)
{
    memset(out, 0, sizeof *out);
    doc d = {0};
    out->subject = xasprintf("[HyOpps] Daily digest: %d waiting for input, %d failed", nwaiting, nfailed);
    if (nwaiting) digest_list(&d, "Waiting for input", waiting, nwaiting);
    if (nfailed) digest_list(&d, "Failed", failed, nfailed);
    para(&d, "hyopps exec show ID shows one; in HyOpps: Awaiting input, and Executions with f (failed).");
    out->slack = xasprintf("Daily digest: %d waiting for input, %d failed", nwaiting, nfailed);
    doc_finish(&d, out);
}

void notify_body_free(notify_body *b)
{
    free(b->subject);
    free(b->text);
    free(b->html);
    free(b->slack);
    memset(b, 0, sizeof *b);
}
