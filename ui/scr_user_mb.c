/* A user's Metabase panel: the stored Metabase id and the live group
 * memberships (ops_metabase_*), adding the user to a group chosen from the
 * live list and removing them from one. A user without a stored id is
 * looked up by email; adding finds or creates their account and stores its
 * id (ops_metabase.h). Every call to Metabase runs as a background job
 * (job.h) with its own database connection: the screen says "Contacting
 * Metabase…" with the time so far, keys keep working, and Esc leaves
 * without waiting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "job.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

typedef enum { J_LOAD, J_ADDABLE, J_ADD, J_REMOVE } job_kind;

/* What a job works on and answers; owned by the job while it runs. */
typedef struct {
    job_kind kind;
    char user_id[HY_UUID_LEN];
    long group_id;
    hy_mb_user view;            /* J_LOAD */
    mb_group_list groups;       /* J_ADDABLE */
    bool changed;               /* J_ADD, J_REMOVE */
    hy_mb_link link;            /* J_ADD, J_REMOVE */
} mb_job;

typedef struct {
    ui_list list;
    char *user_id;
    char *who;                  /* "Jane Doe <jane@...>" (raw) */
    char *stored;               /* "42" or NULL */
    hy_mode mode;
    bool loaded;                /* view holds a successful load */
    hy_mb_user view;
    ui_job *job;
    job_kind running;
    char *error;                /* the last failure, shown in the panel */
    long pending_group;         /* the group a confirm dialog is about */
} mbp_state;

enum { A_ADD = 1, A_REMOVE, A_RELOAD };

static const ui_action MBP_ACTIONS[] = {
    {A_ADD, "a", "Add to group", "Add the user to a Metabase group chosen from the live list"},
    {A_REMOVE, "x d Del", "Remove", "Remove the user from the selected group (asks first)"},
    {A_RELOAD, "r", "Reload", "Ask Metabase again"},
    UI_ACTIONS_END,
};

static const ui_column MB_COLS[] = {
    {"Group id", 8, 10, 5, true},
    {"Group", 20, 0, 9, false},
};

static const char *mb_cell(void *data, int row, int col, char *buf, size_t n)
{
    mbp_state *st = data;
    const mb_group *g = &st->view.groups.items[row];
    if (col == 1) return g->name;
    snprintf(buf, n, "%ld", g->id);
    return buf;
}

/* ---- the job (on its own thread: no curses, its own connection) ---- */

static int run_job(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err)
{
    mb_job *j = arg;
    switch (j->kind) {
    case J_LOAD: return ops_metabase_user(c, p, j->user_id, &j->view, err);
    case J_ADDABLE: return ops_metabase_addable(c, p, j->user_id, &j->groups, err);
    case J_ADD: return ops_metabase_add(c, p, j->user_id, j->group_id, &j->changed, &j->link, err);
    case J_REMOVE: return ops_metabase_remove(c, p, j->user_id, j->group_id, &j->changed, &j->link, err);
    }
    return 0;
}

static void free_job(void *arg)
{
    mb_job *j = arg;
    hy_mb_user_free(&j->view);
    mb_group_list_free(&j->groups);
    free(j);
}

static void start(ui *u, mbp_state *st, job_kind kind, long group_id)
{
    mb_job *j = xcalloc(1, sizeof *j);
    j->kind = kind;
    hy_strlcpy(j->user_id, st->user_id, sizeof j->user_id);
    j->group_id = group_id;
    free(st->error);
    st->error = NULL;
    st->running = kind;
    st->job = ui_job_start(u, run_job, j, free_job);
}

/* ---- results ---- */

static void set_stored(mbp_state *st, bool has, long id)
{
    free(st->stored);
    st->stored = has && id > 0 ? xasprintf("%ld", id) : NULL;
}

static int pick_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)ctx;
    mbp_state *st = s->state;
    long gid;
    if (result != 1 || !text || sscanf(text, "%ld", &gid) != 1) return UI_REDRAW;
    if (st->job) return UI_REDRAW;
    start(u, st, J_ADD, gid);
    return UI_REDRAW;
}

