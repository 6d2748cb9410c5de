/* The UI framework without a terminal: the screen stack, the key chain
 * (widget, screen, global), results handed back to the screen beneath,
 * reloads, modal dialogs, quitting, ticks (asked for, or on uncovering) and the logout path.
 * Nothing here draws (ui_feed_key and ui_run_timers never do). */
#include "testlib.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "form.h"
#include "fw.h"
#include "screens.h"
#include "testlib_exec.h"

static ui_key ch(int c) { return (ui_key){false, c}; }

/* ---- a fake screen with a widget that takes 'w' ---- */

typedef struct {
    ui_widget w;
    int widget_keys;
} fake_widget;

typedef struct {
    fake_widget widget;
    int opened, actions, last_action, raw_keys, ticks, reloads, done_result, data_ticks;
    char done_text[32];
} fake_state;

static int *closes_seen; /* counts close() calls across screens */

static int widget_key(ui *u, ui_widget *w, ui_key k)
{
    (void)u;
    if (k.fn || k.code != 'w') return UI_NOT_MINE;
    ((fake_widget *)w)->widget_keys++;
    return UI_REDRAW;
}

enum { F_OPEN = 1, F_CHILD, F_AUTH, F_FAIL };

static const ui_action FAKE_ACTIONS[] = {
    {F_OPEN, "Enter", "Open", "Open it"},
    {F_CHILD, "c", "Child", "Open a child screen"},
    {F_AUTH, "a", NULL, "Pretend the session expired"},
    {F_FAIL, "e", NULL, "Pretend an ops call failed"},
    UI_ACTIONS_END,
};

static const screen_ops child_screen;

static int child_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)u, (void)ctx;
    fake_state *st = s->state;
    st->done_result = result;
    snprintf(st->done_text, sizeof st->done_text, "%s", text ? text : "");
    return UI_RELOAD;
}

static int fake_open(ui *u, screen *s, const void *arg)
{
    (void)u, (void)arg;
    fake_state *st = s->state;
    st->opened++;
    st->widget.w = (ui_widget){.name = "Fake widget", .handle_key = widget_key};
    s->focus = &st->widget.w;
    return UI_REDRAW;
}

static void fake_draw(ui *u, screen *s, ui_rect r) { (void)u, (void)s, (void)r; }

static int fake_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    fake_state *st = s->state;
    if (!a) {
        if (!k.fn && k.code == 'r') { /* a raw key the screen takes without an action */
            st->raw_keys++;
            return UI_HANDLED;
        }
        return UI_NOT_MINE;
    }
    st->actions++;
    st->last_action = a->id;
    hy_err err;
    hy_err_clear(&err);
    switch (a->id) {
    case F_CHILD:
        ui_push_then(u, &child_screen, NULL, child_done, NULL);
        return UI_REDRAW;
    case F_AUTH:
        hy_fail(&err, HY_ERR_AUTH, "session expired: log in again");
        return ui_fail(u, &err);
    case F_FAIL:
        hy_fail(&err, HY_ERR_CONFLICT, "that step is running");
        return ui_fail(u, &err);
    }
    return UI_REDRAW;
}

static int fake_tick(ui *u, screen *s)
{
    ((fake_state *)s->state)->ticks++;
    if (u->data_changed) ((fake_state *)s->state)->data_ticks++;
    return UI_REDRAW;
}

static int fake_reload(ui *u, screen *s)
{
    (void)u;
    ((fake_state *)s->state)->reloads++;
    return UI_REDRAW;
}

static void fake_close(ui *u, screen *s)
{
    (void)u, (void)s;
    if (closes_seen) (*closes_seen)++;
}

static const screen_ops fake_screen = {
    .name = "Fake",
    .state_size = sizeof(fake_state),
    .actions = FAKE_ACTIONS,
    .open = fake_open,
    .draw = fake_draw,
    .handle_key = fake_key,
    .tick = fake_tick,
    .reload = fake_reload,
    .close = fake_close,
};

