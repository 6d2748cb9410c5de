/* A reconciliation run (reconcile.h): what the run knows is loaded once,
 * the services are read organisation by organisation (one transaction per
 * organisation records its checks and findings), each call retried like a
 * step when it fails transiently. */
#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "backoff.h"
#include "db.h"
#include "list_lock.h"
#include "model.h"
#include "sanitize.h"
#include "reconcile_int.h"
#include "store_reconcile.h"
#include "svc.h"
#include "workflows.h"

#define LEASE_MS (10 * 60 * 1000)   /* renewed at every call and organisation */
#define PAUSE_SLICE_MS 100

/* ---- names ---- */

static const char *const SYS_NAMES[HY_NSYS] = {"metabase", "teams", "slack"};
static const char *const SYS_LABELS[HY_NSYS] = {"Metabase", "Teams", "Slack"};
static const char *const SYS_RES[HY_NSYS] = {HY_RES_METABASE, HY_RES_TEAMS, HY_RES_SLACK};
static const char *const DRIFT_NAMES[HY_NDRIFT] = {"missing", "unexpected", "revoked_present", "unknown_group"};
static const char *const DRIFT_LABELS[HY_NDRIFT] = {"missing", "unexpected", "revoked but present", "unknown group"};

const char *hy_sys_name(int sys) { return sys >= 0 && sys < HY_NSYS ? SYS_NAMES[sys] : "?"; }
const char *hy_sys_label(int sys) { return sys >= 0 && sys < HY_NSYS ? SYS_LABELS[sys] : "?"; }
const char *hy_sys_resource(int sys) { return sys >= 0 && sys < HY_NSYS ? SYS_RES[sys] : NULL; }

int hy_sys_parse(const char *name)
{
    for (int i = 0; name && i < HY_NSYS; i++)
        if (hy_strcaseeq(name, SYS_NAMES[i])) return i;
    return -1;
}

int hy_sys_parse_list(const char *text, unsigned *mask, hy_err *err)
{
    *mask = 0;
    hy_strlist l = {0};
    hy_strlist_split(&l, text ? text : "");
    for (int i = 0; i < l.n; i++) {
        int s = hy_sys_parse(l.v[i]);
        if (s < 0) {
            char shown[40];
            hy_sanitize_to(l.v[i], shown, sizeof shown);
            hy_field(err, "system", "'%s' is not a system: give metabase, teams or slack (comma-separated)", shown);
        } else {
            *mask |= 1u << s;
        }
    }
    if (l.n == 0) hy_field(err, "system", "give metabase, teams or slack (comma-separated)");
    hy_strlist_free(&l);
    return err->nfield ? (err->code = HY_ERR_INVALID) : 0;
}

const char *hy_drift_name(int kind) { return kind >= 0 && kind < HY_NDRIFT ? DRIFT_NAMES[kind] : "?"; }
const char *hy_drift_label(int kind) { return kind >= 0 && kind < HY_NDRIFT ? DRIFT_LABELS[kind] : "?"; }

int hy_drift_parse(const char *name)
{
    for (int i = 0; name && i < HY_NDRIFT; i++)
        if (hy_strcaseeq(name, DRIFT_NAMES[i])) return i;
    return -1;
}

void hy_reconcile_stats_free(hy_reconcile_stats *s)
{
    for (int i = 0; i < s->nfailures; i++) free(s->failures[i]);
    free(s->failures);
    s->failures = NULL;
    s->nfailures = 0;
}

/* ---- the run's state ---- */

typedef struct {
    char *id, *name;
    char *group[HY_NSYS];        /* external ids (NULL: none) */
    bool placeholder[HY_NSYS];
} rc_org;

typedef struct {
    hy_ctx *c;
    const hy_reconcile_opts *o;
    hy_reconcile_stats *st;
    unsigned systems;            /* compared: asked for and not off */
    hy_mode mode[HY_NSYS];
    hy_svc svc;
    hy_call_log log;
    char run_id[HY_UUID_LEN];
    rc_org *orgs;
    int norgs;
    rc_person *people;
    int npeople;
    rc_index ix[HY_NSYS];
    int64_t lease_renewed;
    /* per-run lists, read at first need (*_err: the read failed) */
    bool mb_loaded, sl_loaded, tm_loaded;
    char *mb_err, *sl_err, *tm_err;
    mb_group_list mb_groups;
    slack_group_list sl_groups;
    graph_channel_list channels;
    hy_member_list team;
    rc_findings team_findings;   /* classified once; each organisation takes its own */
    int tm_calls;
} rc_run;

