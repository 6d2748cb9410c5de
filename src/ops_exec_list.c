/* ops for executions: the list (filters, search, paging, counts), the
 * detail view and the inbox, with their JSON forms.
 *
 * The list must stay fast on hundreds of thousands of executions (the TUI
 * filters on every keystroke), so each kind of query has its own plan:
 *  - counts without a search come from exec_counts (kept by triggers);
 *  - the window (one page, newest first: created_at, then rowid) walks an
 *    index and stops after `limit` rows: (status, created_at),
 *    (organization_id, created_at) or (created_at);
 *  - a search of 3+ characters asks the trigram index exec_search for the
 *    newest HY_EXEC_COUNT_CAP+1 matches (and matches the few executions
 *    not indexed yet directly); when there are no more than that,
 *    counts and window come from them; when there are more, an organisation
 *    is scanned in full (exact), and a global search reports lower bounds
 *    and walks the index for the rest of its window;
 *  - in an organisation of at most ORG_SCAN_MAX executions (a partner
 *    admin's), a search reads that organisation's rows (idx_we_org):
 *    exact counts, whatever the other organisations hold;
 *  - 1-2 characters match id prefixes (a range of the primary key,
 *    counted up to PREFIX_COUNT_CAP; the window then walks the index);
 *  - longest in their state first and the stuck view read every unfinished
 *    execution in scope (a range of idx_we_status per unfinished status: a
 *    few thousand even among hundreds of thousands finished), filter and
 *    sort them by updated_at; the counts are the usual ones;
 *  - a batch (--batch) is read whole through idx_we_batch (a batch has at
 *    most [bulk] max_rows executions): exact counts, the other filters
 *    applied to its rows. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ops.h"
#include "ops_bulk.h"
#include "ops_exec_internal.h"
#include "ops_refs.h"
#include "sanitize.h"
#include "util.h"

static int status_index(const char *s)
{
    hy_exec_status st;
    return hy_exec_status_parse(s, &st) ? (int)st : -1;
}

/* ---- summaries ---- */

/* Column 18: a completed execution's skipped steps * 100 + steps done by
 * hand, as its completion wrote it (done_summary), or from its few step
 * rows for one completed before that column (NULL otherwise). */
#define SUMMARY_SELECT                                                                                             \
    "SELECT e.rowid, e.id, wd.name, e.status, e.organization_id, o.name, e.user_id, u.email, rb.email, "           \
    "e.current_step_order, e.created_at, e.updated_at, e.completed_at, s.status, s.error, "                        \
    "CASE WHEN s.status = 'awaiting_input' THEN s.started_at END, e.next_run_at, e.child_of, "                    \
    "CASE WHEN e.status = 'completed' THEN coalesce(e.done_summary, (SELECT sum(k.status = 'skipped') * 100 + "  \
    "sum(k.completed_manually) FROM workflow_step_executions k WHERE k.execution_id = e.id)) END, "               \
    "u.firstname || ' ' || u.lastname "                                                                             \
    "FROM workflow_executions e JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "                 \
    "LEFT JOIN organizations o ON o.id = e.organization_id LEFT JOIN users u ON u.id = e.user_id "                 \
    "LEFT JOIN users rb ON rb.id = e.requested_by "                                                                 \
    "LEFT JOIN workflow_step_executions s ON s.execution_id = e.id AND s.step_order = e.current_step_order "

bool ops_exec_is_late(const hy_ctx *c, const char *since)
{
    int64_t at;
    return since && hy_parse_time(since, &at) &&
           hy_now_ms() - at > (int64_t)c->cfg->notify.remind_after_hours * 3600 * 1000;
}

static void fill_summary(const hy_ctx *c, hy_stmt *st, hy_exec_summary *s)
{
    s->cursor = db_int(st, 0);
    s->id = db_dup(st, 1);
    s->workflow = db_dup(st, 2);
    s->status = db_dup(st, 3);
    s->organization_id = db_dup(st, 4);
    s->organization_name = db_dup(st, 5);
    s->user_id = db_dup(st, 6);
    s->user_email = db_dup(st, 7);
    s->requested_by_email = db_dup(st, 8);
    s->current_step = (int)db_int(st, 9);
    s->created_at = db_dup(st, 10);
    s->updated_at = db_dup(st, 11);
    s->completed_at = db_dup(st, 12);
    s->current_step_status = db_dup(st, 13);
    s->error = db_dup(st, 14);
    s->waiting_since = db_dup(st, 15);
    s->late = ops_exec_is_late(c, s->waiting_since);
    if (hy_exec_status_of(s->status) == HY_EXEC_SCHEDULED && !db_null(st, 16)) {
        char at[HY_TIME_LEN];
        hy_iso_from_ms(db_int(st, 16), at);
        s->scheduled_for = xstrdup(at);
    }
    s->parent_id = db_dup(st, 17);
    int64_t by_hand = db_int(st, 18);
    s->nskipped = (int)(by_hand / 100);
    s->nmanual = (int)(by_hand % 100);
    s->user_name = db_dup(st, 19);
    const hy_workflow_def *wf = workflow_find(s->workflow);
    s->nsteps = wf ? wf->nsteps : 0;
    if (wf && s->current_step >= 1 && s->current_step <= wf->nsteps) {
        s->current_step_name = xstrdup(wf->steps[s->current_step - 1].name);
        s->current_step_label = xstrdup(wf->steps[s->current_step - 1].label);
    }
}

/* Every string of a summary: free and copy walk the same list. */
#define SUMMARY_STRINGS(X)                                                                                           \
    X(id) X(workflow) X(status) X(organization_id) X(organization_name) X(user_id) X(user_email) X(user_name)         \
    X(requested_by_email) X(current_step_name) X(current_step_label) X(current_step_status) X(error)                 \
    X(waiting_since) X(created_at) X(updated_at) X(completed_at) X(scheduled_for) X(parent_id)

void hy_exec_summary_free(hy_exec_summary *s)
{
#define FREE_STRING(f) free(s->f);
    SUMMARY_STRINGS(FREE_STRING)
#undef FREE_STRING
    memset(s, 0, sizeof *s);
}

void hy_exec_page_free(hy_exec_page *pg)
{
    for (int i = 0; i < pg->count; i++) hy_exec_summary_free(&pg->items[i]);
    free(pg->items);
    memset(pg, 0, sizeof *pg);
}

void hy_exec_page_copy(const hy_exec_page *src, hy_exec_page *dst)
{
    *dst = *src;
    dst->items = xcalloc((size_t)(src->count ? src->count : 1), sizeof *dst->items);
    for (int i = 0; i < src->count; i++) {
        const hy_exec_summary *s = &src->items[i];
        hy_exec_summary *d = &dst->items[i];
        *d = *s;
#define COPY_STRING(f) d->f = s->f ? xstrdup(s->f) : NULL;
        SUMMARY_STRINGS(COPY_STRING)
#undef COPY_STRING
    }
}

