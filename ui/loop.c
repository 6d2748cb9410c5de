/* The main loop (fw.h): it sleeps in poll() until a key, a signal, a
 * deadline or a commit notification, then handles what came.
 *
 *  - Deadlines: the idle logout, the session's expiry, the timer the top
 *    screen asked for (ui_tick_in), the expiry of a worker's heartbeat,
 *    and without file notifications the next look at the database.
 *  - A commit notification (dbwatch.h) leads to a look (ops_watch)
 *    UI_SETTLE_MS later, plus up to as much at random (the commit that
 *    wrote the log is published a moment after; its other writes come
 *    meanwhile; sessions woken by the same commit do not all look at the
 *    same moment), and never sooner than UI_REFRESH_MS plus up to
 *    UI_REFRESH_SPREAD_MS after the last look: commits that change nothing
 *    shown (a notifier delivering its outbox, the search index) wake a
 *    session at most that often. After a look that saw a state change the
 *    notifications are not polled until the next look, a refresh period
 *    later, whatever happened (their events wait, merged, in the kernel).
 *    A database that keeps changing wakes a session once per 0.5-0.8 s,
 *    for one look, the sessions spread over that time; a lone heartbeat
 *    (no state change) costs a notification and one look.
 *  - A look that sees a state change (anywhere) checks the session and
 *    kicks the runner; it ticks the top screen (u->data_changed) only when
 *    what the session may see changed: for a partner admin, a change in
 *    their organisation's rows (ops_watch's fingerprint), not a worker
 *    draining other organisations' requests. One that sees a worker
 *    appear or go pauses or resumes the runner. */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "dbwatch.h"
#include "fw_internal.h"
#include "terminal.h"

/* The terminal reported input this many times in a row without a key:
 * it is gone (the other end closed; a hang-up without SIGHUP). */
#define EMPTY_READS_HANGUP 64
/* From a notification to the look: a commit writes the log (its header,
 * a sync, its pages) and then publishes itself in shared memory. */
#define UI_SETTLE_MS 100
/* Quiet this long (no key, no reload): the connection's page cache is
 * given back (the next commit elsewhere would make it stale anyway). */
#define UI_RELEASE_MS 5000

static void busy(ui *u) { u->release_due_ms = hy_mono_ms() + UI_RELEASE_MS; }

/* 0..n-1, a different sequence per process (xorshift; no secret here). */
static int64_t spread(int64_t n)
{
    static uint64_t x;
    if (!x) x = ((uint64_t)getpid() << 32) ^ (uint64_t)hy_mono_ms() ^ 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return n > 0 ? (int64_t)(x % (uint64_t)n) : 0;
}

/* The next look while the state keeps changing (and without notifications). */
static int64_t refresh_after(void) { return UI_REFRESH_MS + spread(UI_REFRESH_SPREAD_MS); }

void ui_tick_in(ui *u, int ms)
{
    int64_t due = hy_mono_ms() + (ms > 0 ? ms : 0);
    if (!u->tick_due_ms || due < u->tick_due_ms) u->tick_due_ms = due;
}

void ui_uncovered(ui *u)
{
    if (u->top && u->top->ops->tick) ui_tick_in(u, 0);
}

/* The notifications this session needs: a partner admin's, while a
 * worker runs the steps, their organisation's beacon and the one for all
 * (beacon.h: the worker's commits for other organisations wake nobody
 * here, and cost it nothing for this session); every commit otherwise (the
 * log): an admin shows every organisation, and a session whose runner runs
 * steps must hear of new work. A switch is followed by a look: what came
 * between the two watches. */
static void watch_sync(ui *u)
{
    if (u->cfg->ui.poll_ms != 0 || !u->watch) return; /* polling, or no notifications at all */
    const char *org = u->logged_in && u->seen.worker_until > hy_now_ms() ? authz_org_scope(&u->me) : NULL;
    if (!org) org = "";
    if (hy_streq(org, u->watch_org)) return; /* as wanted (or the log, the beacons refused: not retried) */
    dbwatch_close(u->watch); /* first: a process has one dnotify watch */
    u->watch = org[0] ? dbwatch_open_beacons(u->cfg->database.path, org) : NULL;
    if (!u->watch) u->watch = dbwatch_open(u->cfg->database.path); /* no beacons here: the log */
    hy_strlcpy(u->watch_org, org, sizeof u->watch_org);
    if (u->logged_in) u->look_due_ms = hy_mono_ms();
}

static void tick_top(ui *u)
{
    screen *s = u->top;
    u->tick_due_ms = 0;
    if (!s || !s->ops->tick || u->too_small) return;
    u->data_changed = s->seen_state != u->seen.state;
    s->seen_state = u->seen.state;
    u->frame++;
    if (u->data_changed) busy(u);
    int f = s->ops->tick(u, s);
    u->data_changed = false;
    ui_apply(u, s, f);
}

