/* The bastion (issue 16): one host that hundreds of partner admins reach
 * over SSH, each connection its own `hyopps` process, next to a
 * `hyopps worker`, on the 200,000-execution database of bench_ui. The
 * real binary on pseudo-terminals (80x24, TERM=xterm-256color), all
 * integrations simulated. Measured:
 *
 *  - the wake signal: what a look at the database costs (ops_watch when
 *    nothing was committed, and after a commit), a timer wake of a
 *    sleeping thread, and what a screen's reload costs (the partner's
 *    home and requests list), in this process;
 *  - libcurl's global set-up (TLS): memory before and after, in a child;
 *  - one worker's new_partner_user executions/s draining a backlog of
 *    --produce executions (every auto step left to it: inline_local_steps
 *    off), first with no sessions at all, then in pairs with --idle idle
 *    and --active active sessions (a key every 100 ms moving through
 *    their requests list, filtering and switching status filters)
 *    stopped (SIGSTOP) and running, in ABBA order: the database grows by
 *    each backlog and the machine drifts, so only neighbouring runs
 *    compare (with no sessions at all, runs before and after a phase
 *    that did nothing differed by a fifth);
 *  - --idle logged-in partner admins idle on their home screen for
 *    --seconds, with a worker alive, then without one: their CPU time
 *    (every thread, /proc/PID/task/N/schedstat) per session per second,
 *    split by how each learns about commits (file notifications, or a
 *    look every 500 ms where inotify's per-user limit refused one);
 *  - their memory (/proc/PID/smaps_rollup): private and shared;
 *  - key to the last byte of the redraw for the active sessions;
 *  - a change made elsewhere (a request started in an organisation) to
 *    the first byte of the redraw of a session showing that
 *    organisation's requests, with nothing else happening and while the
 *    worker drains a backlog.
 *
 *   bench_bastion --binary PATH [--executions N] [--orgs N] [--users N]
 *                 [--idle N] [--active N] [--seconds S] [--produce K] [--runs R]
 *                 [--control R]       pairs of runs of each control (default: as many as --runs;
 *                                     0: none): the sessions stopped, their CPU spent by plain
 *                                     processes, then by programs on pseudo-terminals typed to
 *                                     as they are (this program, --burner-child MS BYTES)
 *                 [--control-key-ms MS] control 2 spends MS of CPU per key instead of a
 *                                     session's (0: the terminal traffic alone, what any
 *                                     full-screen program pays at that key rate)
 *                 [--worker-nice N]   the worker's niceness (Nice= of its unit file; < 0: root)
 *                 [--worker-fifo N]   the worker at real-time priority N (SCHED_FIFO, root): tried,
 *                                     see notes_bastion.md
 *                 [--session-cpus LIST] the sessions and this program (their terminals) on
 *                                     those CPUs only (e.g. 0 or 0-2,5), the worker on all: tried
 *                 [--slices]          the worker in a cpu cgroup of its own, the sessions and this
 *                                     program in another, as systemd's slices (root)
 *   BENCH_CACHE_DB=FILE  reuse (or save) the generated database
 *
 * Prints Markdown table rows and <!-- name values --> lines on stdout. */
#include "bench_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>

#include "audit.h"
#include "integrations/http.h"

enum { S_IDLE, S_ACTIVE, S_OBSERVER, S_BURNER }; /* S_BURNER: the control at the terminals */

typedef struct {
    pty_app a;
    int kind;
    atomic_bool ready;          /* logged in: the driver thread reads it from now on */
    atomic_llong last_byte_us;  /* when it last wrote (driver) */
    int step;                   /* active: the next key of the cycle */
    int round, letter;          /* active: rounds of the cycle typed, letters of this round's word */
    double sent_us, next_us;    /* active: the last key sent, the next one due */
} session;

#define MAX_SESSIONS 600
/* After the last login (every login is a state change the others look
 * at), before measuring: the sessions give their page cache back after
 * 5 s of quiet. */
#define SETTLE_S 8
#define MAX_SAMPLES 400000

static session sessions[MAX_SESSIONS];
static atomic_int nsessions;
static atomic_bool driver_stop, keys_on;
static atomic_bool burner_keys_on;           /* the driver types to the terminal burners */
static atomic_llong active_keys, active_bytes; /* keys typed to the active sessions, bytes they wrote back */
static atomic_int key_phase;    /* tag of the samples being taken */
static double samples[MAX_SAMPLES];
static int sample_phase[MAX_SAMPLES];
static atomic_int nsamples, nsilent;
static pid_t worker_pid;
static int worker_nice;         /* --worker-nice: the worker's niceness (as Nice= in its unit file) */
static int worker_fifo;         /* --worker-fifo: its real-time priority (CPUSchedulingPolicy=fifo), 0: none */
static cpu_set_t all_cpus;      /* the worker's CPUs (all of them) */
static const char *session_cpus; /* --session-cpus: the sessions' and their terminals' CPUs (AllowedCPUs= of
                                  * the users' slice), NULL: all */

/* What an active session types, one key every 100 ms, on its requests list:
 * a search (3 letters, a word of WORDS, another at each round: a person
 * searching looks for something new each time), cleared, kept; moves; the
 * status filters (the same ones every round: a person flips between them).
 * "@" stands for the next letter of the round's word. */
static const char *const CYCLE[] = {"/", "@", "@", "@", "\x15", "\r", "j", "j", "k", "k",
                                    "w", "a", "f", "a", "c", "a", "j", "k"};
#define NCYCLE ((int)(sizeof CYCLE / sizeof CYCLE[0]))
/* What the bench's users' emails, names and organisations hold
 * ("First8000 Last8000 <user8000@...>", "Bench User <template@load...>"). */
static const char *const WORDS[] = {"use", "ser", "fir", "irs", "rst", "las", "ast", "ben", "enc", "nch", "tem",
                                    "emp", "pla", "loa", "oad", "exa", "xam", "amp", "mai", "ail", "ple", "ach"};
#define NWORDS ((int)(sizeof WORDS / sizeof WORDS[0]))
#define KEY_EVERY_MS 100

/* ---- the driver thread: reads every session, types for the active ones ---- */

static void finish_key(session *s)
{
    if (s->sent_us <= 0) return;
    if (s->kind == S_BURNER) { /* the control: no key-to-screen samples */
        s->sent_us = 0;
        return;
    }
    double last = (double)atomic_load(&s->last_byte_us);
    if (last > s->sent_us) {
        int i = atomic_fetch_add(&nsamples, 1);
        if (i < MAX_SAMPLES) {
            samples[i] = (last - s->sent_us) / 1000;
            sample_phase[i] = atomic_load(&key_phase);
        }
    } else {
        atomic_fetch_add(&nsilent, 1);
    }
    s->sent_us = 0;
}

static void *driver_main(void *arg)
{
    (void)arg;
    static struct pollfd p[MAX_SESSIONS];
    static int who[MAX_SESSIONS];
    while (!atomic_load(&driver_stop)) {
        int n = 0, count = atomic_load(&nsessions);
        double now = now_us(), next = now + 50000;
        bool typing = atomic_load(&keys_on), btyping = atomic_load(&burner_keys_on);
        for (int i = 0; i < count; i++) {
            session *s = &sessions[i];
            if (!atomic_load(&s->ready)) continue;
            p[n] = (struct pollfd){s->a.fd, POLLIN, 0};
            who[n++] = i;
            if (!(s->kind == S_ACTIVE && typing) && !(s->kind == S_BURNER && btyping)) continue;
            if (s->next_us <= now) {
                /* still drawing the last key: wait for it to finish first */
                if (s->sent_us > 0 && now - (double)atomic_load(&s->last_byte_us) < 10000 &&
                    now - s->sent_us < 400000) {
                    s->next_us = now + 10000;
                } else {
                    finish_key(s);
                    const char *k = CYCLE[s->step];
                    char letter[2] = {0};
                    if (k[0] == '@') { /* the round's word, a letter at a time */
                        letter[0] = WORDS[(s->round + (int)(s - sessions)) % NWORDS][s->letter++];
                        k = letter;
                    }
                    s->step = (s->step + 1) % NCYCLE;
                    if (s->step == 0) s->round++, s->letter = 0;
                    s->sent_us = now_us();
                    if (write(s->a.fd, k, strlen(k)) < 0) die("write a key", NULL);
                    if (s->kind == S_ACTIVE) atomic_fetch_add(&active_keys, 1);
                    s->next_us = s->sent_us + KEY_EVERY_MS * 1000.0;
                }
            }
            if (s->next_us < next) next = s->next_us;
        }
        if (!typing)
            for (int i = 0; i < count; i++) finish_key(&sessions[i]);
        int timeout = (int)((next - now_us()) / 1000);
        if (poll(p, (nfds_t)n, timeout < 0 ? 0 : timeout > 50 ? 50 : timeout) <= 0) continue;
        for (int j = 0; j < n; j++) {
            if (!(p[j].revents & (POLLIN | POLLHUP))) continue;
            session *s = &sessions[who[j]];
            char b[65536];
            ssize_t r = read(s->a.fd, b, sizeof b);
            if (r <= 0) continue;
            pty_took(&s->a, b, (size_t)r);
            if (s->kind == S_ACTIVE) atomic_fetch_add(&active_bytes, r);
            atomic_store(&s->last_byte_us, (long long)s->a.last_us);
        }
    }
    return NULL;
}

