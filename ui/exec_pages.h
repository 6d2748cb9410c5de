/* The executions list's last pages, by query: flipping between status
 * filters, or clearing a search, shows a page read moments ago instead of
 * reading it again. On a bastion every such read after another process's
 * commit starts from a cold page cache (WAL mode: SQLite drops a
 * connection's cache whenever the database changed), so a filter key cost
 * a millisecond of CPU while a worker ran.
 *
 * A page is kept only while nothing it shows can have changed: the screen
 * empties the cache at every tick (the main loop's look saw its data
 * change, or the screen came back from under another, where an action may
 * have changed it) and at every reload (C-r, an action's UI_RELOAD); a
 * page older than UI_EXEC_PAGE_MAX_AGE_MS is read again. What
 * is kept is what ops returned, authorised for this principal; a session
 * ended meanwhile is caught by the main loop's check (ui_look), as before.
 *
 *   ui_exec_pages pages = {0};
 *   if (!ui_exec_pages_get(&pages, key, now, &pg)) { ops_exec_list(..., &pg, ...); ui_exec_pages_put(&pages, key, now, &pg); }
 *   ...; hy_exec_page_free(&pg);  // get and put copy
 *   ui_exec_pages_clear(&pages);  // when the data may have changed, and at the end
 */
#ifndef HY_UI_EXEC_PAGES_H
#define HY_UI_EXEC_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "ops.h"

#define UI_EXEC_PAGES 8 /* the status filters and a search or two */
/* A page older than this is read again: what it shows that depends on the
 * time alone (late, stuck for more than N hours) moves without a commit. */
#define UI_EXEC_PAGE_MAX_AGE_MS 30000

typedef struct {
    struct {
        char *key;          /* the query (the screen's words for it); NULL: free */
        hy_exec_page page;  /* owned */
        uint64_t used;      /* for the least recently used */
        int64_t read_ms;    /* when it was read (the caller's clock) */
    } slot[UI_EXEC_PAGES];
    uint64_t clock;
} ui_exec_pages;

/* A copy of the page kept under key into *out (the caller frees it), or
 * false (none, or read more than UI_EXEC_PAGE_MAX_AGE_MS before now_ms). */
bool ui_exec_pages_get(ui_exec_pages *c, const char *key, int64_t now_ms, hy_exec_page *out);
/* Keeps a copy of pg, read at now_ms, under key, in place of the least
 * recently used page. */
void ui_exec_pages_put(ui_exec_pages *c, const char *key, int64_t now_ms, const hy_exec_page *pg);
void ui_exec_pages_clear(ui_exec_pages *c);

#endif
