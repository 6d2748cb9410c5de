/* Terminal setup and restore, signals, colours, glyphs and the drawing
 * primitives every widget uses. */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "sanitize.h"
#include "util.h"

static volatile sig_atomic_t got_term, got_int;
static SCREEN *term_screen;
static bool term_active;

/* The self-pipe: a signal handler writes a byte, so the main loop's poll()
 * wakes for it (no race between a check and the wait). */
static int wake_pipe[2] = {-1, -1};
static struct sigaction curses_winch; /* ncurses' own SIGWINCH handler, chained */

static void wake(void)
{
    int saved = errno;
    if (wake_pipe[1] >= 0) {
        ssize_t w = write(wake_pipe[1], "", 1); /* full pipe: a wake-up is already pending */
        (void)w;
    }
    errno = saved;
}

static void on_term(int sig)
{
    got_term = sig;
    wake();
}
static void on_int(int sig)
{
    (void)sig;
    got_int = 1;
    wake();
}
static void on_winch(int sig)
{
    if (curses_winch.sa_handler != SIG_DFL && curses_winch.sa_handler != SIG_IGN && curses_winch.sa_handler != on_winch)
        curses_winch.sa_handler(sig); /* ncurses notes the new size; get_wch returns KEY_RESIZE */
    wake();
}

int ui_term_wake_fd(void) { return wake_pipe[0]; }

void ui_term_wake_drain(void)
{
    char buf[64];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof buf) > 0) {}
}

int ui_term_signal(void) { return got_term; }

bool ui_term_take_interrupt(void)
{
    if (!got_int) return false;
    got_int = 0;
    return true;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns at once */
    sigaction(sig, &sa, NULL);
}

bool ui_locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

bool ui_color_wanted(bool term_has_colors, bool config_color)
{
    const char *nc = getenv("NO_COLOR");
    return term_has_colors && config_color && !(nc && *nc);
}

static const ui_glyphs GLYPHS_UTF8 = {
    .hline = "\xe2\x94\x80", .vline = "\xe2\x94\x82", .tl = "\xe2\x94\x8c", .tr = "\xe2\x94\x90",
    .bl = "\xe2\x94\x94", .br = "\xe2\x94\x98",
    .cursor = "\xe2\x96\xb6",                       /* ▶ */
    .ok = "\xe2\x9c\x93", .failed = "\xe2\x9c\x97", /* ✓ ✗ */
    .waiting = "\xe2\x97\x8f", .pending = "\xe2\x97\x8b", .skipped = "\xe2\x86\xb7", /* ● ○ ↷ */
    .running = "\xe2\x80\xa6", .cancelled = "\xe2\x8a\x98", /* … ⊘ */
    .spinner = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
                "\xe2\xa0\xa6", "\xe2\xa0\xa7"},
    .nspinner = 8,
    .check_on = "[x]", .check_off = "[ ]",
    .mask = "\xe2\x80\xa2",                         /* • */
    .prev = "\xe2\x80\xb9", .next = "\xe2\x80\xba", /* ‹ › */
    .sep = " \xe2\x94\x82 ",
    .dash = "\xe2\x80\x94", .times = "\xc3\x97",
};

static const ui_glyphs GLYPHS_ASCII = {
    .hline = "-", .vline = "|", .tl = "+", .tr = "+", .bl = "+", .br = "+",
    .cursor = ">",
    .ok = "+", .failed = "x", .waiting = "?", .pending = ".", .skipped = "-", .running = "*", .cancelled = "/",
    .spinner = {"|", "/", "-", "\\"},
    .nspinner = 4,
    .check_on = "[x]", .check_off = "[ ]",
    .mask = "*",
    .prev = "<", .next = ">",
    .sep = " | ",
    .dash = "-", .times = "x",
};

/* Colour pairs by style; 0 = no colour of its own. */
static short pair_of[UI_S_COUNT];
static bool use_color;

static void init_colors(void)
{
    start_color();
    short bg = -1;
    if (use_default_colors() != OK) bg = COLOR_BLACK;
    struct { ui_style st; short fg, bg; } map[] = {
        {UI_S_HEADER, COLOR_WHITE, COLOR_BLUE}, {UI_S_BADGE, COLOR_BLACK, COLOR_YELLOW},
        {UI_S_KEY, COLOR_CYAN, bg},            {UI_S_OK, COLOR_GREEN, bg},
        {UI_S_RUNNING, COLOR_CYAN, bg},        {UI_S_WAITING, COLOR_YELLOW, bg},
        {UI_S_FAILED, COLOR_RED, bg},          {UI_S_ERROR, COLOR_RED, bg},
        {UI_S_INFO, COLOR_GREEN, bg},          {UI_S_REQUIRED, COLOR_RED, bg},
        {UI_S_BORDER, COLOR_BLUE, bg},
    };
    short n = 1;
    for (size_t i = 0; i < sizeof map / sizeof map[0] && n < COLOR_PAIRS; i++, n++) {
        init_pair(n, map[i].fg, map[i].bg);
        pair_of[map[i].st] = n;
    }
}

