/* hyopps: the terminal UI without a command, else a CLI command (cli.c). */
#include "cli.h"
#include "ui.h"

int main(int argc, char **argv)
{
    hy_globals g;
    int next = 0;
    int rc = cli_parse_globals(argc, argv, &g, &next);
    if (rc >= 0) return rc;
    if (next >= argc) return ui_main(&g);
    return cli_run(&g, argc - next, argv + next);
}
