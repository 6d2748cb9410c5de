/* The screen stack, key dispatch, the main loop and the frame around every
 * screen (header, message line, bottom bar). See fw.h. */
#include "fw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ops.h"
#include "dialog.h"
#include "fw_internal.h"
#include "sanitize.h"
#include "screens.h"
#include "terminal.h"
#include "util.h"

enum { G_BACK = 1, G_REDRAW, G_QUIT, G_HELP };

const ui_action ui_global_actions[] = {
    {G_BACK, "q Esc", "Back", "Close this screen (on the first screen: quit)"},
    {G_REDRAW, "C-l", NULL, "Redraw the whole terminal"},
    {G_QUIT, "Q C-c", "Quit", "Quit HyOpps (asks first)"},
    {G_HELP, "? F1", "Help", "Show the keys of this screen"},
    UI_ACTIONS_END,
};

/* ---- the stack ---- */

static void destroy(ui *u, screen *s)
{
    if (s->ops->close) s->ops->close(u, s);
    free(s->state);
    if (s->result_text) {
        explicit_bzero(s->result_text, strlen(s->result_text));
        free(s->result_text);
    }
    free(s);
}

static void unlink_screen(ui *u, screen *s)
{
    if (u->top == s) {
        u->top = s->below;
        return;
    }
    for (screen *x = u->top; x; x = x->below)
        if (x->below == s) {
            x->below = s->below;
            return;
        }
}

bool ui_push_then(ui *u, const screen_ops *ops, const void *arg, ui_done_fn done, void *ctx)
{
    screen *s = xcalloc(1, sizeof *s);
    s->ops = ops;
    s->state = ops->state_size ? xcalloc(1, ops->state_size) : NULL;
    s->below = u->top;
    s->seen_state = u->seen.state; /* open loads what is there now */
    u->top = s;
    u->dirty = true;
    u->tick_due_ms = 0; /* the screen beneath's timer; this one asks for its own */
    int f = ops->open ? ops->open(u, s, arg) : 0;
    if (f & UI_CLOSE) {
        unlink_screen(u, s);
        destroy(u, s);
        ui_uncovered(u);
        u->pending |= f & ~(UI_CLOSE | UI_RELOAD);
        return false;
    }
    s->done = done; /* set after open: a refused screen never calls back */
    s->done_ctx = ctx;
    u->pending |= f & ~UI_HANDLED;
    return true;
}

bool ui_push(ui *u, const screen_ops *ops, const void *arg) { return ui_push_then(u, ops, arg, NULL, NULL); }

int ui_finish(screen *s, int result, const char *text)
{
    s->result = result;
    free(s->result_text);
    s->result_text = xstrdup(text);
    return UI_CLOSE;
}

void ui_close_all(ui *u)
{
    while (u->top) {
        screen *s = u->top;
        u->top = s->below;
        destroy(u, s);
    }
}

/* ---- messages and sessions ---- */

void ui_msg(ui *u, ui_style style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_style = style;
    u->dirty = true;
}

int ui_fail(ui *u, const hy_err *err)
{
    const char *m = err->msg[0] ? err->msg : hy_code_name(err->code);
    ui_msg(u, UI_S_ERROR, "%s", m);
    if (u->msg[0] >= 'a' && u->msg[0] <= 'z') u->msg[0] = (char)(u->msg[0] - 'a' + 'A');
    return err->code == HY_ERR_AUTH ? UI_LOGOUT : UI_REDRAW;
}

int ui_check_session(ui *u)
{
    if (!u->logged_in) return 0;
    hy_err err;
    hy_err_clear(&err);
    u->last_check_ms = hy_mono_ms();
    u->commit_unchecked = false;
    if (auth_check_session(u->ctx, &u->me, &err) == 0) return 0;
    if (err.code != HY_ERR_AUTH) return 0; /* a busy database is not a logout */
    return ui_fail(u, &err);
}

