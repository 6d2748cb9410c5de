/* The form widget: labelled fields (text, masked password, choice,
 * checkbox, multi-select checkboxes, read-only info lines), required marks,
 * Tab/Shift-Tab between fields, each field's error beside it (or under it
 * when narrow), and a form-level message. Wide-character correct (its own
 * editor, edit.h: no libform padding pitfalls).
 *
 * Enter and Esc are not the form's: they pass to the screen, whose action
 * table says what they do ("Enter Save", "Esc Cancel").
 *
 *   ui_form_init(&st->form);
 *   ui_form_text(&st->form, "email", "Email", true, NULL, 254);
 *   ui_form_password(&st->form, "password", "Password", true, 1024);
 *   s->focus = &st->form.w;
 *   ...on Enter: if (!ui_form_check_required(&st->form)) return UI_REDRAW;
 *   ...ops call fails: ui_form_set_errors(&st->form, &err);
 */
#ifndef HY_UI_FORM_H
#define HY_UI_FORM_H

#include "edit.h"
#include "fw.h"

typedef enum {
    UI_FIELD_TEXT,
    UI_FIELD_PASSWORD,
    UI_FIELD_CHOICE,    /* one of options; Left/Right/Space cycle */
    UI_FIELD_CHECK,     /* on/off; Space */
    UI_FIELD_MULTI,     /* a checkbox per option; Up/Down between them, Space ticks */
    UI_FIELD_INFO,      /* read-only text (wrapped) */
} ui_field_kind;

typedef struct {
    ui_field_kind kind;
    char *name;         /* matches hy_err field names */
    char *label;
    bool required;
    ui_edit edit;       /* text, password */
    int width;          /* preferred cells of a text field */
    char **options;     /* choice, multi (owned; raw text, sanitized when drawn) */
    int noptions;
    int choice;         /* choice: the selected option */
    bool *checked;      /* multi: per option */
    bool on;            /* check */
    char *info;         /* info: the text */
    char *error;        /* shown beside or under the field; NULL: none */
} ui_field;

typedef struct ui_form {
    ui_widget w;        /* first member: s->focus = &form.w */
    ui_field *f;
    int n, cap;
    int focus;          /* the focused field, -1 when none can take focus */
    int item;           /* the focused option of a multi field */
    char *message;      /* form-level message (above the fields) */
    bool message_error;
    int top;            /* first row shown when the form is taller than its area */
    /* Optional: called after typing changed the text of field `field` (not
     * for ui_form_set), e.g. to recompute live defaults of other fields. */
    void (*on_change)(struct ui_form *f, int field, void *data);
    void *change_data;
    bool dirty;         /* the person changed a value (typing, a choice, a tick) */
} ui_form;

void ui_form_init(ui_form *f);
void ui_form_free(ui_form *f);   /* zeroes every text (passwords) */

/* Adding fields; each returns the field's index. max: bytes (0 = 1024). */
int ui_form_text(ui_form *f, const char *name, const char *label, bool required, const char *value, size_t max);
int ui_form_password(ui_form *f, const char *name, const char *label, bool required, size_t max);
int ui_form_choice(ui_form *f, const char *name, const char *label, const char *const *options, int n, int selected);
int ui_form_check(ui_form *f, const char *name, const char *label, bool on);
int ui_form_multi(ui_form *f, const char *name, const char *label, const char *const *options, int n,
                  const bool *checked);
int ui_form_info(ui_form *f, const char *label, const char *text);

ui_field *ui_form_field(ui_form *f, const char *name);   /* NULL if none */
/* Text of a text/password field, the chosen option of a choice, "1"/"0" for
 * a check; "" for anything else or an unknown name. */
const char *ui_form_get(ui_form *f, const char *name);
void ui_form_set(ui_form *f, const char *name, const char *value);
bool ui_form_item_checked(ui_form *f, const char *name, int item);
void ui_form_focus(ui_form *f, const char *name);

/* Errors. set_errors takes ops' field errors (beside their fields; errors
 * for names the form does not have join the message) and the message; the
 * first field with an error gets the focus. */
void ui_form_clear_errors(ui_form *f);
void ui_form_error(ui_form *f, const char *name, const char *msg);
void ui_form_set_errors(ui_form *f, const hy_err *err);
void ui_form_message(ui_form *f, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Marks every empty required field "is required"; false if any. */
bool ui_form_check_required(ui_form *f);

void ui_form_draw(ui *u, ui_form *f, ui_rect r);
/* Rows the form needs at this width (for centring it). */
int ui_form_height(ui *u, ui_form *f, int width);

extern const ui_action ui_form_actions[];

#endif
