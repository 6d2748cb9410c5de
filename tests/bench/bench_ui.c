/* The terminal UI on a big database (issue 5's benchmark): 200,000
 * executions (1.8 M step rows), 20,000 organisations and 100,000 users,
 * made with the engine benchmark's generator (bench_common.h). Measured:
 *
 *  - in this process, the screens driven by keys without a terminal (the
 *    ops calls and the screen's own work, no drawing): opening the
 *    executions list, each status filter key, each search keystroke,
 *    opening an execution, the inbox;
 *  - the real binary in a pseudo-terminal (80x24, TERM=xterm-256color),
 *    timed from the key to the last byte of the redraw (the output is
 *    "done" after 100 ms of quiet; the time is that of its last byte):
 *    start to a drawn login screen, the same screens as above, bytes
 *    written when the selection moves by one row, and the resident memory
 *    of an idle logged-in session (/proc: VmHWM peak, VmRSS now) — once
 *    with a cheap password hash, which shows the program's own peak
 *    outside the hash, once with the default Argon2id cost, whose 19 MiB
 *    arena is the difference.
 *
 *   bench_ui --binary PATH [--executions N] [--orgs N] [--users N]
 *
 * Prints Markdown table rows on stdout. */
#include "bench_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "list.h"
#include "screens.h"

#define REPEAT 7

static void row(const char *what, double *t, int n, const char *target, const char *note)
{
    double med = quantile(t, n, 0.5), max = quantile(t, n, 1.0);
    printf("| %s | %.1f | %.1f | %s | %s |\n", what, med, max, target, note ? note : "");
    fflush(stdout);
}

/* ---- in process: the screens by keys, no terminal ---- */

typedef struct {
    t_env *e;
    ui u;
} rig;

static ui_key ch(int c) { return (ui_key){false, c}; }

static void headless(t_env *e, const hy_principal *admin, char **exec_ids, int nids)
{
    rig r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.u.app = e->app;
    r.u.ctx = e->c;
    r.u.cfg = e->app->cfg;
    r.u.me = *admin;
    static const ui_glyphs g = {.sep = " | ", .spinner = {"|"}, .nspinner = 1};
    r.u.g = &g;
    r.u.logged_in = true;
    r.u.last_key_ms = r.u.last_check_ms = hy_mono_ms();
    double t[64];

    for (int i = 0; i < REPEAT; i++) {
        double a = now_us();
        if (!ui_push(&r.u, &ui_execs_screen, NULL)) die("open the executions list", NULL);
        t[i] = ms_since(a);
        ui_close_all(&r.u);
    }
    row("in process: open the executions list", t, REPEAT, "30", "first page (100 rows) and the counts");

    ui_push(&r.u, &ui_execs_screen, NULL);
    const char *keys = "wfcra";
    int n = 0;
    for (int rep = 0; rep < 3; rep++)
        for (const char *k = keys; *k; k++) {
            double a = now_us();
            ui_feed_key(&r.u, ch(*k));
            t[n++] = ms_since(a);
        }
    row("in process: a status filter key (w f c r a)", t, n, "30", "");

    const char *typed[] = {"partner 12345", "user4242@mail", NULL};
    char idp[9];
    hy_strlcpy(idp, exec_ids[nids / 2], sizeof idp);
    typed[2] = idp;
    for (int w = 0; w < 3; w++) {
        ui_feed_key(&r.u, ch('/'));
        n = 0;
        double worst_at = 0;
        for (const char *c = typed[w]; *c; c++) {
            double a = now_us();
            ui_feed_key(&r.u, ch((unsigned char)*c));
            t[n] = ms_since(a);
            if (t[n] > worst_at) worst_at = t[n];
            n++;
        }
        ui_list *l = r.u.top->state;
        char what[128], note[128];
        snprintf(what, sizeof what, "in process: search keystroke, typing \"%s\"", typed[w]);
        snprintf(note, sizeof note, "%d rows shown at the end", l->count);
        row(what, t, n, "30", note);
        ui_feed_key(&r.u, ch(27)); /* Esc clears */
    }
    ui_close_all(&r.u);

    for (int i = 0; i < 30; i++) {
        double a = now_us();
        if (!ui_push(&r.u, &ui_exec_screen, exec_ids[(i * 7919) % nids])) die("open an execution", NULL);
        t[i] = ms_since(a);
        ui_close_all(&r.u);
    }
    row("in process: open an execution", t, 30, "5", "ops_exec_show and the screen's state");

    /* new_partner_user's first form: the organisation picker offers every
     * partner organisation (20,000); ^O opens the list to choose from. */
    char np[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(e->c, admin, "new_partner_user", NULL, np, &err) != 0) die("start", &err);
    double tp[REPEAT];
    for (int i = 0; i < REPEAT; i++) {
        double a = now_us();
        if (!ui_push(&r.u, &ui_exec_form_screen, np)) die("open the organisation form", NULL);
        t[i] = ms_since(a);
        a = now_us();
        ui_feed_key(&r.u, ch(15)); /* C-o */
        tp[i] = ms_since(a);
        if (strcmp(r.u.top->ops->name, "Choose") != 0) die("^O did not open the organisations", NULL);
        ui_close_all(&r.u);
    }
    row("in process: open new_partner_user's organisation form", t, REPEAT, "-", "every partner organisation as a choice");
    row("in process: ^O, the list of organisations to choose from", tp, REPEAT, "-", "every partner organisation; `/` filters in memory");

    for (int i = 0; i < REPEAT; i++) {
        double a = now_us();
        if (!ui_push(&r.u, &ui_inbox_screen, NULL)) die("open the inbox", NULL);
        t[i] = ms_since(a);
        ui_list *l = r.u.top->state;
        n = l->count;
        ui_close_all(&r.u);
    }
    char note[64];
    snprintf(note, sizeof note, "%d waiting steps (ops' limit 1000)", n);
    row("in process: open the inbox", t, REPEAT, "-", note);
}

