/* `hyopps` without a command: the terminal UI. Loads the configuration,
 * opens the database, starts curses, runs the screens from the login, and
 * always restores the terminal. */
#include "ui.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw.h"
#include "job.h"
#include "sanitize.h"
#include "screens.h"
#include "terminal.h"

int ui_main(const hy_globals *g)
{
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "hyopps: the terminal UI needs a terminal; for scripts use the commands (hyopps --help)\n");
        return CLI_USAGE;
    }
    hy_err err;
    hy_err_clear(&err);
    hy_config *cfg = NULL;
    if (config_load(g->config_path, &cfg, &err, stderr) != 0) {
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