/* ---- the list ---- */

typedef struct {
    const char *org;         /* scope, or NULL */
    const char *wf_ids;      /* the caller's workflows (JSON array of definition ids), or NULL = all */
    cJSON *wf_set;           /* the same, parsed, for rows checked in C */
    int status;              /* -1 = any */
    const char *status_name;
    const char *batch;       /* one batch's executions, or NULL */
    char *needle;            /* lower-cased search, or NULL */
    int nchars;              /* its length in characters */
    int limit;
    /* keyset: rows strictly older than (before_at, before) */
    char before_at[HY_TIME_LEN + 8];
    int64_t before;
} list_plan;

/* A candidate row: enough to count it and to order it. */
typedef struct {
    int64_t rowid;
    int si;
    char at[HY_TIME_LEN + 8];
    char upd[HY_TIME_LEN + 8];   /* updated_at: only the stale plan reads it */
} cand;

typedef struct {
    cand *v;
    int n, cap;
} cands;

static void cands_add(cands *c, int64_t rowid, const char *status, const char *at)
{
    if (c->n == c->cap) c->v = xrealloc(c->v, (size_t)(c->cap = c->cap ? c->cap * 2 : 256) * sizeof *c->v);
    cand *x = &c->v[c->n++];
    x->rowid = rowid;
    x->si = status_index(status);
    hy_strlcpy(x->at, at ? at : "", sizeof x->at);
    x->upd[0] = '\0';
}

/* newest first: created_at, then rowid, both descending */
static int newest_first(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    int c = strcmp(y->at, x->at);
    if (c) return c;
    return x->rowid < y->rowid ? 1 : x->rowid > y->rowid ? -1 : 0;
}

static bool older_than_cursor(const list_plan *pl, const char *at, int64_t rowid)
{
    int c = strcmp(at, pl->before_at);
    return c < 0 || (c == 0 && rowid < pl->before);
}

/* Counts every candidate; the window: the newest `limit`+1 after the cursor. */
static void take_all(list_plan *pl, cands *cs, hy_exec_page *out, cands *win)
{
    if (cs->n > 1) qsort(cs->v, (size_t)cs->n, sizeof *cs->v, newest_first);
    for (int i = 0; i < cs->n; i++) {
        cand *x = &cs->v[i];
        if (x->si >= 0) out->counts[x->si]++;
        out->total++;
        if ((pl->status < 0 || x->si == pl->status) && win->n <= pl->limit && older_than_cursor(pl, x->at, x->rowid))
            cands_add(win, x->rowid, x->si >= 0 ? hy_exec_status_name((hy_exec_status)x->si) : "", x->at);
    }
}

/* Is this workflow definition id among the caller's? */
static bool in_scope(const list_plan *pl, const char *wf_id)
{
    if (!pl->wf_set) return true;
    const cJSON *it;
    cJSON_ArrayForEach(it, pl->wf_set) if (cJSON_IsString(it) && hy_streq(it->valuestring, wf_id)) return true;
    return false;
}

static int counts_from_table(hy_ctx *c, list_plan *pl, hy_exec_page *out, hy_err *err)
{
    /* One organisation's counts from its rows of the primary key: with
     * "?1 IS NULL OR" the index cannot be used and every organisation's
     * rows were summed (2.9 ms with 20,000 organisations, on every list
     * keystroke of a partner admin and every refresh of their home). */
    hy_stmt *st = pl->org ? db_query(c->db, err,
                                     "SELECT status, sum(n) FROM exec_counts WHERE organization_id = ?1 AND (?2 IS NULL "
                                     "OR workflow_definition_id IN (SELECT value FROM json_each(?2))) GROUP BY status",
                                     "tt", pl->org, pl->wf_ids)
                          : db_query(c->db, err,
                                     "SELECT status, sum(n) FROM exec_counts WHERE (?2 IS NULL OR workflow_definition_id "
                                     "IN (SELECT value FROM json_each(?2))) GROUP BY status",
                                     "tt", NULL, pl->wf_ids);
    while (db_row(st)) {
        int si = status_index(db_text(st, 0));
        if (si >= 0) out->counts[si] += db_int(st, 1);
        out->total += db_int(st, 1);
    }
    out->counts_exact = true;
    return db_done(st);
}

/* A window straight from an index, newest first; stops after limit+1 rows.
 * With a needle: rows containing it (a scan that stops early when they are
 * common, used when the search index has more matches than it counts). */
static int window_indexed(hy_ctx *c, list_plan *pl, const char *needle, const char *id_prefix, int n, cands *win,
                          hy_err *err)
{
    hy_stmt *st;
    char hi[16] = "";
    if (id_prefix) snprintf(hi, sizeof hi, "%sg", id_prefix);
    const char *lo = id_prefix, *up = id_prefix ? hi : NULL;
    if (pl->org)
        st = db_query(c->db, err,
                      "SELECT rowid, status, created_at FROM workflow_executions WHERE organization_id = ?1 "
                      "AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR workflow_definition_id IN (SELECT value FROM json_each(?3))) "
                      "AND (created_at, rowid) < (?4, ?5) AND (?6 IS NULL OR instr(search_text, ?6) > 0) "
                      "AND (?8 IS NULL OR (id >= ?8 AND id < ?9)) "
                      "ORDER BY created_at DESC, rowid DESC LIMIT ?7",
                      "ttttItitt", pl->org, pl->status_name, pl->wf_ids, pl->before_at, pl->before, needle, n, lo, up);
    else if (pl->status >= 0)
        st = db_query(c->db, err,
                      "SELECT rowid, status, created_at FROM workflow_executions WHERE status = ?1 "
                      "AND (created_at, rowid) < (?2, ?3) AND (?4 IS NULL OR instr(search_text, ?4) > 0) "
                      "AND (?6 IS NULL OR (id >= ?6 AND id < ?7)) "
                      "ORDER BY created_at DESC, rowid DESC LIMIT ?5",
                      "ttItitt", pl->status_name, pl->before_at, pl->before, needle, n, lo, up);
    else
        st = db_query(c->db, err,
                      "SELECT rowid, status, created_at FROM workflow_executions WHERE (created_at, rowid) < (?1, ?2) "
                      "AND (?3 IS NULL OR instr(search_text, ?3) > 0) AND (?5 IS NULL OR (id >= ?5 AND id < ?6)) "
                      "ORDER BY created_at DESC, rowid DESC LIMIT ?4",
                      "tItitt", pl->before_at, pl->before, needle, n, lo, up);
    while (db_row(st)) cands_add(win, db_int(st, 0), db_text(st, 1), db_text(st, 2));
    return db_done(st);
}

