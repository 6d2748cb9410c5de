#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "cli.h"
#include "sanitize.h"
#include "util.h"

int cli_exit_code(hy_code code)
{
    switch (code) {
    case HY_OK: return CLI_OK;
    case HY_ERR_AUTH:
    case HY_ERR_PASSWORD_CHANGE: return CLI_AUTH;
    case HY_ERR_NOT_FOUND:
    case HY_ERR_FORBIDDEN: return CLI_NOTFOUND;
    default: return CLI_ERR;
    }
}

int cli_fail(const hy_err *err)
{
    char *msg = hy_sanitize(err->msg[0] ? err->msg : hy_code_name(err->code));
    fprintf(stderr, "hyopps: %s\n", msg);
    free(msg);
    for (int i = 0; i < err->nfield; i++) {
        char *f = hy_sanitize(err->field[i].field), *m = hy_sanitize(err->field[i].msg);
        fprintf(stderr, "  %s: %s\n", f, m);
        free(f);
        free(m);
    }
    return cli_exit_code(err->code);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hyopps: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (usage) fprintf(stderr, "usage: %s\n", usage);
    return CLI_USAGE;
}

void cli_print_safe(FILE *f, const char *s)
{
    char *clean = hy_sanitize(s ? s : "");
    fputs(clean, f);
    free(clean);
}

void cli_print_json(const void *cjson)
{
    char *raw = cJSON_Print((const cJSON *)cjson);
    if (!raw) hy_fatal("out of memory printing JSON");
    char *safe = hy_json_safe(raw);
    puts(safe);
    free(safe);
    cJSON_free(raw);
}

int cli_load_config(const hy_globals *g, hy_config **out)
{
    hy_err err;
    if (config_load(g->config_path, out, &err, stderr) != 0) {
        fputs("hyopps: ", stderr);
        cli_print_safe(stderr, err.msg);
        fputc('\n', stderr);
        return CLI_ERR;
    }
    return 0;
}

int cli_open_app(cli_env *env)
{
    if (env->app) return 0;
    hy_err err;
    hy_config *cfg = NULL;
    int rc = cli_load_config(&env->g, &cfg);
    if (rc) return rc;
    if (app_open(cfg, &env->app, &err) != 0) return cli_fail(&err);
    return 0;
}

bool cli_take_flag(int *argc, char **argv, const char *a, const char *b)
{
    bool found = false;
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], a) == 0 || (b && strcmp(argv[i], b) == 0)) found = true;
        else argv[out++] = argv[i];
    }
    *argc = out;
    return found;
}

void cli_print_field(const char *label, const char *value)
{
    printf("%-22s", label);
    cli_print_safe(stdout, value && *value ? value : "-");
    putchar('\n');
}

char *cli_token_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    if (state && *state) return xasprintf("%s/hyopps/token", state);
    const char *home = getenv("HOME");
    if (home && *home) return xasprintf("%s/.local/state/hyopps/token", home);
    return NULL;
}

static int mkdir_p(const char *path, mode_t mode)
{
    char *copy = xstrdup(path);
    int rc = 0;
    for (char *p = copy + 1; *p && rc == 0; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(copy, mode) != 0 && errno != EEXIST) rc = -1;
        *p = '/';
    }
    if (rc == 0 && mkdir(copy, mode) != 0 && errno != EEXIST) rc = -1;
    free(copy);
    return rc;
}

int cli_store_token(const char *token)
{
    char *path = cli_token_path();
    if (!path) {
        fprintf(stderr, "hyopps: cannot store the session: set HOME or XDG_STATE_HOME\n");
        return CLI_ERR;
    }
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    int rc = CLI_OK;
    if (mkdir_p(dir, 0700) != 0) {
        fprintf(stderr, "hyopps: cannot create %s: %s\n", dir, strerror(errno));
        rc = CLI_ERR;
    } else {
        char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        size_t len = strlen(token);
        if (fd < 0 || write(fd, token, len) != (ssize_t)len || fsync(fd) != 0 || close(fd) != 0 ||
            rename(tmp, path) != 0) {
            fprintf(stderr, "hyopps: cannot write %s: %s\n", path, strerror(errno));
            if (fd >= 0) close(fd);
            unlink(tmp);
            rc = CLI_ERR;
        }
        free(tmp);
    }
    free(dir);
    free(path);
    return rc;
}