static bool stopping(const rc_run *r) { return r->o->stop && *r->o->stop; }

static void renew_lease(rc_run *r, bool force)
{
    int64_t now = hy_mono_ms();
    if (!force && now - r->lease_renewed < 10000) return;
    hy_err e;
    hy_err_clear(&e);
    if (list_lock_renew(r->c->db, HY_RECONCILE_LEASE, r->o->owner, LEASE_MS, &e) == 0) r->lease_renewed = now;
}

static void pause_ms(rc_run *r, int64_t ms)
{
    int64_t end = hy_mono_ms() + ms;
    while (!stopping(r) && hy_mono_ms() < end) {
        int64_t left = end - hy_mono_ms(), slice = left < PAUSE_SLICE_MS ? left : PAUSE_SLICE_MS;
        if (slice <= 0) break;
        struct timespec ts = {0, (long)slice * 1000000L};
        nanosleep(&ts, NULL);
        renew_lease(r, false);
    }
}

/* ---- calls, retried like steps ---- */

typedef enum { OP_MB_GROUPS, OP_MB_MEMBERS, OP_MB_DEACTIVATED, OP_SL_GROUPS, OP_SL_MEMBERS, OP_TM_CHANNELS,
               OP_TM_MEMBERS } op_kind;

typedef struct {
    op_kind op;
    long gid;
    const char *sid;
    hy_member_list *members;
    bool missing;
} op_args;

static int op_once(rc_run *r, op_args *a, hy_err *err)
{
    hy_svc *s = &r->svc;
    switch (a->op) {
    case OP_MB_GROUPS: return svc_metabase(r->mode[HY_SYS_METABASE])->list_groups(s, &r->mb_groups, err);
    case OP_MB_MEMBERS:
        return svc_metabase(r->mode[HY_SYS_METABASE])->group_members(s, a->gid, a->members, &a->missing, err);
    case OP_MB_DEACTIVATED:
        return svc_metabase(r->mode[HY_SYS_METABASE])->deactivated_members(s, a->gid, a->members, err);
    case OP_SL_GROUPS: return svc_slack(r->mode[HY_SYS_SLACK])->list_groups(s, &r->sl_groups, err);
    case OP_SL_MEMBERS:
        return svc_slack(r->mode[HY_SYS_SLACK])->group_members(s, a->sid, a->members, &a->missing, err);
    case OP_TM_CHANNELS: return svc_teams(r->mode[HY_SYS_TEAMS])->list_channels(s, &r->channels, err);
    case OP_TM_MEMBERS: return svc_teams(r->mode[HY_SYS_TEAMS])->team_members(s, a->members, err);
    }
    return hy_fail(err, HY_ERR_INTERNAL, "unknown reconciliation call");
}

/* One call through the system's interface: simulated ones inside a
 * transaction of their own (their state may be filled in as they read),
 * live ones with none open. A transient failure is tried again after the
 * steps' backoff, up to [http] max_attempts. *calls (may be NULL) counts
 * the service calls made. */
static int call(rc_run *r, int sys, op_args *a, int *calls, hy_err *err)
{
    int max = r->c->cfg->http.max_attempts > 0 ? r->c->cfg->http.max_attempts : 1;
    bool local = r->mode[sys] != HY_MODE_LIVE;
    for (int attempt = 1;; attempt++) {
        int before = r->log.n;
        hy_err_clear(err);
        int rc;
        if (local) {
            rc = db_begin_quiet(r->c->db, err); /* a simulated service's state: no partner's screen (beacon.h) */
            if (rc == 0) rc = op_once(r, a, err);
            if (rc == 0) rc = db_commit(r->c->db, err);
            else if (db_in_tx(r->c->db)) db_rollback(r->c->db);
        } else {
            renew_lease(r, true);
            rc = op_once(r, a, err);
        }
        int made = r->log.n - before;
        r->st->calls[sys] += made;
        if (calls) *calls += made;
        if (rc == 0 || err->code != HY_ERR_TRANSIENT || attempt >= max || stopping(r)) {
            if (rc && err->code == HY_ERR_TRANSIENT && max > 1 && attempt >= max) {
                char why[sizeof err->msg];
                hy_strlcpy(why, err->msg, sizeof why);
                hy_fail(err, HY_ERR_TRANSIENT, "gave up after %d attempts: %s", attempt, why);
            }
            return rc;
        }
        r->st->retries++;
        /* a list read may have filled part of its output: start clean */
        if (a->members) hy_member_list_free(a->members);
        if (a->op == OP_MB_GROUPS) mb_group_list_free(&r->mb_groups);
        if (a->op == OP_SL_GROUPS) slack_group_list_free(&r->sl_groups);
        if (a->op == OP_TM_CHANNELS) graph_channel_list_free(&r->channels);
        pause_ms(r, hy_retry_delay_ms(attempt, err->retry_after));
    }
}