static void show_groups(ui *u, screen *s, mb_group_list *groups)
{
    mbp_state *st = s->state;
    if (groups->n == 0) {
        ui_msg(u, UI_S_INFO, "There is no other Metabase group to add this user to.");
        return;
    }
    const char **ids = xcalloc((size_t)groups->n, sizeof *ids);
    const char **names = xcalloc((size_t)groups->n, sizeof *names);
    char **idtext = xcalloc((size_t)groups->n, sizeof *idtext);
    for (int i = 0; i < groups->n; i++) {
        idtext[i] = xasprintf("%ld", groups->items[i].id);
        ids[i] = idtext[i];
        names[i] = groups->items[i].name;
    }
    char *heading = xasprintf("Add %s to the Metabase group:", st->who);
    ui_pick_arg a = {.heading = heading, .noun = "groups", .col1 = "Group", .col2 = "Group id", .n = groups->n,
                     .ids = ids, .labels = names, .details = (const char *const *)idtext};
    ui_push_then(u, &ui_pick_screen, &a, pick_done, NULL);
    for (int i = 0; i < groups->n; i++) free(idtext[i]);
    free(idtext);
    free(ids);
    free(names);
    free(heading);
}

static int finished(ui *u, screen *s)
{
    mbp_state *st = s->state;
    int rc;
    hy_err err;
    mb_job *j = ui_job_take(&st->job, &rc, &err);
    int flags = UI_REDRAW;
    if (rc != 0) {
        st->error = xstrdup(err.msg[0] ? err.msg : hy_code_name(err.code));
        if (err.code == HY_ERR_AUTH) flags = ui_fail(u, &err);
        free_job(j);
        return flags;
    }
    switch (j->kind) {
    case J_LOAD:
        hy_mb_user_free(&st->view);
        st->view = j->view;
        memset(&j->view, 0, sizeof j->view);
        st->loaded = true;
        ui_list_set_count(&st->list, st->view.groups.n);
        set_stored(st, st->view.has_metabase_id, st->view.metabase_user_id);
        break;
    case J_ADDABLE: show_groups(u, s, &j->groups); break;
    case J_ADD:
    case J_REMOVE:
        if (j->link.linked) set_stored(st, true, j->link.metabase_user_id);
        ui_msg(u, UI_S_INFO, "%s Metabase group %ld%s.%s%s%s", j->kind == J_ADD ? "Added to" : "Removed from",
               j->group_id, j->changed ? "" : (j->kind == J_ADD ? " (already a member)" : " (was not a member)"),
               j->link.linked ? " Their Metabase account (" : "", j->link.linked ? hy_mb_how_name(j->link.how) : "",
               j->link.linked ? ") is now stored." : "");
        start(u, st, J_LOAD, 0);
        break;
    }
    free_job(j);
    return flags;
}

static int mbp_tick(ui *u, screen *s)
{
    mbp_state *st = s->state;
    if (!st->job) return 0;
    if (ui_job_done(st->job)) return finished(u, s);
    ui_tick_in(u, UI_TICK_MS);
    return UI_REDRAW; /* the spinner and the seconds */
}

/* ---- the screen ---- */

