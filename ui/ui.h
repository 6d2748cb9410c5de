/* The curses front end. */
#ifndef HY_UI_H
#define HY_UI_H

#include "cli.h"

/* Runs the terminal UI until the user quits; returns the exit code. */
int ui_main(const hy_globals *g);

#endif