/* Every row of the organisation that contains the needle, or (prefix)
 * whose id starts with it (exact counts): a range of idx_we_org, never
 * the primary key's (`+id`), which holds every organisation's ids. */
static int scan_org(hy_ctx *c, list_plan *pl, bool prefix, cands *cs, hy_err *err)
{
    char upper[16] = "";
    if (prefix) {
        for (const char *p = pl->needle; *p; p++)
            if (!isxdigit((unsigned char)*p) && *p != '-') return 0; /* cannot match an id */
        snprintf(upper, sizeof upper, "%sg", pl->needle);
    }
    hy_stmt *st = db_query(c->db, err,
                           "SELECT rowid, status, created_at FROM workflow_executions WHERE organization_id = ?1 "
                           "AND (?2 IS NULL OR workflow_definition_id IN (SELECT value FROM json_each(?2))) "
                           "AND ((?4 IS NULL AND instr(search_text, ?3) > 0) OR (?4 IS NOT NULL AND +id >= ?3 AND +id < ?4))",
                           "tttt", pl->org, pl->wf_ids, pl->needle, prefix ? upper : NULL);
    while (db_row(st)) cands_add(cs, db_int(st, 0), db_text(st, 1), db_text(st, 2));
    return db_done(st);
}

/* An organisation with no more executions than this is searched by
 * reading its rows (idx_we_org): a partner admin's search costs what their
 * organisation holds, not what the trigram index holds for everyone (the
 * newest 1,000 matches of "use" among 200,000 executions, then filtered). */
#define ORG_SCAN_MAX 3000

static int org_size(hy_ctx *c, const char *org, int64_t *n, hy_err *err)
{
    return db_get_int(c->db, err, n, NULL, "SELECT coalesce(sum(n), 0) FROM exec_counts WHERE organization_id = ?", "t",
                      org);
}

/* ids starting with a 1-2 character prefix (a range of the primary key) */
/* One character matches a sixteenth of all ids: counted up to this many. */
#define PREFIX_COUNT_CAP 4000

static int scan_prefix(hy_ctx *c, list_plan *pl, cands *cs, bool *capped, hy_err *err)
{
    for (const char *p = pl->needle; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != '-') return 0; /* cannot match an id */
    char upper[8];
    snprintf(upper, sizeof upper, "%sg", pl->needle);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT rowid, status, created_at FROM workflow_executions WHERE id >= ?1 AND id < ?2 "
                           "AND (?3 IS NULL OR organization_id = ?3) "
                           "AND (?4 IS NULL OR workflow_definition_id IN (SELECT value FROM json_each(?4))) LIMIT ?5",
                           "ttttI", pl->needle, upper, pl->org, pl->wf_ids, (int64_t)PREFIX_COUNT_CAP + 1);
    while (db_row(st)) cands_add(cs, db_int(st, 0), db_text(st, 1), db_text(st, 2));
    if (cs->n > PREFIX_COUNT_CAP) {
        *capped = true; /* the candidates are not the newest: the window comes from the index */
        cs->n = PREFIX_COUNT_CAP;
    }
    return db_done(st);
}

/* The FTS5 query for a substring: the needle as one quoted string. */
static char *fts_query(const char *needle)
{
    hy_buf b = {0};
    hy_buf_putc(&b, '"');
    for (const char *p = needle; *p; p++) {
        if (*p == '"') hy_buf_putc(&b, '"');
        hy_buf_putc(&b, *p);
    }
    hy_buf_putc(&b, '"');
    return hy_buf_take(&b);
}

static int cmp_rowid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A trigram in fewer documents than this is rare: its documents, each
 * read and checked with instr(), cost at most ~15 ms, where FTS5's phrase
 * query reads the doclists and positions of every trigram of the needle
 * for as long as they keep matching ("partner 042": 21-31 ms on 200,000
 * executions, seven of its nine trigrams in every document; the 3,221
 * documents of "042" checked: 10-15 ms). A phrase whose trigrams together
 * narrow quickly was cheaper ("first19 last19": 3.4-4.5 ms, 10-12 ms
 * checked): the bound on the worst case is what this buys. (Checking in
 * exec_search_content first, a hundred bytes a row, read more pages when
 * most documents match: "partner 042" 20 ms.) */
#define RARE_DOCS 5000
#define RARE_ENOUGH 64   /* stop probing at a trigram this rare */
_Static_assert(RARE_DOCS <= HY_EXEC_COUNT_CAP, "a rare trigram's matches are all counted (never capped)");

/* The needle's rarest trigram as an FTS5 string, when one is rare; NULL
 * otherwise (the phrase query then), and for needles that are not plain
 * ASCII: instr() compares bytes where FTS5 folds the case of every
 * letter, so only for ASCII (lower-cased here and in search_text) do the
 * two agree. A probe reads at most as many entries of one doclist as the
 * rarest trigram so far has documents (RARE_DOCS at first: 0.3 ms). */
static char *rare_trigram(hy_ctx *c, const char *needle, hy_err *err)
{
    size_t n = strlen(needle);
    if (n < 4) return NULL; /* one trigram: the phrase is that trigram */
    for (const char *p = needle; *p; p++)
        if ((unsigned char)*p >= 0x80) return NULL;
    int64_t best = RARE_DOCS; /* documents of the rarest so far (or the limit) */
    char best_t[4] = "", t[4];
    /* from the end: what was typed last is often what narrows the search
     * (a number after a name), and a rare trigram found first makes the
     * other probes shorter */
    for (size_t i = n - 3 + 1; i-- > 0 && best > RARE_ENOUGH;) {
        memcpy(t, needle + i, 3);
        t[3] = '\0';
        if (strstr(needle + i + 1, t)) continue; /* probed already (it comes again later) */
        char *q = fts_query(t);
        int64_t docs = 0;
        int rc = db_get_int(c->db, err, &docs, NULL,
                            "SELECT count(*) FROM (SELECT 1 FROM exec_search WHERE exec_search MATCH ?1 LIMIT ?2)", "tI",
                            q, best);
        free(q);
        if (rc) {
            hy_err_clear(err); /* the phrase query meets the same error and reports it */
            return NULL;
        }
        if (docs < best) {
            best = docs;
            memcpy(best_t, t, sizeof t);
        }
    }
    return best_t[0] ? fts_query(best_t) : NULL;
}

/* The newest HY_EXEC_COUNT_CAP+1 matches of the search index, in scope,
 * plus the executions not indexed yet (exec_search_pending), which are
 * matched directly. *capped: there were more. */