attr_t ui_attr(const ui *u, ui_style st)
{
    (void)u;
    if (use_color) {
        attr_t a = pair_of[st] ? COLOR_PAIR(pair_of[st]) : A_NORMAL;
        switch (st) {
        case UI_S_HEADER: case UI_S_TITLE: case UI_S_KEY: case UI_S_FAILED: case UI_S_ERROR:
        case UI_S_REQUIRED: case UI_S_BADGE:
            return a | A_BOLD;
        case UI_S_SELECTED: case UI_S_FIELD_FOCUS: return A_REVERSE;
        case UI_S_FIELD: return A_UNDERLINE;
        case UI_S_DIM: return A_DIM;
        default: return a;
        }
    }
    /* Monochrome: attributes only. */
    switch (st) {
    case UI_S_HEADER: case UI_S_SELECTED: case UI_S_FIELD_FOCUS: case UI_S_BADGE: return A_REVERSE;
    case UI_S_TITLE: case UI_S_KEY: case UI_S_FAILED: case UI_S_ERROR: case UI_S_REQUIRED: case UI_S_RUNNING:
    case UI_S_WAITING:
        return A_BOLD;
    case UI_S_FIELD: return A_UNDERLINE;
    case UI_S_DIM: return A_DIM;
    default: return A_NORMAL;
    }
}

int ui_term_start(ui *u)
{
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) wake_pipe[0] = wake_pipe[1] = -1;
    handle(SIGTERM, on_term);
    handle(SIGHUP, on_term);
    handle(SIGINT, on_int);
    if (u->restricted) {
        signal(SIGTSTP, SIG_IGN); /* no suspend to a shell */
        signal(SIGQUIT, SIG_IGN); /* no core dump */
    }
    signal(SIGPIPE, SIG_IGN);
    const char *t = getenv("TERM");
    if (!t || !*t) setenv("TERM", "vt100", 1);
    /* Before anything is sent: a terminal that cannot place the cursor
     * (TERM=dumb, an editor's shell buffer) would show a garbled or blank
     * screen; an unknown type is not in the terminfo database. */
    char *shown = hy_sanitize(getenv("TERM"));
    int found = 0;
    if (setupterm(NULL, STDOUT_FILENO, &found) != OK) {
        fprintf(stderr,
                "hyopps: cannot start the terminal UI: the terminal type TERM=%s is unknown here (not in the "
                "terminfo database). Set TERM to one that is, e.g. TERM=xterm-256color, or use the commands "
                "(hyopps --help).\n",
                shown);
        free(shown);
        return -1;
    }
    const char *cup = tigetstr("cup");
    bool full_screen = cup && cup != (const char *)-1;
    del_curterm(cur_term);
    if (!full_screen) {
        fprintf(stderr,
                "hyopps: cannot start the terminal UI: TERM=%s cannot move the cursor, and the terminal UI needs a "
                "full-screen terminal (xterm, screen, tmux, a Linux console...). Set TERM to the terminal you use, "
                "e.g. TERM=xterm-256color, or use the commands (hyopps --help).\n",
                shown);
        free(shown);
        return -1;
    }
    term_screen = newterm(NULL, stdout, stdin);
    if (!term_screen) {
        fprintf(stderr, "hyopps: cannot start the terminal UI: unknown terminal type TERM=%s\n", shown);
        free(shown);
        return -1;
    }
    free(shown);
    term_active = true;
    hy_set_fatal_hook(ui_term_stop);
    /* ncurses installed its SIGWINCH handler in newterm: ours calls it,
     * then wakes the main loop. */
    struct sigaction winch;
    memset(&winch, 0, sizeof winch);
    winch.sa_handler = on_winch;
    sigemptyset(&winch.sa_mask);
    struct sigaction old;
    if (sigaction(SIGWINCH, &winch, &old) == 0 && old.sa_handler != on_winch) curses_winch = old;
    set_escdelay(25);
    if (u->restricted) raw(); /* Ctrl-C, Ctrl-Z, Ctrl-\ arrive as keys */
    else cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    /* ncurses would poll the terminal every few lines of an update to stop
     * it when a key is waiting: the main loop takes the waiting keys before
     * it draws (ui_run), so those polls only cost (5 per key). */
    typeahead(-1);
    keypad(stdscr, TRUE);
    /* Enter the alternate screen before hiding the cursor: terminals such as
     * tmux restore the modes saved on entering it when we leave. */
    refresh();
    /* ncurses 6.4 flushes its output after every cursor move until the
     * screen has once come back from endwin (it takes the first state for
     * "not initialised yet"): a list redraw went out in a dozen writes, a
     * dozen wake-ups of sshd. Coming back once, before anything is drawn,
     * makes every doupdate one write. */
    endwin();
    refresh();
    curs_set(0);
    u->ascii = !ui_locale_is_utf8() || u->cfg->ui.ascii;
    u->g = u->ascii ? &GLYPHS_ASCII : &GLYPHS_UTF8;
    use_color = ui_color_wanted(has_colors(), u->cfg->ui.color);
    if (use_color) init_colors();
    u->color = use_color;
    ui_term_resize(u);
    return 0;
}