/* ---- sessions ---- */

/* Starts a session and logs in (on this thread), then hands it to the driver. */
static session *session_login(const char *bin, const char *cfg, int kind, const char *email)
{
    int i = atomic_load(&nsessions);
    if (i >= MAX_SESSIONS) die("too many sessions", NULL);
    session *s = &sessions[i];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    /* as deployed: the partner admins' ForceCommand runs the restricted shell */
    char *args[] = {"--restricted", "--config", (char *)cfg, NULL};
    pty_start_args(&s->a, bin, cfg, args);
    double t0;
    if (pty_until(&s->a, now_us(), "Log in to HyOpps", 20, 20000) < 0) die("no login screen", NULL);
    char keys[256];
    snprintf(keys, sizeof keys, "%s\tbench-password-1", email);
    pty_send(&s->a, keys, &t0);
    pty_until(&s->a, t0, NULL, 20, 2000);
    pty_send(&s->a, "\r", &t0);
    if (pty_until(&s->a, t0, "Add user", 20, 20000) < 0) die("a partner admin's home did not open", NULL);
    if (kind != S_IDLE) {
        pty_send(&s->a, "r", &t0); /* Requests */
        if (pty_until(&s->a, t0, "Requests", 20, 20000) < 0) die("the requests list did not open", NULL);
    }
    free(s->a.buf); /* from now on only times and sizes */
    s->a.buf = NULL;
    s->a.keep = false;
    s->next_us = now_us() + (i % KEY_EVERY_MS) * 1000.0; /* keys spread over the period */
    atomic_store(&s->ready, true);
    atomic_store(&nsessions, i + 1);
    return s;
}

static void sessions_stop(void)
{
    int n = atomic_load(&nsessions);
    for (int i = 0; i < n; i++)
        if (sessions[i].kind != S_BURNER) kill(sessions[i].a.pid, SIGTERM);
    for (int i = 0; i < n; i++) {
        int st;
        if (sessions[i].kind == S_BURNER) continue; /* reaped when the control ended */
        for (int k = 0; k < 500 && waitpid(sessions[i].a.pid, &st, WNOHANG) == 0; k++) usleep(10000);
        if (waitpid(sessions[i].a.pid, &st, WNOHANG) == 0) {
            kill(sessions[i].a.pid, SIGKILL);
            waitpid(sessions[i].a.pid, &st, 0);
        }
    }
}

/* A passive checkpoint by the probe: true when it copied the whole log
 * (no reader holds an older snapshot, no writer in between). Run before
 * every timed run, with the sessions stopped or not, so that both start
 * alike. */
static bool checkpoint_whole(hy_app *probe)
{
    hy_err err;
    hy_err_clear(&err);
    hy_stmt *st = db_query(probe->db, &err, "PRAGMA wal_checkpoint(PASSIVE)", "");
    bool whole = st && db_row(st) && db_int(st, 0) == 0 && db_int(st, 1) == db_int(st, 2);
    db_done(st);
    return whole;
}

/* Whether a stopped session holds one of SQLite's read locks on the
 * shared-memory index (bytes 123-127 of the -shm file: WAL_READ_LOCK(0..4),
 * /proc/locks). A whole checkpoint is not proof enough: a reader stopped
 * between taking read mark 0 (the log fully copied, so it reads the
 * database file) and its first page holds off every later checkpoint (seen:
 * a 1.7 GB log and a worker at 137 executions/s in the next "stopped" run). */
static bool sessions_hold_read_lock(const char *shm_path)
{
    struct stat st;
    if (stat(shm_path, &st) != 0) return false;
    FILE *f = fopen("/proc/locks", "r");
    if (!f) return false;
    char line[256];
    bool held = false;
    int n = atomic_load(&nsessions);
    while (!held && fgets(line, sizeof line, f)) {
        /* "1: POSIX  ADVISORY  READ 29004 fe:00:10961481 123 123" */
        char kind[16], mode[16];
        int pid;
        unsigned maj, min;
        unsigned long long ino;
        long long start;
        if (sscanf(line, "%*d: %15s %*s %15s %d %x:%x:%llu %lld", kind, mode, &pid, &maj, &min, &ino, &start) != 7)
            continue;
        if (strcmp(kind, "POSIX") || ino != (unsigned long long)st.st_ino || start < 123 || start > 127) continue;
        for (int i = 0; i < n && !held; i++) held = sessions[i].kind != S_BURNER && sessions[i].a.pid == pid;
    }
    fclose(f);
    return held;
}

/* Every session stopped (SIGSTOP): the processes are there, with their
 * memory, and use no CPU. Never while one holds a snapshot: a stopped
 * reader would keep every checkpoint of the worker from completing, the
 * log would grow, and the runs without the sessions would be the slow
 * ones. No session holding a read lock, and a checkpoint that copies the
 * whole log, show that none holds one; else the sessions go on for a
 * moment. */
static bool sessions_paused;
static char shm_path[600]; /* the database's -shm file */

static void sessions_pause(hy_app *probe)
{
    int n = atomic_load(&nsessions);
    if (sessions_paused) { /* a stopped process reports no second stop: waitpid would wait forever */
        checkpoint_whole(probe);
        return;
    }
    sessions_paused = true;
    for (int tries = 0; tries < 200; tries++) {
        for (int i = 0; i < n; i++)
            if (sessions[i].kind != S_BURNER) kill(sessions[i].a.pid, SIGSTOP);
        for (int i = 0; i < n; i++) {
            int st;
            if (sessions[i].kind != S_BURNER) waitpid(sessions[i].a.pid, &st, WUNTRACED);
        }
        bool locked = sessions_hold_read_lock(shm_path);
        if (!locked && checkpoint_whole(probe)) return;
        if (locked) fprintf(stderr, "bench_bastion: a stopped session held a read lock: on again for a moment\n");
        for (int i = 0; i < n; i++)
            if (sessions[i].kind != S_BURNER) kill(sessions[i].a.pid, SIGCONT);
        usleep(20000);
    }
    die("a session kept a snapshot: the sessions could not be stopped", NULL);
}

static void sessions_resume(void)
{
    int n = atomic_load(&nsessions);
    sessions_paused = false;
    for (int i = 0; i < n; i++)
        if (sessions[i].kind != S_BURNER) kill(sessions[i].a.pid, SIGCONT);
}

static void slices_stop(void);

static void cleanup(void)
{
    atomic_store(&driver_stop, true);
    if (worker_pid > 0) kill(worker_pid, SIGKILL);
    int n = atomic_load(&nsessions);
    for (int i = 0; i < n; i++)
        if (sessions[i].kind != S_BURNER) kill(sessions[i].a.pid, SIGKILL); /* burners die with this program */
    if (worker_pid > 0) waitpid(worker_pid, NULL, 0);
    for (int i = 0; i < n; i++)
        if (sessions[i].kind != S_BURNER) waitpid(sessions[i].a.pid, NULL, 0);
    slices_stop();
}

/* ---- systemd's slices, modelled (--slices) ----
 * As deployed (README, "Deployment over SSH"), systemd runs the worker in
 * system.slice and puts every SSH session (its hyopps and sshd's end of
 * its terminal) in user.slice; with the cpu controller on (systemd turns it
 * on when a unit asks for CPU control, e.g. CPUWeight=) the two slices
 * share the CPUs by weight (100 each by default), however many sessions
 * there are. Without cgroups the
 * kernel's autogroup makes a group of every session (setsid: each
 * terminal, and a worker as systemd starts it) and shares the CPUs between
 * them alike: the worker is one group among hundreds, and its niceness
 * counts only inside its own group. --slices: this program and the
 * sessions it starts in one cpu cgroup ("user"), the worker in another
 * ("system"), both at the default weight (cgroup v2, or v1's cpu
 * hierarchy). */
static char slices_base[256];   /* "": not in use */
static char slices_home[512];   /* this program's cgroup before, to go back to */
static const char *slices_kind = "none";

static bool write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

/* Moves the calling process (every thread) into <base>/<leaf>. */
static bool slices_join(const char *leaf)
{
    char path[384], pid[32];
    snprintf(path, sizeof path, "%s/%s/cgroup.procs", slices_base, leaf);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    return write_text(path, pid);
}

static void slices_start(void)
{
    bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
    const char *root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpu";
    char path[512];
    if (!v2 && access("/sys/fs/cgroup/cpu/cpu.shares", F_OK) != 0) die("--slices: no cpu cgroup here", NULL);
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) { /* v2 "0::/path", v1 "N:cpu,cpuacct:/path" */
        char *c = strchr(line, ':'), *d = c ? strchr(c + 1, ':') : NULL;
        if (!d) continue;
        *d = '\0';
        bool mine = v2 ? c[1] == '\0' : (strstr(c + 1, "cpu") != NULL && strstr(c + 1, "cpuset") != c + 1);
        if (!mine) continue;
        d[1 + strcspn(d + 1, "\n")] = '\0';
        snprintf(slices_home, sizeof slices_home, "%s%s", root, d + 1);
    }
    if (f) fclose(f);
    snprintf(slices_base, sizeof slices_base, "%s/hyopps-bench-%d", root, (int)getpid());
    if (v2) {
        snprintf(path, sizeof path, "%s/cgroup.subtree_control", root);
        write_text(path, "+cpu"); /* may already be on */
    }
    if (mkdir(slices_base, 0755) != 0) die("--slices: cannot make a cgroup (root is needed)", NULL);
    if (v2) {
        snprintf(path, sizeof path, "%s/cgroup.subtree_control", slices_base);
        if (!write_text(path, "+cpu")) die("--slices: the cpu controller cannot be turned on", NULL);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", slices_base, i ? "system" : "user");
        if (mkdir(path, 0755) != 0) die("--slices: cannot make a cgroup", NULL);
    }
    if (!slices_join("user")) die("--slices: cannot join the user cgroup", NULL);
    slices_kind = v2 ? "cgroup v2" : "cgroup v1";
}

