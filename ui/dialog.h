/* Dialogs over the current screen, and the help screen. Each answers
 * through a ui_done_fn that runs on the screen that asked. */
#ifndef HY_UI_DIALOG_H
#define HY_UI_DIALOG_H

#include "fw.h"

/* "y" answers 1; "n", Esc and Enter answer 0 (no is the default). text
 * says what will happen (it is wrapped; sanitized when drawn). */
void ui_confirm(ui *u, const char *title, const char *text, ui_done_fn done, void *ctx);

/* One line of text (e.g. a reason): Enter answers 1 with the text, Esc 0.
 * required: an empty answer is refused with a message beside the field. */
void ui_prompt(ui *u, const char *title, const char *label, const char *initial, bool required, ui_done_fn done,
               void *ctx);

/* Leaving a form (Esc): when the person changed something in it
 * (f->dirty), asks "<question> What you typed is lost." first and closes
 * the asking screen on yes; else closes it at once. Returns flags for the
 * asking screen's handler:  case A_CANCEL: return ui_form_leave(u, &st->form, "Discard your changes?"); */
struct ui_form;
int ui_form_leave(ui *u, struct ui_form *f, const char *question);
/* The same for a screen that is not a ui_form: dirty says whether something
 * was typed. */
int ui_leave(ui *u, bool dirty, const char *question);

#endif
