/* Private to reconcile*.c: what a run knows (grants, people) and the
 * comparison of a group's members with it (reconcile_match.c: no database,
 * no service; unit-tested on its own). */
#ifndef HY_RECONCILE_INT_H
#define HY_RECONCILE_INT_H

#include <stdbool.h>

#include "reconcile.h"
#include "svc.h"

/* A grant of one system (active, or revoked: revoked_at set). */
typedef struct {
    char *user_id, *email, *name, *org_id, *account_id;
    char *granted_at, *execution_id;
    char *revoked_at, *revoked_execution_id;
    bool matched;                /* seen among the members (this run) */
} rc_grant;

/* A HyOpps user. */
typedef struct {
    char *user_id, *email, *name, *org_id, *metabase_id;
    bool staff;                  /* admin or support: the company's own people */
} rc_person;

/* A finding before it is stored (strings owned; NULL = none). */
typedef struct {
    char *org_id;                /* "" = the shared Teams team */
    int sys;
    int kind;                    /* hy_drift */
    bool known;
    char *user_id, *account_id, *email, *name;
    char *group_id, *membership_id;
    char *grant_execution_id, *granted_at;
    char *detail;
} rc_finding;

typedef struct {
    rc_finding *v;
    int n, cap;
} rc_findings;

void rc_findings_free(rc_findings *f);
rc_finding *rc_findings_add(rc_findings *f, const char *org_id, int sys, int kind);
/* Moves f's items into to (f is left empty). */
void rc_findings_move(rc_findings *to, rc_findings *f);

/* A sorted index entry: a key (borrowed) and the row it points to. */
typedef struct {
    const char *key;
    int i;
} rc_key;

typedef struct {
    rc_key *v;
    int n;
} rc_keys;

/* What a run knows for one system: its grants and every HyOpps user, with
 * sorted indexes (emails lower-case). */
typedef struct {
    int sys;
    rc_grant *g;
    int ng;
    rc_person *p;                /* borrowed: shared by the systems */
    int np;
    rc_keys g_account, g_email, g_org;
    rc_keys p_email, p_metabase;
} rc_index;

/* Builds the indexes (g and p filled, g_* and p_* NULL). */
void rc_index_build(rc_index *ix);
void rc_index_free(rc_index *ix);   /* the grants and indexes, not the people */
void rc_people_free(rc_person *p, int n);
/* The grants of an organisation: [*lo, *hi) in ix->g_org order. */
void rc_index_org(const rc_index *ix, const char *org_id, int *lo, int *hi);

/* Compares a group's (active) members with org_id's active grants of
 * ix->sys: each member is the organisation's grantee (marked matched), a
 * person whose grant was revoked (revoked_present), a person HyOpps knows
 * without a grant here (unexpected, known), or an account HyOpps knows
 * nothing of (unexpected). Members owned by the team (owner) are skipped.
 * Findings get group_id. */
void rc_match_group(rc_index *ix, const char *org_id, const char *group_id, const hy_member_list *members,
                    rc_findings *out);
/* How many of org_id's active grants no member matched. */
int rc_unmatched(const rc_index *ix, const char *org_id);
/* The organisation's active grants no member matched: missing. deactivated
 * (may be NULL): the group's deactivated accounts (Metabase); a grantee
 * among them is "deactivated", not removed. why: the detail for the rest
 * (NULL: "not a member of <group>"). Slack grants without an account id
 * cannot be compared: counted in *unchecked (may be NULL), not reported. */
void rc_missing(rc_index *ix, const char *org_id, const char *group_id, const hy_member_list *deactivated,
                const char *why, rc_findings *out, int *unchecked);

/* Teams: the team's members classified once for the run. Findings are made
 * per member: revoked_present and unexpected-known ones carry the
 * organisation of the grant or the person; unexpected unknown ones
 * organisation "" (the shared team). Members matching an active grant of
 * any organisation mark it. */
void rc_match_team(rc_index *ix, const hy_member_list *team, rc_findings *out);

#endif