/* After every session and the worker are gone. */
static void slices_stop(void)
{
    if (!slices_base[0]) return;
    char path[600], pid[32];
    snprintf(path, sizeof path, "%s/cgroup.procs", slices_home);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    write_text(path, pid);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", slices_base, i ? "system" : "user");
        for (int tries = 0; rmdir(path) != 0 && errno == EBUSY && tries < 100; tries++) usleep(10000);
    }
    rmdir(slices_base);
}

/* ---- the worker ---- */

static void worker_start(const char *bin, const char *cfg, t_env *e)
{
    worker_pid = fork();
    if (worker_pid < 0) die("fork", NULL);
    if (worker_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the benchmark */
        setsid(); /* as systemd starts a service: its own session (its own autogroup without --slices) */
        if (slices_base[0] && !slices_join("system")) _exit(126);
        if (worker_nice && setpriority(PRIO_PROCESS, 0, worker_nice) != 0) _exit(126);
        if (session_cpus && sched_setaffinity(0, sizeof all_cpus, &all_cpus) != 0) _exit(126);
        struct sched_param sp = {.sched_priority = worker_fifo};
        if (worker_fifo && sched_setscheduler(0, SCHED_FIFO, &sp) != 0) _exit(126);
        char log[600];
        snprintf(log, sizeof log, "%s/worker.log", e->dir);
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (out < 0) _exit(126);
        dup2(out, 1);
        dup2(out, 2);
        setenv("HYOPPS_CONFIG", cfg, 1);
        execl(bin, bin, "worker", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        hy_err err;
        hy_err_clear(&err);
        int64_t alive = 0;
        if (db_get_int(e->c->db, &err, &alive, NULL, "SELECT count(*) FROM worker_heartbeats WHERE expires_at > ?", "I",
                       hy_now_ms()) != 0)
            die("heartbeats", &err);
        if (alive > 0) return;
        usleep(10000);
    }
    die("the worker wrote no heartbeat", NULL);
}

static void worker_stop(void)
{
    kill(worker_pid, SIGTERM);
    int st;
    waitpid(worker_pid, &st, 0);
    worker_pid = 0;
}

/* ---- the control: a neighbour that only burns CPU ---- */

/* As many processes as typing sessions, each waking every KEY_EVERY_MS
 * and spending `burn_ms` of its own CPU over a private 256 kB buffer (a
 * session's working set is of that order), with no database, no terminal
 * and no system call but the sleep: what the same CPU costs the worker on
 * this machine whoever spends it. */
static pid_t burner_pid[MAX_SESSIONS];
static int nburners;

static double thread_cpu_ms(void)
{
    struct timespec c;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
    return (double)c.tv_sec * 1e3 + (double)c.tv_nsec / 1e6;
}

/* Spends ms of this thread's CPU writing over buf (a session's working set
 * is of its order). */
static void burn_cpu(double ms, unsigned char *buf, size_t n, unsigned *v)
{
    struct timespec c0, c;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    do {
        for (size_t j = 0; j < n; j += 64) buf[j] = (unsigned char)(*v = *v * 1103515245u + 12345u);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
    } while ((double)(c.tv_sec - c0.tv_sec) * 1e3 + (double)(c.tv_nsec - c0.tv_nsec) / 1e6 < ms);
}

static void burner_main(int i, int n, double burn_ms)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    static unsigned char buf[256 * 1024];
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long offset_ns = (long)i * KEY_EVERY_MS * 1000000L / n; /* spread over the period, as the keys are */
    next.tv_nsec += offset_ns;
    unsigned v = (unsigned)i;
    for (;;) {
        while (next.tv_nsec >= 1000000000L) next.tv_sec++, next.tv_nsec -= 1000000000L;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        burn_cpu(burn_ms, buf, sizeof buf, &v);
        next.tv_nsec += KEY_EVERY_MS * 1000000L;
    }
}

/* The control at the terminals (`bench_bastion --burner-child MS BYTES`,
 * on a pseudo-terminal like a session): for every key it reads, MS of CPU
 * in all (the burn less what its read and write cost, averaged) and BYTES
 * written back at once, as a session's update. Exits at EOF. */
static int burner_child(double burn_ms, int bytes)
{
    struct termios t;
    if (tcgetattr(0, &t) == 0) {
        cfmakeraw(&t); /* keys as they come, as curses' raw mode */
        tcsetattr(0, TCSANOW, &t);
    }
    static unsigned char buf[256 * 1024];
    char *out = xmalloc((size_t)bytes + 1);
    memset(out, 'x', (size_t)bytes);
    unsigned v = (unsigned)getpid();
    char in[64];
    double overhead = 0; /* the CPU a key costs besides the burn (its read, its write), averaged */
    double last_end = 0;  /* when the last key's write returned (thread CPU ms) */
    for (;;) {
        if (read(0, in, sizeof in) <= 0) break;
        double t0 = thread_cpu_ms(), burn = burn_ms - overhead > 0 ? burn_ms - overhead : 0;
        burn_cpu(burn, buf, sizeof buf, &v);
        double t1 = thread_cpu_ms();
        for (ssize_t done = 0, w; done < bytes; done += w)
            if ((w = write(1, out + done, (size_t)(bytes - done))) <= 0) goto done;
        /* the next read is not timed until it returns: the write and the read
         * before this burn stand for both */
        double t2 = thread_cpu_ms(), spent = t2 - (last_end > 0 ? last_end : t0) - (t1 - t0);
        last_end = t2;
        overhead = 0.9 * overhead + 0.1 * (spent > 0 ? spent : 0);
    }
done:
    free(out);
    return 0;
}

/* n terminal burners, driven as the active sessions are (burner_keys_on). */
static void tty_burners_start(const char *cfg, int n, double burn_ms, int bytes)
{
    char self[4096], ms[32], by[32];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) die("/proc/self/exe", NULL);
    self[len] = '\0';
    snprintf(ms, sizeof ms, "%.4f", burn_ms);
    snprintf(by, sizeof by, "%d", bytes);
    char *args[] = {"--burner-child", ms, by, NULL};
    for (int i = 0; i < n; i++) {
        int idx = atomic_load(&nsessions);
        if (idx >= MAX_SESSIONS) die("too many sessions and burners", NULL);
        session *s = &sessions[idx];
        memset(s, 0, sizeof *s);
        s->kind = S_BURNER;
        pty_start_args(&s->a, self, cfg, args);
        s->a.keep = false;
        s->next_us = now_us() + (double)i * KEY_EVERY_MS * 1000.0 / n; /* spread over the period */
        atomic_store(&s->ready, true);
        atomic_store(&nsessions, idx + 1);
    }
}

static void tty_burners_stop(void)
{
    atomic_store(&burner_keys_on, false);
    int n = atomic_load(&nsessions);
    for (int i = 0; i < n; i++)
        if (sessions[i].kind == S_BURNER && atomic_load(&sessions[i].ready)) {
            atomic_store(&sessions[i].ready, false); /* the driver leaves it from its next round */
            kill(sessions[i].a.pid, SIGKILL);
            waitpid(sessions[i].a.pid, NULL, 0);
        }
    usleep(200000); /* past the driver's poll (50 ms at most) before the descriptors go */
    for (int i = 0; i < n; i++)
        if (sessions[i].kind == S_BURNER && sessions[i].a.fd >= 0) {
            close(sessions[i].a.fd);
            sessions[i].a.fd = -1;
        }
}

static void burners_start(int n, double burn_ms)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork a burner", NULL);
        if (pid == 0) {
            setsid(); /* a group of its own, as each SSH session is (autogroup) */
            burner_main(i, n, burn_ms);
            _exit(0);
        }
        burner_pid[nburners++] = pid;
    }
}

static void burners_stop(void)
{
    for (int i = 0; i < nburners; i++) kill(burner_pid[i], SIGKILL);
    for (int i = 0; i < nburners; i++) waitpid(burner_pid[i], NULL, 0);
    nburners = 0;
}

/* The burners' CPU so far (ms). */
static double burners_cpu_ms(void)
{
    double ms = 0;
    for (int i = 0; i < nburners; i++) ms += (double)proc_cpu_ns(burner_pid[i]) / 1e6;
    return ms;
}

/* ---- throughput ---- */

typedef struct {
    char (*orgs)[HY_UUID_LEN];  /* the producer's organisations (no session shows them) */
    int norgs;
    hy_principal admin;
    int serial;
} producer;

/* K new_partner_user executions with their input given, every auto step
 * left to a runner; returns the rowid before the first. */