/* ---- loading what HyOpps knows ---- */

static int load_orgs(rc_run *r, hy_err *err)
{
    hy_stmt *st = db_query(r->c->db, err,
                           "SELECT id, name FROM organizations WHERE ?1 IS NULL OR id = ?1 ORDER BY name COLLATE NOCASE, id",
                           "t", r->o->org_id);
    int cap = 0;
    while (db_row(st)) {
        if (r->norgs == cap) r->orgs = xrealloc(r->orgs, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *r->orgs);
        rc_org *o = &r->orgs[r->norgs++];
        memset(o, 0, sizeof *o);
        o->id = db_dup(st, 0);
        o->name = db_dup(st, 1);
    }
    int rc = db_done(st);
    if (rc) return rc;
    st = db_query(r->c->db, err,
                  "SELECT organization_id, tool, external_id, placeholder FROM system_groups "
                  "WHERE (?1 IS NULL OR organization_id = ?1) AND external_id IS NOT NULL AND external_id != ''",
                  "t", r->o->org_id);
    while (db_row(st)) {
        int sys = hy_sys_parse(db_text(st, 1));
        if (sys < 0) continue;
        for (int i = 0; i < r->norgs; i++) {
            rc_org *o = &r->orgs[i];
            if (!hy_streq(o->id, db_text(st, 0)) || o->group[sys]) continue;
            o->group[sys] = db_dup(st, 2);
            o->placeholder[sys] = db_int(st, 3) != 0;
        }
    }
    return db_done(st);
}

static int load_people(rc_run *r, hy_err *err)
{
    hy_stmt *st = db_query(r->c->db, err,
                           "SELECT id, lower(email), trim(coalesce(firstname, '') || ' ' || coalesce(lastname, '')), "
                           "organization_id, CAST(metabase_user_id AS TEXT), app_role IN ('admin', 'support') "
                           "FROM users",
                           "");
    int cap = 0;
    while (db_row(st)) {
        if (r->npeople == cap) r->people = xrealloc(r->people, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *r->people);
        rc_person *p = &r->people[r->npeople++];
        p->user_id = db_dup(st, 0);
        p->email = db_dup(st, 1);
        p->name = db_dup(st, 2);
        p->org_id = db_dup(st, 3);
        p->metabase_id = db_dup(st, 4);
        p->staff = db_int(st, 5) != 0;
    }
    return db_done(st);
}

static int load_grants(rc_run *r, int sys, hy_err *err)
{
    rc_index *ix = &r->ix[sys];
    ix->sys = sys;
    ix->p = r->people;
    ix->np = r->npeople;
    hy_stmt *st = db_query(r->c->db, err,
                           "SELECT g.user_id, lower(u.email), trim(coalesce(u.firstname, '') || ' ' || "
                           "coalesce(u.lastname, '')), g.organization_id, g.account_id, g.granted_at, g.execution_id, "
                           "g.revoked_at, g.revoked_execution_id FROM access_grants g "
                           "JOIN resources r ON r.id = g.resource_id JOIN users u ON u.id = g.user_id WHERE r.name = ?",
                           "t", hy_sys_resource(sys));
    int cap = 0;
    while (db_row(st)) {
        if (ix->ng == cap) ix->g = xrealloc(ix->g, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *ix->g);
        rc_grant *g = &ix->g[ix->ng++];
        memset(g, 0, sizeof *g);
        g->user_id = db_dup(st, 0);
        g->email = db_dup(st, 1);
        g->name = db_dup(st, 2);
        g->org_id = db_dup(st, 3);
        g->account_id = db_dup(st, 4);
        g->granted_at = db_dup(st, 5);
        g->execution_id = db_dup(st, 6);
        g->revoked_at = db_dup(st, 7);
        g->revoked_execution_id = db_dup(st, 8);
    }
    int rc = db_done(st);
    rc_index_build(ix);
    return rc;
}