static int search_fts(hy_ctx *c, list_plan *pl, cands *cs, bool *capped, hy_err *err)
{
    int64_t *pending = NULL;
    int npending = 0, cap = 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT e.rowid, e.status, e.created_at, e.organization_id, e.workflow_definition_id, "
                           "instr(e.search_text, ?1) > 0 FROM exec_search_pending p "
                           "JOIN workflow_executions e ON e.rowid = p.rowid",
                           "t", pl->needle);
    while (db_row(st)) {
        if (npending == cap) pending = xrealloc(pending, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *pending);
        pending[npending++] = db_int(st, 0);
        if (!db_int(st, 5)) continue;
        if (pl->org && !hy_streq(db_text(st, 3), pl->org)) continue;
        if (!in_scope(pl, db_text(st, 4))) continue;
        cands_add(cs, db_int(st, 0), db_text(st, 1), db_text(st, 2));
    }
    int rc = db_done(st);
    if (rc) {
        free(pending);
        return rc;
    }
    if (npending > 1) qsort(pending, (size_t)npending, sizeof *pending, cmp_rowid);
    char *rare = rare_trigram(c, pl->needle, err), *q = rare ? rare : fts_query(pl->needle);
    if (rare) /* fewer than RARE_DOCS documents hold it: each one checked (never capped) */
        st = db_query(c->db, err,
                      "SELECT e.rowid, e.status, e.created_at, e.organization_id, e.workflow_definition_id FROM "
                      "(SELECT rowid AS rid FROM exec_search WHERE exec_search MATCH ?1) m "
                      "JOIN workflow_executions e ON e.rowid = m.rid WHERE instr(e.search_text, ?2) > 0",
                      "tt", q, pl->needle);
    else
        st = db_query(c->db, err,
                      "SELECT e.rowid, e.status, e.created_at, e.organization_id, e.workflow_definition_id FROM "
                      "(SELECT rowid AS rid FROM exec_search WHERE exec_search MATCH ?1 ORDER BY rowid DESC "
                      "LIMIT ?2) m JOIN workflow_executions e ON e.rowid = m.rid",
                      "ti", q, HY_EXEC_COUNT_CAP + 1);
    int seen = 0;
    while (db_row(st)) {
        seen++;
        int64_t rowid = db_int(st, 0);
        if (npending && bsearch(&rowid, pending, (size_t)npending, sizeof *pending, cmp_rowid)) continue; /* stale */
        if (pl->org && !hy_streq(db_text(st, 3), pl->org)) continue;
        if (!in_scope(pl, db_text(st, 4))) continue;
        cands_add(cs, rowid, db_text(st, 1), db_text(st, 2));
    }
    free(q);
    free(pending);
    *capped = seen > HY_EXEC_COUNT_CAP;
    return db_done(st);
}

static int utf8_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Every execution of the batch that passes the other filters. */
static int scan_batch(hy_ctx *c, list_plan *pl, cands *cs, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err,
                           "SELECT rowid, status, created_at FROM workflow_executions WHERE batch_id = ?1 "
                           "AND (?2 IS NULL OR organization_id = ?2) "
                           "AND (?3 IS NULL OR workflow_definition_id IN (SELECT value FROM json_each(?3))) "
                           "AND (?4 IS NULL OR instr(search_text, ?4) > 0 OR (length(?4) < 3 AND id >= ?4 AND id < ?4 || 'g'))",
                           "tttt", pl->batch, pl->org, pl->wf_ids, pl->needle);
    while (db_row(st)) cands_add(cs, db_int(st, 0), db_text(st, 1), db_text(st, 2));
    return db_done(st);
}

/* Fills the window (at most limit+1 rows, newest first) and the counts. */
/* Ids are lower-case hex and dashes: any other character cannot start one. */
static bool may_prefix_an_id(const char *s)
{
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s) && *s != '-') return false;
    return true;
}

static int plan_and_run(hy_ctx *c, list_plan *pl, hy_exec_page *out, cands *win, hy_err *err)
{
    if (pl->batch) {
        cands cs = {0};
        int rc = scan_batch(c, pl, &cs, err);
        if (rc == 0) take_all(pl, &cs, out, win);
        out->counts_exact = true;
        free(cs.v);
        return rc;
    }
    if (!pl->needle) {
        int rc = counts_from_table(c, pl, out, err);
        return rc ? rc : window_indexed(c, pl, NULL, NULL, pl->limit + 1, win, err);
    }
    if (pl->nchars < 3 && !may_prefix_an_id(pl->needle)) { /* 1-2 characters match ids only: none, exactly */
        out->counts_exact = true;
        return 0;
    }
    cands cs = {0};
    int rc = 0;
    bool capped = false;
    int64_t in_org = ORG_SCAN_MAX + 1;
    if (pl->org) rc = org_size(c, pl->org, &in_org, err);
    if (rc) {
        /* the error is reported below */
    } else if (in_org <= ORG_SCAN_MAX) { /* a small organisation: its rows, exactly */
        rc = scan_org(c, pl, pl->nchars < 3, &cs, err);
    } else if (pl->nchars < 3) {
        rc = scan_prefix(c, pl, &cs, &capped, err);
    } else {
        rc = search_fts(c, pl, &cs, &capped, err);
        if (rc == 0 && capped && pl->org) { /* an organisation: scan it, exactly */
            cs.n = 0;
            capped = false;
            rc = scan_org(c, pl, false, &cs, err);
        }
    }
    if (rc == 0) take_all(pl, &cs, out, win);
    out->counts_exact = !capped;
    if (rc == 0 && capped && pl->nchars < 3) win->n = 0; /* an arbitrary sample: not a window */
    if (rc == 0 && capped && win->n <= pl->limit) {
        /* More matches than counted: walk the index for the rest of the window. */
        if (win->n) {
            hy_strlcpy(pl->before_at, win->v[win->n - 1].at, sizeof pl->before_at);
            pl->before = win->v[win->n - 1].rowid;
        }
        bool prefix = pl->nchars < 3;
        rc = window_indexed(c, pl, prefix ? NULL : pl->needle, prefix ? pl->needle : NULL, pl->limit + 1 - win->n,
                            win, err);
    }
    free(cs.v);
    return rc;
}

/* ---- longest in their state: the unfinished executions ---- */

static const int UNFINISHED[] = {HY_EXEC_PENDING, HY_EXEC_RUNNING, HY_EXEC_AWAITING_INPUT, HY_EXEC_FAILED};
#define NUNFINISHED (int)(sizeof UNFINISHED / sizeof UNFINISHED[0])

