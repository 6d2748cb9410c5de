/* The terminal UI framework: a stack of screens, keys declared once as
 * actions, handlers that return flags, and one main loop that draws.
 *
 *  - A screen is a `screen_ops` table (named fields) plus a private state
 *    struct of ops->state_size bytes that the stack allocates (zeroed) and
 *    frees. No screen keeps its state in globals.
 *  - A key goes to the focused widget (s->focus), then to the screen
 *    (ops->handle_key, with the matching action from ops->actions), then to
 *    the global keys; each returns UI_NOT_MINE to pass it on.
 *  - Every action is declared once in a ui_action table (keys, label, help);
 *    the bottom bar and the `?` help screen are generated from the tables.
 *  - Handlers never draw: they return flags (UI_REDRAW, UI_RELOAD, UI_CLOSE,
 *    UI_QUIT, ...) and the main loop draws.
 *  - The main loop sleeps until a key, a signal, a deadline (the idle
 *    logout, the session's expiry, a timer a screen asked for) or a change
 *    in the database: a file notification on its write-ahead log (or, where
 *    notifications cannot be had, a look every UI_REFRESH_MS and a bit),
 *    then a look (ops_watch) at most every UI_REFRESH_MS plus a random
 *    part (hundreds of sessions do not look together). A state change (the audit
 *    trail grew) checks the session, kicks the runner and ticks the top
 *    screen with u->data_changed set. Nothing is polled otherwise: an idle
 *    session costs nothing. A screen that animates (a spinner, a running
 *    time, a background job) asks for its next tick with ui_tick_in.
 *  - Text from the database or a service is drawn with ui_put, which
 *    sanitizes it (hy_sanitize) and fits it into cells.
 *
 * Layout math lives in layout.h (no curses) and is unit tested. */
#ifndef HY_UI_FW_H
#define HY_UI_FW_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "err.h"
#include "layout.h"
#include "ops.h"
#include "principal.h"

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24
#define UI_DRAW_LAG_MS 50       /* keys arriving without a pause still see the screen this often */
#define UI_TICK_MS 200          /* animation period (spinners, running times): ui_tick_in */
#define UI_REFRESH_MS 500       /* while the state keeps changing, the database is looked at
                                 * every UI_REFRESH_MS plus up to UI_REFRESH_SPREAD_MS (at
                                 * random: hundreds of sessions do not wake together), and
                                 * as often without file notifications: a change shows
                                 * within a second */
#define UI_REFRESH_SPREAD_MS 300

/* ---- what handlers return (bits) ---- */
enum {
    UI_NOT_MINE = 0,        /* pass the key on */
    UI_HANDLED = 1 << 0,    /* taken; nothing to draw */
    UI_REDRAW = 1 << 1,     /* draw again */
    UI_RELOAD = 1 << 2,     /* reload data (ops->reload) then draw; with UI_CLOSE: the screen beneath */
    UI_CLOSE = 1 << 3,      /* close this screen (its `done` callback then runs on the one beneath) */
    UI_QUIT = 1 << 4,       /* leave the program (already confirmed) */
    UI_REPAINT = 1 << 5,    /* repaint the whole terminal (Ctrl-L) */
    UI_LOGOUT = 1 << 6,     /* the session ended: back to the login screen (u->msg says why) */
};

/* ---- keys ---- */

/* A key from get_wch: a function key (fn, code = KEY_*) or a character
 * (code = the code point; control characters included: Esc is 27). */
typedef struct {
    bool fn;
    int code;
} ui_key;

/* Key names used in action tables, space-separated: a single character
 * ("q", "/", "?"), Enter, Esc, Tab, BTab (Shift-Tab), Space, Bksp, Del, Up,
 * Down, Left, Right, PgUp, PgDn, Home, End, F1..F12, C-a..C-z (Ctrl). */
bool ui_key_is(ui_key k, const char *names);
/* The printable character of a key (not a control character), if any. */
bool ui_key_char(ui_key k, unsigned *cp);
/* Display form of one key name: "C-l" -> "^L", "BTab" -> "S-Tab". */
void ui_key_display(const char *name, size_t len, char *out, size_t outsz);
/* The key a name stands for (its first code when several match). */
bool ui_key_from_name(const char *name, size_t len, ui_key *k);

/* One action: the keys that run it, a short label for the bottom bar (NULL:
 * not shown there) and a sentence for the help screen. Tables end with
 * UI_ACTIONS_END. Ids are the screen's own (> 0). */