/* Has the organisation active grants of this system? */
static bool has_grants(const rc_run *r, int sys, const char *org)
{
    int lo, hi;
    rc_index_org(&r->ix[sys], org, &lo, &hi);
    for (int j = lo; j < hi; j++)
        if (!r->ix[sys].g[r->ix[sys].g_org.v[j].i].revoked_at) return true;
    return false;
}

/* ---- one organisation and system ---- */

typedef struct {
    rcs_check k;
    rc_findings f;
    char *note;                  /* owned: k.note */
} org_check;

static void set_note(org_check *oc, char *note)
{
    free(oc->note);
    oc->note = note;
    oc->k.note = note;
}

/* A read failed: recorded as such, and nothing is reported for it. */
static void failed(rc_run *r, const rc_org *o, org_check *oc, const char *what, const hy_err *e)
{
    rc_findings_free(&oc->f);
    oc->k.status = "error";
    oc->k.members = -1;
    set_note(oc, xasprintf("%s%s", what ? what : "", e->msg));
    r->st->incomplete = true;
    r->st->failures = xrealloc(r->st->failures, (size_t)(r->st->nfailures + 1) * sizeof *r->st->failures);
    r->st->failures[r->st->nfailures++] =
        xasprintf("%s, %s: %s", o ? o->name : "the Teams team", hy_sys_label(oc->k.sys), oc->note);
}

static void unknown_group(const rc_org *o, org_check *oc, const char *group, const char *why)
{
    rc_finding *f = rc_findings_add(&oc->f, o->id, oc->k.sys, HY_DRIFT_UNKNOWN_GROUP);
    f->group_id = group ? xstrdup(group) : NULL;
    const char *tool = hy_sys_name(oc->k.sys);
    f->detail = xasprintf("%s: set the real one with `hyopps orgs edit ORG %s ID` (i in the organisation's screen)",
                          why, hy_group_edit_flag(tool));
}

/* What every system checks first, with no call: a group to read? false:
 * nothing more to do (oc filled). */
static bool group_usable(rc_run *r, const rc_org *o, org_check *oc)
{
    int sys = oc->k.sys;
    const char *g = o->group[sys];
    oc->k.group_id = g;
    if (!g) {
        oc->k.status = "skipped";
        if (has_grants(r, sys, o->id)) {
            unknown_group(o, oc, NULL, sys == HY_SYS_TEAMS ? "no Teams channel is recorded for this organisation, "
                                                              "but people hold Teams grants through it"
                                                           : "no group is recorded for this organisation, but people "
                                                             "hold grants through it");
            set_note(oc, xstrdup("no group recorded"));
        } else {
            set_note(oc, xstrdup("no group: nothing to compare"));
        }
        return false;
    }
    if (o->placeholder[sys]) {
        oc->k.status = "skipped";
        char *why = xasprintf("%s is a placeholder id the original app made up (sent to no service)", g);
        unknown_group(o, oc, g, why);
        free(why);
        set_note(oc, xstrdup("a placeholder id: not sent"));
        return false;
    }
    if (sys == HY_SYS_METABASE) {
        char *end;
        long id = strtol(g, &end, 10);
        if (*end || id <= 2) {
            oc->k.status = "skipped";
            char *why = xasprintf("%s is not a Metabase group id (a whole number above 2)", g);
            unknown_group(o, oc, g, why);
            free(why);
            set_note(oc, xstrdup("not a Metabase group id: not sent"));
            return false;
        }
    }
    return true;
}

