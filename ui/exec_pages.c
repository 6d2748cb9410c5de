/* The executions list's last pages: see exec_pages.h. */
#include "exec_pages.h"

#include <stdlib.h>

#include "util.h"

bool ui_exec_pages_get(ui_exec_pages *c, const char *key, int64_t now_ms, hy_exec_page *out)
{
    for (int i = 0; i < UI_EXEC_PAGES; i++)
        if (c->slot[i].key && hy_streq(c->slot[i].key, key)) {
            if (now_ms - c->slot[i].read_ms > UI_EXEC_PAGE_MAX_AGE_MS) return false; /* put replaces it */
            c->slot[i].used = ++c->clock;
            hy_exec_page_copy(&c->slot[i].page, out);
            return true;
        }
    return false;
}

void ui_exec_pages_put(ui_exec_pages *c, const char *key, int64_t now_ms, const hy_exec_page *pg)
{
    int victim = -1;
    for (int i = 0; i < UI_EXEC_PAGES && victim < 0; i++) /* the same query read again: the newer page */
        if (c->slot[i].key && hy_streq(c->slot[i].key, key)) victim = i;
    for (int i = 0; i < UI_EXEC_PAGES && victim < 0; i++)
        if (!c->slot[i].key) victim = i;
    if (victim < 0) {
        victim = 0;
        for (int i = 1; i < UI_EXEC_PAGES; i++)
            if (c->slot[i].used < c->slot[victim].used) victim = i;
    }
    free(c->slot[victim].key);
    hy_exec_page_free(&c->slot[victim].page);
    c->slot[victim].key = xstrdup(key);
    hy_exec_page_copy(pg, &c->slot[victim].page);
    c->slot[victim].used = ++c->clock;
    c->slot[victim].read_ms = now_ms;
}

void ui_exec_pages_clear(ui_exec_pages *c)
{
    for (int i = 0; i < UI_EXEC_PAGES; i++) {
        free(c->slot[i].key);
        hy_exec_page_free(&c->slot[i].page);
    }
    *c = (ui_exec_pages){0};
}
