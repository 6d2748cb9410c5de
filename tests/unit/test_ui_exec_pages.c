/* The executions list's page cache (ui/exec_pages.h): a page comes back
 * as a copy of what was put, under its key only, the least recently used
 * page makes room, and clear forgets everything. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_pages.h"

/* A page of n summaries whose strings say which page and row they are. */
static hy_exec_page page_of(const char *tag, int n)
{
    hy_exec_page pg = {.count = n, .more = true, .next_before = 42, .total = 7, .counts_exact = true, .matched = 5};
    pg.counts[HY_EXEC_FAILED] = 3;
    pg.items = xcalloc((size_t)(n ? n : 1), sizeof *pg.items);
    for (int i = 0; i < n; i++) {
        char b[64];
        snprintf(b, sizeof b, "%s-%d", tag, i);
        pg.items[i].id = xstrdup(b);
        pg.items[i].status = xstrdup("failed");
        pg.items[i].user_email = xstrdup(b);
        pg.items[i].current_step = i + 1;
        pg.items[i].cursor = 100 + i;
    }
    return pg;
}

static void a_page_comes_back_as_a_copy(void **s)
{
    (void)s;
    ui_exec_pages c = {0};
    hy_exec_page pg = page_of("a", 3), got;
    assert_false(ui_exec_pages_get(&c, "0|0|0|20|", 0, &got));
    ui_exec_pages_put(&c, "0|0|0|20|", 0, &pg);
    hy_exec_page_free(&pg); /* the cache kept its own copy */
    assert_true(ui_exec_pages_get(&c, "0|0|0|20|", 0, &got));
    assert_int_equal(got.count, 3);
    assert_true(got.more);
    assert_int_equal(got.next_before, 42);
    assert_int_equal(got.total, 7);
    assert_int_equal(got.matched, 5);
    assert_int_equal(got.counts[HY_EXEC_FAILED], 3);
    assert_string_equal(got.items[2].id, "a-2");
    assert_string_equal(got.items[2].user_email, "a-2");
    assert_null(got.items[2].organization_name);
    assert_int_equal(got.items[2].cursor, 102);
    /* what the screen does with its copy does not reach the cache */
    free(got.items[0].id);
    got.items[0].id = xstrdup("changed");
    hy_exec_page again;
    assert_true(ui_exec_pages_get(&c, "0|0|0|20|", 0, &again));
    assert_string_equal(again.items[0].id, "a-0");
    hy_exec_page_free(&got);
    hy_exec_page_free(&again);
    /* another key (a search, another limit) is another page */
    assert_false(ui_exec_pages_get(&c, "0|0|0|20|use", 0, &got));
    assert_false(ui_exec_pages_get(&c, "0|0|0|21|", 0, &got));
    ui_exec_pages_clear(&c);
    assert_false(ui_exec_pages_get(&c, "0|0|0|20|", 0, &got));
}

/* What depends on the time alone (late, stuck for N hours) moves without a
 * commit: an old page is read again. */
static void an_old_page_is_read_again(void **s)
{
    (void)s;
    ui_exec_pages c = {0};
    hy_exec_page pg = page_of("old", 1), got;
    ui_exec_pages_put(&c, "k", 1000, &pg);
    hy_exec_page_free(&pg);
    assert_true(ui_exec_pages_get(&c, "k", 1000 + UI_EXEC_PAGE_MAX_AGE_MS, &got));
    hy_exec_page_free(&got);
    assert_false(ui_exec_pages_get(&c, "k", 1001 + UI_EXEC_PAGE_MAX_AGE_MS, &got));
    pg = page_of("new", 2);
    ui_exec_pages_put(&c, "k", 1001 + UI_EXEC_PAGE_MAX_AGE_MS, &pg); /* read again: the new page in its place */
    hy_exec_page_free(&pg);
    assert_true(ui_exec_pages_get(&c, "k", 1001 + UI_EXEC_PAGE_MAX_AGE_MS, &got));
    assert_string_equal(got.items[1].id, "new-1");
    hy_exec_page_free(&got);
    ui_exec_pages_clear(&c);
}

static void the_least_recently_used_page_makes_room(void **s)
{
    (void)s;
    ui_exec_pages c = {0};
    char key[32];
    for (int i = 0; i < UI_EXEC_PAGES; i++) {
        hy_exec_page pg = page_of("p", i);
        snprintf(key, sizeof key, "%d", i);
        ui_exec_pages_put(&c, key, 0, &pg);
        hy_exec_page_free(&pg);
    }
    hy_exec_page got;
    assert_true(ui_exec_pages_get(&c, "0", 0, &got)); /* 0 used again: 1 is now the oldest */
    hy_exec_page_free(&got);
    hy_exec_page pg = page_of("new", 1);
    ui_exec_pages_put(&c, "new", 0, &pg);
    hy_exec_page_free(&pg);
    assert_false(ui_exec_pages_get(&c, "1", 0, &got));
    for (int i = 0; i < UI_EXEC_PAGES; i++) {
        snprintf(key, sizeof key, "%d", i);
        if (i == 1) continue;
        assert_true(ui_exec_pages_get(&c, key, 0, &got));
        assert_int_equal(got.count, i);
        hy_exec_page_free(&got);
    }
    /* the same query read again replaces its page, in place */
    pg = page_of("newer", 2);
    ui_exec_pages_put(&c, "new", 0, &pg);
    hy_exec_page_free(&pg);
    assert_true(ui_exec_pages_get(&c, "new", 0, &got));
    assert_int_equal(got.count, 2);
    assert_string_equal(got.items[1].id, "newer-1");
    hy_exec_page_free(&got);
    assert_true(ui_exec_pages_get(&c, "0", 0, &got));
    hy_exec_page_free(&got);
    ui_exec_pages_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_page_comes_back_as_a_copy),
        cmocka_unit_test(the_least_recently_used_page_makes_room),
        cmocka_unit_test(an_old_page_is_read_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
