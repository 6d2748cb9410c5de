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
    /* libcurl's global set-up, once, before any thread (the UI's jobs, the
     * runner, the lease heartbeat, integrations check) may use it. */
    integ_global_init();
    if (next >= argc) return ui_main(&g);
    return cli_run(&g, argc - next, argv + next);
}