static void check_metabase(rc_run *r, const rc_org *o, org_check *oc)
{
    if (!group_usable(r, o, oc)) return;
    hy_err e;
    hy_err_clear(&e);
    long gid = strtol(o->group[HY_SYS_METABASE], NULL, 10);
    if (!r->mb_loaded) {
        r->mb_loaded = true;
        op_args a = {.op = OP_MB_GROUPS};
        if (call(r, HY_SYS_METABASE, &a, &oc->k.calls, &e)) r->mb_err = xstrdup(e.msg);
    }
    if (r->mb_err) {
        hy_fail(&e, HY_ERR_TRANSIENT, "%s", r->mb_err);
        failed(r, o, oc, "could not list the Metabase groups: ", &e);
        return;
    }
    bool listed = false;
    for (int i = 0; i < r->mb_groups.n && !listed; i++) listed = r->mb_groups.items[i].id == gid;
    oc->k.status = "ok";
    if (!listed) {
        char *why = xasprintf("Metabase has no group %ld (deleted by hand, or a wrong id)", gid);
        unknown_group(o, oc, o->group[HY_SYS_METABASE], why);
        free(why);
        return;
    }
    hy_member_list m = {0}, deact = {0};
    op_args a = {.op = OP_MB_MEMBERS, .gid = gid, .members = &m};
    if (call(r, HY_SYS_METABASE, &a, &oc->k.calls, &e)) {
        failed(r, o, oc, "", &e);
    } else if (a.missing) {
        char *why = xasprintf("Metabase has no group %ld (deleted by hand, or a wrong id)", gid);
        unknown_group(o, oc, o->group[HY_SYS_METABASE], why);
        free(why);
    } else {
        oc->k.members = m.n;
        rc_match_group(&r->ix[HY_SYS_METABASE], o->id, o->group[HY_SYS_METABASE], &m, &oc->f);
        bool ok = true;
        if (rc_unmatched(&r->ix[HY_SYS_METABASE], o->id) > 0) {
            /* absent: removed, or deactivated (Metabase lists active accounts only)? */
            op_args d = {.op = OP_MB_DEACTIVATED, .gid = gid, .members = &deact};
            if (call(r, HY_SYS_METABASE, &d, &oc->k.calls, &e)) {
                failed(r, o, oc, "listing the group's deactivated accounts: ", &e);
                ok = false;
            }
        }
        if (ok) rc_missing(&r->ix[HY_SYS_METABASE], o->id, o->group[HY_SYS_METABASE], &deact, NULL, &oc->f, NULL);
    }
    hy_member_list_free(&m);
    hy_member_list_free(&deact);
}

static void check_slack(rc_run *r, const rc_org *o, org_check *oc)
{
    if (!group_usable(r, o, oc)) return;
    const char *gid = o->group[HY_SYS_SLACK];
    hy_err e;
    hy_err_clear(&e);
    if (!r->sl_loaded) {
        r->sl_loaded = true;
        op_args a = {.op = OP_SL_GROUPS};
        if (call(r, HY_SYS_SLACK, &a, &oc->k.calls, &e)) r->sl_err = xstrdup(e.msg);
    }
    if (r->sl_err) {
        hy_fail(&e, HY_ERR_TRANSIENT, "%s", r->sl_err);
        failed(r, o, oc, "could not list the Slack user groups: ", &e);
        return;
    }
    const slack_group *g = NULL;
    for (int i = 0; i < r->sl_groups.n && !g; i++)
        if (hy_streq(r->sl_groups.v[i].id, gid)) g = &r->sl_groups.v[i];
    oc->k.status = "ok";
    if (!g) {
        char *why = xasprintf("Slack has no user group %s (a wrong id)", gid);
        unknown_group(o, oc, gid, why);
        free(why);
        return;
    }
    if (g->disabled) {
        /* a disabled group gives nobody anything, whoever it still lists */
        set_note(oc, xstrdup("the user group is disabled"));
        rc_missing(&r->ix[HY_SYS_SLACK], o->id, gid, NULL,
                   "the Slack user group is disabled (enable it in Slack; the next onboarding enables it too)", &oc->f,
                   &r->st->unchecked);
        return;
    }
    hy_member_list m = {0};
    op_args a = {.op = OP_SL_MEMBERS, .sid = gid, .members = &m};
    if (call(r, HY_SYS_SLACK, &a, &oc->k.calls, &e)) {
        failed(r, o, oc, "", &e);
    } else if (a.missing) {
        char *why = xasprintf("Slack has no user group %s (a wrong id)", gid);
        unknown_group(o, oc, gid, why);
        free(why);
    } else {
        oc->k.members = m.n;
        rc_match_group(&r->ix[HY_SYS_SLACK], o->id, gid, &m, &oc->f);
        rc_missing(&r->ix[HY_SYS_SLACK], o->id, gid, NULL, NULL, &oc->f, &r->st->unchecked);
    }
    hy_member_list_free(&m);
}

/* The team's channels and members, once per run; its members classified. */
static void load_team(rc_run *r, int *calls)
{
    r->tm_loaded = true;
    hy_err e;
    hy_err_clear(&e);
    op_args a = {.op = OP_TM_CHANNELS};
    op_args m = {.op = OP_TM_MEMBERS, .members = &r->team};
    int before = r->st->calls[HY_SYS_TEAMS];
    if (call(r, HY_SYS_TEAMS, &a, NULL, &e) || call(r, HY_SYS_TEAMS, &m, NULL, &e)) r->tm_err = xstrdup(e.msg);
    else rc_match_team(&r->ix[HY_SYS_TEAMS], &r->team, &r->team_findings);
    r->tm_calls = r->st->calls[HY_SYS_TEAMS] - before;
    *calls += r->tm_calls;
}

