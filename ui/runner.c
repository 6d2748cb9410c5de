/* The engine's runner thread inside the TUI process (see fw.h): started
 * once a session is fully logged in, stopped on logout and quit. It has its
 * own database connection and never touches curses; screens learn about
 * its work by polling ops. */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "engine.h"
#include "fw.h"
#include "ops.h"

void ui_runner_start(ui *u)
{
    if (u->runner || !u->logged_in || u->me.must_change_password || !u->app) return;
    hy_runner_opts o = {0};
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