void cli_forget_token(void)
{
    char *path = cli_token_path();
    if (path) unlink(path);
    free(path);
}

static char *load_token(void)
{
    const char *env = getenv("HYOPPS_TOKEN");
    if (env && *env) return xstrdup(env);
    char *path = cli_token_path();
    if (!path) return NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    free(path);
    if (fd < 0) return NULL;
    char buf[HY_MAX_TOKEN_LEN + 1];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return NULL;
    buf[n] = '\0';
    char *t = hy_trim(buf);
    return xstrdup(t);
}

int cli_require_session(cli_env *env, bool allow_pwchange)
{
    int rc = cli_open_app(env);
    if (rc) return rc;
    env->token = load_token();
    if (!env->token) {
        fprintf(stderr, "hyopps: not logged in: run hyopps login\n");
        return CLI_AUTH;
    }
    hy_err err;
    hy_err_clear(&err);
    if (auth_session_from_token(&env->app->ctx, env->token, &env->me, &err) != 0) return cli_fail(&err);
    if (env->me.must_change_password && !allow_pwchange) {
        fprintf(stderr, "hyopps: password change required: run hyopps passwd\n");
        return CLI_AUTH;
    }
    return 0;
}

char *cli_read_line(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    return line;
}

char *cli_read_password(const char *prompt, bool from_stdin)
{
    if (from_stdin || !isatty(STDIN_FILENO)) {
        char *line = cli_read_line(stdin);
        if (!line) fprintf(stderr, "hyopps: expected a password on standard input\n");
        return line;
    }
    FILE *tty = fopen("/dev/tty", "r+");
    FILE *in = tty ? tty : stdin, *out = tty ? tty : stderr;
    struct termios old, quiet;
    bool restore = tcgetattr(fileno(in), &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(fileno(in), TCSAFLUSH, &quiet);
    }
    fputs(prompt, out);
    fflush(out);
    char *line = cli_read_line(in);
    if (restore) tcsetattr(fileno(in), TCSAFLUSH, &old);
    if (tty) fclose(tty);
    if (!line) fprintf(stderr, "hyopps: no password given\n");
    return line;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return true;
    }
    return false;
}

struct cli_table {
    int ncols, nrows;
    char **cells;   /* (nrows + 1) * ncols, row 0 = headers */
};

cli_table *cli_table_new(int ncols, ...)
{
    cli_table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->cells = xcalloc((size_t)ncols, sizeof *t->cells);
    va_list ap;
    va_start(ap, ncols);
    for (int i = 0; i < ncols; i++) t->cells[i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    return t;
}

void cli_table_add(cli_table *t, ...)
{
    t->nrows++;
    t->cells = xrealloc(t->cells, (size_t)(t->nrows + 1) * (size_t)t->ncols * sizeof *t->cells);
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++) {
        const char *v = va_arg(ap, const char *);
        t->cells[t->nrows * t->ncols + i] = hy_sanitize(v && *v ? v : "-");
    }
    va_end(ap);
}

/* Display width: code points (good enough for the Latin text we show). */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

void cli_table_print(const cli_table *t, FILE *f)
{
    int *w = xcalloc((size_t)t->ncols, sizeof *w);
    for (int r = 0; r <= t->nrows; r++)
        for (int i = 0; i < t->ncols; i++) {
            int tw = text_width(t->cells[r * t->ncols + i]);
            if (tw > w[i]) w[i] = tw;
        }
    for (int r = 0; r <= t->nrows; r++) {
        for (int i = 0; i < t->ncols; i++) {
            const char *cell = t->cells[r * t->ncols + i];
            fputs(cell, f);
            if (i < t->ncols - 1)
                for (int pad = text_width(cell); pad < w[i] + 2; pad++) fputc(' ', f);
        }
        fputc('\n', f);
    }
    free(w);
}

void cli_table_free(cli_table *t)
{
    if (!t) return;
    for (int i = 0; i < (t->nrows + 1) * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(t);
}

bool cli_confirm(const char *question)
{
    if (!isatty(STDIN_FILENO)) return false;
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char *line = cli_read_line(stdin);
    bool yes = line && (strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcasecmp(line, "yes") == 0);
    free(line);
    return yes;
}