/* A child that answers 7 "seven" on x. */
static const ui_action CHILD_ACTIONS[] = {{1, "x", "Answer", "Answer seven"}, UI_ACTIONS_END};
static int child_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)k;
    return a ? ui_finish(s, 7, "seven") : UI_NOT_MINE;
}
static const screen_ops child_screen = {
    .name = "Child",
    .actions = CHILD_ACTIONS,
    .draw = fake_draw,
    .handle_key = child_key,
    .close = fake_close,
};

/* A screen that cannot open. */
static int refuse_open(ui *u, screen *s, const void *arg)
{
    (void)s, (void)arg;
    ui_msg(u, UI_S_ERROR, "Nothing to show.");
    return UI_CLOSE;
}
static const screen_ops refusing_screen = {.name = "Refusing", .open = refuse_open, .draw = fake_draw};

static ui *new_ui(void)
{
    ui *u = calloc(1, sizeof *u);
    u->cfg = config_default();
    return u;
}

static void free_ui(ui *u)
{
    ui_close_all(u);
    config_free((hy_config *)u->cfg);
    free(u);
}

static void keys_pass_widget_then_screen_then_global(void **s)
{
    (void)s;
    ui *u = new_ui();
    assert_true(ui_push(u, &fake_screen, NULL));
    fake_state *st = u->top->state;
    assert_int_equal(st->opened, 1);
    ui_feed_key(u, ch('w'));                 /* the widget's */
    assert_int_equal(st->widget.widget_keys, 1);
    assert_int_equal(st->actions, 0);
    ui_feed_key(u, ch('\r'));                /* the screen's action */
    assert_int_equal(st->last_action, F_OPEN);
    ui_feed_key(u, ch('r'));                 /* the screen's raw key */
    assert_int_equal(st->raw_keys, 1);
    ui_feed_key(u, ch('z'));                 /* nobody's: nothing happens */
    assert_ptr_equal(u->top->ops, &fake_screen);
    ui_feed_key(u, ch('?'));                 /* global: help for this screen */
    assert_ptr_equal(u->top->ops, &ui_help_screen);
    ui_feed_key(u, ch('q'));                 /* global back closes the help */
    assert_ptr_equal(u->top->ops, &fake_screen);
    assert_ptr_equal(u->top->state, st);
    free_ui(u);
}

static void a_closing_screen_answers_the_one_beneath(void **s)
{
    (void)s;
    ui *u = new_ui();
    int closes = 0;
    closes_seen = &closes;
    ui_push(u, &fake_screen, NULL);
    fake_state *st = u->top->state;
    ui_feed_key(u, ch('c'));
    assert_ptr_equal(u->top->ops, &child_screen);
    ui_feed_key(u, ch('w'));                 /* the child has no widget: not the parent's either */
    assert_int_equal(st->widget.widget_keys, 0);
    ui_feed_key(u, ch('x'));
    assert_ptr_equal(u->top->ops, &fake_screen);
    assert_int_equal(closes, 1);
    assert_int_equal(st->done_result, 7);
    assert_string_equal(st->done_text, "seven");
    assert_int_equal(st->reloads, 1);        /* done asked for a reload */
    /* A screen that refuses to open leaves the stack as it was. */
    assert_false(ui_push(u, &refusing_screen, NULL));
    assert_ptr_equal(u->top->ops, &fake_screen);
    assert_string_equal(u->msg, "Nothing to show.");
    free_ui(u);
    assert_int_equal(closes, 2);
    closes_seen = NULL;
}

static void quitting_asks_and_dialogs_are_modal(void **s)
{
    (void)s;
    ui *u = new_ui();
    ui_push(u, &fake_screen, NULL);
    ui_feed_key(u, ch('Q'));
    assert_string_equal(u->top->ops->name, "Confirm");
    ui_feed_key(u, ch('?'));                 /* global keys do not reach under a dialog */
    assert_string_equal(u->top->ops->name, "Confirm");
    ui_feed_key(u, ch('Q'));
    assert_string_equal(u->top->ops->name, "Confirm");
    assert_ptr_equal(u->top->below->ops, &fake_screen); /* not asked twice */
    ui_feed_key(u, ch('\r'));                /* Enter is no: the default */
    assert_ptr_equal(u->top->ops, &fake_screen);
    assert_false(u->quit);
    ui_feed_key(u, ch(27));                  /* back on the first screen asks too */
    assert_string_equal(u->top->ops->name, "Confirm");
    ui_feed_key(u, ch('n'));
    assert_false(u->quit);
    ui_feed_key(u, ch('Q'));
    ui_feed_key(u, ch('y'));
    assert_true(u->quit);
    free_ui(u);
}

