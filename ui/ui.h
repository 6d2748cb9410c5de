/* The curses front end. */
#ifndef HY_UI_H
#define HY_UI_H

#include "cli.h"

/* --restricted: removes the environment variables that name files, code or
 * network routes (the SSH client may have set them) and disables core
 * files. Call before anything reads them (main does, first). */
void ui_distrust_environment(void);

/* Runs the terminal UI until the user quits; returns the exit code. */
int ui_main(const hy_globals *g);

#endif
