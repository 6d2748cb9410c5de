/* The screens of the UI (one file each: scr_*.c, dialog.c). */
#ifndef HY_UI_SCREENS_H
#define HY_UI_SCREENS_H

#include "fw.h"

extern const screen_ops ui_login_screen;        /* arg: const char *reason to show, or NULL */
extern const screen_ops ui_passwd_screen;       /* arg: const char *current password (forced change) */
extern const screen_ops ui_admin_home_screen;   /* arg: none */
extern const screen_ops ui_partner_home_screen; /* arg: none */
extern const screen_ops ui_help_screen;         /* arg: const screen *, the screen to describe */

#endif
