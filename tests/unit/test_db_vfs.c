/* The VFS that writes a transaction's WAL frames at once (db_vfs.c): every
 * commit is in the file before anyone can see it (another connection reads
 * it at once, whatever the transaction's size), and a writer killed with
 * SIGKILL at any moment loses no commit it acknowledged and leaves a sound
 * database. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "testlib.h"
#include "util.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/hyopps-vfs.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static hy_db *open_db(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hy_db *db = NULL;
    hy_err err;
    hy_err_clear(&err);
    if (db_open_raw(path, &db, &err) != 0) fail_msg("open: %s", err.msg);
    return db;
}

static int64_t get_int(hy_db *db, const char *sql)
{
    hy_err err;
    hy_err_clear(&err);
    int64_t v = -1;
    if (db_get_int(db, &err, &v, NULL, sql, "") != 0) fail_msg("%s: %s", sql, err.msg);
    return v;
}

static void ok_integrity(hy_db *db)
{
    hy_err err;
    hy_err_clear(&err);
    char *r = NULL;
    assert_int_equal(db_get_text(db, &err, &r, "PRAGMA integrity_check", ""), 0);
    assert_string_equal(r, "ok");
    free(r);
}

/* One transaction of n rows of 3,000 bytes (about a page each). */
static void commit_rows(hy_db *db, int first, int n)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_begin(db, &err) != 0) fail_msg("begin: %s", err.msg);
    for (int i = 0; i < n; i++)
        if (db_exec(db, &err, "INSERT INTO t(id, b) VALUES(?, randomblob(3000))", "i", first + i) != 0)
            fail_msg("insert: %s", err.msg);
    if (db_commit(db, &err) != 0) fail_msg("commit: %s", err.msg);
}

static void another_connection_sees_every_commit(void **state)
{
    (void)state;
    hy_db *w = open_db("see.db"), *r = open_db("see.db");
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(w, "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB NOT NULL)", &err), 0);
    /* from one page to far more than one write of the VFS (124 KiB) and the
     * unix VFS's largest (128 KiB) */
    static const int sizes[] = {1, 2, 29, 30, 31, 45, 100, 400, 1, 3};
    int total = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        commit_rows(w, total, sizes[k]);
        total += sizes[k];
        assert_int_equal(get_int(r, "SELECT count(*) FROM t"), total);
        assert_int_equal(get_int(r, "SELECT sum(length(b)) FROM t"), get_int(w, "SELECT sum(length(b)) FROM t"));
        assert_int_equal(get_int(r, "SELECT count(*) FROM t WHERE length(b) = 3000"),
                         get_int(w, "SELECT count(*) FROM t WHERE length(b) = 3000"));
        /* rewrites of pages already in the WAL, in the same and later transactions */
        assert_int_equal(db_exec(w, &err, "UPDATE t SET b = randomblob(2000) WHERE id % 7 = ?", "i", (int)(k % 7)), 0);
        assert_int_equal(get_int(r, "SELECT count(*) FROM t WHERE length(b) = 2000"),
                         get_int(w, "SELECT count(*) FROM t WHERE length(b) = 2000"));
    }
    /* a checkpoint through the reader, then more: the WAL starts over */
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(r, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
    commit_rows(w, total, 50);
    total += 50;
    assert_int_equal(get_int(r, "SELECT count(*) FROM t"), total);
    ok_integrity(r);
    db_close(w);
    db_close(r);
    /* reopened from the files alone */
    hy_db *again = open_db("see.db");
    assert_int_equal(get_int(again, "SELECT count(*) FROM t"), total);
    ok_integrity(again);
    db_close(again);
}

static void a_killed_writer_loses_no_acknowledged_commit(void **state)
{
    (void)state;
    hy_db *db = open_db("kill.db");
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_exec_script(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB NOT NULL)", &err), 0);
    db_close(db);
    int next = 0;
    for (int round = 0; round < 6; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            hy_db *w = open_db("kill.db");
            for (int id = next;; ) {
                int n = 1 + (id * 7919) % 60; /* 1 to 60 pages, some over one write */
                commit_rows(w, id, n);
                id += n;
                if (write(fds[1], &id, sizeof id) != (ssize_t)sizeof id) _exit(1); /* acknowledged */
            }
        }
        close(fds[1]);
        /* let it commit a while, then kill it wherever it is */
        int acked = next, got;
        for (int k = 0; k < 5 + round * 3 && read(fds[0], &got, sizeof got) == (ssize_t)sizeof got; k++) acked = got;
        kill(pid, SIGKILL);
        while (read(fds[0], &got, sizeof got) == (ssize_t)sizeof got) acked = got; /* acks sent before the kill */
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        hy_db *r = open_db("kill.db");
        int64_t have = get_int(r, "SELECT count(*) FROM t");
        assert_true(have >= acked);
        assert_int_equal(get_int(r, "SELECT coalesce(max(id), -1) + 1 FROM t"), have); /* no gaps: whole transactions */
        ok_integrity(r);
        db_close(r);
        next = (int)have;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(another_connection_sees_every_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(a_killed_writer_loses_no_acknowledged_commit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
