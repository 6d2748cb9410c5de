/* Shared by the framework's files (fw.c: the stack, keys and frame;
 * loop.c: the main loop), not by screens. */
#ifndef HY_UI_FW_INTERNAL_H
#define HY_UI_FW_INTERNAL_H

#include "fw.h"

/* Applies a handler's flags to screen s (redraw, reload, close, logout...). */
void ui_apply(ui *u, screen *s, int f);
/* Draws the whole frame and sends the differences to the terminal. */
void ui_draw_all(ui *u);
/* The top screen changed to one that was beneath (or was resized): tick
 * it soon, so it catches up with changes and restarts its animations. */
void ui_uncovered(ui *u);
/* Must a key check the session first (one indexed query)? When it has
 * expired, when a commit (a revocation, perhaps) was notified since the
 * last check, and without notifications at most every poll period; never
 * for keys while nothing was written (loop.c). */
bool ui_key_checks_session(const ui *u);

#endif