/* ---- the real binary in a pseudo-terminal (bench_pty.h) ---- */

static void write_config(const char *path, const char *db, bool cheap_hash)
{
    FILE *f = fopen(path, "w");
    if (!f) die("config", NULL);
    fprintf(f, "[database]\npath = %s\n", db);
    if (cheap_hash) fprintf(f, "[auth]\npassword_memlimit = 64K\npassword_opslimit = 1\n");
    fprintf(f, "[metabase]\nmode = simulate\n[teams]\nmode = simulate\n[slack]\nmode = simulate\n[smtp]\nmode = simulate\n");
    fclose(f);
    chmod(path, 0600);
}

static void login(pty_app *a, double *ms)
{
    double t0;
    if (pty_until(a, now_us(), "Log in to HyOpps", 50, 10000) < 0) die("no login screen", NULL);
    pty_send(a, "bench@hyopps.local\tbench-password-1", &t0);
    pty_until(a, t0, NULL, 50, 2000);
    *ms = pty_key(a, "\r", "Awaiting input", NULL);
    if (*ms < 0) die("login did not reach the home screen", NULL);
}

static void in_pty(const char *bin, t_env *e, char **exec_ids, int nids)
{
    char cfg[512], db[512];
    snprintf(cfg, sizeof cfg, "%s/bench.ini", e->dir);
    snprintf(db, sizeof db, "%s/hyopps.db", e->dir);
    write_config(cfg, db, true);
    double t[64];
    /* start -> drawn login screen */
    for (int i = 0; i < REPEAT; i++) {
        pty_app a;
        double t0 = now_us();
        pty_start(&a, bin, cfg);
        t[i] = pty_until(&a, t0, "Log in to HyOpps", 50, 10000);
        if (t[i] < 0) die("the login screen was not drawn", NULL);
        pty_stop(&a);
    }
    row("terminal: start to a drawn login screen", t, REPEAT, "20", "fork+exec to the last byte of the first frame");

    pty_app a;
    pty_start(&a, bin, cfg);
    double lg;
    login(&a, &lg);
    pty_until(&a, now_us(), NULL, 500, 2000); /* idle */
    long hwm = proc_kb(a.pid, "VmHWM"), rss = proc_kb(a.pid, "VmRSS"), anon = proc_kb(a.pid, "RssAnon"),
         file = proc_kb(a.pid, "RssFile"), dirty = rollup_kb(a.pid, "Private_Dirty");

    double open_list = pty_key(&a, "\r", "Executions", NULL); /* the first menu entry */
    size_t bytes;
    const char *fk[] = {"w", "f", "c", "r", "a"};
    int n = 0;
    for (int rep = 0; rep < 2; rep++)
        for (int k = 0; k < 5; k++) t[n++] = pty_key(&a, fk[k], NULL, NULL);
    row("terminal: a status filter key (w f c r a)", t, n, "30", "key to the last byte of the redraw");
    double tl[1] = {open_list};
    row("terminal: open the executions list (Enter on the home menu)", tl, 1, "30", "");

    /* search keystrokes */
    pty_key(&a, "/", NULL, NULL);
    n = 0;
    for (const char *c = "user4242@mail"; *c; c++) {
        char k[2] = {*c, 0};
        t[n++] = pty_key(&a, k, NULL, NULL);
    }
    row("terminal: search keystroke, typing \"user4242@mail\"", t, n, "30", "");
    pty_key(&a, "\x1b", NULL, NULL); /* Esc clears */

    /* one row down */
    size_t b[8];
    double bt[8];
    for (int i = 0; i < 8; i++) {
        pty_key(&a, i % 2 ? "k" : "j", NULL, &b[i]);
        bt[i] = (double)b[i];
    }
    printf("| terminal: bytes written when the selection moves by one row (j/k) | %.0f | %.0f | 150 | bytes, not ms |\n",
           quantile(bt, 8, 0.5), quantile(bt, 8, 1.0));

    /* open an execution, back */
    n = 0;
    for (int i = 0; i < REPEAT; i++) {
        t[n++] = pty_key(&a, "\r", "Steps (", NULL);
        pty_key(&a, "q", NULL, NULL);
        pty_key(&a, "j", NULL, NULL);
    }
    row("terminal: open an execution (Enter in the list)", t, n, "5", "ops, layout, drawing and the terminal");
    (void)bytes;
    (void)exec_ids, (void)nids;
    pty_stop(&a);
    printf("<!-- rss_cheap hwm=%ld rss=%ld anon=%ld file=%ld private_dirty=%ld -->\n", hwm, rss, anon, file, dirty);

    /* The default Argon2id cost (19 MiB): a login rehashes the password at it. */
    write_config(cfg, db, false);
    pty_start(&a, bin, cfg);
    login(&a, &lg);
    pty_until(&a, now_us(), NULL, 500, 2000);
    long hwm2 = proc_kb(a.pid, "VmHWM"), rss2 = proc_kb(a.pid, "VmRSS");
    pty_stop(&a);
    printf("<!-- rss_default hwm=%ld rss=%ld login_ms=%.0f -->\n", hwm2, rss2, lg);
    printf("| idle logged-in session: peak RSS (VmHWM), cheap hash | %.1f MB | now %.1f MB | 8 MB | of which "
           "%.1f MB pages of the binary and shared libraries, %.1f MB anonymous; private dirty %.1f MB |\n",
           hwm / 1024.0, rss / 1024.0, file / 1024.0, anon / 1024.0, dirty / 1024.0);
    printf("| idle logged-in session: peak RSS (VmHWM), default hash (19 MiB) | %.1f MB | now %.1f MB | - | the "
           "difference is the Argon2id arena, freed after login |\n",
           hwm2 / 1024.0, rss2 / 1024.0);
}