void ui_logout(ui *u)
{
    ui_runner_stop(u); /* before the session ends: nothing runs for it after */
    if (u->logged_in) {
        hy_err err;
        hy_err_clear(&err);
        (void)auth_logout(u->ctx, &u->me, &err); /* an already ended session is fine */
    }
    if (u->token) {
        explicit_bzero(u->token, strlen(u->token));
        free(u->token);
    }
    u->token = NULL;
    free(u->org_name);
    u->org_name = NULL;
    memset(&u->me, 0, sizeof u->me);
    u->logged_in = false;
}

void ui_session_start(ui *u, const hy_principal *p, char *token)
{
    if (u->token && u->token != token) {
        explicit_bzero(u->token, strlen(u->token));
        free(u->token);
    }
    u->token = token;
    u->me = *p;
    u->logged_in = true;
    u->last_check_ms = hy_mono_ms();
    free(u->org_name);
    u->org_name = NULL;
    if (p->org_id[0] && !p->must_change_password) {
        hy_err err;
        hy_err_clear(&err);
        char *name = NULL;
        if (ops_org_name(u->ctx, &u->me, p->org_id, &name, &err) == 0) u->org_name = name;
        else free(name);
    }
    /* A first look: is a `hyopps worker` running the steps? */
    hy_err err;
    hy_err_clear(&err);
    unsigned changed;
    (void)ops_watch(u->ctx, &u->me, &u->seen, &changed, &err);
    if (!p->must_change_password) ui_runner_start(u);
}

/* Back to the login screen, saying why (u->msg); nothing half-done is kept. */
static void logout_to_login(ui *u)
{
    char why[sizeof u->msg];
    hy_strlcpy(why, u->msg, sizeof why);
    u->msg[0] = '\0';
    ui_close_all(u);
    ui_logout(u);
    ui_push(u, &ui_login_screen, why[0] ? why : NULL);
}

/* ---- applying flags ---- */

void ui_apply(ui *u, screen *s, int f)
{
    f |= u->pending;
    u->pending = 0;
    if (f == UI_NOT_MINE || f == UI_HANDLED) return;
    u->dirty = true;
    if (f & UI_QUIT) {
        u->quit = true;
        return;
    }
    if (f & UI_LOGOUT) {
        logout_to_login(u);
        return;
    }
    if ((f & UI_REPAINT) && curscr) clearok(curscr, TRUE);
    if (!s) return;
    if (f & UI_CLOSE) {
        screen *below = s->below;
        ui_done_fn done = s->done;
        void *ctx = s->done_ctx;
        int result = s->result;
        char *text = s->result_text;
        s->result_text = NULL;
        unlink_screen(u, s);
        destroy(u, s);
        if (!u->top) {
            u->quit = true;
        } else if (below) {
            /* Its next tick reloads: what was done up there (a retry, a
             * cancel) is this session's own commit, which no look notices. */
            below->seen_state = -1;
            int g = done ? done(u, below, result, text, ctx) : 0;
            ui_apply(u, below, g | (f & UI_RELOAD) | UI_REDRAW);
            ui_uncovered(u);
        }
        if (text) {
            explicit_bzero(text, strlen(text));
            free(text);
        }
        return;
    }
    if ((f & UI_RELOAD) && s->ops->reload) ui_apply(u, s, s->ops->reload(u, s) & ~UI_RELOAD);
}

/* ---- the key chain ---- */

int ui_key_levels(const screen *s, ui_level out[3], bool *takes_text)
{
    int n = 0;
    *takes_text = false;
    if (s->focus) {
        out[n++] = (ui_level){s->focus->name, s->focus->actions ? s->focus->actions(s->focus) : NULL};
        *takes_text = s->focus->takes_text && s->focus->takes_text(s->focus);
    }
    out[n++] = (ui_level){s->ops->name, s->ops->actions};
    if (!s->ops->overlay) out[n++] = (ui_level){"Everywhere", ui_global_actions};
    return n;
}

