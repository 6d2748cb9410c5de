/* `hyopps` without a command: the terminal UI. Loads the configuration,
 * opens the database, starts curses, runs the screens from the login, and
 * always restores the terminal. */
#include "ui.h"

#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fw.h"
#include "job.h"
#include "sanitize.h"
#include "screens.h"
#include "terminal.h"

/* A restricted shell (a partner admin's ForceCommand) trusts nothing the
 * SSH client could put in the environment (sshd's AcceptEnv): variables
 * that name a file, code, a service or a network route are removed before
 * anything reads them — the configuration and database, the original app's
 * settings, terminfo files, locale and iconv modules, libcurl's proxies, CA
 * files and TLS key log. */
static const char *const UNTRUSTED_ENV[] = {
    "HYOPPS_CONFIG", "HYOPPS_DB", "HYOPPS_TOKEN", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
    "JWT_SECRET", "METABASE_URL", "METABASE_API_KEY", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
    "TEAMS_TEAM_ID", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "EMAIL_FROM", "SLACK_BOT_TOKEN",
    "TERMINFO", "TERMINFO_DIRS", "TERMCAP", "LOCPATH", "GCONV_PATH", "NLSPATH",
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
    "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF", "SSLKEYLOGFILE",
};

void ui_distrust_environment(void)
{
    for (size_t i = 0; i < sizeof UNTRUSTED_ENV / sizeof UNTRUSTED_ENV[0]; i++) unsetenv(UNTRUSTED_ENV[i]);
    /* A crash must not leave a core file (it may hold a password) in the account's directory. */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
}

#define RESTRICTED_CONFIG "/etc/hyopps/config.ini"

/* --restricted: the configuration comes from the command line (the
 * ForceCommand) or /etc/hyopps/config.ini, never from the current
 * directory or the environment; without one it does not start. */
static int load_config(const hy_globals *g, hy_config **cfg, hy_err *err)
{
    if (!g->restricted) return config_load(g->config_path, cfg, err, stderr);
    if (g->config_path) return config_load_file(g->config_path, cfg, err, stderr);
    if (access(RESTRICTED_CONFIG, R_OK) == 0) return config_load_file(RESTRICTED_CONFIG, cfg, err, stderr);
    return hy_fail(err, HY_ERR_CONFIG,
                   "--restricted reads its configuration only from --config PATH (in the ForceCommand) or %s, "
                   "and neither is there",
                   RESTRICTED_CONFIG);
}

int ui_main(const hy_globals *g)
{
    /* A terminal session lives for hours next to hundreds of others: one
     * heap for all its threads (each extra arena keeps its own pages), and
     * big blocks (the password hash's arena, 19 MiB) always mapped and
     * unmapped, never left in the heap (glibc's adaptive threshold would
     * keep the next ones after the first was freed). */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "hyopps: the terminal UI needs a terminal; for scripts use the commands (hyopps --help)\n");
        return CLI_USAGE;
    }
    hy_err err;
    hy_err_clear(&err);
    hy_config *cfg = NULL;
    if (load_config(g, &cfg, &err) != 0) {
        char *m = hy_sanitize(err.msg);
        fprintf(stderr, "hyopps: %s\n", m);
        free(m);
        return CLI_ERR;
    }
    hy_app *app = NULL;
    if (app_open(cfg, &app, &err) != 0) return cli_fail(&err);

    ui u;
    memset(&u, 0, sizeof u);
    u.app = app;
    u.ctx = &app->ctx;
    u.cfg = app->cfg;
    u.restricted = g->restricted || app->cfg->security.restricted;
    if (u.restricted && !g->restricted) ui_distrust_environment(); /* [security] restricted: before curses */
    if (ui_term_start(&u) != 0) {
        app_close(app);
        return CLI_ERR;
    }
    ui_run(&u, &ui_login_screen, NULL);
    ui_term_stop();
    ui_logout(&u); /* after the terminal is back: nothing to draw */
    /* A job still waiting on a service uses the configuration: leave it to
     * the process's exit rather than free what it reads. */
    if (ui_jobs_wait(&u, 1000) == 0) app_close(app);
    return u.exit_code;
}
