#include "exec_search.h"

#include "db.h"
#include "util.h"

/* Runners index in batches of about this many, or when the oldest waited
 * this long; an interactive action only when the backlog is several times
 * that (no runner running), so it rarely pays for the index itself. */
#define FLUSH_AT 64
#define FLUSH_AFTER_MS 1000
#define BACKSTOP_FACTOR 8

bool exec_search_due(hy_ctx *c, bool backstop, hy_err *err, int *rc)
{
    int64_t n = 0, oldest = 0;
    hy_stmt *st = db_query(c->db, err, "SELECT count(*), min(at) FROM exec_search_pending", "");
    if (db_row(st)) {
        n = db_int(st, 0);
        oldest = db_int(st, 1);
    }
    *rc = db_done(st);
    int f = backstop ? BACKSTOP_FACTOR : 1;
    return *rc == 0 && n > 0 && (n >= FLUSH_AT * f || hy_now_ms() - oldest >= FLUSH_AFTER_MS * f);
}

int exec_search_flush(hy_ctx *c, bool force, hy_err *err)
{
    int rc = 0;
    if (!force && !exec_search_due(c, false, err, &rc)) return rc;
    return exec_search_index(c, err);
}

int exec_search_index(hy_ctx *c, hy_err *err)
{
    /* One FTS write for the whole batch: out with the text last indexed, in
     * with the current one (none for deleted executions). CROSS JOIN keeps
     * the pending rows the outer loop: without statistics SQLite chose to
     * scan every execution for the third statement (27 ms per batch on
     * 100,000 executions). */
    static const char *const steps[] = {
        "INSERT INTO exec_search(exec_search, rowid, search_text) SELECT 'delete', c.rowid, c.search_text "
        "FROM exec_search_pending p CROSS JOIN exec_search_content c ON c.rowid = p.rowid",
        "DELETE FROM exec_search_content WHERE rowid IN (SELECT rowid FROM exec_search_pending)",
        "INSERT INTO exec_search_content(rowid, search_text) SELECT e.rowid, e.search_text "
        "FROM exec_search_pending p CROSS JOIN workflow_executions e ON e.rowid = p.rowid WHERE e.search_text IS NOT NULL",
        "INSERT INTO exec_search(rowid, search_text) SELECT c.rowid, c.search_text "
        "FROM exec_search_pending p CROSS JOIN exec_search_content c ON c.rowid = p.rowid",
        "DELETE FROM exec_search_pending",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int rc = db_exec(c->db, err, steps[i], "");
        if (rc) return rc;
    }
    return 0;
}