int ui_reachable_keys(const ui_level *lv, int level, const ui_action *a, bool takes_text, const char *sep,
                      char *out, size_t outsz)
{
    int count = 0;
    hy_buf b = {0};
    hy_buf_put(&b, "");
    const char *p = a->keys;
    while (p && *p) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != ' ') e++;
        size_t n = (size_t)(e - p);
        ui_key k;
        bool reachable = n > 0 && ui_key_from_name(p, n, &k);
        unsigned cp;
        if (reachable && takes_text && level > 0 && ui_key_char(k, &cp)) reachable = false;
        for (int i = 0; reachable && i < level; i++) {
            const ui_action *x = ui_action_find(lv[i].actions, k);
            if (x) reachable = false;
        }
        if (reachable) {
            char d[32];
            ui_key_display(p, n, d, sizeof d);
            if (count++) hy_buf_put(&b, sep);
            hy_buf_put(&b, d);
        }
        p = e;
    }
    hy_strlcpy(out, b.s, outsz);
    hy_buf_free(&b);
    return count;
}

static int global_key(ui *u, screen *s, const ui_action *a)
{
    switch (a->id) {
    case G_BACK:
        if (s->below) return UI_CLOSE;
        ui_ask_quit(u);
        return UI_REDRAW;
    case G_REDRAW: return UI_REPAINT;
    case G_QUIT:
        ui_ask_quit(u);
        return UI_REDRAW;
    case G_HELP:
        ui_push(u, &ui_help_screen, s);
        return UI_REDRAW;
    }
    return UI_NOT_MINE;
}

bool ui_action_exists(ui *u, const screen *s, const ui_action *a)
{
    return !a || !s->ops->exists || s->ops->exists(u, s, a);
}

static void dispatch(ui *u, ui_key k)
{
    screen *s = u->top;
    int f = UI_NOT_MINE;
    if (s->focus) f = s->focus->handle_key(u, s->focus, k);
    if (f == UI_NOT_MINE && s->ops->handle_key) {
        const ui_action *a = ui_action_find(s->ops->actions, k);
        if (!ui_action_exists(u, s, a)) a = NULL; /* not this user's key */
        f = s->ops->handle_key(u, s, k, a);
    }
    if (f == UI_NOT_MINE) {
        const ui_action *a = ui_action_find(ui_global_actions, k);
        if (a && (!s->ops->overlay || a->id == G_REDRAW)) f = global_key(u, s, a);
    }
    ui_apply(u, s, f);
}

/* ---- drawing the frame ---- */

static const char *role_label(hy_role r)
{
    switch (r) {
    case HY_ROLE_ADMIN: return "admin";
    case HY_ROLE_SUPPORT: return "support";
    case HY_ROLE_PARTNER_ADMIN: return "partner admin";
    default: return "user";
    }
}

/* The base (non-overlay) screen under the top. */
static screen *base_screen(ui *u)
{
    screen *s = u->top;
    while (s && s->ops->overlay && s->below) s = s->below;
    return s;
}

static void draw_header(ui *u)
{
    int w = u->cols;
    ui_fill(u, 0, 0, w, UI_S_HEADER);
    screen *base = base_screen(u);
    char left[256];
    snprintf(left, sizeof left, " HyOpps%s%s", u->g->sep, base ? base->ops->name : "");
    int x = ui_put(u, 0, 0, w / 2, UI_S_HEADER, UI_FIT_RAW, left);
    int right_end = w - 1;
    if (u->cfg->embedded_default) {
        const char *badge = " SIMULATED ";
        int bw = (int)strlen(badge);
        if (right_end - bw > x + 2) {
            ui_put(u, 0, right_end - bw, bw, UI_S_BADGE, UI_FIT_RAW, badge);
            right_end -= bw + 1;
        }
    }
    if (!u->logged_in) return;
    /* Sanitized piece by piece: email and organisation come from the database. */
    char *email = hy_sanitize(u->me.email), *org = u->org_name ? hy_sanitize(u->org_name) : NULL;
    char right[1024];
    snprintf(right, sizeof right, "%s%s%s%s%s", email, u->g->sep, role_label(u->me.role), org ? u->g->sep : "",
             org ? org : "");
    free(email);
    free(org);
    int room = right_end - x - 2;
    if (room < 4) return;
    int rw = ui_min(ui_text_width(right, u->ascii), room);
    ui_put(u, 0, right_end - rw, rw, UI_S_HEADER, UI_FIT_RAW, right);
}