static int64_t produce(t_env *e, producer *pr, int k)
{
    int64_t base = t_count(e, "SELECT coalesce(max(rowid), 0) FROM workflow_executions", "");
    hy_err err;
    hy_err_clear(&err);
    for (int i = 0; i < k; i++) {
        if (i % 500 == 0 && db_begin_quiet(e->c->db, &err) == 0) {
            /* the worker is held (SIGSTOP): its heartbeat kept fresh, as if
             * it were busy; quiet, as the worker's own renewals (beacon.h) */
            db_exec(e->c->db, &err, "UPDATE worker_heartbeats SET expires_at = ?", "I", hy_now_ms() + 600000);
            db_commit(e->c->db, &err);
        }
        char id[HY_UUID_LEN], mail[96];
        if (ops_exec_start(e->c, &pr->admin, "new_partner_user", pr->orgs[i % pr->norgs], id, &err) != 0)
            die("start", &err);
        snprintf(mail, sizeof mail, "email=p%d-%d@load.example", pr->serial, i);
        char *pairs[] = {"firstname=Load", "lastname=User", mail, "languages=en"};
        cJSON *in = NULL;
        if (ops_exec_input_from_pairs(4, pairs, &in, &err) != 0) die("input", &err);
        if (ops_exec_submit(e->c, &pr->admin, id, "input_user_details", in, &err) != 0) die("submit", &err);
        cJSON_Delete(in);
    }
    pr->serial++;
    return base;
}

static double loadavg(void)
{
    double l = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &l) != 1) l = 0;
    if (f) fclose(f);
    return l;
}

/* The whole machine so far: the kernel's own threads' CPU (ms; kworkers
 * push what a session writes to its terminal through to the other end,
 * softirqs, ...: /proc/stat's busy time is tick-sampled and reads low in
 * this virtual machine, the threads' schedstat is exact) and context
 * switches (/proc/stat). */
#define MAX_KTHREADS 4096
typedef struct {
    double ctxt;
    int n;
    pid_t pid[MAX_KTHREADS];
    double ms[MAX_KTHREADS];
} machine_stat;

/* The kernel threads' CPU from a to b, over the threads in both (a kworker
 * that ended or began between them counts nothing). */
static double kthreads_ms(const machine_stat *a, const machine_stat *b)
{
    double ms = 0;
    for (int i = 0, j = 0; i < a->n && j < b->n;) { /* both sorted by pid (readdir of /proc is) */
        if (a->pid[i] == b->pid[j]) ms += b->ms[j++] - a->ms[i++];
        else if (a->pid[i] < b->pid[j]) i++;
        else j++;
    }
    return ms;
}

static void machine_now(machine_stat *m)
{
    m->ctxt = 0;
    m->n = 0;
    FILE *f = fopen("/proc/stat", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) sscanf(line, "ctxt %lf", &m->ctxt);
    if (f) fclose(f);
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        FILE *st = fopen(path, "r");
        int ppid = -1;
        /* "pid (comm) state ppid": a kernel thread's comm has no ')' */
        if (st && fgets(line, sizeof line, st)) {
            char *close = strrchr(line, ')');
            if (close) sscanf(close + 1, " %*c %d", &ppid);
        }
        if (st) fclose(st);
        if (ppid == 2 && m->n < MAX_KTHREADS) {
            m->pid[m->n] = atoi(de->d_name);
            m->ms[m->n] = (double)proc_cpu_ns(m->pid[m->n]) / 1e6;
            m->n++;
        }
    }
    if (d) closedir(d);
}

/* CPU time (ms) of the sessions of one kind so far. */
static double kind_cpu_ms(int kind)
{
    double ms = 0;
    int n = atomic_load(&nsessions);
    for (int i = 0; i < n; i++)
        if (sessions[i].kind == kind && (kind != S_BURNER || atomic_load(&sessions[i].ready)))
            ms += (double)proc_cpu_ns(sessions[i].a.pid) / 1e6;
    return ms;
}

/* Where the CPU went during the last drain (ms per second of it). */
static double cpu_worker, cpu_idle, cpu_active, cpu_bench, cpu_burners, cpu_secs;
static double keys_rate, bytes_per_key; /* keys/s typed to the active sessions, bytes they wrote per key */
/* The machine during the last drain, per second: the kernel threads' CPU
 * (ms), context switches. */
static double mach_kthreads, mach_ctxt;
static double wait_worker; /* the worker's threads runnable but waiting for a CPU, ms/s */

/* What `observe` does while the worker drains (NULL: nothing). */
typedef void (*drain_hook)(t_env *e, void *ud);

/* The worker (always running, as on a bastion) is stopped (SIGSTOP)
 * while a backlog is produced, so that it drains it alone afterwards; never
 * in a write transaction (the producer would wait for it forever): a
 * connection that does not wait (probe) checks the write lock is free. */
static void worker_hold(hy_app *probe)
{
    for (int i = 0; i < 1000; i++) {
        kill(worker_pid, SIGSTOP);
        int st;
        waitpid(worker_pid, &st, WUNTRACED);
        hy_err err;
        hy_err_clear(&err);
        if (db_exec(probe->db, &err, "BEGIN IMMEDIATE", "") == 0) {
            db_exec(probe->db, &err, "ROLLBACK", "");
            return;
        }
        kill(worker_pid, SIGCONT);
        usleep(5000);
    }
    die("the worker kept the write lock", NULL);
}

/* A worker that died would leave the drain waiting for ever: say how it ended, and its log. */
static void worker_check(t_env *e)
{
    int st;
    if (waitpid(worker_pid, &st, WNOHANG) != worker_pid) return;
    fprintf(stderr, "bench_bastion: the worker ended (%s %d); its log:\n", WIFSIGNALED(st) ? "signal" : "exit status",
            WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char log[600], line[1024];
    snprintf(log, sizeof log, "%s/worker.log", e->dir);
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f)) fputs(line, stderr);
    if (f) fclose(f);
    die("the worker died", NULL);
}

/* Lets the worker go on the backlog above base and waits until it is done;
 * executions/s between its first and its last completion. */
static double drain(t_env *e, int64_t base, int k, drain_hook hook, void *ud)
{
    kill(worker_pid, SIGCONT);
    double t0 = now_us(), i0 = kind_cpu_ms(S_IDLE), a0 = kind_cpu_ms(S_ACTIVE), b0 = (double)proc_cpu_ns(getpid()) / 1e6,
           u0 = burners_cpu_ms() + kind_cpu_ms(S_BURNER);
    long long k0 = atomic_load(&active_keys), by0 = atomic_load(&active_bytes);
    static machine_stat m0, m1; /* 48 kB each */
    machine_now(&m0);
    int64_t w0 = proc_cpu_ns(worker_pid), w_ns = w0, q0 = proc_sched_ns(worker_pid, 1), q_ns = q0;
    for (int i = 0; i < 600000; i++) {
        if (hook) hook(e, ud);
        else usleep(100000);
        if (t_count(e, "SELECT count(*) FROM (SELECT 1 FROM workflow_executions WHERE next_run_at IS NOT NULL LIMIT 1)",
                    "") == 0)
            break;
        w_ns = proc_cpu_ns(worker_pid);
        q_ns = proc_sched_ns(worker_pid, 1);
        worker_check(e);
    }
    cpu_secs = (now_us() - t0) / 1e6;
    cpu_worker = (double)(w_ns - w0) / 1e6 / cpu_secs;
    wait_worker = (double)(q_ns - q0) / 1e6 / cpu_secs;
    cpu_idle = (kind_cpu_ms(S_IDLE) - i0) / cpu_secs;
    cpu_active = (kind_cpu_ms(S_ACTIVE) - a0) / cpu_secs;
    cpu_bench = ((double)proc_cpu_ns(getpid()) / 1e6 - b0) / cpu_secs;
    cpu_burners = (burners_cpu_ms() + kind_cpu_ms(S_BURNER) - u0) / cpu_secs;
    long long dk = atomic_load(&active_keys) - k0;
    keys_rate = (double)dk / cpu_secs;
    bytes_per_key = dk ? (double)(atomic_load(&active_bytes) - by0) / (double)dk : 0;
    machine_now(&m1);
    mach_kthreads = kthreads_ms(&m0, &m1) / cpu_secs;
    mach_ctxt = (m1.ctxt - m0.ctxt) / cpu_secs;
    hy_err err;
    hy_err_clear(&err);
    hy_stmt *st = db_query(e->c->db, &err,
                           "SELECT min(completed_at), max(completed_at), count(*) FROM workflow_executions "
                           "WHERE rowid > ? AND status = 'completed'",
                           "I", base);
    int64_t first = 0, last = 0, n = 0;
    if (db_row(st)) {
        hy_parse_time(db_text(st, 0), &first);
        hy_parse_time(db_text(st, 1), &last);
        n = db_int(st, 2);
    }
    db_done(st);
    if (n < k) {
        fprintf(stderr, "bench: only %lld of %d executions completed\n", (long long)n, k);
        exit(1);
    }
    return last > first ? (double)(n - 1) * 1000.0 / (double)(last - first) : 0;
}

/* ---- refresh: a change elsewhere -> the first byte of the redraw ---- */

typedef struct {
    session *observer;
    const char *org;
    hy_principal admin;
    double ms[64];
    int n, max;
    double next_us;
} observe;