typedef struct ui_action {
    int id;
    const char *keys;
    const char *label;
    const char *help;
} ui_action;
#define UI_ACTIONS_END {0, NULL, NULL, NULL}

/* The action of a table that this key runs, or NULL. */
const ui_action *ui_action_find(const ui_action *table, ui_key k);

/* ---- styles and glyphs ---- */

typedef enum {
    UI_S_NORMAL = 0,
    UI_S_HEADER,        /* the top line */
    UI_S_BADGE,         /* "simulated" in the header */
    UI_S_TITLE,         /* headings, column titles, focused labels */
    UI_S_SELECTED,      /* the list's selection */
    UI_S_KEY,           /* keys in the bottom bar and help */
    UI_S_DIM,           /* secondary text */
    UI_S_OK,            /* completed */
    UI_S_RUNNING,       /* running */
    UI_S_WAITING,       /* awaiting input */
    UI_S_FAILED,        /* failed */
    UI_S_ERROR,         /* error messages */
    UI_S_INFO,          /* info messages */
    UI_S_FIELD,         /* an input field */
    UI_S_FIELD_FOCUS,   /* the focused input field */
    UI_S_REQUIRED,      /* the required mark */
    UI_S_BORDER,        /* dialog borders */
    UI_S_COUNT
} ui_style;

/* Characters that differ between UTF-8 and the ASCII fallback. */
typedef struct {
    const char *hline, *vline, *tl, *tr, *bl, *br;   /* borders */
    const char *cursor;         /* the list's selection mark */
    const char *ok, *failed, *waiting, *pending, *skipped, *running, *cancelled;  /* status marks */
    const char *spinner[8];
    int nspinner;
    const char *check_on, *check_off;   /* checkboxes */
    const char *mask;           /* one character of a hidden password */
    const char *prev, *next;    /* around a choice */
    const char *sep;            /* between header parts */
    const char *dash, *times;   /* "—" "×" */
} ui_glyphs;

/* ---- screens ---- */

typedef struct ui ui;
typedef struct screen screen;

/* Runs on screen s (the one beneath a screen that closed) with the closed
 * screen's result; returns flags for s. */
typedef int (*ui_done_fn)(ui *u, screen *s, int result, const char *text, void *ctx);

/* A widget that can take keys before its screen (list, form). */
typedef struct ui_widget {
    const char *name;           /* "List", "Form": a heading on the help screen */
    int (*handle_key)(ui *u, struct ui_widget *w, ui_key k);
    /* Its keys right now (for the bar and the help screen). */
    const ui_action *(*actions)(const struct ui_widget *w);
    /* True while typing goes to it: then single-character global keys
     * (q, ?, Q) are not reachable and the bar shows their other keys. */
    bool (*takes_text)(const struct ui_widget *w);
} ui_widget;

typedef struct screen_ops {
    const char *name;           /* shown in the header: "Organisations" */
    size_t state_size;          /* bytes of private state (zeroed; freed by the stack) */
    const ui_action *actions;   /* the screen's own keys */
    bool overlay;               /* a dialog: drawn over the screen beneath */
    /* Called once when pushed; arg is only valid during the call. Returns
     * flags: UI_CLOSE means it could not open (say why with ui_msg). */
    int (*open)(ui *u, screen *s, const void *arg);
    /* Draws the body (overlays: anywhere over it). Only the main loop calls it. */
    void (*draw)(ui *u, screen *s, ui_rect body);
    /* A key the focused widget did not take; a is its action in
     * ops->actions or NULL. Returns flags or UI_NOT_MINE. */
    int (*handle_key)(ui *u, screen *s, ui_key k, const ui_action *a);
    /* Optional: live data. Called while on top when the data may have
     * changed (u->data_changed: another session, a worker or the runner
     * changed something, or a screen above it closed; reload and compare)
     * and when the timer it asked
     * for with ui_tick_in is due (u->data_changed false: animate). Never
     * from a thread. Returns flags. */
    int (*tick)(ui *u, screen *s);
    /* Optional: reload data (UI_RELOAD). Returns flags. */
    int (*reload)(ui *u, screen *s);
    /* Optional: free what the state owns (not the state itself). */
    void (*close)(ui *u, screen *s);
    /* Optional: may action a (of `actions`) run now? Disabled actions are
     * left out of the bottom bar (the help screen still lists them); the
     * handler still gets their keys and says why not. NULL: all enabled. */
    bool (*enabled)(ui *u, const screen *s, const ui_action *a);
    /* Optional: does action a exist for this user at all? Decided from what
     * ops says the role may do (ops_can, ops_exec_role_may), never from a
     * role test here. An action that does not exist is left out of the bar
     * AND the help screen, and its keys pass on as if the table did not have
     * them. NULL: every action exists. */
    bool (*exists)(ui *u, const screen *s, const ui_action *a);
} screen_ops;

