#include "exec_search.h"

#include "db.h"
#include "util.h"

#define FLUSH_AT 64          /* pending executions */
#define FLUSH_AFTER_MS 1000  /* or the oldest waited this long */

int exec_search_flush(hy_ctx *c, bool force, hy_err *err)
{
    if (!force) {
        int64_t n = 0, oldest = 0;
        hy_stmt *st = db_query(c->db, err, "SELECT count(*), min(at) FROM exec_search_pending", "");
        if (db_row(st)) {
            n = db_int(st, 0);
            oldest = db_int(st, 1);
        }
        int rc = db_done(st);
        if (rc) return rc;
        if (n == 0 || (n < FLUSH_AT && hy_now_ms() - oldest < FLUSH_AFTER_MS)) return 0;
    }
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
