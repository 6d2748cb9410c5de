#include "testlib_steps.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "ops.h"
#include "util.h"
#include "workflows.h"

ts_control ts;

static void append(const char *file, const char *line)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ts.dir, file);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;
    ssize_t w = write(fd, line, strlen(line)); /* one write: atomic with O_APPEND */
    (void)w;
    close(fd);
}

int ts_lines_with(const char *file, const char *needle)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ts.dir, file);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (!needle || strstr(line, needle)) n++;
    fclose(f);
    return n;
}

int ts_lines(const char *file) { return ts_lines_with(file, NULL); }

static void sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {}
}

static int run_ext_call(hy_step_run *r, hy_err *err)
{
    char line[128];
    snprintf(line, sizeof line, "%s ext_call %d\n", r->execution_id, getpid());
    append("runs.log", line);
    step_record_call(r, "POST", "/things", 201, 3);
    if (ts.sleep_ms) {
        sleep_ms(ts.sleep_ms);
        int64_t exp = 0;
        hy_err e2;
        hy_err_clear(&e2);
        db_get_int(r->c->db, &e2, &exp, NULL, "SELECT lease_expires_at FROM workflow_step_executions WHERE id = ?",
                   "t", r->step_id);
        ts.saw_renewed_lease = exp > hy_now_ms();
    }
    if (ts.mode == TS_TRANSIENT && ts.transient_left > 0) {
        ts.transient_left--;
        err->retry_after = ts.retry_after;
        return hy_fail(err, HY_ERR_TRANSIENT, "service unavailable (503)");
    }
    if (ts.mode == TS_PERMANENT && ts.permanent_left > 0) {
        ts.permanent_left--;
        return hy_fail(err, HY_ERR_PERMANENT, "the service refused (400): bad request");
    }
    if (ts.checkpoint) {
        const cJSON *sent = cJSON_GetObjectItemCaseSensitive(r->checkpoint, "sent");
        if (!cJSON_IsTrue(sent)) {
            ts.sends++;
            cJSON *cp = cJSON_CreateObject();
            cJSON_AddBoolToObject(cp, "sent", 1);
            int rc = step_save_checkpoint(r, cp, err);
            cJSON_Delete(cp);
            if (rc) return rc;
            return hy_fail(err, HY_ERR_TRANSIENT, "the connection dropped after sending");
        }
        cJSON_AddBoolToObject(r->output, "resumed", 1);
    }
    if (ts.mode == TS_BLOCK_BEFORE) {
        ssize_t w = write(ts.ready_fd, "r", 1);
        (void)w;
        char c;
        ssize_t rd = read(ts.block_fd, &c, 1);
        (void)rd;
    }
    /* find, else create */
    char path[512];
    snprintf(path, sizeof path, "%s/effects/%s", ts.dir, r->execution_id);
    bool found = access(path, F_OK) == 0;
    if (!found) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) close(fd);
        snprintf(line, sizeof line, "%s\n", r->execution_id);
        append("creations.log", line);
    }
    if (ts.mode == TS_BLOCK_AFTER) {
        ssize_t w = write(ts.ready_fd, "r", 1);
        (void)w;
        char c;
        ssize_t rd = read(ts.block_fd, &c, 1);
        (void)rd;
    }
    cJSON_AddStringToObject(r->output, "thing_id", r->execution_id);
    cJSON_AddBoolToObject(r->output, "found", found);
    return 0;
}

static int run_local_work(hy_step_run *r, hy_err *err)
{
    (void)err;
    cJSON_AddNumberToObject(r->output, "work", 1);
    return 0;
}

static int persist_local_work(hy_step_io *io, hy_err *err)
{
    return db_exec(io->c->db, err, "INSERT INTO test_effects(exec_id, step) VALUES(?, 'local_work')", "t",
                   io->execution_id);
}

static const hy_step_def TEST_STEPS[] = {
    {.id = "7b000000-0000-4000-8000-000000000301", .name = "ext_call", .label = "External call", .kind = HY_STEP_AUTO,
     .description = "test", .integration = HY_INT_EXTERNAL, .run = run_ext_call},
    {.id = "7b000000-0000-4000-8000-000000000302", .name = "local_work", .label = "Local work", .kind = HY_STEP_AUTO,
     .description = "test", .integration = HY_INT_STUDIO, .run = run_local_work, .persist = persist_local_work},
};

static const hy_workflow_def TEST_FLOW = {
    .id = "7b000000-0000-4000-8000-000000000003",
    .name = "test_flow",
    .label = "Test flow",
    .description = "controlled by the tests",
    .steps = TEST_STEPS,
    .nsteps = 2,
};

void ts_register(t_env *e)
{
    hy_err err;
    hy_err_clear(&err);
    if (workflows_register(e->c, &TEST_FLOW, &err) != 0) fail_msg("register: %s", err.msg);
    if (db_exec_script(e->c->db, "CREATE TABLE IF NOT EXISTS test_effects(exec_id TEXT, step TEXT)", &err) != 0)
        fail_msg("test_effects: %s", err.msg);
    memset(&ts, 0, sizeof ts);
    snprintf(ts.dir, sizeof ts.dir, "%s", e->dir);
    char path[512];
    snprintf(path, sizeof path, "%s/effects", e->dir);
    mkdir(path, 0700);
}

void ts_start(t_env *e, const hy_principal *admin, char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(e->c, admin, "test_flow", NULL, id, &err) != 0) fail_msg("start test_flow: %s", err.msg);
}
