/* The execution list on a big database: every filter a TUI sends per
 * keystroke, timed through ops_exec_list (a page of 100 rows with their
 * summaries, and the counts per status). Target: <= 30 ms per keystroke on
 * 200,000 executions.
 *
 *   bench_list [--executions N] [--orgs K] [--repeat R]
 *   BENCH_CACHE_DB=FILE  reuse (or save) the generated database
 *
 * Prints Markdown table rows. */
#include "bench_common.h"

static int repeat = 15;

static void timed(t_env *e, const hy_principal *p, const char *label, hy_exec_query q)
{
    double *t = xcalloc((size_t)repeat, sizeof *t);
    hy_exec_page pg = {0};
    hy_err err;
    for (int i = 0; i < repeat; i++) {
        hy_err_clear(&err);
        double a = now_us();
        if (ops_exec_list(e->c, p, &q, &pg, &err) != 0) die(label, &err);
        t[i] = (now_us() - a) / 1000;
        if (i + 1 < repeat) hy_exec_page_free(&pg);
    }
    double med = quantile(t, repeat, 0.5), max = quantile(t, repeat, 1.0);
    char *shown = q.search ? xasprintf("\"%s\"", q.search) : xstrdup("");
    printf("| %s %s | %.1f | %.1f | %d | %lld%s |\n", label, shown, med, max, pg.count, (long long)pg.total,
           pg.counts_exact ? "" : "+");
    fflush(stdout);
    free(shown);
    hy_exec_page_free(&pg);
    free(t);
}

static void typing(t_env *e, const hy_principal *p, const char *label, const char *text, const char *org)
{
    char prefix[128];
    size_t n = strlen(text);
    for (size_t i = 1; i <= n; i++) {
        hy_strlcpy(prefix, text, i + 1 < sizeof prefix ? i + 1 : sizeof prefix);
        timed(e, p, label, (hy_exec_query){.search = prefix, .org_ref = org});
    }
}