static int64_t poll_period(const ui *u)
{
    return u->cfg->ui.poll_ms > 0 ? u->cfg->ui.poll_ms : UI_REFRESH_MS + UI_REFRESH_SPREAD_MS / 2;
}

/* Are commits notified? Else the database is looked at every poll period. */
static bool notified(const ui *u) { return dbwatch_fd(u->watch) >= 0; }

void ui_look(ui *u)
{
    if (!u->logged_in || !u->ctx) return;
    int64_t now = hy_mono_ms();
    u->last_look_ms = now;
    u->look_due_ms = 0;
    if (u->watch) dbwatch_take(u->watch);
    unsigned changed = 0;
    hy_err err;
    hy_err_clear(&err);
    if (ops_watch(u->ctx, &u->me, &u->seen, &changed, &err) != 0) {
        u->look_due_ms = now + refresh_after(); /* a busy database: again a little later */
        return;
    }
    if (changed & HY_WATCH_WORKER) ui_runner_sync(u);
    if (!(changed & HY_WATCH_ANY)) return; /* a heartbeat, the search index, a checkpoint */
    if (u->watch) u->look_due_ms = now + refresh_after(); /* more may follow: the next look then */
    busy(u); /* the pages this look read (a partner's fingerprint) are given back once quiet */
    int f = ui_check_session(u); /* a revoked session ends now, not at the next key */
    if (f) {
        ui_apply(u, u->top, f);
        return;
    }
    ui_runner_kick(u); /* another process may have queued work */
    /* A partner's screens reload only when their organisation's rows moved. */
    if (changed & HY_WATCH_STATE) tick_top(u);
}

bool ui_key_checks_session(const ui *u)
{
    if (!u->logged_in) return false;
    if (u->me.exp > 0 && hy_now_ms() >= u->me.exp * 1000) return true;
    if (notified(u)) return u->commit_unchecked;
    return hy_mono_ms() - u->last_check_ms >= poll_period(u);
}

static bool look_due(const ui *u, int64_t now)
{
    if (u->look_due_ms && now >= u->look_due_ms) return true;
    if (!notified(u) && now - u->last_look_ms >= poll_period(u)) return true;
    return u->seen.worker_until && hy_now_ms() >= u->seen.worker_until; /* the worker stopped beating */
}

void ui_run_timers(ui *u)
{
    int64_t now = hy_mono_ms();
    int idle = u->cfg->security.idle_minutes;
    if (idle > 0 && now - u->last_key_ms >= (int64_t)idle * 60000) {
        u->last_key_ms = now;
        if (u->logged_in) {
            ui_msg(u, UI_S_INFO, "Logged out after %d minute%s without a key press.", idle, idle == 1 ? "" : "s");
            ui_apply(u, u->top, UI_LOGOUT);
            return;
        }
        if (u->restricted) { /* nobody at the login screen of a restricted shell */
            u->quit = true;
            return;
        }
    }
    if (u->logged_in) {
        if (u->me.exp > 0 && hy_now_ms() >= u->me.exp * 1000 && now - u->last_check_ms >= UI_REFRESH_MS) {
            int f = ui_check_session(u); /* expired: back to the login screen */
            if (f) {
                ui_apply(u, u->top, f);
                return;
            }
        }
        if (look_due(u, now)) ui_look(u);
    }
    watch_sync(u);
    if (u->tick_due_ms && now >= u->tick_due_ms) tick_top(u);
    if (u->release_due_ms && now >= u->release_due_ms && u->ctx) {
        u->release_due_ms = 0;
        ops_release_memory(u->ctx);
    }
}

static int64_t earliest(int64_t a, int64_t b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }

/* When the loop must wake by itself (monotonic ms), or -1: only for a key,
 * a signal or a notification. */
static int64_t next_deadline(const ui *u)
{
    int64_t d = -1, now = hy_mono_ms(), wall = hy_now_ms();
    int idle = u->cfg->security.idle_minutes;
    if (idle > 0 && (u->logged_in || u->restricted)) d = u->last_key_ms + (int64_t)idle * 60000;
    if (u->logged_in) {
        if (u->me.exp > 0) {
            int64_t at = now + (u->me.exp * 1000 > wall ? u->me.exp * 1000 - wall : 0);
            d = earliest(d, at > u->last_check_ms + UI_REFRESH_MS ? at : u->last_check_ms + UI_REFRESH_MS);
        }
        if (u->look_due_ms) d = earliest(d, u->look_due_ms);
        if (!notified(u)) d = earliest(d, u->last_look_ms + poll_period(u));
        if (u->seen.worker_until) d = earliest(d, now + (u->seen.worker_until > wall ? u->seen.worker_until - wall : 0));
    }
    if (u->tick_due_ms) d = earliest(d, u->tick_due_ms);
    if (u->release_due_ms) d = earliest(d, u->release_due_ms);
    return d;
}

