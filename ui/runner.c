/* The engine's runner thread inside the TUI process (see fw.h): started
 * once a session is fully logged in, stopped on logout and quit; not
 * started, or paused, while a `hyopps worker` is alive (u->seen). It has
 * its own database connection, never touches curses and never polls: the
 * main loop kicks it when another process changed the state. */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "engine.h"
#include "fw.h"
#include "ops.h"

static bool worker_alive(ui *u)
{
    if (!u->seen.valid) { /* not looked yet (tests drive the framework without ui_session_start) */
        hy_err err;
        hy_err_clear(&err);
        unsigned changed;
        (void)ops_watch(u->ctx, u->logged_in ? &u->me : NULL, &u->seen, &changed, &err);
    }
    return u->seen.worker_until > hy_now_ms();
}

void ui_runner_start(ui *u)
{
    if (u->runner || !u->logged_in || u->me.must_change_password || !u->app) return;
    if (worker_alive(u)) return; /* the workers run the steps: no thread, no connection */
    hy_runner_opts o = {0}; /* no polling: ui_look kicks it */
    /* A partner admin's session (often a restricted shell that may drop at
     * any moment) advances only the requests it started; the sessions of
     * staff (who see everything) and `hyopps worker` run everything, and
     * deliver notifications. */
    if (!ops_can(&u->me, HY_CAP_READ_ALL)) {
        hy_strlcpy(u->runner_owner, u->me.user_id, sizeof u->runner_owner);
        o.only_requested_by = u->runner_owner;
    } else {
        o.notify = true;
    }
    hy_err err;
    hy_err_clear(&err);
    /* The thread starts with every signal blocked (it inherits the mask):
     * SIGTERM, SIGHUP and SIGINT must reach the UI thread, whose wait for a
     * key they interrupt. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = runner_start(u->app, &o, &u->runner, &err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        u->runner = NULL;
        ui_msg(u, UI_S_ERROR, "Steps cannot run in this session (%s); a `hyopps worker` can run them.",
               err.msg[0] ? err.msg : hy_code_name(err.code));
    }
}

void ui_runner_sync(ui *u)
{
    if (!u->logged_in) return;
    bool worker = u->seen.worker_until > hy_now_ms();
    if (u->runner) runner_pause(u->runner, worker); /* resumed: it looks at once */
    else if (!worker) ui_runner_start(u);
}

void ui_runner_kick(ui *u) { runner_kick(u->runner); }

bool ui_runner_busy(ui *u)
{
    if (!u->runner) return false;
    hy_runner_status st;
    runner_get_status(u->runner, &st);
    return st.running;
}

void ui_runner_stop(ui *u)
{
    runner_stop(u->runner); /* NULL is ignored */
    u->runner = NULL;
}