int main(int argc, char **argv)
{
    int n = 200000, norgs = 20000, nusers = 100000;
    const char *bin = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--executions")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--orgs")) norgs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--users")) nusers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--binary")) bin = argv[i + 1];
    }
    if (!bin) {
        fprintf(stderr, "usage: bench_ui --binary PATH [--executions N] [--orgs N] [--users N]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    hy_principal admin;
    double g0 = now_us();
    t_env *e = bench_ui_database(n, norgs, nusers, &admin, "bench_ui");
    char uid[HY_UUID_LEN];
    t_user(e, "bench@hyopps.local", "admin", NULL, "bench-password-1", uid);
    hy_err err;
    hy_err_clear(&err);
    if (db_exec(e->c->db, &err, "UPDATE users SET must_change_password = 0 WHERE id = ?", "t", uid) != 0)
        die("bench admin", &err);
    int64_t ne = t_count(e, "SELECT count(*) FROM workflow_executions", ""),
            ns = t_count(e, "SELECT count(*) FROM workflow_step_executions", ""),
            no = t_count(e, "SELECT count(*) FROM organizations", ""), nu = t_count(e, "SELECT count(*) FROM users", "");
    fprintf(stderr, "bench_ui: %lld executions, %lld steps, %lld organisations, %lld users (%.1f s to generate)\n",
            (long long)ne, (long long)ns, (long long)no, (long long)nu, (now_us() - g0) / 1e6);
    printf("<!-- machine ");
    bench_machine(e, stdout);
    printf(" -->\n");
    printf("<!-- data executions=%lld steps=%lld orgs=%lld users=%lld -->\n", (long long)ne, (long long)ns,
           (long long)no, (long long)nu);

    int nids = 0;
    char **ids = xcalloc(200, sizeof *ids);
    hy_stmt *st = db_query(e->c->db, &err, "SELECT id FROM workflow_executions ORDER BY random() LIMIT 200", "");
    while (db_row(st)) ids[nids++] = xstrdup(db_text(st, 0));
    db_done(st);

    printf("| what | median | max | target | notes |\n|---|---|---|---|---|\n");
    headless(e, &admin, ids, nids);
    in_pty(bin, e, ids, nids);
    for (int i = 0; i < nids; i++) free(ids[i]);
    free(ids);
    t_env_free(e);
    return 0;
}