static int mbp_open(ui *u, screen *s, const void *arg)
{
    mbp_state *st = s->state;
    st->user_id = xstrdup(arg);
    hy_user usr;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_show(u->ctx, &u->me, st->user_id, &usr, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    st->who = xasprintf("%s %s <%s>", usr.firstname, usr.lastname, usr.email);
    if (usr.has_metabase_id) st->stored = xasprintf("%lld", (long long)usr.metabase_user_id);
    hy_user_free(&usr);
    st->mode = u->cfg->metabase.mode;
    ui_list_init(&st->list, MB_COLS, 2, st, mb_cell);
    st->list.noun = "groups";
    st->list.empty_text = "Not a member of any group (besides Metabase's own All Users).";
    s->focus = &st->list.w;
    if (st->mode == HY_MODE_OFF) st->error = xstrdup("Metabase is not configured (set [metabase] url and api_key).");
    else start(u, st, J_LOAD, 0);
    return UI_REDRAW;
}

static void mbp_draw(ui *u, screen *s, ui_rect body)
{
    mbp_state *st = s->state;
    int x = body.x + 2, w = body.w - 4, y = body.y + 1;
    ui_put(u, y++, x, w, UI_S_TITLE, 0, st->who);
    char line[512];
    if (st->stored)
        snprintf(line, sizeof line, "Metabase id: %s", st->stored);
    else if (st->loaded && st->view.found_by_email)
        snprintf(line, sizeof line, "Metabase id: none stored; Metabase has account %ld for this email (stored when "
                 "the user is added to a group)", st->view.metabase_user_id);
    else
        snprintf(line, sizeof line, "Metabase id: none stored; adding the user to a group %s",
                 st->mode == HY_MODE_LIVE ? "finds their account by email or creates it, and stores its id"
                                          : "makes a simulated account");
    ui_put(u, y++, x, w, UI_S_NORMAL, 0, line);
    snprintf(line, sizeof line, "Metabase: %s%s%s", config_mode_name(st->mode),
             st->mode == HY_MODE_LIVE ? " " : "", st->mode == HY_MODE_LIVE ? u->cfg->metabase.url : "");
    if (st->mode == HY_MODE_SIMULATE) hy_strlcpy(line + strlen(line), " (memberships kept in HyOpps, no calls)",
                                                  sizeof line - strlen(line));
    ui_put(u, y++, x, w, UI_S_DIM, 0, line);
    y++;
    if (st->job) {
        snprintf(line, sizeof line, "%s Contacting Metabase%s (%ds)", ui_spinner(u), u->ascii ? "..." : "…",
                 ui_job_elapsed_ms(st->job) / 1000);
        ui_put(u, y, x, w, UI_S_RUNNING, UI_FIT_RAW, line);
    } else if (st->error) {
        ui_put(u, y, x, w, UI_S_ERROR, 0, st->error);
    } else if (st->loaded) {
        ui_put(u, y, x, w, UI_S_DIM, UI_FIT_RAW, "Group memberships (Metabase's own All Users group is not shown):");
    }
    y += 2;
    if (st->loaded) ui_list_draw(u, &st->list, (ui_rect){y, body.x + 1, body.y + body.h - y, body.w - 2});
}

static int remove_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    mbp_state *st = s->state;
    if (yes && !st->job) start(u, st, J_REMOVE, st->pending_group);
    return UI_REDRAW;
}

static int mbp_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    mbp_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (st->job) {
        ui_msg(u, UI_S_INFO, "Still waiting for Metabase; Esc leaves without waiting.");
        return UI_REDRAW;
    }
    if (st->mode == HY_MODE_OFF) {
        ui_msg(u, UI_S_ERROR, "%s", st->error ? st->error : "Metabase is not available.");
        return UI_REDRAW;
    }
    switch (a->id) {
    case A_RELOAD: start(u, st, J_LOAD, 0); return UI_REDRAW;
    case A_ADD: start(u, st, J_ADDABLE, 0); return UI_REDRAW;
    case A_REMOVE: {
        int row = st->loaded ? ui_list_selected(&st->list) : -1;
        if (row < 0) {
            ui_msg(u, UI_S_INFO, "Select a group to remove the user from.");
            return UI_REDRAW;
        }
        const mb_group *g = &st->view.groups.items[row];
        st->pending_group = g->id;
        char *text = xasprintf("Remove %s from the Metabase group %s (%ld)?", st->who, g->name, g->id);
        ui_confirm(u, "Remove from group", text, remove_done, NULL);
        free(text);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void mbp_close(ui *u, screen *s)
{
    mbp_state *st = s->state;
    ui_job_abandon(u, &st->job);
    ui_list_free(&st->list);
    hy_mb_user_free(&st->view);
    free(st->user_id);
    free(st->who);
    free(st->stored);
    free(st->error);
}

/* Changing needs the manage capability (ops_can): without it these keys do not exist. */
static bool mbp_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return !(a->id == A_ADD || a->id == A_REMOVE) || ops_can(&u->me, HY_CAP_MANAGE);
}

const screen_ops ui_user_mb_screen = {
    .name = "Metabase",
    .state_size = sizeof(mbp_state),
    .actions = MBP_ACTIONS,
    .open = mbp_open,
    .draw = mbp_draw,
    .handle_key = mbp_key,
    .tick = mbp_tick,
    .close = mbp_close,
    .exists = mbp_exists,
};