static int prompt_result;
static char prompt_text[64];
static int prompt_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)u, (void)s, (void)ctx;
    prompt_result = result;
    snprintf(prompt_text, sizeof prompt_text, "%s", text ? text : "(none)");
    return UI_REDRAW;
}

static void prompt_returns_its_text(void **s)
{
    (void)s;
    ui *u = new_ui();
    ui_push(u, &fake_screen, NULL);
    ui_prompt(u, "Skip step", "Reason", NULL, true, prompt_done, NULL);
    assert_string_equal(u->top->ops->name, "Prompt");
    ui_feed_key(u, ch('\r'));                /* required: refused while empty */
    assert_string_equal(u->top->ops->name, "Prompt");
    ui_feed_key(u, ch('q'));                 /* typing, not "back" */
    ui_feed_key(u, ch('?'));
    assert_string_equal(u->top->ops->name, "Prompt");
    ui_feed_key(u, ch('\r'));
    assert_ptr_equal(u->top->ops, &fake_screen);
    assert_int_equal(prompt_result, 1);
    assert_string_equal(prompt_text, "q?");
    ui_prompt(u, "Skip step", "Reason", "draft", false, prompt_done, NULL);
    ui_feed_key(u, ch(27));
    assert_int_equal(prompt_result, 0);
    assert_string_equal(prompt_text, "(none)");
    free_ui(u);
}

static void the_top_screen_is_ticked_only_when_it_asks_or_is_uncovered(void **s)
{
    (void)s;
    ui *u = new_ui();
    ui_push(u, &fake_screen, NULL);
    fake_state *st = u->top->state;
    u->dirty = false;
    ui_run_timers(u);                        /* nothing asked, nothing changed: no tick */
    assert_int_equal(st->ticks, 0);
    assert_false(u->dirty);
    ui_tick_in(u, 0);
    ui_run_timers(u);
    assert_int_equal(st->ticks, 1);
    assert_true(u->dirty);
    assert_int_equal(st->data_ticks, 0);     /* a timer tick: nothing changed */
    ui_run_timers(u);                        /* one request, one tick */
    assert_int_equal(st->ticks, 1);
    ui_tick_in(u, 60000);
    ui_tick_in(u, 30000);                    /* the earliest wins, still in the future */
    ui_run_timers(u);
    assert_int_equal(st->ticks, 1);
    assert_true(u->tick_due_ms > 0);
    ui_feed_key(u, ch('c'));                 /* a child on top: its timer is not the parent's */
    assert_ptr_equal(u->top->ops, &child_screen);
    assert_int_equal(u->tick_due_ms, 0);
    u->seen.state = 42;                      /* a look saw a state change meanwhile */
    ui_run_timers(u);
    assert_int_equal(st->ticks, 1);
    ui_feed_key(u, ch('x'));                 /* uncovered: ticked at once, told the data changed */
    assert_ptr_equal(u->top->ops, &fake_screen);
    ui_run_timers(u);
    assert_int_equal(st->ticks, 2);
    assert_int_equal(st->data_ticks, 1);
    free_ui(u);
}

/* A commit notification schedules one look once the commit is published
 * (100-200 ms), but never sooner than a refresh period after the last
 * look: commits that keep coming (an outbox being delivered) wake a
 * session at most every 0.5-0.8 s. */