/* One trial: a request started in the observer's organisation; the time
 * until the observer's terminal gets the redraw. */
static void observe_once(t_env *e, observe *o)
{
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    if (ops_exec_start(e->c, &o->admin, "new_partner_user", o->org, id, &err) != 0) die("observer: start", &err);
    double t0 = now_us();
    while (now_us() - t0 < 5e6) {
        if ((double)atomic_load(&o->observer->last_byte_us) > t0) break;
        usleep(2000);
    }
    double last = (double)atomic_load(&o->observer->last_byte_us);
    if (o->n < o->max) o->ms[o->n++] = last > t0 ? (last - t0) / 1000 : 5000;
}

static void observe_hook(t_env *e, void *ud)
{
    observe *o = ud;
    if (o->n < o->max && now_us() >= o->next_us) {
        observe_once(e, o);
        o->next_us = now_us() + 700000; /* past the session's refresh period */
    } else {
        usleep(20000);
    }
}

/* ---- measurements ---- */

/* Idle means nothing is written and the worker has nothing left to do:
 * waits (at most max_s) until the database's data version stays the same
 * and the worker uses less than 5 ms of CPU, for 3 s (its notifier
 * delivers what the backlogs left in its outbox, one commit each); the
 * seconds waited, negative when it never became quiet. */
static double quiet(hy_app *probe, int max_s)
{
    double t0 = now_us(), same_since = t0;
    int64_t last = -1, cpu_since = worker_pid > 0 ? proc_cpu_ns(worker_pid) : 0;
    while (now_us() - t0 < max_s * 1e6) {
        hy_err err;
        hy_err_clear(&err);
        int64_t v = 0, cpu = worker_pid > 0 ? proc_cpu_ns(worker_pid) : 0;
        if (db_get_int(probe->db, &err, &v, NULL, "PRAGMA data_version", "") != 0) die("data_version", &err);
        if (v != last || cpu - cpu_since >= 5000000) {
            last = v;
            same_since = now_us();
            cpu_since = cpu;
        } else if (now_us() - same_since >= 3e6) {
            return (now_us() - t0) / 1e6;
        }
        usleep(200000);
    }
    return -(now_us() - t0) / 1e6;
}

/* CPU of the idle sessions over `seconds`: ms per session per second,
 * overall and by wake mode (notified / polling). */
static void idle_cpu(int first, int count, int seconds, const char *what, double target, const char *db_dir,
                     double waited)
{
    int64_t *before = xcalloc((size_t)count, sizeof *before);
    int *kind = xcalloc((size_t)count, sizeof *kind), nk[3] = {0, 0, 0};
    for (int i = 0; i < count; i++) {
        kind[i] = proc_wake_kind(sessions[first + i].a.pid, db_dir);
        nk[kind[i]]++;
    }
    int64_t wbefore = worker_pid > 0 ? proc_cpu_ns(worker_pid) : 0;
    double l0 = loadavg(), t0 = now_us();
    for (int i = 0; i < count; i++) before[i] = proc_cpu_ns(sessions[first + i].a.pid);
    sleep((unsigned)seconds);
    double secs = (now_us() - t0) / 1e6;
    double all = 0, sum[3] = {0, 0, 0};
    for (int i = 0; i < count; i++) {
        double ms = (double)(proc_cpu_ns(sessions[first + i].a.pid) - before[i]) / 1e6;
        all += ms;
        sum[kind[i]] += ms;
    }
    double per = all / count / secs;
    char note[400];
    snprintf(note, sizeof note,
             "%d sessions, %.0f s: %d with inotify %.4f ms/s each, %d with dnotify %.4f, %d looking every 500 ms "
             "%.4f; load average %.1f before; %s %.0f s for the database to be quiet",
             count, secs, nk[2], nk[2] ? sum[2] / nk[2] / secs : 0, nk[1], nk[1] ? sum[1] / nk[1] / secs : 0, nk[0],
             nk[0] ? sum[0] / nk[0] / secs : 0, l0, waited >= 0 ? "waited" : "still written to after",
             waited >= 0 ? waited : -waited);
    printf("| %s | **%.4f ms/s** | %.2f ms/s | %s |\n", what, per, target, note);
    if (worker_pid > 0)
        printf("| the worker meanwhile (idle: heartbeat, notifications) | %.4f ms/s | - | its CPU time over the same %.0f s |\n",
               (double)(proc_cpu_ns(worker_pid) - wbefore) / 1e6 / secs, secs);
    printf("<!-- idle %s per=%.5f inotify=%d dnotify=%d polling=%d -->\n", worker_pid > 0 ? "worker" : "noworker", per,
           nk[2], nk[1], nk[0]);
    fflush(stdout);
    free(before);
    free(kind);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static long median_field(int first, int count, const char *field)
{
    long *v = xcalloc((size_t)count, sizeof *v);
    for (int i = 0; i < count; i++) v[i] = rollup_kb(sessions[first + i].a.pid, field);
    qsort(v, (size_t)count, sizeof *v, cmp_long);
    long m = v[count / 2];
    free(v);
    return m;
}

static void memory(int first, int count, const char *what)
{
    long pc = median_field(first, count, "Private_Clean"), pd = median_field(first, count, "Private_Dirty"),
         sc = median_field(first, count, "Shared_Clean"), sd = median_field(first, count, "Shared_Dirty"),
         pss = median_field(first, count, "Pss"), rss = median_field(first, count, "Rss");
    printf("| %s | **%.2f MB private** | 2.5 MB | median of %d sessions (smaps_rollup): private %.2f MB (dirty %.2f, "
           "clean %.2f), shared %.2f MB (pages of the binary and libraries, the database's shared memory), PSS %.2f MB, "
           "RSS %.2f MB |\n",
           what, (pc + pd) / 1024.0, count, (pc + pd) / 1024.0, pd / 1024.0, pc / 1024.0, (sc + sd) / 1024.0,
           pss / 1024.0, rss / 1024.0);
    printf("<!-- memory %s private_kb=%ld -->\n", what, pc + pd);
    fflush(stdout);
}

/* A child measures libcurl's global set-up (OpenSSL's TLS included). */
static int tls_probe(void)
{
    long pd0 = rollup_kb(getpid(), "Private_Dirty"), pc0 = rollup_kb(getpid(), "Private_Clean"),
         rss0 = rollup_kb(getpid(), "Rss");
    double t0 = now_us();
    integ_global_init();
    double ms = ms_since(t0);
    long pd1 = rollup_kb(getpid(), "Private_Dirty"), pc1 = rollup_kb(getpid(), "Private_Clean"),
         rss1 = rollup_kb(getpid(), "Rss");
    printf("%ld %ld %.2f\n", (pd1 + pc1) - (pd0 + pc0), rss1 - rss0, ms);
    return 0;
}

static void tls_cost(const char *self)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s --tls-probe", self);
    FILE *f = popen(cmd, "r");
    long priv = 0, rss = 0;
    double ms = 0;
    if (!f || fscanf(f, "%ld %ld %lf", &priv, &rss, &ms) != 3) die("tls probe", NULL);
    pclose(f);
    printf("| libcurl's global set-up (curl_global_init: OpenSSL's TLS), when a session does it | +%ld kB private | - | "
           "+%ld kB RSS, %.1f ms, in a process linked like hyopps; a session does it only before starting a thread that "
           "may call a live service (a runner with a live integration, a background job) |\n",
           priv, rss, ms);
}

/* ---- in process: what a look and a reload cost ---- */

