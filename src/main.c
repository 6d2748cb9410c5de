/* hyopps: the terminal UI without a command, else a CLI command (cli.c). */
#include "cli.h"
#include "integrations/http.h"
#include "ui.h"

int main(int argc, char **argv)
{
    hy_globals g;
    int next = 0;
    int rc = cli_parse_globals(argc, argv, &g, &next);
    if (rc >= 0) return rc;
    /* A restricted shell drops what the SSH client may have put in the
     * environment before anything reads it (OpenSSL reads OPENSSL_CONF
     * during the set-up below). */
    if (g.restricted) ui_distrust_environment();
    /* The terminal UI sets up libcurl (and TLS) only when it is about to
     * start a thread that may call a live service (runner_start,
     * ui_job_start), on its main thread: a session that never calls one
     * is spared it. A command does it now, once, before any thread (the
     * worker, the lease heartbeat, integrations check) may use it. */
    if (next >= argc) return ui_main(&g);
    integ_global_init();
    return cli_run(&g, argc - next, argv + next);
}