/* One status's unfinished executions in scope, for stale_window. The
 * status is written in the statement, not bound: SQLite uses a partial
 * index (idx_we_waiting, for awaiting_input and failed) only when the
 * statement's own text implies the index's condition. */
#define STALE_SQL_FOR(status)                                                                                   \
    "SELECT rowid, status, created_at, updated_at FROM workflow_executions WHERE status = '" status "' "     \
    "AND (?1 IS NULL OR organization_id = ?1) "                                                               \
    "AND (?2 IS NULL OR workflow_definition_id IN (SELECT value FROM json_each(?2))) "                        \
    "AND (?3 IS NULL OR updated_at < ?3) AND (?4 IS NULL OR instr(search_text, ?4) > 0) "                     \
    "AND (?5 IS NULL OR (id >= ?5 AND id < ?6)) AND (?7 IS NULL OR batch_id = ?7)"
static const char *const STALE_SQL[] = {STALE_SQL_FOR("pending"), STALE_SQL_FOR("running"),
                                        STALE_SQL_FOR("awaiting_input"), STALE_SQL_FOR("failed")};
_Static_assert(sizeof STALE_SQL / sizeof STALE_SQL[0] == NUNFINISHED, "a statement per unfinished status");

static bool unfinished(int si)
{
    for (int i = 0; i < NUNFINISHED; i++)
        if (UNFINISHED[i] == si) return true;
    return false;
}

/* oldest state first: updated_at, then rowid, both ascending */
static int stalest_first(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    int c = strcmp(x->upd, y->upd);
    if (c) return c;
    return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

/* Every unfinished execution in scope (a few thousand even with hundreds
 * of thousands finished: one range of idx_we_status per status), changed
 * before the cutoff, matching the search; sorted; the window after the
 * cursor. *matched: how many. */
static int stale_window(hy_ctx *c, const list_plan *pl, const char *cutoff, int64_t before, cands *win,
                        int64_t *matched, hy_err *err)
{
    const char *needle = pl->needle && pl->nchars >= 3 ? pl->needle : NULL;
    char lo[16] = "", hi[16] = "";
    if (pl->needle && pl->nchars < 3) {
        if (!may_prefix_an_id(pl->needle)) return 0;
        snprintf(lo, sizeof lo, "%s", pl->needle);
        snprintf(hi, sizeof hi, "%sg", pl->needle);
    }
    cands all = {0};
    int rc = 0;
    for (int i = 0; i < NUNFINISHED && rc == 0; i++) {
        if (pl->status >= 0 && pl->status != UNFINISHED[i]) continue;
        hy_stmt *st = db_query(c->db, err, STALE_SQL[i], "ttttttt", pl->org, pl->wf_ids, cutoff, needle,
                               lo[0] ? lo : NULL, hi[0] ? hi : NULL, pl->batch);
        while (db_row(st)) {
            cands_add(&all, db_int(st, 0), db_text(st, 1), db_text(st, 2));
            hy_strlcpy(all.v[all.n - 1].upd, db_text(st, 3), sizeof all.v[0].upd);
        }
        rc = db_done(st);
    }
    if (rc == 0) {
        if (all.n > 1) qsort(all.v, (size_t)all.n, sizeof *all.v, stalest_first);
        *matched = all.n;
        char cur_upd[HY_TIME_LEN + 8] = "";
        for (int i = 0; before > 0 && i < all.n; i++)
            if (all.v[i].rowid == before) hy_strlcpy(cur_upd, all.v[i].upd, sizeof cur_upd);
        for (int i = 0; i < all.n && win->n <= pl->limit; i++) {
            cand *x = &all.v[i];
            if (before > 0) {
                int cmp = strcmp(x->upd, cur_upd);
                if (cmp < 0 || (cmp == 0 && x->rowid <= before)) continue;
            }
            cands_add(win, x->rowid, hy_exec_status_name((hy_exec_status)x->si), x->at);
        }
    }
    free(all.v);
    return rc;
}

/* The window's first n summaries, in its order, in one statement (one
 * per row cost a statement's set-up each: a page is what a typing
 * session reads most); a row deleted meanwhile is left out. */
static int load_summaries(hy_ctx *c, const cands *win, int n, hy_exec_page *out, hy_err *err)
{
    if (n == 0) return 0;
    hy_buf ids = {0};
    for (int i = 0; i < n; i++) hy_buf_printf(&ids, "%c%lld", i ? ',' : '[', (long long)win->v[i].rowid);
    hy_buf_printf(&ids, "]");
    hy_exec_summary *got = xcalloc((size_t)n, sizeof *got);
    hy_stmt *st = db_query(c->db, err, SUMMARY_SELECT "WHERE e.rowid IN (SELECT value FROM json_each(?))", "t", ids.s);
    while (db_row(st)) {
        int64_t rowid = db_int(st, 0);
        for (int i = 0; i < n; i++)
            if (win->v[i].rowid == rowid && !got[i].id) {
                fill_summary(c, st, &got[i]);
                break;
            }
    }
    int rc = db_done(st);
    free(ids.s);
    for (int i = 0; i < n; i++) {
        if (rc == 0 && got[i].id) out->items[out->count++] = got[i];
        else hy_exec_summary_free(&got[i]);
    }
    free(got);
    return rc;
}

static int exec_list(hy_ctx *c, const hy_principal *p, const hy_exec_query *q, hy_exec_page *out, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_FORBIDDEN, "this account has no access to executions");
    list_plan pl = {.status = -1, .limit = q && q->limit > 0 ? q->limit : 100, .before = INT64_MAX};
    hy_strlcpy(pl.before_at, "\x7f", sizeof pl.before_at); /* after every timestamp */
    if (pl.limit > 1000) pl.limit = 1000;
    if (q && q->status && *q->status) {
        pl.status = status_index(q->status);
        if (pl.status < 0) {
            hy_buf names = {0};
            for (int i = 0; i < HY_EXEC_NSTATUS; i++)
                hy_buf_printf(&names, "%s%s", i ? ", " : "", hy_exec_status_name((hy_exec_status)i));
            hy_field(err, "status", "must be one of %s", names.s);
            hy_buf_free(&names);
            return err->code;
        }
        pl.status_name = hy_exec_status_name((hy_exec_status)pl.status);
    }
    bool stale = q && (q->order == HY_EXEC_LONGEST_IN_STATE || q->stuck_hours > 0);
    if (q && (q->stuck_hours < 0 || q->stuck_hours > 8760)) {
        hy_field(err, "stuck_hours", "must be between 1 and 8760 (a year)");
        return err->code;
    }
    if (stale && (pl.status >= 0 ? !unfinished(pl.status) : q->stuck_hours <= 0)) {
        hy_field(err, "order",
                 "longest in state applies to unfinished executions: choose pending, running, awaiting_input or "
                 "failed, or the stuck ones");
        return err->code;
    }
    char cutoff[HY_TIME_LEN] = "";
    if (q && q->stuck_hours > 0) hy_iso_from_ms(hy_now_ms() - (int64_t)q->stuck_hours * 3600000, cutoff);
    int rc = 0;
    if (q && q->before > 0 && !stale) {
        char *at = NULL;
        rc = db_get_text(c->db, err, &at, "SELECT created_at FROM workflow_executions WHERE rowid = ?", "I", q->before);
        if (rc) return rc;
        if (!at) return hy_fail(err, HY_ERR_INVALID, "that page cursor is no longer valid: list from the start");
        hy_strlcpy(pl.before_at, at, sizeof pl.before_at);
        pl.before = q->before;
        free(at);
    }
    char org[HY_UUID_LEN] = "";
    char *wf_ids = NULL;
    if (!scope.any_org) hy_strlcpy(org, scope.org_id, sizeof org);
    if (q && q->org_ref && *q->org_ref && ops_find_org(c, p, q->org_ref, org, err) != 0) return err->code;
    char batch[HY_UUID_LEN] = "";
    if (q && q->batch_ref && *q->batch_ref && ops_batch_resolve(c, p, q->batch_ref, batch, err) != 0) return err->code;
    if ((rc = opx_scope_wf_ids(c, p, &wf_ids, err)) != 0) return rc;
    pl.batch = batch[0] ? batch : NULL;
    pl.org = org[0] ? org : NULL;
    pl.wf_ids = wf_ids;
    pl.wf_set = wf_ids ? cJSON_Parse(wf_ids) : NULL;
    if (q && q->search && !hy_empty(q->search)) {
        char *s = xstrdup(q->search);
        char *t = hy_trim(s);
        for (char *x = t; *x; x++) *x = (char)tolower((unsigned char)*x);
        pl.needle = xstrdup(t);
        pl.nchars = utf8_chars(t);
        free(s);
    }
    cands win = {0};
    rc = plan_and_run(c, &pl, out, &win, err); /* the counts (and the newest-first window) */
    out->matched = pl.status >= 0 ? out->counts[pl.status] : out->total;
    if (rc == 0 && stale) {
        win.n = 0;
        rc = stale_window(c, &pl, cutoff[0] ? cutoff : NULL, q->before, &win, &out->matched, err);
    }
    if (rc == 0) {
        out->more = win.n > pl.limit;
        int n = out->more ? pl.limit : win.n;
        out->items = xcalloc((size_t)(n ? n : 1), sizeof *out->items);
        rc = load_summaries(c, &win, n, out, err);
        if (out->more && out->count) out->next_before = out->items[out->count - 1].cursor;
    }
    free(win.v);
    free(pl.needle);
    free(wf_ids);
    cJSON_Delete(pl.wf_set);
    if (rc) hy_exec_page_free(out);
    return rc;
}

