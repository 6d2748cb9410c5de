/* The terminal: start and restore curses, signals, colours, glyphs. */
#ifndef HY_UI_TERMINAL_H
#define HY_UI_TERMINAL_H

#include "fw.h"

/* Installs the signal handlers (before curses, so ncurses leaves them
 * alone): SIGTERM/SIGHUP end the main loop, SIGINT asks to quit; restricted:
 * SIGTSTP and SIGQUIT are ignored. Then starts curses on the terminal and
 * fills u's terminal fields. Returns 0, or -1 with a message printed. */
int ui_term_start(ui *u);
/* Restores the terminal (idempotent; also the fatal hook). */
void ui_term_stop(void);
/* Re-reads the size after KEY_RESIZE. */
void ui_term_resize(ui *u);

/* The terminating signal received (SIGTERM, SIGHUP), or 0. */
int ui_term_signal(void);
/* True once after each SIGINT. */
bool ui_term_take_interrupt(void);

/* Readable when a signal arrived since the last ui_term_wake_drain
 * (SIGTERM, SIGHUP, SIGINT, SIGWINCH): polled by the main loop with the
 * terminal. -1 before ui_term_start. */
int ui_term_wake_fd(void);
void ui_term_wake_drain(void);

/* Is this locale's character set UTF-8? (after setlocale) */
bool ui_locale_is_utf8(void);
/* Colours wanted: the terminal has them, [ui] color is on and NO_COLOR is
 * unset or empty (no-color.org). */
bool ui_color_wanted(bool term_has_colors, bool config_color);

#endif
