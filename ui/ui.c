/* Placeholder until the terminal UI lands (issue 5). */
#include <stdio.h>

#include "ui.h"

int ui_main(const hy_globals *g)
{
    (void)g;
    fprintf(stderr, "hyopps: the terminal UI is not built yet; use the commands (hyopps --help)\n");
    return 2;
}