struct screen {
    const screen_ops *ops;
    void *state;                /* ops->state_size bytes, owned by the stack */
    ui_widget *focus;           /* gets keys first (points into state), or NULL */
    screen *below;
    /* Set by the screen before it closes; handed to `done`. */
    int result;
    char *result_text;          /* owned; freed after `done` ran */
    ui_done_fn done;
    void *done_ctx;
    int64_t seen_state;         /* the state (hy_watch.state) its data reflects (fw.c) */
};

/* ---- the UI ---- */

struct ui {
    /* the program */
    hy_app *app;
    hy_ctx *ctx;                /* &app->ctx */
    const hy_config *cfg;
    bool restricted;            /* --restricted or [security] restricted */

    /* the session (valid while logged_in) */
    bool logged_in;
    hy_principal me;
    char *token;                /* owned */
    char *org_name;             /* raw from ops_org_name (sanitized when drawn); NULL: none */

    /* the terminal */
    bool ascii;                 /* ASCII fallback (non-UTF-8 locale or [ui] ascii) */
    bool color;
    const ui_glyphs *g;
    int rows, cols;
    bool too_small;
    bool small_quit;            /* too small: "Quit HyOpps? y/n" is being asked */
    unsigned frame;             /* counts ticks: spinners */

    /* the stack; top first */
    screen *top;

    /* background jobs whose screen closed before they ended (job.h) */
    struct ui_job *jobs;

    /* the engine's runner thread while logged in (runner.c; NULL: none) */
    struct hy_runner *runner;
    char runner_owner[HY_UUID_LEN];     /* partner admins: their own requests only */

    /* live data (fw.c): what the main loop waits on besides keys */
    bool data_changed;          /* during a tick: the data may have changed since the screen's last one */
    hy_watch seen;              /* the database at the last look (ops_watch) */
    struct hy_dbwatch *watch;   /* commit notifications (dbwatch.h); NULL: look every poll period */
    char watch_org[HY_UUID_LEN]; /* the organisation whose beacon watch was opened for (beacon.h; the log
                                    when refused); "": the log */

    /* private to the framework */
    char msg[512];
    ui_style msg_style;
    int cursor_y, cursor_x;     /* the terminal cursor after drawing; -1: hidden */
    int pending;                /* flags raised outside a handler's return value */
    bool dirty, quit;
    int exit_code;
    int64_t last_key_ms, last_check_ms, last_look_ms;
    int64_t look_due_ms;        /* a notification waits for its look (0: none) */
    bool commit_unchecked;      /* a commit was notified since the session was last checked */
    int64_t tick_due_ms;        /* the top screen's next tick (ui_tick_in; 0: none) */
    int64_t release_due_ms;     /* idle since a while: give back the page cache then (0: done) */
};

/* Pushes a screen and opens it at once (arg is only read by open). Returns
 * true when it opened; false when open refused (its message is kept). */
bool ui_push(ui *u, const screen_ops *ops, const void *arg);
/* Same, and runs done(u, <screen beneath>, result, text, ctx) when it closes. */
bool ui_push_then(ui *u, const screen_ops *ops, const void *arg, ui_done_fn done, void *ctx);
/* Sets the result handed to `done` and returns UI_CLOSE (text may be NULL):
 *   return ui_finish(s, 1, text); */
int ui_finish(screen *s, int result, const char *text);