static void costs(t_env *e, const hy_principal *partner)
{
    hy_app *other = t_open_app(e->app->cfg->database.path);
    hy_err err;
    hy_err_clear(&err);
    hy_watch w = {0};
    unsigned ch;
    ops_watch(e->c, NULL, &w, &ch, &err);
    const int N = 20000;
    double c0 = thread_cpu_us();
    for (int i = 0; i < N; i++) ops_watch(e->c, NULL, &w, &ch, &err);
    double idle_us = (thread_cpu_us() - c0) / N;
    const int M = 1000;
    double busy = 0;
    for (int i = 0; i < M; i++) {
        /* a commit that changes no state (as a heartbeat does) */
        db_exec(other->db, &err,
                "INSERT INTO worker_heartbeats(owner, started_at, beat_at, expires_at) VALUES('bench-probe', '-', ?, 0) "
                "ON CONFLICT(owner) DO UPDATE SET beat_at = excluded.beat_at",
                "i", i);
        c0 = thread_cpu_us();
        ops_watch(e->c, NULL, &w, &ch, &err);
        busy += thread_cpu_us() - c0;
    }
    db_exec(other->db, &err, "DELETE FROM worker_heartbeats WHERE owner = 'bench-probe'", "");
    /* a partner's look after a state change in another organisation: + the
     * fingerprint of their own organisation's rows, and no reload */
    hy_watch pw = {0};
    ops_watch(e->c, partner, &pw, &ch, &err);
    hy_principal sys;
    principal_system(&sys);
    hy_ctx oc = {.cfg = other->cfg, .db = other->db};
    double scoped = 0;
    int reloads = 0;
    for (int i = 0; i < M; i++) {
        db_begin(other->db, &err);
        audit_write(&oc, &sys, "bench.elsewhere", "test", "x", NULL, &err);
        db_commit(other->db, &err);
        c0 = thread_cpu_us();
        ops_watch(e->c, partner, &pw, &ch, &err);
        scoped += thread_cpu_us() - c0;
        if (ch & HY_WATCH_STATE) reloads++;
    }
    app_close(other);
    /* a thread waking from a timed sleep (what each look costs besides the query) */
    struct timespec ms1 = {0, 1000000};
    c0 = thread_cpu_us();
    for (int i = 0; i < 500; i++) nanosleep(&ms1, NULL);
    double wake_us = (thread_cpu_us() - c0) / 500;
    hy_org_detail d;
    c0 = thread_cpu_us();
    for (int i = 0; i < 500; i++) {
        if (ops_org_show(e->c, partner, partner->org_id, &d, &err) != 0) die("org show", &err);
        hy_org_detail_free(&d);
    }
    double home_us = (thread_cpu_us() - c0) / 500;
    hy_exec_query q = {0};
    c0 = thread_cpu_us();
    for (int i = 0; i < 500; i++) {
        hy_exec_page pg;
        memset(&pg, 0, sizeof pg);
        if (ops_exec_list(e->c, partner, &q, &pg, &err) != 0) die("list", &err);
        hy_exec_page_free(&pg);
    }
    double list_us = (thread_cpu_us() - c0) / 500;
    printf("| wake signal: a look when nothing was committed (ops_watch: PRAGMA data_version) | %.1f us CPU | - | "
           "what a session looking every 500 ms pays twice a second |\n",
           idle_us);
    printf("| wake signal: a look after another connection's commit (+ the audit trail's last id, the workers' heartbeats) "
           "| %.1f us CPU | - | a heartbeat, the search index: nothing a screen shows, so no reload |\n",
           busy / M);
    printf("| a partner's look after a state change in another organisation (+ the fingerprint of their own "
           "organisation's rows) | %.1f us CPU | - | %d reloads in %d looks: a worker draining other organisations' "
           "requests reloads nothing |\n",
           scoped / M, reloads, M);
    printf("| wake signal: a thread waking from a timed sleep | %.1f us CPU | - | the kernel's part of every wake-up |\n",
           wake_us);
    printf("| a reload after a state change: the partner's home (ops_org_show) | %.0f us CPU | - | at most twice a "
           "second while the state changes |\n",
           home_us);
    printf("| a reload after a state change: the partner's requests list (ops_exec_list) | %.0f us CPU | - | |\n",
           list_us);
    printf("<!-- costs look_idle_us=%.2f look_commit_us=%.2f look_scoped_us=%.2f wake_us=%.2f home_us=%.0f list_us=%.0f -->\n",
           idle_us, busy / M, scoped / M, wake_us, home_us, list_us);
    fflush(stdout);
}

static void write_config(const char *path, const char *db)
{
    FILE *f = fopen(path, "w");
    if (!f) die("config", NULL);
    fprintf(f, "[database]\npath = %s\n[auth]\npassword_memlimit = 8K\npassword_opslimit = 1\n"
               "[engine]\ninline_local_steps = false\n"
               /* no periodic reconciliation (bench_reconcile measures it): started with the worker, its run
                * over 20,000 organisations kept the worker writing for 10 minutes, through the idle minute */
               "[reconcile]\nevery_hours = 0\n"
               "[metabase]\nmode = simulate\n[teams]\nmode = simulate\n[slack]\nmode = simulate\n[smtp]\nmode = simulate\n",
            db);
    fclose(f);
    chmod(path, 0600);
}

