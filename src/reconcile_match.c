/* The comparison of a reconciliation (reconcile_int.h): members as a
 * service lists them against the grants and people HyOpps knows. No
 * database and no service here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile_int.h"

/* ---- findings ---- */

static void finding_free(rc_finding *f)
{
    free(f->org_id);
    free(f->user_id);
    free(f->account_id);
    free(f->email);
    free(f->name);
    free(f->group_id);
    free(f->membership_id);
    free(f->grant_execution_id);
    free(f->granted_at);
    free(f->detail);
}

void rc_findings_free(rc_findings *f)
{
    for (int i = 0; i < f->n; i++) finding_free(&f->v[i]);
    free(f->v);
    memset(f, 0, sizeof *f);
}

rc_finding *rc_findings_add(rc_findings *f, const char *org_id, int sys, int kind)
{
    if (f->n == f->cap) f->v = xrealloc(f->v, (size_t)(f->cap = f->cap ? f->cap * 2 : 8) * sizeof *f->v);
    rc_finding *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->org_id = xstrdup(org_id ? org_id : "");
    x->sys = sys;
    x->kind = kind;
    return x;
}

void rc_findings_move(rc_findings *to, rc_findings *f)
{
    for (int i = 0; i < f->n; i++) {
        if (to->n == to->cap) to->v = xrealloc(to->v, (size_t)(to->cap = to->cap ? to->cap * 2 : 8) * sizeof *to->v);
        to->v[to->n++] = f->v[i];
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

static char *dup_or_null(const char *s) { return s && *s ? xstrdup(s) : NULL; }

/* ---- indexes ---- */

static int key_cmp(const void *a, const void *b)
{
    const rc_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->i - y->i;
}

static void keys_add(rc_keys *k, const char *key, int i)
{
    if (!key || !*key) return;
    k->v[k->n++] = (rc_key){key, i};
}

static void keys_sort(rc_keys *k) { qsort(k->v, (size_t)k->n, sizeof *k->v, key_cmp); }

/* The first entry with this key, or k->n. */
static int keys_find(const rc_keys *k, const char *key)
{
    int lo = 0, hi = k->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(k->v[mid].key, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < k->n && strcmp(k->v[lo].key, key) == 0 ? lo : k->n;
}

void rc_index_build(rc_index *ix)
{
    ix->g_account.v = xcalloc((size_t)ix->ng + 1, sizeof(rc_key));
    ix->g_email.v = xcalloc((size_t)ix->ng + 1, sizeof(rc_key));
    ix->g_org.v = xcalloc((size_t)ix->ng + 1, sizeof(rc_key));
    for (int i = 0; i < ix->ng; i++) {
        keys_add(&ix->g_account, ix->g[i].account_id, i);
        keys_add(&ix->g_email, ix->g[i].email, i);
        ix->g_org.v[ix->g_org.n++] = (rc_key){ix->g[i].org_id ? ix->g[i].org_id : "", i};
    }
    ix->p_email.v = xcalloc((size_t)ix->np + 1, sizeof(rc_key));
    ix->p_metabase.v = xcalloc((size_t)ix->np + 1, sizeof(rc_key));
    for (int i = 0; i < ix->np; i++) {
        keys_add(&ix->p_email, ix->p[i].email, i);
        keys_add(&ix->p_metabase, ix->p[i].metabase_id, i);
    }
    keys_sort(&ix->g_account);
    keys_sort(&ix->g_email);
    keys_sort(&ix->g_org);
    keys_sort(&ix->p_email);
    keys_sort(&ix->p_metabase);
}

void rc_index_free(rc_index *ix)
{
    for (int i = 0; i < ix->ng; i++) {
        rc_grant *g = &ix->g[i];
        free(g->user_id);
        free(g->email);
        free(g->name);
        free(g->org_id);
        free(g->account_id);
        free(g->granted_at);
        free(g->execution_id);
        free(g->revoked_at);
        free(g->revoked_execution_id);
    }
    free(ix->g);
    free(ix->g_account.v);
    free(ix->g_email.v);
    free(ix->g_org.v);
    free(ix->p_email.v);
    free(ix->p_metabase.v);
    int sys = ix->sys;
    memset(ix, 0, sizeof *ix);
    ix->sys = sys;
}

void rc_people_free(rc_person *p, int n)
{
    for (int i = 0; i < n; i++) {
        free(p[i].user_id);
        free(p[i].email);
        free(p[i].name);
        free(p[i].org_id);
        free(p[i].metabase_id);
    }
    free(p);
}

void rc_index_org(const rc_index *ix, const char *org_id, int *lo, int *hi)
{
    const char *key = org_id ? org_id : "";
    int a = keys_find(&ix->g_org, key);
    int b = a;
    while (b < ix->g_org.n && strcmp(ix->g_org.v[b].key, key) == 0) b++;
    *lo = a;
    *hi = b;
}

/* ---- lookups ---- */

/* How well a grant fits a member of org's group: 3 active there (or
 * anywhere, org NULL), 2 active through another organisation, 1 revoked. */
static int rank(const rc_grant *g, const char *org)
{
    if (g->revoked_at) return 1;
    if (!org || (g->org_id && strcmp(g->org_id, org) == 0)) return 3;
    return 2;
}

static rc_grant *best_in(rc_index *ix, const rc_keys *k, const char *key, const char *org)
{
    if (!key || !*key) return NULL;
    rc_grant *best = NULL;
    for (int j = keys_find(k, key); j < k->n && strcmp(k->v[j].key, key) == 0; j++) {
        rc_grant *g = &ix->g[k->v[j].i];
        if (!best || rank(g, org) > rank(best, org)) best = g;
    }
    return best;
}

/* The grant a member is: by account id first, then by email. */
static rc_grant *grant_of(rc_index *ix, const hy_member *m, const char *org)
{
    rc_grant *g = best_in(ix, &ix->g_account, m->account_id, org);
    return g ? g : best_in(ix, &ix->g_email, m->email, org);
}

/* A HyOpps user a member is: by Metabase id (Metabase), then by email. */
static rc_person *person_of(rc_index *ix, const hy_member *m)
{
    if (ix->sys == HY_SYS_METABASE && *m->account_id) {
        int j = keys_find(&ix->p_metabase, m->account_id);
        if (j < ix->p_metabase.n) return &ix->p[ix->p_metabase.v[j].i];
    }
    if (*m->email) {
        int j = keys_find(&ix->p_email, m->email);
        if (j < ix->p_email.n) return &ix->p[ix->p_email.v[j].i];
    }
    return NULL;
}

static const char *group_word(int sys)
{
    return sys == HY_SYS_METABASE ? "group" : sys == HY_SYS_SLACK ? "user group" : "channel";
}

/* The member's own fields on a finding. */
static void from_member(rc_finding *f, const hy_member *m, const char *group_id)
{
    f->account_id = dup_or_null(m->account_id);
    f->membership_id = dup_or_null(m->membership_id);
    f->group_id = dup_or_null(group_id);
    if (!f->email) f->email = dup_or_null(m->email);
    if (!f->name) f->name = dup_or_null(m->name);
}

static void from_grant(rc_finding *f, const rc_grant *g)
{
    f->known = true;
    f->user_id = dup_or_null(g->user_id);
    f->email = dup_or_null(g->email);
    f->name = dup_or_null(g->name);
    f->grant_execution_id = dup_or_null(g->execution_id);
    f->granted_at = dup_or_null(g->granted_at);
}

static void from_person(rc_finding *f, const rc_person *p)
{
    f->known = true;
    f->user_id = dup_or_null(p->user_id);
    f->email = dup_or_null(p->email);
    f->name = dup_or_null(p->name);
}

static void revoked_detail(rc_finding *f, const rc_grant *g)
{
    char when[HY_TIME_LEN] = "";
    if (g->revoked_at) hy_strlcpy(when, g->revoked_at, 11);
    if (g->revoked_execution_id && *g->revoked_execution_id)
        f->detail = xasprintf("access revoked %s (execution %.8s), still a member", when, g->revoked_execution_id);
    else
        f->detail = xasprintf("access revoked %s, still a member", when);
}

void rc_match_group(rc_index *ix, const char *org_id, const char *group_id, const hy_member_list *members,
                    rc_findings *out)
{
    for (int i = 0; i < members->n; i++) {
        const hy_member *m = &members->v[i];
        if (m->owner) continue;
        rc_grant *g = grant_of(ix, m, org_id);
        if (g && rank(g, org_id) == 3) {
            g->matched = true;
            continue;
        }
        rc_finding *f;
        if (g && rank(g, org_id) == 2) {
            f = rc_findings_add(out, org_id, ix->sys, HY_DRIFT_UNEXPECTED);
            from_grant(f, g);
            f->detail = xstrdup("granted through another organisation, not this one");
        } else if (g) {
            f = rc_findings_add(out, org_id, ix->sys, HY_DRIFT_REVOKED);
            from_grant(f, g);
            revoked_detail(f, g);
        } else {
            rc_person *p = person_of(ix, m);
            f = rc_findings_add(out, org_id, ix->sys, HY_DRIFT_UNEXPECTED);
            if (p) {
                from_person(f, p);
                f->detail = xasprintf("a member of the %s without a grant", group_word(ix->sys));
            } else {
                f->detail = xstrdup("an account HyOpps has no record of");
            }
        }
        from_member(f, m, group_id);
    }
}

int rc_unmatched(const rc_index *ix, const char *org_id)
{
    int lo, hi, n = 0;
    rc_index_org(ix, org_id, &lo, &hi);
    for (int j = lo; j < hi; j++) {
        const rc_grant *g = &ix->g[ix->g_org.v[j].i];
        if (!g->revoked_at && !g->matched) n++;
    }
    return n;
}

static bool among(const hy_member_list *l, const rc_grant *g)
{
    for (int i = 0; l && i < l->n; i++) {
        if (g->account_id && *g->account_id && strcmp(l->v[i].account_id, g->account_id) == 0) return true;
        if (g->email && *l->v[i].email && hy_strcaseeq(l->v[i].email, g->email)) return true;
    }
    return false;
}

void rc_missing(rc_index *ix, const char *org_id, const char *group_id, const hy_member_list *deactivated,
                const char *why, rc_findings *out, int *unchecked)
{
    int lo, hi;
    rc_index_org(ix, org_id, &lo, &hi);
    for (int j = lo; j < hi; j++) {
        rc_grant *g = &ix->g[ix->g_org.v[j].i];
        if (g->revoked_at || g->matched) continue;
        if (ix->sys == HY_SYS_SLACK && (!g->account_id || !*g->account_id)) {
            /* Slack lists ids only: a grant without one cannot be compared */
            if (unchecked) (*unchecked)++;
            continue;
        }
        rc_finding *f = rc_findings_add(out, org_id, ix->sys, HY_DRIFT_MISSING);
        from_grant(f, g);
        f->account_id = dup_or_null(g->account_id);
        f->group_id = dup_or_null(group_id);
        if (among(deactivated, g)) f->detail = xstrdup("the Metabase account is deactivated");
        else if (why) f->detail = xstrdup(why);
        else f->detail = xasprintf("not a member of the %s", group_word(ix->sys));
    }
}

void rc_match_team(rc_index *ix, const hy_member_list *team, rc_findings *out)
{
    for (int i = 0; i < team->n; i++) {
        const hy_member *m = &team->v[i];
        if (m->owner) continue;
        rc_grant *g = grant_of(ix, m, NULL);
        if (g && !g->revoked_at) {
            g->matched = true; /* the team is shared: a grant of any organisation */
            continue;
        }
        rc_finding *f;
        if (g) {
            f = rc_findings_add(out, g->org_id, ix->sys, HY_DRIFT_REVOKED);
            from_grant(f, g);
            revoked_detail(f, g);
        } else {
            rc_person *p = person_of(ix, m);
            if (p && p->staff) continue; /* the company's own people belong in the team */
            f = rc_findings_add(out, p ? p->org_id : "", ix->sys, HY_DRIFT_UNEXPECTED);
            if (p) {
                from_person(f, p);
                f->detail = xstrdup("a member of the team without a Teams grant");
            } else {
                f->detail = xstrdup("an account HyOpps has no record of (the shared team: reported once)");
            }
        }
        from_member(f, m, NULL);
    }
}