/* The message line (cleared on the next key). Text is sanitized when drawn. */
void ui_msg(ui *u, ui_style style, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports an ops error: HY_ERR_AUTH (session expired or revoked) returns
 * UI_LOGOUT with the reason; anything else goes to the message line and
 * returns UI_REDRAW. Use as: return ui_fail(u, &err); */
int ui_fail(ui *u, const hy_err *err);
/* Checks the session now (auth_check_session): 0, or UI_LOGOUT with the reason. */
int ui_check_session(ui *u);
/* From a tick (or open, reload, a handler): tick the top screen again in
 * ms (the earliest request wins; one tick answers all). For what moves by
 * itself: a spinner, a running time, a background job's progress. */
void ui_tick_in(ui *u, int ms);

/* After auth_login / auth_change_password: keeps the session (takes the
 * token) and, once no password change is pending, loads the organisation's
 * name for the header (ops_org_name; on failure the header shows none). */
void ui_session_start(ui *u, const hy_principal *p, char *token);

/* The role-specific home screen of the logged-in user. */
const screen_ops *ui_home_for(const ui *u);

/* ---- drawing (stdscr; only from draw callbacks) ---- */

/* Fits text into w cells at (y, x) and draws it (sanitized unless
 * UI_FIT_RAW; see ui_fit for flags). Returns the cells drawn. */
int ui_put(ui *u, int y, int x, int w, ui_style st, unsigned flags, const char *text);
/* Blank cells in a style. */
void ui_fill(ui *u, int y, int x, int w, ui_style st);
/* A frame with a title on its top border, its inside cleared. */
void ui_box(ui *u, ui_rect r, const char *title);
/* Places the terminal cursor after drawing (e.g. in a text field). */
void ui_cursor(ui *u, int y, int x);
attr_t ui_attr(const ui *u, ui_style st);
/* The spinner frame for now. */
const char *ui_spinner(const ui *u);

/* ---- the key chain, for the bottom bar and the help screen ---- */

/* Does action a (of s's own table, or NULL) exist for this user
 * (screen_ops.exists)? */
bool ui_action_exists(ui *u, const screen *s, const ui_action *a);

typedef struct {
    const char *title;          /* the widget's name, the screen's name, "Everywhere" */
    const ui_action *actions;
} ui_level;
/* The levels a key passes through on screen s: its focused widget, the
 * screen, the global keys (not for modal overlays). Returns the count (<= 3);
 * *takes_text: the widget takes typing. */
int ui_key_levels(const screen *s, ui_level out[3], bool *takes_text);
/* The keys of action a (of level `level`) that reach it: neither taken by
 * an earlier level nor, when a widget takes text, single characters. Their
 * display forms, joined by sep, go to out. Returns how many. */
int ui_reachable_keys(const ui_level *lv, int level, const ui_action *a, bool takes_text, const char *sep,
                      char *out, size_t outsz);

/* ---- the engine's runner thread (runner.c) ----
 * Started when a session is fully logged in (ui_session_start), stopped on
 * logout and quit (ui_logout), unless a `hyopps worker` is alive (its
 * heartbeat, u->seen.worker_until): then the session runs no steps and
 * looks for no work, and the runner starts (or resumes) only when the
 * worker is gone (ui_runner_sync, after each look). It runs auto steps on
 * its own connection and never touches curses: screens see its work as
 * data changes. It does not poll: the main loop kicks it when another
 * process changed the state. Admins' runner takes every runnable step; a
 * partner admin's only the requests they started. */
void ui_runner_start(ui *u);
/* After a look that saw a worker appear or go: pause, resume or start. */
void ui_runner_sync(ui *u);
/* Work may be runnable now: call after an ops action that queues a step. */
void ui_runner_kick(ui *u);
/* Is a step being run right now? */
bool ui_runner_busy(ui *u);
void ui_runner_stop(ui *u);

/* ---- the program (ui.c, term.c, fw.c) ---- */

/* Screens and widgets of phase 1, for the help screen and tests. */
extern const ui_action ui_global_actions[];

/* Asks "Quit HyOpps?" (a confirm dialog) unless already asking. */
void ui_ask_quit(ui *u);
/* Runs the main loop from the given first screen until quit. */
void ui_run(ui *u, const screen_ops *first, const void *arg);
/* Ends the session (revokes it) and forgets it. */
void ui_logout(ui *u);

/* The steps of ui_run, public so the framework is tested without a
 * terminal (they never draw): one key through the chain, the timers (idle
 * logout, the session's expiry, a look when due, the top screen's tick
 * when asked for), a look at the database now, a commit notification
 * (schedules the look), closing every screen. */
void ui_feed_key(ui *u, ui_key k);
void ui_run_timers(ui *u);
void ui_look(ui *u);
void ui_noticed(ui *u);
void ui_close_all(ui *u);

#endif