/* Partner admins pa<k>@bench.example for partner organisations from `from` on. */
static void partner_admins(t_env *e, int from, int count, char (*orgs)[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    hy_stmt *st = db_query(e->c->db, &err,
                           "SELECT id FROM organizations WHERE instr(account_types, 'partner') > 0 ORDER BY rowid "
                           "LIMIT ? OFFSET ?",
                           "ii", count, from);
    int i = 0;
    while (db_row(st) && i < count) hy_strlcpy(orgs[i++], db_text(st, 0), HY_UUID_LEN);
    db_done(st);
    if (i < count) die("not enough partner organisations", NULL);
    for (int k = 0; k < count; k++) {
        char mail[64], uid[HY_UUID_LEN];
        snprintf(mail, sizeof mail, "pa%d@bench.example", from + k);
        if (t_count(e, "SELECT count(*) FROM users WHERE email = ?", "t", mail) == 0)
            t_user(e, mail, "partner_admin", orgs[k], "bench-password-1", uid);
    }
    if (db_exec(e->c->db, &err, "UPDATE users SET must_change_password = 0 WHERE email LIKE 'pa%@bench.example'", "") != 0)
        die("partner admins", &err);
}

static double stat_of(double *v, int n, double q) { return n ? quantile(v, n, q) : 0; }

/* The median (of an even count: the mean of the middle two); sorts v. */
static double median(double *v, int n)
{
    quantile(v, n, 0.5);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--tls-probe")) return tls_probe();
    if (argc > 3 && !strcmp(argv[1], "--burner-child")) return burner_child(atof(argv[2]), atoi(argv[3]));
    int n = 200000, norgs = 20000, nusers = 100000, nidle = 200, nactive = 50, seconds = 60, k = 10000, runs = 3;
    int control = -1; /* pairs of control runs; -1: as many as --runs */
    double control_key_ms = -1; /* control 2's CPU per key; < 0: a session's */
    const char *bin = NULL;
    bool slices = false, bad = false;
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--slices")) {
            slices = true;
            i--; /* no value */
            continue;
        }
        if (i + 1 >= argc) bad = true;
        else if (!strcmp(argv[i], "--executions")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--orgs")) norgs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--users")) nusers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--idle")) nidle = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--active")) nactive = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--produce")) k = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--control")) control = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--control-key-ms")) control_key_ms = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--binary")) bin = argv[i + 1];
        else if (!strcmp(argv[i], "--worker-nice")) worker_nice = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--worker-fifo")) worker_fifo = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--session-cpus")) session_cpus = argv[i + 1];
        else bad = true;
    }
    if (control < 0) control = runs;
    if (bad || !bin || nidle + nactive + 1 > MAX_SESSIONS || runs < 1 || runs > 9 || control > 9 || nactive < 1) {
        fprintf(stderr, "usage: bench_bastion --binary PATH [--executions N] [--orgs N] [--users N] [--idle N] "
                        "[--active N] [--seconds S] [--produce K] [--runs R] [--control R] [--control-key-ms MS] [--worker-nice N] [--worker-fifo N] [--session-cpus LIST] [--slices]\n");
        return 2;
    }
    /* This program stands for the sessions' terminals (sshd): with
     * --session-cpus it and the sessions it starts keep to those CPUs; the
     * worker gets every CPU back. */
    sched_getaffinity(0, sizeof all_cpus, &all_cpus);
    if (session_cpus) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (const char *q = session_cpus; *q;) {
            char *end;
            long a = strtol(q, &end, 10), b = a;
            if (end == q) die("--session-cpus: a list such as 0 or 0-2,5", NULL);
            if (*end == '-') b = strtol(end + 1, &end, 10);
            for (long c = a; c <= b && c < CPU_SETSIZE; c++) CPU_SET((int)c, &set);
            q = *end == ',' ? end + 1 : end;
            if (*end && *end != ',') die("--session-cpus: a list such as 0 or 0-2,5", NULL);
        }
        if (sched_setaffinity(0, sizeof set, &set) != 0) die("--session-cpus: no such CPU here", NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    if (slices) slices_start();
    atexit(cleanup);
    hy_principal admin;
    t_env *e = bench_ui_database(n, norgs, nusers, &admin, "bench_bastion");
    e->app->cfg->engine.inline_local_steps = false; /* the producer leaves every step to the worker */
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/bastion.ini", e->dir);
    write_config(cfg, e->app->cfg->database.path);
    int nusers_all = nidle + nactive + 1;
    char (*orgs)[HY_UUID_LEN] = xcalloc((size_t)nusers_all, sizeof *orgs);
    partner_admins(e, 0, nusers_all, orgs);
    producer pr = {.norgs = 100};
    pr.admin = admin;
    pr.orgs = xcalloc(100, sizeof *pr.orgs);
    {
        hy_err err;
        hy_err_clear(&err);
        /* far from the sessions' organisations (the first ones) */
        int from = norgs - 100 < 5000 ? norgs - 100 : 5000;
        if (from < nusers_all) die("--orgs: too few organisations for the sessions and the producer", NULL);
        hy_stmt *st = db_query(e->c->db, &err,
                               "SELECT id FROM organizations WHERE instr(account_types, 'partner') > 0 ORDER BY rowid "
                               "LIMIT 100 OFFSET ?",
                               "i", from);
        int i = 0;
        while (db_row(st) && i < 100) hy_strlcpy(pr.orgs[i++], db_text(st, 0), HY_UUID_LEN);
        db_done(st);
        if (i < 100) die("the producer's organisations", NULL);
    }
    int64_t ne = t_count(e, "SELECT count(*) FROM workflow_executions", "");
    printf("<!-- machine ");
    bench_machine(e, stdout);
    printf(" -->\n<!-- data executions=%lld orgs=%d idle=%d active=%d seconds=%d produce=%d runs=%d worker_nice=%d worker_fifo=%d session_cpus=%s slices=%s -->\n",
           (long long)ne, norgs, nidle, nactive, seconds, k, runs, worker_nice, worker_fifo, session_cpus ? session_cpus : "all",
           slices_kind);
    printf("| what | measured | target | notes |\n|---|---|---|---|\n");
    fflush(stdout);

    hy_principal partner;
    t_login(e, "pa0@bench.example", &partner);
    costs(e, &partner);
    tls_cost(argv[0]);

    /* 1. one worker, no sessions; it keeps running, as on a bastion */
    hy_app *probe = t_open_app(e->app->cfg->database.path);
    snprintf(shm_path, sizeof shm_path, "%s-shm", e->app->cfg->database.path);
    {
        hy_err err;
        hy_err_clear(&err);
        int64_t v = 0;
        if (db_get_int(probe->db, &err, &v, NULL, "PRAGMA busy_timeout = 0", "") != 0) die("probe", &err);
    }
    worker_start(bin, cfg, e);
    double base_rates[18], with_rates[9];
    for (int r = 0; r < runs; r++) {
        fprintf(stderr, "bench_bastion: run %d without sessions: producing %d\n", r + 1, k);
        quiet(probe, 600); /* the notifier done with the last backlog's events: every run starts alike */
        worker_hold(probe);
        int64_t b = produce(e, &pr, k);
        base_rates[r] = drain(e, b, k, NULL, NULL);
        fprintf(stderr, "bench_bastion:   %.0f executions/s; the worker %.0f CPU ms/s (waited for a CPU %.0f), this program "
                "%.0f; load %.1f\n",
                base_rates[r], cpu_worker, wait_worker, cpu_bench, loadavg());
    }

    pthread_t driver;
    if (pthread_create(&driver, NULL, driver_main, NULL) != 0) die("driver thread", NULL);

    /* 2. idle sessions next to the idle worker */
    fprintf(stderr, "bench_bastion: %d idle sessions (a worker is alive)\n", nidle);
    double l0 = now_us();
    char mail[64];
    for (int i = 0; i < nidle; i++) {
        snprintf(mail, sizeof mail, "pa%d@bench.example", i);
        session_login(bin, cfg, S_IDLE, mail);
    }
    fprintf(stderr, "bench_bastion: logged in in %.1f s\n", (now_us() - l0) / 1e6);
    sleep(SETTLE_S);
    memory(0, nidle, "idle session, a worker alive (no runner thread)");
    double waited = quiet(probe, 600);
    fprintf(stderr, "bench_bastion: the database quiet after %.0f s\n", waited);
    idle_cpu(0, nidle, seconds, "CPU per idle session, a worker alive", 0.05, e->dir, waited);

    /* 3. the same sessions with no worker: each runs its runner thread */
    worker_stop();
    sleep(SETTLE_S);
    memory(0, nidle, "idle session, no worker (its runner thread and connection)");
    idle_cpu(0, nidle, seconds, "CPU per idle session, no worker", 0.05, e->dir, quiet(probe, 600));
    worker_start(bin, cfg, e);
    sleep(SETTLE_S); /* the runners pause */

    /* 4. active sessions; the worker drains the same backlogs */
    fprintf(stderr, "bench_bastion: %d active sessions\n", nactive);
    for (int i = 0; i < nactive; i++) {
        snprintf(mail, sizeof mail, "pa%d@bench.example", nidle + i);
        session_login(bin, cfg, S_ACTIVE, mail);
    }
    snprintf(mail, sizeof mail, "pa%d@bench.example", nidle + nactive);
    observe obs = {.observer = session_login(bin, cfg, S_OBSERVER, mail), .org = orgs[nidle + nactive],
                   .max = 10};
    obs.admin = admin;
    sleep(2);
    /* refresh with nothing else happening (no keys, the worker idle) */
    for (int i = 0; i < obs.max; i++) {
        observe_once(e, &obs);
        usleep(1000000);
    }
    double quiet_ms[64];
    int nquiet = obs.n;
    memcpy(quiet_ms, obs.ms, sizeof quiet_ms);
    obs.n = 0;
    obs.max = 12;
    /* Runs with the sessions running (B) and stopped (A), in pairs, ABBA:
     * the database grows by each backlog and the machine drifts, so only
     * runs next to each other compare (0 sessions: the same -20% between
     * runs before and after a logged-in phase that did nothing). */
    double paused_rates[9];
    double cpu_w = 0, wait_w = 0, cpu_i = 0, cpu_a = 0, cpu_b = 0, cpu_wp = 0, wait_wp = 0;
    double run_kt = 0, run_ctxt = 0, stop_kt = 0, stop_ctxt = 0;
    double sum_secs = 0, sum_sessions = 0, sum_bench = 0, sum_keys = 0, sum_bytes = 0;
    for (int r = 0; r < 2 * runs; r++) {
        bool running = (r % 4 == 1 || r % 4 == 2); /* A B B A A B ... */
        int pair = r / 2;
        if (running) {
            bool stopped = sessions_paused;
            sessions_resume();
            atomic_store(&keys_on, true);
            /* A session stopped for a run wakes for what came due meanwhile
             * (a look, and the page release UI_RELEASE_MS after it: seen
             * as ~60 idle sessions spending ~5 ms each, 5 s after the
             * resume, inside a drain when the backlog was made quickly).
             * Real sessions are never stopped: let that pass first. */
            if (stopped) sleep(SETTLE_S);
            checkpoint_whole(probe);
        } else {
            atomic_store(&keys_on, false);
            usleep(300000); /* the last keys drawn */
            sessions_pause(probe);
        }
        fprintf(stderr, "bench_bastion: pair %d, sessions %s: producing %d\n", pair + 1, running ? "running" : "stopped", k);
        atomic_store(&key_phase, 0);
        quiet(probe, 600); /* the notifier done with the last backlog's events: every run starts alike */
        worker_hold(probe);
        int64_t b = produce(e, &pr, k);
        atomic_store(&key_phase, 1);
        double rate = drain(e, b, k, NULL, NULL);
        if (running) {
            with_rates[pair] = rate;
            cpu_w = cpu_worker, wait_w = wait_worker, cpu_i = cpu_idle, cpu_a = cpu_active, cpu_b = cpu_bench;
            run_kt = mach_kthreads, run_ctxt = mach_ctxt;
            /* the controls' budget: all the running runs together (one run can hold a burst) */
            sum_secs += cpu_secs, sum_sessions += (cpu_idle + cpu_active) * cpu_secs, sum_bench += cpu_bench * cpu_secs;
            sum_keys += keys_rate * cpu_secs, sum_bytes += bytes_per_key * keys_rate * cpu_secs;
        } else {
            paused_rates[pair] = rate;
            cpu_wp = cpu_worker, wait_wp = wait_worker;
            stop_kt = mach_kthreads, stop_ctxt = mach_ctxt;
        }
        fprintf(stderr,
                "bench_bastion:   %.0f executions/s; CPU ms/s while draining: worker %.0f (waited for a CPU %.0f), idle "
                "sessions %.0f, active sessions %.0f, this program %.0f, kernel threads %.0f; %.0f switches/s; load "
                "%.1f\n",
                rate, cpu_worker, wait_worker, cpu_idle, cpu_active, cpu_bench, mach_kthreads, mach_ctxt, loadavg());
    }
    /* Two controls, the sessions stopped, pairs in the same ABBA order:
     * 0. plain: processes that spend what the sessions and this program
     *    used over all the running runs, waking as often as the keys come;
     * 1. at the terminals: programs on pseudo-terminals, typed to as the
     *    sessions are (this program reads them), each spending a session's
     *    CPU per key and writing a session's bytes per key at once.
     * What is left between the sessions and a control is theirs alone. */
    double ctl_off[2][9], ctl_on[2][9], ctl_cpu[2] = {0}, ctl_wait[2] = {0}, ctl_worker[2] = {0}, ctl_kt[2] = {0},
           ctl_ctxt[2] = {0}, ctl_bench[2] = {0};
    double sessions_ms_s = sum_sessions / sum_secs, bench_ms_s = sum_bench / sum_secs; /* CPU ms/s */
    double plain_ms = (sessions_ms_s + bench_ms_s) / (nactive * (1000.0 / KEY_EVERY_MS));
    double key_ms = control_key_ms >= 0 ? control_key_ms : sum_keys > 0 ? sum_sessions / sum_keys : plain_ms;
    int key_bytes = sum_keys > 0 ? (int)(sum_bytes / sum_keys + 0.5) : 0;
    if (control) {
        atomic_store(&keys_on, false);
        usleep(300000);
        sessions_pause(probe);
        for (int mode = 0; mode < 2; mode++)
            for (int r = 0; r < 2 * control; r++) {
                bool on = (r % 4 == 1 || r % 4 == 2);
                if (on && mode == 0) burners_start(nactive, plain_ms);
                if (on && mode == 1) {
                    tty_burners_start(cfg, nactive, key_ms, key_bytes);
                    atomic_store(&burner_keys_on, true);
                }
                fprintf(stderr, "bench_bastion: control %s, pair %d, burners %s: producing %d\n",
                        mode ? "at the terminals" : "plain", r / 2 + 1, on ? "running" : "stopped", k);
                quiet(probe, 600);
                worker_hold(probe);
                int64_t b = produce(e, &pr, k);
                double rate = drain(e, b, k, NULL, NULL);
                if (on) {
                    ctl_on[mode][r / 2] = rate;
                    ctl_cpu[mode] = cpu_burners, ctl_wait[mode] = wait_worker, ctl_worker[mode] = cpu_worker;
                    ctl_kt[mode] = mach_kthreads, ctl_ctxt[mode] = mach_ctxt, ctl_bench[mode] = cpu_bench;
                    if (mode == 0) burners_stop();
                    else tty_burners_stop();
                } else {
                    ctl_off[mode][r / 2] = rate;
                }
                fprintf(stderr,
                        "bench_bastion:   %.0f executions/s; worker %.0f CPU ms/s (waited %.0f), burners %.0f, this "
                        "program %.0f, kernel threads %.0f; %.0f switches/s\n",
                        rate, cpu_worker, wait_worker, cpu_burners, cpu_bench, mach_kthreads, mach_ctxt);
            }
    }
    /* refresh while the worker drains: its own backlog, not timed (the
     * requests this program starts for it are its own load) */
    sessions_resume();
    atomic_store(&keys_on, true);
    fprintf(stderr, "bench_bastion: refresh while draining: producing %d\n", k);
    quiet(probe, 600);
    worker_hold(probe);
    int64_t ob = produce(e, &pr, k);
    obs.next_us = now_us() + 500000;
    drain(e, ob, k, observe_hook, &obs);
    atomic_store(&keys_on, false);
    usleep(300000);
    atomic_store(&driver_stop, true);
    pthread_join(driver, NULL);
    sessions_stop();
    atomic_store(&nsessions, 0);
    worker_stop();

    printf("| CPU while the worker drained (the last run with the sessions running) | worker %.0f ms/s | - | its "
           "threads waited %.0f ms/s for a CPU (%.0f in the last run with them stopped, using %.0f); %d idle sessions %.0f ms/s together, %d "
           "active %.0f ms/s together, this program (the terminals' other end) %.0f ms/s; the kernel's threads "
           "(kworkers: the terminals' output pushed through) %.0f ms/s (%.0f with them stopped); %.0f context "
           "switches/s (%.0f); load average %.1f |\n",
           cpu_w, wait_w, wait_wp, cpu_wp, nidle, cpu_i, nactive, cpu_a, cpu_b, run_kt, stop_kt, run_ctxt, stop_ctxt,
           loadavg());
    char list_b[128] = "", list_p[160] = "", list_w[128] = "";
    for (int r = 0; r < runs; r++) {
        snprintf(list_b + strlen(list_b), sizeof list_b - strlen(list_b), "%s%.0f", r ? ", " : "", base_rates[r]);
        snprintf(list_p + strlen(list_p), sizeof list_p - strlen(list_p), "%s%.0f/%.0f (%+.0f%%)", r ? ", " : "",
                 paused_rates[r], with_rates[r], 100 * (with_rates[r] - paused_rates[r]) / paused_rates[r]);
        snprintf(list_w + strlen(list_w), sizeof list_w - strlen(list_w), "%s%.0f", r ? ", " : "", with_rates[r]);
    }
    /* quantile sorts: the lists are printed first */
    char list_pp[128] = "";
    for (int r = 0; r < runs; r++)
        snprintf(list_pp + strlen(list_pp), sizeof list_pp - strlen(list_pp), "%s%.0f", r ? ", " : "", paused_rates[r]);
    /* The verdict is the median pair: a pair's two runs are minutes apart,
     * while the machine drifts by more than 5% over the whole section (the
     * medians of all the stopped and all the running runs mix the two). */
    double *pair_pct = xcalloc((size_t)runs, sizeof *pair_pct);
    for (int r = 0; r < runs; r++) pair_pct[r] = 100 * (with_rates[r] - paused_rates[r]) / paused_rates[r];
    double pair_med = median(pair_pct, runs);
    free(pair_pct);
    double bmed = median(base_rates, runs), pmed = median(paused_rates, runs), wmed = median(with_rates, runs);
    printf("| one worker, no sessions yet: new_partner_user executions/s | %.0f | - | median of %d runs (%s) before "
           "the sessions logged in; a backlog of %d drained, first to last completion |\n",
           bmed, runs, list_b, k);
    printf("| one worker, the %d + %d sessions stopped (SIGSTOP: no CPU, memory kept) | %.0f | - | median of %d runs "
           "(%s), each next to a run with them running |\n",
           nidle, nactive + 1, pmed, runs, list_pp);
    printf("| one worker, %d idle + %d active sessions running: executions/s | %.0f (**%+.1f%%**, the median "
           "pair) | within 5%% | median of %d runs (%s: %+.1f%% against the stopped runs' median); pairs "
           "stopped/running in ABBA order: %s |\n",
           nidle, nactive, wmed, pair_med, runs, list_w, 100 * (wmed - pmed) / pmed, list_p);
    for (int mode = 0; control && mode < 2; mode++) {
        char list_c[200] = "";
        double *cp = xcalloc((size_t)control, sizeof *cp);
        for (int r = 0; r < control; r++) {
            cp[r] = 100 * (ctl_on[mode][r] - ctl_off[mode][r]) / ctl_off[mode][r];
            snprintf(list_c + strlen(list_c), sizeof list_c - strlen(list_c), "%s%.0f/%.0f (%+.0f%%)", r ? ", " : "",
                     ctl_off[mode][r], ctl_on[mode][r], cp[r]);
        }
        double cmed = median(cp, control);
        if (mode == 0)
            printf("| control 1: the sessions stopped, %d processes spending their CPU and this program's instead "
                   "(%.2f ms each every %d ms; no database, no terminal) | **%+.1f%%** (the median pair) | - | "
                   "they used %.0f ms/s together (the sessions and this program, over the running runs: %.0f)",
                   nactive, plain_ms, KEY_EVERY_MS, cmed, ctl_cpu[mode], sessions_ms_s + bench_ms_s);
        else
            printf("| control 2: the sessions stopped, %d programs on pseudo-terminals typed to as they are, "
                   "spending %s CPU per key (%.2f ms) and writing a session's bytes at once (%d); no database, "
                   "no curses | **%+.1f%%** (the median pair) | - | they used %.0f ms/s together (the sessions, over "
                   "the running runs: %.0f), this program %.0f (%.0f)",
                   nactive, control_key_ms >= 0 ? "--control-key-ms of" : "a session's", key_ms, key_bytes, cmed,
                   ctl_cpu[mode], sessions_ms_s, ctl_bench[mode], bench_ms_s);
        printf("; the worker %.0f ms/s, waited %.0f for a CPU; the kernel's threads %.0f ms/s; %.0f context "
               "switches/s; pairs without/with in ABBA order: %s |\n",
               ctl_worker[mode], ctl_wait[mode], ctl_kt[mode], ctl_ctxt[mode], list_c);
        printf("<!-- control%d pair_median_pct=%.2f -->\n", mode + 1, cmed);
        free(cp);
    }
    printf("<!-- throughput base=%.0f with=%.0f change_pct=%.2f pair_median_pct=%.2f nosessions=%.0f -->\n", pmed,
           wmed, 100 * (wmed - pmed) / pmed, pair_med, bmed);
    int ns = atomic_load(&nsamples);
    if (ns > MAX_SAMPLES) ns = MAX_SAMPLES;
    double *all = xcalloc((size_t)ns + 1, sizeof *all), *busy = xcalloc((size_t)ns + 1, sizeof *busy);
    int nall = 0, nbusy = 0;
    for (int i = 0; i < ns; i++) {
        all[nall++] = samples[i];
        if (sample_phase[i] == 1) busy[nbusy++] = samples[i];
    }
    double p99 = stat_of(all, nall, 0.99);
    printf("| key to screen, %d active sessions (a key every 100 ms each) | p50 %.1f, **p99 %.1f**, max %.1f ms | p99 "
           "30 ms | %d keys while producing and draining (%d keys drew nothing); while the worker drained: p50 %.1f, "
           "p99 %.1f ms (%d keys) |\n",
           nactive, stat_of(all, nall, 0.5), p99, stat_of(all, nall, 1.0), nall, atomic_load(&nsilent),
           stat_of(busy, nbusy, 0.5), stat_of(busy, nbusy, 0.99), nbusy);
    printf("<!-- keys p99=%.2f n=%d -->\n", p99, nall);
    printf("| a change in another session to this one's redraw, nothing else happening | median %.0f, max %.0f ms | "
           "1000 ms | %d times: a request started in the organisation whose requests it shows |\n",
           stat_of(quiet_ms, nquiet, 0.5), stat_of(quiet_ms, nquiet, 1.0), nquiet);
    printf("| the same while the worker drains a backlog | median %.0f, max %.0f ms | 1000 ms | %d times (a look at most "
           "every 500 ms) |\n",
           stat_of(obs.ms, obs.n, 0.5), stat_of(obs.ms, obs.n, 1.0), obs.n);
    printf("<!-- refresh quiet_max=%.0f busy_max=%.0f -->\n", stat_of(quiet_ms, nquiet, 1.0), stat_of(obs.ms, obs.n, 1.0));
    fflush(stdout);
    free(all);
    free(busy);
    free(orgs);
    free(pr.orgs);
    app_close(probe);
    t_env_free(e);
    return 0;
}
