/* The screens of the UI (one file each: scr_*.c, dialog.c). */
#ifndef HY_UI_SCREENS_H
#define HY_UI_SCREENS_H

#include "fw.h"

extern const screen_ops ui_login_screen;        /* arg: const char *reason to show, or NULL */
extern const screen_ops ui_passwd_screen;       /* arg: const char *current password (forced change) */
extern const screen_ops ui_admin_home_screen;   /* arg: none */
extern const screen_ops ui_partner_home_screen; /* arg: none */
extern const screen_ops ui_help_screen;         /* arg: const screen *, the screen to describe */

/* ---- the admin screens (issue 6) ---- */
extern const screen_ops ui_orgs_screen;         /* arg: none */
extern const screen_ops ui_org_screen;          /* arg: const char *organisation id */
extern const screen_ops ui_org_edit_screen;     /* arg: const char *organisation id: name and account types */
extern const screen_ops ui_org_docs_screen;     /* arg: const char *organisation id: documentation links */
extern const screen_ops ui_org_groups_screen;   /* arg: const char *organisation id: system group ids */
extern const screen_ops ui_users_screen;        /* arg: none */
extern const screen_ops ui_user_edit_screen;    /* arg: const char *user id */
extern const screen_ops ui_user_mb_screen;      /* arg: const char *user id: the Metabase panel */
extern const screen_ops ui_audit_screen;        /* arg: NULL, or a target id: its history */
extern const screen_ops ui_audit_filter_screen; /* arg: const char *JSON {actor, action, target, about}; answers the same */
extern const screen_ops ui_integrations_screen; /* arg: none */
extern const screen_ops ui_notify_screen;       /* arg: none: the notifications outbox (staff) */
/* Who has access, really (issue 13: scr_access.c, scr_access_matrix.c). */
extern const screen_ops ui_access_screen;        /* arg: none: the current drift, runs and repairs (staff) */
extern const screen_ops ui_access_matrix_screen; /* arg: const char *organisation id; NULL: the partner's own */
extern const screen_ops ui_access_user_screen;   /* arg: const char *user id: granted beside what was seen */

/* ---- the execution console (issue 5) and the partner console (issue 6) ---- */
extern const screen_ops ui_execs_screen;        /* arg: none; admins: every execution */
extern const screen_ops ui_requests_screen;     /* arg: none; partner admins: their requests */
const screen_ops *ui_execs_screen_for(const ui *u);
extern const screen_ops ui_exec_screen;         /* arg: const char *execution id; admins' actions */
extern const screen_ops ui_exec_partner_screen; /* arg: same; only fill in, retry, cancel */
const screen_ops *ui_exec_screen_for(const ui *u);
extern const screen_ops ui_exec_form_screen;    /* arg: const char *execution id: its waiting step's form */
/* A new request: the first form of a workflow before anything exists. */
typedef struct {
    const char *workflow;
    const char *org_id;         /* the organisation (an admin chose it in the form before), or NULL */
    const char *at;             /* "Start later": when it starts (ops_exec_start_ex), or NULL: now */
} ui_new_request;
extern const screen_ops ui_exec_new_form_screen; /* arg: const ui_new_request * */
extern const screen_ops ui_inbox_screen;        /* arg: none: steps awaiting input, oldest first */
extern const screen_ops ui_newreq_screen;       /* arg: none: choose a workflow and start it */
/* Several people at once (scr_import.c): rows from a file (admins, not under
 * --restricted) or pasted, checked, started as one batch, then its progress. */
extern const screen_ops ui_import_screen;       /* arg: const char *organisation id; NULL: the partner's own */
extern const screen_ops ui_batch_screen;        /* arg: const char *batch id: its progress, live */

/* A new request: opens the workflow's first form with nothing created yet
 * (ui_exec_new_form_screen; a partner admin's organisation is filled in);
 * a workflow that starts with an automatic step is started at once and its
 * execution opened. Returns flags for the caller's handler; *started (may
 * be NULL) says whether a screen opened. */
int ui_exec_start(ui *u, const char *workflow, bool *started);
/* The same, scheduled: it starts at `at` (checked first; the form, if any,
 * still creates nothing until it is submitted). */
int ui_exec_start_at(ui *u, const char *workflow, const char *at, bool *started);

/* The style and the mark of an execution's or step's status. */
ui_style ui_status_style(const char *status);
const char *ui_status_glyph(const ui *u, const char *status);

/* A list to choose one row from, with the list's `/` filter. Answers
 * result 1 with the chosen row's id as text (Esc: result 0). */
typedef struct {
    const char *heading;        /* our own text above the list: "Choose the organisation for ..." */
    const char *noun;           /* "organisations" */
    const char *col1, *col2;    /* column titles; col2 NULL: one column */
    int n;
    const char *const *ids;
    const char *const *labels;  /* raw (sanitized when drawn) */
    const char *const *details; /* second column, raw; may be NULL */
    const char *selected;       /* id to select first, or NULL */
} ui_pick_arg;
extern const screen_ops ui_pick_screen;         /* arg: const ui_pick_arg * */

/* Deleting an organisation or a user: asks to confirm, saying what goes
 * with it (ops' delete impact), and deletes on "y". The id waits in a slot
 * of the asking screen's state (freed by ui_pending_free in its close), so
 * nothing leaks if the dialog is never answered. close_after: the asking
 * screen closes after the delete (a detail screen), else it reloads.
 * Returns flags for the asking screen's handler. */
typedef struct {
    char *id;
    bool close_after;
} ui_pending;
int ui_org_delete_ask(ui *u, ui_pending *pd, const char *org_id, bool close_after);
int ui_user_delete_ask(ui *u, ui_pending *pd, const char *user_id, bool close_after);
void ui_pending_free(ui_pending *pd);

/* Revoking a user's access, offboarding an organisation (scr_revoke.c):
 * asks to confirm, saying what will be removed, then the reason and when,
 * and starts revoke_partner_user / offboard_partner (ops decides who may).
 * The answers wait in a slot of the asking screen's state (freed by
 * ui_revoke_pending_free in its close). Returns flags for its handler. */
typedef struct {
    char *ref, *reason;
    bool offboard;
} ui_revoke_pending;
int ui_user_revoke_ask(ui *u, ui_revoke_pending *pd, const char *user_ref);
int ui_org_offboard_ask(ui *u, ui_revoke_pending *pd, const char *org_id);
void ui_revoke_pending_free(ui_revoke_pending *pd);

#endif