static void draw_footer(ui *u)
{
    int y = u->rows - 1;
    if (u->msg[0]) { /* wrapped, never cut where the fix is: up to 3 rows, over the body's last ones */
        char *m = hy_sanitize(u->msg);
        int start[3], len[3];
        int n = ui_wrap(m, u->cols - 1, u->ascii, 3, start, len);
        for (int i = 0; i < n; i++) {
            char line[sizeof u->msg * 4];
            snprintf(line, sizeof line, "%.*s", len[i], m + start[i]);
            int ly = y - n + i;
            ui_fill(u, ly, 0, u->cols, UI_S_NORMAL);
            ui_put(u, ly, 0, u->cols, u->msg_style, UI_FIT_RAW, line);
        }
        free(m);
    }
    screen *s = u->top;
    if (!s) return;
    ui_level lv[3];
    bool text;
    int nl = ui_key_levels(s, lv, &text);
    /* Screen first, then its widget, then the global keys; Help last. */
    int order[3], no = 0;
    if (s->focus) {
        order[no++] = 1;
        order[no++] = 0;
    } else {
        order[no++] = 0;
    }
    if (nl > no) order[no++] = nl - 1;
    ui_hint hints[40];
    char keys[40][48];
    int nh = 0, help_at = -1;
    for (int o = 0; o < no; o++) {
        int li = order[o];
        for (const ui_action *a = lv[li].actions; a && a->keys && nh < 39; a++) {
            if (!a->label) continue;
            if (lv[li].actions == s->ops->actions && !ui_action_exists(u, s, a)) continue;
            if (lv[li].actions == s->ops->actions && s->ops->enabled && !s->ops->enabled(u, s, a)) continue;
            bool dup = false; /* "Esc Quit" on a screen hides the global "^C Quit" */
            for (int i = 0; i < nh && !dup; i++) dup = strcmp(hints[i].label, a->label) == 0;
            if (dup) continue;
            char buf[128];
            if (ui_reachable_keys(lv, li, a, text, "/", buf, sizeof buf) == 0) continue;
            /* The first reachable key is enough in the bar. */
            char *slash = strchr(buf, '/');
            if (slash && slash != buf) *slash = '\0';
            hy_strlcpy(keys[nh], buf, sizeof keys[nh]);
            hints[nh] = (ui_hint){keys[nh], a->label};
            if (lv[li].actions == ui_global_actions && a->id == G_HELP) help_at = nh;
            nh++;
        }
    }
    if (help_at >= 0 && help_at != nh - 1) { /* Help goes last: it is kept when the bar is short */
        ui_hint h = hints[help_at];
        char k[48];
        hy_strlcpy(k, keys[help_at], sizeof k);
        for (int i = help_at; i < nh - 1; i++) {
            memcpy(keys[i], keys[i + 1], sizeof keys[i]);
            hints[i] = (ui_hint){keys[i], hints[i + 1].label};
        }
        hy_strlcpy(keys[nh - 1], k, sizeof keys[nh - 1]);
        hints[nh - 1] = (ui_hint){keys[nh - 1], h.label};
    }
    bool shown[40];
    ui_fit_hints(hints, nh, u->cols - 1, u->ascii, shown);
    int x = 1;
    for (int i = 0; i < nh; i++) {
        if (!shown[i]) continue;
        x += ui_put(u, y, x, u->cols - x, UI_S_KEY, UI_FIT_RAW, hints[i].key);
        x += 1;
        x += ui_put(u, y, x, u->cols - x, UI_S_NORMAL, UI_FIT_RAW, hints[i].label);
        x += 2;
    }
}