/* In one read transaction: the counts and the page from one snapshot, and
 * the hundred-odd statements of a page (a summary per row) without a lock
 * and a cache check each. */
int ops_exec_list(hy_ctx *c, const hy_principal *p, const hy_exec_query *q, hy_exec_page *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    bool read = db_read_begin(c->db);
    int rc = exec_list(c, p, q, out, err);
    if (read) db_read_end(c->db);
    return rc;
}

/* ---- detail ---- */

static void free_step(hy_exec_step *s)
{
    free(s->id); free(s->name); free(s->label); free(s->description); free(s->integration); free(s->mode);
    free(s->status); free(s->input_json); free(s->output_json); free(s->input_by_email); free(s->input_at);
    free(s->completed_by_email); free(s->started_at); free(s->completed_at); free(s->error);
    free(s->next_attempt_at); free(s->lease_owner); free(s->lease_expires_at); free(s->note);
    free(s->attempt_log_json); free(s->calls_json);
}

void hy_exec_detail_free(hy_exec_detail *d)
{
    hy_exec_summary_free(&d->s);
    free(d->requested_by);
    free(d->cancelled_by_email);
    free(d->cancelled_at);
    for (int i = 0; i < d->nsteps; i++) free_step(&d->steps[i]);
    free(d->steps);
    for (int i = 0; i < d->nnotices; i++) hy_notice_free(&d->notices[i]);
    free(d->notices);
    for (int i = 0; i < d->nchildren; i++) {
        hy_exec_child *k = &d->children[i];
        free(k->id); free(k->workflow); free(k->status); free(k->user_email); free(k->current_step_name);
        free(k->error);
    }
    free(d->children);
    memset(d, 0, sizeof *d);
}

static char *ms_iso(hy_stmt *st, int col)
{
    if (db_null(st, col)) return NULL;
    char t[HY_TIME_LEN];
    hy_iso_from_ms(db_int(st, col), t);
    return xstrdup(t);
}

/* The executions a step of this one started (idx_we_child_of), those p may see. */
static int load_children(hy_ctx *c, const hy_principal *p, hy_exec_detail *d, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err,
                           "SELECT e.id, wd.name, e.status, u.email, e.current_step_order, s.error, e.organization_id "
                           "FROM workflow_executions e JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "LEFT JOIN users u ON u.id = e.user_id LEFT JOIN workflow_step_executions s "
                           "ON s.execution_id = e.id AND s.step_order = e.current_step_order "
                           "WHERE e.child_of = ? ORDER BY e.created_at, e.rowid LIMIT 5000",
                           "t", d->s.id);
    int cap = 0;
    while (db_row(st)) {
        if (!(opx_actions(p, db_text(st, 1), db_text(st, 6)) & HY_ACT_SEE)) continue;
        if (d->nchildren == cap)
            d->children = xrealloc(d->children, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *d->children);
        hy_exec_child *k = &d->children[d->nchildren++];
        memset(k, 0, sizeof *k);
        k->id = db_dup(st, 0);
        k->workflow = db_dup(st, 1);
        k->status = db_dup(st, 2);
        k->user_email = db_dup(st, 3);
        const hy_workflow_def *wf = workflow_find(k->workflow);
        int order = (int)db_int(st, 4);
        if (wf && order >= 1 && order <= wf->nsteps) k->current_step_name = xstrdup(wf->steps[order - 1].name);
        k->error = db_dup(st, 5);
    }
    return db_done(st);
}