void ui_term_resize(ui *u)
{
    u->rows = LINES;
    u->cols = COLS;
    u->too_small = u->rows < UI_MIN_ROWS || u->cols < UI_MIN_COLS;
}

void ui_term_stop(void)
{
    if (!term_active) return;
    term_active = false;
    curs_set(1);
    endwin();
    /* Some terminals (tmux) restore on leaving the alternate screen the
     * modes saved on entering it: show the cursor again on the normal one. */
    const char *cnorm = tigetstr("cnorm");
    if (cnorm && cnorm != (const char *)-1) tputs(cnorm, 1, putchar); /* through stdio, flushed below */
    fflush(stdout);
    delscreen(term_screen);
    term_screen = NULL;
}

/* ---- drawing primitives ---- */

#define FIT_BUF 8192
/* Characters handed to curses at a time: small stack frames (a session's
 * stack pages are its own memory, and hundreds of sessions run). */
#define PUT_CHUNK 128

int ui_put(ui *u, int y, int x, int w, ui_style st, unsigned flags, const char *text)
{
    if (y < 0 || y >= u->rows || x < 0 || x >= u->cols || w <= 0) return 0;
    w = ui_min(w, u->cols - x);
    w = ui_min(w, 1000);
    char buf[FIT_BUF];
    int n = ui_fit(text, w, flags | (u->ascii ? UI_FIT_ASCII : 0), buf, sizeof buf);
    attr_t a = ui_attr(u, st);
    const char *p = buf;
    while (*p && !((unsigned char)*p & 0x80)) p++;
    if (!*p) { /* printable ASCII (ui_fit's): a cell a byte, straight into the window */
        chtype cells[PUT_CHUNK];
        int done = 0;
        for (p = buf; *p;) {
            int k = 0;
            for (; k < PUT_CHUNK && p[k]; k++) cells[k] = (chtype)(unsigned char)p[k] | a;
            mvaddchnstr(y, x + done, cells, k);
            done += k;
            p += k;
        }
        return n;
    }
    /* Not ASCII: decoded here (ui_fit wrote valid UTF-8) and added as wide
     * characters, cheaper than curses decoding it byte by byte. */
    wchar_t wide[PUT_CHUNK];
    attrset(a);
    move(y, x);
    for (size_t i = 0, avail = strlen(buf); avail > 0;) {
        int nw = 0;
        while (avail > 0 && nw < PUT_CHUNK) {
            unsigned cp;
            int used = hy_utf8_decode((const unsigned char *)buf + i, avail, &cp);
            if (used == 0) used = 1, cp = '?';
            wide[nw++] = (wchar_t)cp;
            i += (size_t)used;
            avail -= (size_t)used;
        }
        addnwstr(wide, nw);
    }
    attrset(A_NORMAL);
    return n;
}

void ui_fill(ui *u, int y, int x, int w, ui_style st)
{
    if (y < 0 || y >= u->rows || x < 0 || x >= u->cols || w <= 0) return;
    w = ui_min(w, u->cols - x);
    attrset(ui_attr(u, st));
    mvhline(y, x, ' ', w);
    attrset(A_NORMAL);
}

void ui_box(ui *u, ui_rect r, const char *title)
{
    if (r.h < 2 || r.w < 2) return;
    const ui_glyphs *g = u->g;
    attr_t a = ui_attr(u, UI_S_BORDER);
    for (int y = r.y; y < r.y + r.h; y++) ui_fill(u, y, r.x, r.w, UI_S_NORMAL);
    attrset(a);
    for (int x = r.x + 1; x < r.x + r.w - 1; x++) {
        mvaddstr(r.y, x, g->hline);
        mvaddstr(r.y + r.h - 1, x, g->hline);
    }
    for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
        mvaddstr(y, r.x, g->vline);
        mvaddstr(y, r.x + r.w - 1, g->vline);
    }
    mvaddstr(r.y, r.x, g->tl);
    mvaddstr(r.y, r.x + r.w - 1, g->tr);
    mvaddstr(r.y + r.h - 1, r.x, g->bl);
    mvaddstr(r.y + r.h - 1, r.x + r.w - 1, g->br);
    attrset(A_NORMAL);
    if (title && *title && r.w > 6) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        ui_put(u, r.y, r.x + 2, r.w - 4, UI_S_TITLE, 0, t);
    }
}

void ui_cursor(ui *u, int y, int x)
{
    u->cursor_y = y;
    u->cursor_x = x;
}

const char *ui_spinner(const ui *u) { return u->g->spinner[u->frame % (unsigned)u->g->nspinner]; }