/* Takes the team's findings about org (NULL: every one left) into out. */
static void take_team_findings(rc_run *r, const char *org, rc_findings *out)
{
    rc_findings keep = {0};
    for (int i = 0; i < r->team_findings.n; i++) {
        rc_finding *f = &r->team_findings.v[i];
        rc_findings *to = !org || hy_streq(f->org_id, org) ? out : &keep;
        if (to->n == to->cap) to->v = xrealloc(to->v, (size_t)(to->cap = to->cap ? to->cap * 2 : 8) * sizeof *to->v);
        to->v[to->n++] = *f;
    }
    free(r->team_findings.v);
    r->team_findings = keep;
}

static void check_teams(rc_run *r, const rc_org *o, org_check *oc)
{
    if (!group_usable(r, o, oc)) return;
    const char *cid = o->group[HY_SYS_TEAMS];
    if (!r->tm_loaded) load_team(r, &oc->k.calls);
    if (r->tm_err) {
        hy_err e;
        hy_err_clear(&e);
        hy_fail(&e, HY_ERR_TRANSIENT, "%s", r->tm_err);
        failed(r, o, oc, "could not read the Teams team: ", &e);
        return;
    }
    const graph_channel *ch = NULL;
    for (int i = 0; i < r->channels.n && !ch; i++)
        if (hy_streq(r->channels.v[i].id, cid)) ch = &r->channels.v[i];
    oc->k.status = "ok";
    if (!ch || (ch->archived && has_grants(r, HY_SYS_TEAMS, o->id))) {
        char *why = ch ? xasprintf("the Teams channel %s is archived, but people hold Teams grants through it", cid)
                       : xasprintf("Teams has no channel %s in the team (deleted by hand, or a wrong id)", cid);
        unknown_group(o, oc, cid, why);
        free(why);
        return;
    }
    oc->k.members = r->team.n;
    take_team_findings(r, o->id, &oc->f);
    for (int i = 0; i < oc->f.n; i++)
        if (!oc->f.v[i].group_id) oc->f.v[i].group_id = xstrdup(cid);
    rc_missing(&r->ix[HY_SYS_TEAMS], o->id, cid, NULL, "not a member of the Teams team", &oc->f, NULL);
}

/* ---- recording ---- */

static int record(rc_run *r, org_check *checks, int n, hy_err *err)
{
    int rc = db_begin(r->c->db, err);
    for (int i = 0; rc == 0 && i < n; i++) db_beacon_org(r->c->db, checks[i].k.org_id); /* their home screens */
    for (int i = 0; rc == 0 && i < n; i++)
        rc = rcs_record_check(r->c, r->run_id, &checks[i].k, checks[i].f.v, checks[i].f.n, err);
    if (rc == 0) rc = db_commit(r->c->db, err);
    else db_rollback(r->c->db);
    for (int i = 0; i < n; i++) {
        if (strcmp(checks[i].k.status, "error") == 0) continue;
        for (int j = 0; j < checks[i].f.n; j++) {
            r->st->findings++;
            r->st->by_kind[checks[i].f.v[j].kind]++;
            r->st->by_system[checks[i].k.sys]++;
        }
    }
    return rc;
}

static void org_check_free(org_check *oc)
{
    rc_findings_free(&oc->f);
    free(oc->note);
}

static int check_org(rc_run *r, const rc_org *o, hy_err *err)
{
    org_check oc[HY_NSYS];
    int n = 0;
    for (int sys = 0; sys < HY_NSYS; sys++) {
        if (!(r->systems & (1u << sys))) continue;
        org_check *x = &oc[n++];
        memset(x, 0, sizeof *x);
        x->k = (rcs_check){.org_id = o->id, .sys = sys, .status = "ok", .members = -1};
        if (sys == HY_SYS_METABASE) check_metabase(r, o, x);
        else if (sys == HY_SYS_SLACK) check_slack(r, o, x);
        else check_teams(r, o, x);
    }
    int rc = record(r, oc, n, err);
    for (int i = 0; i < n; i++) org_check_free(&oc[i]);
    return rc;
}