int main(int argc, char **argv)
{
    int n = 200000, norgs = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--executions")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--orgs")) norgs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[i + 1]);
    }
    /* BENCH_CACHE_DB=FILE (diagnostics): a copy of FILE when it exists (made
     * by an earlier run with the same sizes), else saved there once made. */
    const char *cache = getenv("BENCH_CACHE_DB");
    bool cached = cache && access(cache, R_OK) == 0;
    t_env *e = cached ? t_exec_env_from_file(cache) : t_exec_env();
    hy_principal admin, pa;
    t_admin(e, &admin);
    char (*orgs)[HY_UUID_LEN] = xcalloc((size_t)norgs, sizeof *orgs);
    char uid[HY_UUID_LEN];
    double g0 = now_us();
    if (cached) {
        hy_err err;
        hy_err_clear(&err);
        hy_stmt *st = db_query(e->c->db, &err, "SELECT id FROM organizations ORDER BY rowid LIMIT ?", "i", norgs);
        for (int i = 0; i < norgs && db_row(st); i++) hy_strlcpy(orgs[i], db_text(st, 0), HY_UUID_LEN);
        if (db_done(st) != 0) die("the cached database's organisations", &err);
    } else {
        bench_orgs(e, &admin, norgs, orgs);
        char tpl[HY_UUID_LEN];
        bench_one_user(e, &admin, orgs[0], "template@load.example", tpl);
        bench_history(e, tpl, n - norgs - 1, 0.01);
        if (cache) {
            hy_err err;
            hy_err_clear(&err);
            if (db_exec(e->c->db, &err, "VACUUM INTO ?", "t", cache) != 0) die("save the database", &err);
        }
    }
    fprintf(stderr, "bench_list: %d executions over %d organisations (%.1f s to %s)\n", n, norgs, (now_us() - g0) / 1e6,
            cached ? "copy" : "generate");
    int k = norgs > 42 ? 42 : norgs - 1;
    char org_name[64];
    snprintf(org_name, sizeof org_name, "Partner %03d GmbH", k);
    t_user(e, "pa@partner42.example", "partner_admin", orgs[k], "partner-password-1", uid);
    t_login(e, "pa@partner42.example", &pa);
    char *some_id = t_text(e, "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1 OFFSET 777", NULL);
    char *some_email = t_text(e, "SELECT u.email FROM workflow_executions e JOIN users u ON u.id = e.user_id "
                                 "ORDER BY e.rowid DESC LIMIT 1 OFFSET 5000", NULL);
    char machine[512];
    FILE *mf = fmemopen(machine, sizeof machine, "w");
    bench_machine(e, mf);
    fclose(mf);
    printf("<!-- %s -->\n", machine);
    printf("| query | median ms | max ms | rows | matches |\n|---|---|---|---|---|\n");
    timed(e, &admin, "admin, no filter", (hy_exec_query){0});
    timed(e, &admin, "admin, status completed", (hy_exec_query){.status = "completed"});
    timed(e, &admin, "admin, status failed", (hy_exec_query){.status = "failed"});
    timed(e, &admin, "admin, status awaiting_input", (hy_exec_query){.status = "awaiting_input"});
    timed(e, &admin, "admin, status running (none)", (hy_exec_query){.status = "running"});
    timed(e, &admin, "admin, one organisation", (hy_exec_query){.org_ref = org_name});
    timed(e, &admin, "admin, organisation + failed", (hy_exec_query){.org_ref = org_name, .status = "failed"});
    timed(e, &pa, "partner admin, no filter", (hy_exec_query){0});
    timed(e, &pa, "partner admin, status failed", (hy_exec_query){.status = "failed"});
    /* page 50 by cursor */
    {
        hy_exec_query q = {0};
        hy_exec_page pg;
        hy_err err;
        for (int i = 0; i < 50; i++) {
            if (ops_exec_list(e->c, &admin, &q, &pg, &err) != 0) die("paging", &err);
            q.before = pg.next_before;
            hy_exec_page_free(&pg);
        }
        timed(e, &admin, "admin, page 51 (cursor)", q);
    }
    char typed_org[32];
    snprintf(typed_org, sizeof typed_org, "partner %03d", k);
    typing(e, &admin, "admin typing", typed_org, NULL);
    typing(e, &admin, "admin typing", some_email, NULL);
    char idp[9];
    hy_strlcpy(idp, some_id, sizeof idp);
    typing(e, &admin, "admin typing", idp, NULL);
    timed(e, &admin, "admin, common text", (hy_exec_query){.search = "example"});
    timed(e, &admin, "admin, common text + failed", (hy_exec_query){.search = "example", .status = "failed"});
    timed(e, &admin, "admin, no match", (hy_exec_query){.search = "zzzzzz"});
    /* issue 17: a person's name, the unfinished ones longest in their state, the stuck view */
    timed(e, &admin, "admin, a person's name", (hy_exec_query){.search = "first19 last19"});
    timed(e, &admin, "admin, awaiting input, longest in state",
          (hy_exec_query){.status = "awaiting_input", .order = HY_EXEC_LONGEST_IN_STATE});
    timed(e, &admin, "admin, failed, longest in state", (hy_exec_query){.status = "failed", .order = HY_EXEC_LONGEST_IN_STATE});
    timed(e, &admin, "admin, stuck more than 24 h", (hy_exec_query){.stuck_hours = 24});
    timed(e, &admin, "admin, stuck more than 24 h + text", (hy_exec_query){.stuck_hours = 24, .search = "partner 04"});
    timed(e, &pa, "partner admin, stuck more than 24 h", (hy_exec_query){.stuck_hours = 24});
    typing(e, &pa, "partner admin typing", "user1", NULL);
    timed(e, &pa, "partner admin, common text", (hy_exec_query){.search = "example"});
    {
        double t[20];
        hy_inbox in;
        hy_err err;
        for (int i = 0; i < 20; i++) {
            double a = now_us();
            if (ops_exec_inbox(e->c, &admin, 200, &in, &err) != 0) die("inbox", &err);
            t[i] = (now_us() - a) / 1000;
            if (i < 19) hy_inbox_free(&in);
        }
        printf("| admin, inbox (oldest first) | %.1f | %.1f | %d | |\n", quantile(t, 20, 0.5), quantile(t, 20, 1), in.count);
        hy_inbox_free(&in);
    }
    free(some_id);
    free(some_email);
    free(orgs);
    t_env_free(e);
    return 0;
}
