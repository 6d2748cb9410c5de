/* A one-line text editor on UTF-8 text, free of curses (unit tested):
 * insertion by code point, cursor movement by character, and the visible
 * window of a field `width` cells wide. Used by form fields, the list
 * filter and the text prompt. */
#ifndef HY_UI_EDIT_H
#define HY_UI_EDIT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *s;        /* NUL-terminated UTF-8; never NULL after ui_edit_set */
    size_t len, cap;
    size_t cur;     /* cursor: byte offset, always on a character boundary */
    size_t first;   /* first byte shown (horizontal scroll), kept between draws */
    size_t max;     /* maximum length in bytes; 0 = 1024 */
} ui_edit;         /* zero-initialise; the text is zeroed whenever it moves or is freed */

/* Replaces the text; the cursor goes to the end. */
void ui_edit_set(ui_edit *e, const char *s);
const char *ui_edit_text(const ui_edit *e);   /* never NULL */
/* Inserts a character at the cursor; false when it is not printable (control
 * or bidi/format characters are refused) or the text would exceed max. */
bool ui_edit_insert(ui_edit *e, unsigned cp);
bool ui_edit_backspace(ui_edit *e);           /* false when nothing changed */
bool ui_edit_delete(ui_edit *e);
bool ui_edit_left(ui_edit *e);
bool ui_edit_right(ui_edit *e);
void ui_edit_home(ui_edit *e);
void ui_edit_end(ui_edit *e);
bool ui_edit_kill_before(ui_edit *e);         /* Ctrl-U: delete up to the cursor */
bool ui_edit_kill_after(ui_edit *e);          /* Ctrl-K: delete from the cursor */
bool ui_edit_delete_word(ui_edit *e);         /* Ctrl-W: delete the word before the cursor */
/* Characters (code points) in the text. */
size_t ui_edit_chars(const ui_edit *e);

/* What to show in a field `width` cells wide: updates e->first so that the
 * cursor is visible (with one cell to spare at the end) and returns the
 * cursor's column in the field. masked: every character takes 1 cell. */
int ui_edit_view(ui_edit *e, int width, bool masked, bool ascii);

void ui_edit_free(ui_edit *e);                /* zeroes secret text */

#endif
