/* Work off the UI thread: an ops call that may wait on the network (a
 * Metabase panel, the integrations check) runs on its own thread, with its
 * own database connection (a connection belongs to one thread) and a copy
 * of the caller's principal. It never touches curses: it only fills the
 * job's argument. The screen shows that it is waiting, polls ui_job_done
 * from its tick, then takes the result with ui_job_take.
 *
 *   st->job = ui_job_start(u, load_fn, arg, arg_free);   // arg now the job's
 *   ...tick: if (st->job && ui_job_done(st->job)) {
 *               hy_err err; int rc;
 *               my_arg *a = ui_job_take(&st->job, &rc, &err);  // yours again
 *               ...; arg_free(a); }
 *   ...close: ui_job_abandon(u, &st->job);   // it ends on its own
 *
 * A job whose screen closed before it ended is abandoned: the UI reaps it
 * when it ends, and ui_jobs_wait (at exit, before the database and the
 * configuration are closed) waits for the rest. */
#ifndef HY_UI_JOB_H
#define HY_UI_JOB_H

#include <stdbool.h>

#include "fw.h"

/* Runs on the job's thread with its own connection (c->db). Returns 0 or
 * an hy_code with err filled. */
typedef int (*ui_job_fn)(hy_ctx *c, const hy_principal *p, void *arg, hy_err *err);

typedef struct ui_job ui_job;

/* Starts fn(ctx, copy of u->me, arg). arg belongs to the job until taken;
 * arg_free (may be NULL) frees it if the job is abandoned. Never NULL. */
ui_job *ui_job_start(ui *u, ui_job_fn fn, void *arg, void (*arg_free)(void *));
/* Has fn returned? (never blocks) */
bool ui_job_done(const ui_job *j);
/* After ui_job_done: joins the thread, frees the job (*jp = NULL) and hands
 * back arg, fn's return code and its error. */
void *ui_job_take(ui_job **jp, int *rc, hy_err *err);
/* The screen no longer waits: the job ends on its own (*jp = NULL). */
void ui_job_abandon(ui *u, ui_job **jp);
/* Milliseconds since the job started. */
int ui_job_elapsed_ms(const ui_job *j);

/* Reaps abandoned jobs that ended (called by ui_job_start). */
void ui_jobs_reap(ui *u);
/* Waits up to max_ms for every abandoned job; returns how many still run
 * (their thread still uses the configuration: do not free it then). */
int ui_jobs_wait(ui *u, int max_ms);

#endif