int ops_exec_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_exec_detail *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_NOT_FOUND, "no such execution");
    if (ops_exec_resolve(c, p, ref, id, err) != 0) return err->code;
    hy_stmt *st = db_query(c->db, err, SUMMARY_SELECT "WHERE e.id = ?", "t", id);
    if (db_row(st)) fill_summary(c, st, &out->s);
    int rc = db_done(st);
    if (rc == 0)
        st = db_query(c->db, err,
                      "SELECT e.requested_by, cu.email, e.cancelled_at FROM workflow_executions e "
                      "LEFT JOIN users cu ON cu.id = e.cancelled_by WHERE e.id = ?",
                      "t", id);
    if (rc == 0 && db_row(st)) {
        out->requested_by = db_dup(st, 0);
        out->cancelled_by_email = db_dup(st, 1);
        out->cancelled_at = db_dup(st, 2);
    }
    if (rc == 0) rc = db_done(st);
    if (rc) goto fail;
    const hy_workflow_def *wf = workflow_find(out->s.workflow);
    st = db_query(c->db, err,
                  "SELECT s.step_order, s.id, s.status, s.manual_input, s.output, iu.email, s.input_at, cu.email, "
                  "s.started_at, s.completed_at, s.error, s.attempts, s.next_attempt_at, s.lease_owner, "
                  "s.lease_expires_at, s.completed_manually, s.note, s.attempt_log, s.calls "
                  "FROM workflow_step_executions s LEFT JOIN users iu ON iu.id = s.input_by "
                  "LEFT JOIN users cu ON cu.id = s.completed_by WHERE s.execution_id = ? ORDER BY s.step_order",
                  "t", id);
    int cap = 0;
    bool any_running = false, retry_waits = false;
    int64_t now_ms = hy_now_ms();
    while (db_row(st)) {
        if (out->nsteps == cap) out->steps = xrealloc(out->steps, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *out->steps);
        hy_exec_step *s = &out->steps[out->nsteps++];
        memset(s, 0, sizeof *s);
        s->order = (int)db_int(st, 0);
        s->id = db_dup(st, 1);
        s->status = db_dup(st, 2);
        s->input_json = db_dup(st, 3);
        s->output_json = db_dup(st, 4);
        s->input_by_email = db_dup(st, 5);
        s->input_at = db_dup(st, 6);
        s->completed_by_email = db_dup(st, 7);
        s->started_at = db_dup(st, 8);
        s->completed_at = db_dup(st, 9);
        s->error = db_dup(st, 10);
        s->attempts = (int)db_int(st, 11);
        s->next_attempt_at = ms_iso(st, 12);
        s->lease_owner = db_dup(st, 13);
        s->lease_expires_at = ms_iso(st, 14);
        s->completed_manually = db_int(st, 15) != 0;
        s->note = db_dup(st, 16);
        s->attempt_log_json = db_dup(st, 17);
        s->calls_json = db_dup(st, 18);
        hy_step_status ss = hy_step_status_of(s->status);
        if (ss == HY_SS_RUNNING) any_running = true;
        if (ss == HY_SS_PENDING && s->attempts > 0 && !db_null(st, 12) && db_int(st, 12) > now_ms &&
            s->order == out->s.current_step)
            retry_waits = true;
        if (wf && s->order >= 1 && s->order <= wf->nsteps) {
            const hy_step_def *sd = &wf->steps[s->order - 1];
            s->name = xstrdup(sd->name);
            s->label = xstrdup(sd->label);
            s->description = xstrdup(sd->description);
            s->manual = sd->kind == HY_STEP_MANUAL;
            if (!s->manual) {
                s->max_attempts = c->cfg->http.max_attempts > 0 ? c->cfg->http.max_attempts : 1;
                s->integration = xstrdup(hy_integration_name(sd->integration));
                s->mode = xstrdup(config_mode_name(hy_integration_mode(c->cfg, sd->integration)));
            }
        }
    }
    rc = db_done(st);
    if (rc) goto fail;
    unsigned actions = out->s.id ? opx_actions(p, out->s.workflow, out->s.organization_id) : 0;
    if (!(actions & HY_ACT_SEE)) {
        rc = hy_fail(err, HY_ERR_NOT_FOUND, "no such execution");
        goto fail;
    }
    /* What the caller may do now: the rule (authz.h) and the state. */
    hy_exec_status x = hy_exec_status_of(out->s.status);
    bool finished = hy_exec_finished(x);
    const hy_step_def *cur = wf && out->s.current_step >= 1 && out->s.current_step <= wf->nsteps
                                 ? &wf->steps[out->s.current_step - 1]
                                 : NULL;
    out->can_input = x == HY_EXEC_AWAITING_INPUT && authz_may_input_step(p, actions, cur);
    out->can_retry = (actions & HY_ACT_RETRY) && x == HY_EXEC_FAILED;
    out->can_cancel = (actions & HY_ACT_CANCEL) && !finished;
    bool scheduled = x == HY_EXEC_SCHEDULED;
    out->can_skip = (actions & HY_ACT_SKIP) && !finished && !scheduled;
    out->can_mark_done = (actions & HY_ACT_DONE) && hy_step_status_of(out->s.current_step_status) == HY_SS_FAILED;
    /* cancelling cannot be undone */
    out->can_rerun = (actions & HY_ACT_RERUN) && !any_running && !scheduled && x != HY_EXEC_CANCELLED;
    out->can_reschedule = (actions & HY_ACT_RESCHEDULE) && scheduled;
    out->can_retry_now = (actions & HY_ACT_RETRY) && retry_waits && !finished;
    rc = opx_exec_notices(c, p, out->s.id, &out->notices, &out->nnotices, err);
    if (rc == 0) rc = load_children(c, p, out, err);
    if (rc) goto fail;
    return 0;
fail:
    hy_exec_detail_free(out);
    return rc;
}

/* ---- inbox ---- */

void hy_inbox_free(hy_inbox *in)
{
    for (int i = 0; i < in->count; i++) {
        hy_inbox_item *it = &in->items[i];
        free(it->execution_id); free(it->workflow); free(it->step_name); free(it->step_label);
        free(it->organization_name); free(it->user_email); free(it->since);
    }
    free(in->items);
    memset(in, 0, sizeof *in);
}