/* The team's members HyOpps knows nothing of (and what no organisation of
 * the run took): once, for organisation "". */
static int check_shared_team(rc_run *r, hy_err *err)
{
    if (!r->tm_loaded) return 0;
    org_check oc;
    memset(&oc, 0, sizeof oc);
    oc.k = (rcs_check){.org_id = "", .sys = HY_SYS_TEAMS, .status = "ok", .members = r->team.n,
                       .group_id = r->c->cfg->teams.team_id};
    if (r->tm_err) {
        hy_err e;
        hy_err_clear(&e);
        hy_fail(&e, HY_ERR_TRANSIENT, "%s", r->tm_err);
        failed(r, NULL, &oc, "", &e);
    } else {
        take_team_findings(r, NULL, &oc.f);
        for (int i = 0; i < oc.f.n; i++) {
            free(oc.f.v[i].org_id);
            oc.f.v[i].org_id = xstrdup("");
        }
    }
    int rc = record(r, &oc, 1, err);
    org_check_free(&oc);
    return rc;
}

/* ---- the run ---- */

static void run_free(rc_run *r)
{
    for (int i = 0; i < r->norgs; i++) {
        free(r->orgs[i].id);
        free(r->orgs[i].name);
        for (int s = 0; s < HY_NSYS; s++) free(r->orgs[i].group[s]);
    }
    free(r->orgs);
    for (int s = 0; s < HY_NSYS; s++) rc_index_free(&r->ix[s]);
    rc_people_free(r->people, r->npeople);
    mb_group_list_free(&r->mb_groups);
    slack_group_list_free(&r->sl_groups);
    graph_channel_list_free(&r->channels);
    hy_member_list_free(&r->team);
    rc_findings_free(&r->team_findings);
    free(r->mb_err);
    free(r->sl_err);
    free(r->tm_err);
    if (r->svc.integ) integ_free(r->svc.integ);
    call_log_free(&r->log);
}

static char *systems_text(unsigned mask)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int s = 0; s < HY_NSYS; s++)
        if (mask & (1u << s)) hy_buf_printf(&b, "%s%s", b.len ? "," : "", hy_sys_name(s));
    return hy_buf_take(&b);
}

static cJSON *run_details(const rc_run *r, const char *status)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "run_id", r->run_id);
    if (r->o->org_id) cJSON_AddStringToObject(d, "organization_id", r->o->org_id);
    char *sys = systems_text(r->systems);
    cJSON_AddStringToObject(d, "systems", sys);
    free(sys);
    if (status) {
        cJSON_AddStringToObject(d, "status", status);
        cJSON_AddNumberToObject(d, "organizations", r->st->organizations);
        cJSON_AddNumberToObject(d, "findings", r->st->findings);
    }
    return d;
}

static int begin_run(rc_run *r, hy_err *err)
{
    hy_uuid(r->run_id);
    char *sys = systems_text(r->systems);
    int rc = db_begin_quiet(r->c->db, err); /* runs are staff's: no partner's screen (beacon.h) */
    if (rc == 0)
        rc = rcs_run_begin(r->c, r->run_id, hy_now_ms(), r->o->actor->system ? NULL : r->o->actor->user_id,
                           r->o->by_label, r->o->org_id, sys, err);
    cJSON *d = rc == 0 ? run_details(r, NULL) : NULL;
    if (rc == 0) rc = audit_write(r->c, r->o->actor, "access.reconcile.start", "reconcile_run", r->run_id, d, err);
    cJSON_Delete(d);
    free(sys);
    if (rc == 0) return db_commit(r->c->db, err);
    db_rollback(r->c->db);
    return rc;
}

static int end_run(rc_run *r, const char *status, hy_err *err)
{
    int calls = 0;
    for (int s = 0; s < HY_NSYS; s++) calls += r->st->calls[s];
    hy_buf why = {0};
    for (int i = 0; i < r->st->nfailures && i < 20; i++) hy_buf_printf(&why, "%s%s", i ? "; " : "", r->st->failures[i]);
    if (r->st->nfailures > 20) hy_buf_printf(&why, "; and %d more", r->st->nfailures - 20);
    int rc = db_begin_quiet(r->c->db, err);
    if (rc == 0)
        rc = rcs_run_end(r->c, r->run_id, status, r->st->organizations, r->st->findings, calls, r->st->duration_ms,
                         why.s, err);
    cJSON *d = rc == 0 ? run_details(r, status) : NULL;
    if (rc == 0) rc = audit_write(r->c, r->o->actor, "access.reconcile", "reconcile_run", r->run_id, d, err);
    cJSON_Delete(d);
    hy_buf_free(&why);
    if (rc == 0) return db_commit(r->c->db, err);
    db_rollback(r->c->db);
    return rc;
}