enum { W_KEYS = 1, W_SIGNAL = 2, W_DATA = 4, W_HANGUP = 8 };

/* Sleeps until something happens or the deadline passes; what happened. */
static unsigned wait_for(ui *u, int64_t deadline)
{
    struct pollfd p[3];
    int n = 0, wake = ui_term_wake_fd();
    int data = u->logged_in && !u->look_due_ms ? dbwatch_fd(u->watch) : -1;
    p[n++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    if (wake >= 0) p[n++] = (struct pollfd){wake, POLLIN, 0};
    if (data >= 0) p[n++] = (struct pollfd){data, POLLIN, 0};
    int timeout = -1;
    if (deadline >= 0) {
        int64_t left = deadline - hy_mono_ms();
        timeout = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
    }
    if (poll(p, (nfds_t)n, timeout) <= 0) return 0; /* the deadline, or a signal (EINTR) */
    unsigned ev = 0;
    if (p[0].revents & POLLIN) ev |= W_KEYS;
    else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) ev |= W_HANGUP;
    for (int i = 1; i < n; i++)
        if (p[i].revents) ev |= p[i].fd == wake ? W_SIGNAL : W_DATA;
    return ev;
}

/* A commit was notified: look once it is published, and not sooner than
 * a refresh period after the last look, whatever the commits (an outbox
 * being delivered, the search index): they wait, merged, in the kernel. */
void ui_noticed(ui *u)
{
    u->commit_unchecked = true;
    int64_t at = hy_mono_ms() + UI_SETTLE_MS + spread(UI_SETTLE_MS), next = u->last_look_ms + refresh_after();
    u->look_due_ms = at > next ? at : next;
}

void ui_run(ui *u, const screen_ops *first, const void *arg)
{
    u->cursor_y = -1;
    u->last_key_ms = u->last_check_ms = u->last_look_ms = hy_mono_ms();
    if (!u->watch && u->cfg->ui.poll_ms == 0) u->watch = dbwatch_open(u->cfg->database.path);
    ui_push(u, first, arg);
    ui_apply(u, u->top, 0);
    u->dirty = true;
    busy(u);
    bool keys = true; /* ncurses may hold keys it already read: ask it before sleeping */
    int empty = 0;
    int64_t undrawn_since = -1; /* the first change not on screen yet */
    while (!u->quit && u->top) {
        if (ui_term_signal()) break;
        wint_t wc = 0;
        int rc = ERR;
        if (keys) {
            timeout(0);
            rc = get_wch(&wc);
            keys = rc != ERR;
        }
        /* Keys that came together (a paste, a held key, a fast typist over
         * a slow link) are all taken before one draw; a draw at least every
         * UI_DRAW_LAG_MS all the same. */
        if (u->dirty && undrawn_since < 0) undrawn_since = hy_mono_ms();
        if (u->dirty && (rc == ERR || hy_mono_ms() - undrawn_since >= UI_DRAW_LAG_MS)) {
            ui_draw_all(u);
            u->dirty = false;
            undrawn_since = -1;
        }
        if (rc != ERR) {
            empty = 0;
        } else {
            unsigned ev = wait_for(u, next_deadline(u));
            if ((ev & W_HANGUP) || ((ev & W_KEYS) && ++empty > EMPTY_READS_HANGUP)) {
                u->exit_code = 128 + SIGHUP; /* the terminal is gone: as SIGHUP */
                break;
            }
            if (ev & W_SIGNAL) ui_term_wake_drain();
            if (ev & (W_KEYS | W_SIGNAL)) keys = true; /* SIGWINCH: get_wch says KEY_RESIZE */
            if (ev & W_DATA) ui_noticed(u);
        }
        if (ui_term_signal()) break;
        if (ui_term_take_interrupt()) { /* Ctrl-C (SIGINT) */
            if (!u->too_small) ui_ask_quit(u);
            else ui_feed_key(u, (ui_key){false, 3}); /* asks on the too-small screen */
            ui_apply(u, u->top, UI_REDRAW);
        } else if (rc != ERR) {
            ui_key k = {rc == KEY_CODE_YES, (int)wc};
            ui_feed_key(u, k);
            busy(u);
            if (k.fn && k.code == KEY_RESIZE) ui_uncovered(u);
        }
        if (!u->quit && u->top) ui_run_timers(u);
    }
    if (ui_term_signal()) u->exit_code = 128 + ui_term_signal();
    ui_close_all(u);
    dbwatch_close(u->watch);
    u->watch = NULL;
    u->watch_org[0] = '\0';
}