int ops_exec_inbox(hy_ctx *c, const hy_principal *p, int limit, hy_inbox *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_FORBIDDEN, "this account has no access to executions");
    if (limit <= 0 || limit > 1000) limit = 200;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT s.execution_id, s.step_order, s.started_at, wd.name, o.name, u.email, "
                           "e.organization_id FROM workflow_step_executions s "
                           "JOIN workflow_executions e ON e.id = s.execution_id "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "LEFT JOIN organizations o ON o.id = e.organization_id LEFT JOIN users u ON u.id = e.user_id "
                           "WHERE s.status = 'awaiting_input' AND (?1 IS NULL OR e.organization_id = ?1) "
                           "ORDER BY s.started_at",
                           "t", scope.any_org ? NULL : scope.org_id);
    int cap = 0;
    int64_t now = hy_now_ms();
    while (db_row(st) && out->count < limit) {
        if (!(opx_actions(p, db_text(st, 3), db_text(st, 6)) & HY_ACT_SEE)) continue;
        if (out->count == cap) out->items = xrealloc(out->items, (size_t)(cap = cap ? cap * 2 : 32) * sizeof *out->items);
        hy_inbox_item *it = &out->items[out->count++];
        memset(it, 0, sizeof *it);
        it->execution_id = db_dup(st, 0);
        it->step_order = (int)db_int(st, 1);
        it->since = db_dup(st, 2);
        it->workflow = db_dup(st, 3);
        it->organization_name = db_dup(st, 4);
        it->user_email = db_dup(st, 5);
        const hy_workflow_def *wf = workflow_find(it->workflow);
        if (wf && it->step_order >= 1 && it->step_order <= wf->nsteps) {
            it->step_name = xstrdup(wf->steps[it->step_order - 1].name);
            it->step_label = xstrdup(wf->steps[it->step_order - 1].label);
        }
        int64_t since;
        it->age_s = hy_parse_time(it->since, &since) ? (now - since) / 1000 : 0;
        if (it->age_s < 0) it->age_s = 0;
        it->late = ops_exec_is_late(c, it->since);
    }
    int rc = db_done(st);
    if (rc) hy_inbox_free(out);
    return rc;
}

int ops_exec_late_count(hy_ctx *c, const hy_principal *p, int64_t *out, hy_err *err)
{
    *out = 0;
    if (ops_begin(c, p, err) != 0) return err->code;
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_FORBIDDEN, "this account has no access to executions");
    char before[HY_TIME_LEN];
    hy_iso_from_ms(hy_now_ms() - (int64_t)c->cfg->notify.remind_after_hours * 3600 * 1000, before);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT wd.name, e.organization_id FROM workflow_step_executions s "
                           "JOIN workflow_executions e ON e.id = s.execution_id "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "WHERE s.status = 'awaiting_input' AND s.started_at < ?1 "
                           "AND (?2 IS NULL OR e.organization_id = ?2)",
                           "tt", before, scope.any_org ? NULL : scope.org_id);
    while (db_row(st))
        if (opx_actions(p, db_text(st, 0), db_text(st, 1)) & HY_ACT_SEE) (*out)++;
    return db_done(st);
}

/* ---- JSON ---- */

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

static void add_json(cJSON *o, const char *k, const char *text)
{
    cJSON *v = text ? cJSON_Parse(text) : NULL;
    if (v) cJSON_AddItemToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

cJSON *hy_exec_summary_to_json(const hy_exec_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "id", s->id);
    add_str(o, "workflow", s->workflow);
    add_str(o, "status", s->status);
    add_str(o, "organization_id", s->organization_id);
    add_str(o, "organization_name", s->organization_name);
    add_str(o, "user_id", s->user_id);
    add_str(o, "user_email", s->user_email);
    add_str(o, "user_name", s->user_name);
    add_str(o, "requested_by_email", s->requested_by_email);
    cJSON_AddNumberToObject(o, "current_step", s->current_step);
    cJSON_AddNumberToObject(o, "steps", s->nsteps);
    add_str(o, "current_step_name", s->current_step_name);
    add_str(o, "current_step_status", s->current_step_status);
    add_str(o, "error", s->error);
    add_str(o, "waiting_since", s->waiting_since);
    cJSON_AddBoolToObject(o, "late", s->late);
    add_str(o, "created_at", s->created_at);
    add_str(o, "updated_at", s->updated_at);
    add_str(o, "completed_at", s->completed_at);
    if (s->scheduled_for) add_str(o, "scheduled_for", s->scheduled_for);
    if (s->parent_id) add_str(o, "parent_id", s->parent_id);
    if (hy_exec_status_of(s->status) == HY_EXEC_COMPLETED) {
        cJSON_AddNumberToObject(o, "steps_skipped", s->nskipped);
        cJSON_AddNumberToObject(o, "steps_done_by_hand", s->nmanual);
    }
    return o;
}

cJSON *hy_exec_detail_to_json(const hy_exec_detail *d)
{
    cJSON *o = hy_exec_summary_to_json(&d->s);
    add_str(o, "cancelled_by_email", d->cancelled_by_email);
    add_str(o, "cancelled_at", d->cancelled_at);
    cJSON *steps = cJSON_AddArrayToObject(o, "step_list");
    for (int i = 0; i < d->nsteps; i++) {
        const hy_exec_step *s = &d->steps[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "order", s->order);
        add_str(j, "name", s->name);
        add_str(j, "label", s->label);
        cJSON_AddStringToObject(j, "kind", s->manual ? "manual" : "auto");
        add_str(j, "integration", s->integration);
        add_str(j, "mode", s->mode);
        add_str(j, "status", s->status);
        add_json(j, "input", s->input_json);
        add_json(j, "output", s->output_json);
        add_str(j, "input_by", s->input_by_email);
        add_str(j, "input_at", s->input_at);
        add_str(j, "completed_by", s->completed_by_email);
        add_str(j, "started_at", s->started_at);
        add_str(j, "completed_at", s->completed_at);
        add_str(j, "error", s->error);
        cJSON_AddNumberToObject(j, "attempts", s->attempts);
        if (!s->manual) cJSON_AddNumberToObject(j, "max_attempts", s->max_attempts);
        add_str(j, "next_attempt_at", s->next_attempt_at);
        add_str(j, "lease_owner", s->lease_owner);
        add_str(j, "lease_expires_at", s->lease_expires_at);
        cJSON_AddBoolToObject(j, "completed_manually", s->completed_manually);
        add_str(j, "note", s->note);
        add_json(j, "attempt_log", s->attempt_log_json);
        add_json(j, "calls", s->calls_json);
        cJSON_AddItemToArray(steps, j);
    }
    if (d->nchildren) {
        cJSON *kids = cJSON_AddArrayToObject(o, "children");
        for (int i = 0; i < d->nchildren; i++) {
            const hy_exec_child *k = &d->children[i];
            cJSON *j = cJSON_CreateObject();
            add_str(j, "id", k->id);
            add_str(j, "workflow", k->workflow);
            add_str(j, "status", k->status);
            add_str(j, "user_email", k->user_email);
            add_str(j, "current_step_name", k->current_step_name);
            add_str(j, "error", k->error);
            cJSON_AddItemToArray(kids, j);
        }
    }
    cJSON *notes = cJSON_AddArrayToObject(o, "notifications");
    for (int i = 0; i < d->nnotices; i++) cJSON_AddItemToArray(notes, hy_notice_to_json(&d->notices[i]));
    return o;
}