static void notifications_are_looked_at_most_every_refresh_period(void **s)
{
    (void)s;
    ui *u = new_ui();
    int64_t now = hy_mono_ms();
    u->last_look_ms = now - 60000;           /* a lone commit, the last look long ago */
    ui_noticed(u);
    assert_true(u->look_due_ms >= now + 100 && u->look_due_ms <= hy_mono_ms() + 200);
    u->look_due_ms = 0;
    now = hy_mono_ms();
    u->last_look_ms = now;                   /* a look just now: the next commit waits */
    ui_noticed(u);
    assert_true(u->look_due_ms >= now + UI_REFRESH_MS && u->look_due_ms <= now + UI_REFRESH_MS + UI_REFRESH_SPREAD_MS);
    free_ui(u);
}

/* A partner admin's screen is ticked with "the data changed" (and so
 * reloads) only for changes in their organisation: a worker advancing
 * another organisation's requests makes a look (the session is checked)
 * but no reload; a change of one of theirs does. */
static void a_partners_screen_reloads_only_for_their_organisation(void **s)
{
    (void)s;
    t_env *e = t_exec_env();
    hy_principal admin, pb;
    t_admin(e, &admin);
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN], np[HY_UUID_LEN], uid[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(e, &admin, "Alpha Co", "st-alpha", org_a, np);
    t_partner(e, &admin, "Beta Co", "st-beta", org_b, np);
    t_user(e, "pat@beta.example", "partner_admin", org_b, "Secret-pass-123", uid);
    t_login(e, "pat@beta.example", &pb);
    pb.must_change_password = false;
    hy_app *mine = t_open_app(e->app->cfg->database.path); /* the session's own connection */
    ui *u = new_ui();
    u->ctx = &mine->ctx;
    u->me = pb;
    u->logged_in = true;
    ui_look(u);                              /* the first look */
    ui_push(u, &fake_screen, NULL);
    fake_state *st = u->top->state;
    /* organisation A: a request started, its input given, its steps run */
    t_start_user(e, &admin, org_a, id);
    t_submit_ok(e, &admin, id, "input_user_details", "firstname=Ann", "lastname=Alpha", "email=ann@alpha.example", NULL);
    t_drain(e);
    ui_look(u);
    assert_int_equal(st->data_ticks, 0);     /* not one of theirs: no reload */
    assert_int_equal(st->ticks, 0);
    /* organisation B: a request started */
    t_start_user(e, &admin, org_b, id);
    ui_look(u);
    assert_int_equal(st->data_ticks, 1);
    t_submit_ok(e, &admin, id, "input_user_details", "firstname=Bob", "lastname=Beta", "email=bob@beta.example", NULL);
    t_drain(e);
    ui_look(u);
    assert_int_equal(st->data_ticks, 2);
    free_ui(u);
    app_close(mine);
    t_env_free(e);
}

static void errors_go_to_the_message_line_or_back_to_login(void **s)
{
    (void)s;
    ui *u = new_ui();
    ui_push(u, &fake_screen, NULL);
    ui_feed_key(u, ch('e'));
    assert_string_equal(u->msg, "That step is running"); /* capitalised */
    assert_ptr_equal(u->top->ops, &fake_screen);
    ui_feed_key(u, ch('c'));
    ui_feed_key(u, ch('e'));                 /* the child does not take 'e': nothing */
    assert_ptr_equal(u->top->ops, &child_screen);
    ui_feed_key(u, ch('x'));
    ui_feed_key(u, ch('a'));                 /* session expired: everything closes */
    assert_ptr_equal(u->top->ops, &ui_login_screen);
    assert_null(u->top->below);
    ui_form *f = u->top->state;              /* the login state starts with its form */
    assert_string_equal(f->message, "Session expired: log in again");
    assert_string_equal(u->msg, "");
    free_ui(u);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_pass_widget_then_screen_then_global),
        cmocka_unit_test(a_closing_screen_answers_the_one_beneath),
        cmocka_unit_test(quitting_asks_and_dialogs_are_modal),
        cmocka_unit_test(prompt_returns_its_text),
        cmocka_unit_test(the_top_screen_is_ticked_only_when_it_asks_or_is_uncovered),
        cmocka_unit_test(notifications_are_looked_at_most_every_refresh_period),
        cmocka_unit_test(a_partners_screen_reloads_only_for_their_organisation),
        cmocka_unit_test(errors_go_to_the_message_line_or_back_to_login),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
