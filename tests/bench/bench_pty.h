/* The real binary in pseudo-terminals, for the benchmarks (header-only,
 * like bench_common.h): start it on a pty (80x24, TERM=xterm-256color,
 * LANG=C.UTF-8, HYOPPS_CONFIG), read what it writes, send keys, read
 * /proc for its memory and CPU time. */
#ifndef HY_BENCH_PTY_H
#define HY_BENCH_PTY_H

#include <dirent.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "bench_common.h"

typedef struct {
    pid_t pid;
    int fd;
    char *buf;          /* everything read so far (NULL: not kept, counted only) */
    size_t len, cap;
    size_t mark;        /* bytes read before the last key */
    bool keep;          /* keep the output (else only its length and time) */
    double last_us;     /* when the last byte came */
} pty_app;

static __attribute__((unused)) double ms_since(double t0) { return (now_us() - t0) / 1000; }

/* Appends n bytes read from the terminal. */
static void pty_took(pty_app *a, const char *b, size_t n)
{
    a->last_us = now_us();
    if (!a->keep) {
        a->len += n;
        return;
    }
    if (a->len + n + 1 > a->cap) {
        a->cap = (a->len + n + 1) * 2;
        a->buf = xrealloc(a->buf, a->cap);
    }
    memcpy(a->buf + a->len, b, n);
    a->len += n;
    a->buf[a->len] = '\0';
}

/* Reads once if something comes within timeout_ms; *last_us (may be NULL)
 * gets the time of the read. */
static void pty_read_some(pty_app *a, int timeout_ms, double *last_us)
{
    struct pollfd p = {a->fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return;
    char b[65536];
    ssize_t n = read(a->fd, b, sizeof b);
    if (n <= 0) return;
    pty_took(a, b, (size_t)n);
    if (last_us) *last_us = a->last_us;
}

/* Starts bin (with args, NULL-terminated, may be NULL) on a new pty. */
static void pty_start_args(pty_app *a, const char *bin, const char *cfg, char *const *args)
{
    memset(a, 0, sizeof *a);
    a->keep = true;
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    a->pid = forkpty(&a->fd, NULL, NULL, &ws);
    if (a->pid < 0) die("forkpty", NULL);
    if (a->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the benchmark */
        setenv("TERM", "xterm-256color", 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("LC_ALL");
        setenv("TZ", "UTC", 1);
        setenv("HYOPPS_CONFIG", cfg, 1);
        char *argv[8] = {(char *)bin};
        for (int i = 0; args && args[i] && i < 6; i++) argv[i + 1] = args[i];
        execv(bin, argv);
        _exit(127);
    }
}

static __attribute__((unused)) void pty_start(pty_app *a, const char *bin, const char *cfg)
{
    pty_start_args(a, bin, cfg, NULL);
}

/* Reads until `text` was written (after mark) and the output is quiet for
 * quiet_ms; returns ms from t0 to the last byte, or -1 on timeout. */
static double pty_until(pty_app *a, double t0, const char *text, int quiet_ms, int max_ms)
{
    double last = 0;
    while (ms_since(t0) < max_ms) {
        size_t before = a->len;
        pty_read_some(a, quiet_ms, &last);
        bool seen = !text || (a->buf && memmem(a->buf + a->mark, a->len - a->mark, text, strlen(text)));
        if (a->len == before && seen && last > 0) return (last - t0) / 1000;
    }
    return -1;
}

static void pty_send(pty_app *a, const char *keys, double *t0)
{
    /* drain anything pending, then send */
    double ignored;
    pty_read_some(a, 0, &ignored);
    a->mark = a->len;
    *t0 = now_us();
    if (write(a->fd, keys, strlen(keys)) < 0) die("write to the pty", NULL);
}

/* key -> last byte of the redraw (ms); bytes written after the key */
static __attribute__((unused)) double pty_key(pty_app *a, const char *keys, const char *expect, size_t *bytes)
{
    double t0;
    pty_send(a, keys, &t0);
    double ms = pty_until(a, t0, expect, 100, 5000);
    if (bytes) *bytes = a->len - a->mark;
    return ms;
}

/* Quits through the UI (Q, y), else SIGTERM; closes the pty. */
static __attribute__((unused)) void pty_stop(pty_app *a)
{
    double t0;
    pty_send(a, "Q", &t0);
    pty_until(a, t0, "Quit", 50, 2000);
    pty_send(a, "y", &t0);
    int status = 0;
    for (int i = 0; i < 300 && waitpid(a->pid, &status, WNOHANG) == 0; i++) pty_read_some(a, 10, NULL);
    if (waitpid(a->pid, &status, WNOHANG) == 0) {
        kill(a->pid, SIGTERM);
        waitpid(a->pid, &status, 0);
    }
    close(a->fd);
    free(a->buf);
    a->buf = NULL;
}

/* A "Field:" of /proc/PID/<file> in kB (status: VmHWM, VmRSS...;
 * smaps_rollup: Pss, Private_Dirty...), or -1. */
static long proc_field_kb(pid_t pid, const char *file, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    FILE *f = fopen(path, "r");
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

static __attribute__((unused)) long proc_kb(pid_t pid, const char *field) { return proc_field_kb(pid, "status", field); }
static __attribute__((unused)) long rollup_kb(pid_t pid, const char *field)
{
    return proc_field_kb(pid, "smaps_rollup", field);
}

/* Time of every thread of a process so far, in ns (schedstat: exact, not
 * in clock ticks): field 0 on a CPU, field 1 runnable but waiting for one
 * (the run queue). Threads that ended are not counted. */
static __attribute__((unused)) int64_t proc_sched_ns(pid_t pid, int field)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (!d) return 0;
    int64_t sum = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[384];
        snprintf(path, sizeof path, "%s/%s/schedstat", dir, de->d_name);
        FILE *f = fopen(path, "r");
        long long ns[2] = {0, 0};
        if (f && fscanf(f, "%lld %lld", &ns[0], &ns[1]) == 2) sum += ns[field];
        if (f) fclose(f);
    }
    closedir(d);
    return sum;
}

static __attribute__((unused)) int64_t proc_cpu_ns(pid_t pid) { return proc_sched_ns(pid, 0); }

/* How a hyopps process learns about commits (dbwatch.h): 2 inotify (an
 * inotify instance), 1 dnotify (a descriptor of the database's directory
 * db_dir), 0 neither (it looks every 500 ms). */
static __attribute__((unused)) int proc_wake_kind(pid_t pid, const char *db_dir)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d) return 0;
    int kind = 0;
    struct dirent *de;
    while (kind < 2 && (de = readdir(d))) {
        char path[384], target[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        if (strstr(target, "inotify")) kind = 2;
        else if (strcmp(target, db_dir) == 0 || strstr(target, "-beacons/")) kind = 1; /* dnotify: the log's directory, or beacons' */
    }
    closedir(d);
    return kind;
}

#endif