static void draw_too_small(ui *u)
{
    char m[128], now[64];
    snprintf(m, sizeof m, "Terminal too small %s %d%s%d needed", u->g->dash, UI_MIN_COLS, u->g->times, UI_MIN_ROWS);
    snprintf(now, sizeof now, "(now %d%s%d)", u->cols, u->g->times, u->rows);
    const char *keys = u->small_quit ? "Quit HyOpps? y quits, any other key goes on" : "q quits (it asks first)";
    int y = u->rows > 3 ? u->rows / 2 - 1 : 0;
    int w = ui_text_width(m, u->ascii);
    ui_put(u, y, ui_max(0, (u->cols - w) / 2), u->cols, UI_S_TITLE, UI_FIT_RAW, m);
    if (u->rows > 2) {
        w = ui_text_width(now, u->ascii);
        ui_put(u, y + 1, ui_max(0, (u->cols - w) / 2), u->cols, UI_S_NORMAL, UI_FIT_RAW, now);
    }
    int ky = u->rows > 3 ? y + 2 : u->rows - 1;
    w = ui_text_width(keys, u->ascii);
    ui_put(u, ky, ui_max(0, (u->cols - w) / 2), u->cols, u->small_quit ? UI_S_TITLE : UI_S_DIM, UI_FIT_RAW, keys);
}

/* Too small to draw a screen: only quitting (asked on the same screen), a
 * repaint and a resize help. */
static void too_small_key(ui *u, ui_key k)
{
    if (ui_key_is(k, "C-l")) {
        ui_apply(u, NULL, UI_REPAINT);
        return;
    }
    u->dirty = true;
    if (u->small_quit) {
        u->small_quit = false;
        if (ui_key_is(k, "y Y")) u->quit = true;
        return;
    }
    if (ui_key_is(k, "q Esc Q C-c")) u->small_quit = true;
}

void ui_draw_all(ui *u)
{
    u->cursor_y = -1;
    erase(); /* the virtual screen only: doupdate sends just the differences */
    if (u->too_small) {
        draw_too_small(u);
    } else {
        draw_header(u);
        ui_rect body = {1, 0, u->rows - 3, u->cols};
        screen *chain[32];
        int n = 0;
        for (screen *s = u->top; s && n < 32; s = s->below) {
            chain[n++] = s;
            if (!s->ops->overlay) break;
        }
        for (int i = n - 1; i >= 0; i--) {
            u->cursor_y = -1; /* only the top screen's cursor counts */
            chain[i]->ops->draw(u, chain[i], body);
        }
        draw_footer(u);
    }
    if (u->cursor_y >= 0 && u->cursor_y < u->rows && u->cursor_x < u->cols) {
        leaveok(stdscr, FALSE);
        curs_set(1);
        move(u->cursor_y, u->cursor_x);
    } else {
        leaveok(stdscr, TRUE); /* no cursor motion to send */
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- quitting ---- */

static int quit_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)u, (void)s, (void)text, (void)ctx;
    return result == 1 ? UI_QUIT : UI_REDRAW;
}

void ui_ask_quit(ui *u)
{
    if (u->top && u->top->done == quit_done) return; /* already asking */
    ui_confirm(u, "Quit HyOpps",
               u->logged_in ? "Quit now? You will be logged out; anything not yet submitted is lost."
                            : "Quit HyOpps now?",
               quit_done, NULL);
}

/* ---- the main loop ---- */

void ui_feed_key(ui *u, ui_key k)
{
    if (k.fn && k.code == KEY_RESIZE) {
        ui_term_resize(u);
        if (!u->too_small) u->small_quit = false; /* the question was about a screen that is gone */
        u->dirty = true;
        return;
    }
    u->last_key_ms = hy_mono_ms();
    if (u->msg[0]) {
        u->msg[0] = '\0';
        u->dirty = true;
    }
    if (u->too_small) {
        too_small_key(u, k);
        return;
    }
    /* A revoked or expired session is noticed at the next key, before the
     * key does anything: one indexed query, only when the session expired
     * or a commit was notified since the last check (a revocation is a
     * commit; ui_key_checks_session). Moving through what is on screen
     * reads nothing while nothing is written; every ops call that reads or
     * writes checks the session itself. */
    int f = ui_key_checks_session(u) ? ui_check_session(u) : 0;
    if (f) ui_apply(u, u->top, f);
    else dispatch(u, k);
    if (u->pending) ui_apply(u, u->top, 0);
}