int reconcile_run(hy_ctx *c, const hy_reconcile_opts *o, hy_reconcile_stats *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_err_clear(err);
    int64_t t0 = hy_mono_ms();
    if (list_lock_acquire(c->db, HY_RECONCILE_LEASE, o->owner, LEASE_MS, 0, NULL, err) != 0) {
        if (err->code != HY_ERR_TRANSIENT) return err->code;
        return hy_fail(err, HY_ERR_CONFLICT, "another reconciliation is running; try again when it has finished");
    }
    if (o->only_if_due) { /* another worker may have run it between our look and the lease */
        int64_t due = -1;
        int rc = reconcile_next_due(c, &due, err);
        if (rc || due < 0 || due > hy_now_ms()) {
            out->not_due = rc == 0;
            list_lock_release(c->db, HY_RECONCILE_LEASE, o->owner);
            return rc;
        }
    }
    rc_run r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.o = o;
    r.st = out;
    r.lease_renewed = hy_mono_ms();
    unsigned want = o->systems ? o->systems : HY_SYS_ALL;
    hy_mode modes[HY_NSYS] = {c->cfg->metabase.mode, c->cfg->teams.mode, c->cfg->slack.mode};
    bool live = false;
    for (int s = 0; s < HY_NSYS; s++) {
        r.mode[s] = modes[s];
        if ((want & (1u << s)) && modes[s] != HY_MODE_OFF) {
            r.systems |= 1u << s;
            live = live || modes[s] == HY_MODE_LIVE;
        }
    }
    out->systems_read = r.systems;
    r.svc = (hy_svc){.c = c, .integ = live ? integ_new(c->cfg) : NULL, .owner = o->owner, .lock_wait_ms = -1};
    if (r.svc.integ) integ_set_log(r.svc.integ, &r.log);
    int rc = load_orgs(&r, err);
    if (rc == 0) rc = load_people(&r, err);
    for (int s = 0; rc == 0 && s < HY_NSYS; s++)
        if (r.systems & (1u << s)) rc = load_grants(&r, s, err);
    if (rc == 0) rc = begin_run(&r, err);
    if (rc) {
        run_free(&r);
        list_lock_release(c->db, HY_RECONCILE_LEASE, o->owner);
        return rc;
    }
    hy_strlcpy(out->run_id, r.run_id, sizeof out->run_id);
    bool stopped = false;
    for (int i = 0; rc == 0 && i < r.norgs; i++) {
        if (stopping(&r)) {
            stopped = true;
            break;
        }
        rc = check_org(&r, &r.orgs[i], err);
        out->organizations++;
        renew_lease(&r, false);
    }
    if (rc == 0 && !stopped && !o->org_id && (r.systems & (1u << HY_SYS_TEAMS))) rc = check_shared_team(&r, err);
    out->duration_ms = hy_mono_ms() - t0;
    const char *status = rc ? "failed" : stopped || out->incomplete ? "incomplete" : "completed";
    if (stopped) {
        out->incomplete = true;
        out->failures = xrealloc(out->failures, (size_t)(out->nfailures + 1) * sizeof *out->failures);
        out->failures[out->nfailures++] =
            xasprintf("stopped after %d of %d organisations (the worker was asked to stop)", out->organizations, r.norgs);
    }
    if (rc) {
        hy_err e2;
        hy_err_clear(&e2);
        end_run(&r, status, &e2); /* the first error is the one to report */
    } else {
        rc = end_run(&r, status, err);
    }
    run_free(&r);
    list_lock_release(c->db, HY_RECONCILE_LEASE, o->owner);
    return rc;
}

int reconcile_next_due(hy_ctx *c, int64_t *due_ms, hy_err *err)
{
    *due_ms = -1;
    int hours = c->cfg->reconcile.every_hours;
    if (hours <= 0) return 0;
    int64_t last = 0;
    bool found = false;
    int rc = db_get_int(c->db, err, &last, &found,
                        "SELECT max(started_ms) FROM reconcile_runs WHERE scope_org_id IS NULL", "");
    if (rc) return rc;
    *due_ms = found && last > 0 ? last + (int64_t)hours * 3600 * 1000 : 0;
    return 0;
}
