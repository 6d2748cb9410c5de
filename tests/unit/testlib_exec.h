/* Helpers for the engine and execution tests: drive workflows through ops
 * and run the engine in the test process. */
#ifndef HY_TESTLIB_EXEC_H
#define HY_TESTLIB_EXEC_H

#include "engine.h"
#include "ops.h"
#include "testlib.h"

/* t_env_new / t_env_from_file with every integration simulated
 * (config_default() already simulates; this keeps the intent explicit). */
t_env *t_exec_env(void);
t_env *t_exec_env_from_file(const char *src_db);
/* Sets every integration's mode. */
void t_set_modes(t_env *e, hy_mode m);

/* Another connection to an environment's database, as a separate process
 * would open it (simulated integrations). For forked children. */
hy_app *t_open_app(const char *db_path);
/* A forked worker's life: drains until nothing is scheduled any more.
 * Returns 0, or 1 after printing an error (e.g. a busy database). */
int t_worker_until_idle(hy_app *app, int lease_ms);

/* Runs every runnable step now (the engine on the test's connection). */
void t_drain(t_env *e);
/* Submits key=value pairs (NULL-terminated) to a step; returns the ops code, err filled. */
int t_submit(t_env *e, const hy_principal *p, const char *exec, const char *step, hy_err *err, ...);
/* Like t_submit, fails the test if the submission is refused. */
void t_submit_ok(t_env *e, const hy_principal *p, const char *exec, const char *step, ...);
/* A completed new_partner run for an organisation (TEST/PROD ids <prefix>-t / -p). */
void t_partner(t_env *e, const hy_principal *admin, const char *name, const char *studio_prefix,
               char org_id[HY_UUID_LEN], char exec_id[HY_UUID_LEN]);
/* A new_partner_user execution started with --org, waiting at step 2. */
void t_start_user(t_env *e, const hy_principal *p, const char *org_id, char exec_id[HY_UUID_LEN]);
/* The status of an execution / of its step N. Caller frees. */
char *t_exec_status(t_env *e, const char *exec_id);
char *t_step_status(t_env *e, const char *exec_id, int order);
/* exec_counts agrees with the execution rows (fails the test otherwise). */
void t_assert_counts_consistent(t_env *e);
/* Rebuilds exec_counts after a test changed execution rows with SQL. */
void t_recount(t_env *e);
/* One text value: t_text(e, "SELECT ... WHERE id = ?", arg). Caller frees. */
char *t_text(t_env *e, const char *sql, const char *arg);
/* Onboards email into org (new_partner_user as p, simulated) to completion;
 * returns the user id (caller frees). */
char *t_onboard(t_env *e, const hy_principal *p, const char *org_id, const char *email);
/* The external id of an organisation's system group of tool, or "(null)". Caller frees. */
char *t_org_group(t_env *e, const char *org_id, const char *tool);
/* t_text equals expected (fails the test otherwise). */
#define EXPECT_TEXT(e, expected, sql, arg)                                                                         \
    do {                                                                                                           \
        char *v_ = t_text(e, sql, arg);                                                                            \
        assert_string_equal(v_, expected);                                                                         \
        free(v_);                                                                                                  \
    } while (0)

#endif
