/* Who has access, really: reconciliation (reconcile.h) as operations, and
 * the repair of what it finds. ops.h conventions.
 *
 * Who may do what (authz.h capabilities, never a role test):
 *  - read the findings, an organisation's matrix, a person's access: the
 *    panel capability, scoped as everything else (staff: every
 *    organisation; a partner admin: their own, anything else "not found").
 *    Findings about the shared Teams team itself (organisation "") are for
 *    staff only.
 *  - run a reconciliation: HY_CAP_RECONCILE (administrators, support). It
 *    waits on the services: never call it on the UI thread.
 *  - repair: HY_CAP_REPAIR (administrators). Each repair is explicit and
 *    audited; a repair of a live service makes its calls with no
 *    transaction open, then records what happened in a short one.
 *
 * "The current drift" is, for each organisation and system, the findings of
 * its latest check that could be read (a check that failed reports
 * nothing, and leaves the previous one standing). */
#ifndef HY_OPS_ACCESS_H
#define HY_OPS_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "principal.h"
#include "reconcile.h"

/* One finding of the current drift. */
typedef struct {
    int64_t id;                  /* what repairs take */
    char *run_id;
    char *organization_id;       /* "" = the shared Teams team */
    char *organization_name;     /* NULL for the team */
    int sys;                     /* hy_sys */
    int kind;                    /* hy_drift */
    bool known;                  /* unexpected: a person HyOpps knows (user_id set) */
    char *user_id, *email, *name, *account_id;
    char *group_id, *membership_id;
    char *grant_execution_id, *granted_at;   /* missing / revoked: the grant and what granted it */
    char *detail;
    char *first_seen, *checked_at;            /* since when; the check that saw it last */
    char *repair, *repaired_at, *repaired_by_email;   /* what an administrator did about it */
} hy_finding;

typedef struct {
    hy_finding *items;
    int count;
} hy_finding_list;

void hy_finding_list_free(hy_finding_list *l);
cJSON *hy_finding_to_json(const hy_finding *f);
/* "jane@acme.test", "U0ABC123 (unknown to HyOpps)", "Jane Doe <jane@...>"...: who, for a line. Caller frees. */
char *hy_finding_person(const hy_finding *f);

typedef struct {
    const char *org_ref;         /* one organisation (id, prefix, name), or NULL */
    unsigned systems;            /* HY_SYS_* bits; 0 = all */
    unsigned kinds;              /* 1 << hy_drift bits; 0 = all */
    const char *user_ref;        /* one person's findings, or NULL */
} hy_drift_query;

/* The current drift in p's scope, by organisation, system, kind. */
int ops_access_drift(hy_ctx *c, const hy_principal *p, const hy_drift_query *q, hy_finding_list *out, hy_err *err);

/* The latest check of an organisation's system. */
typedef struct {
    bool checked;                /* ever (and still kept) */
    char *status;                /* "ok" | "error" | "skipped" (latest) */
    char *checked_at, *note, *group_id;
    char *read_at;               /* the latest check that was not an error (the current drift's), or NULL */
} hy_access_check;

/* An organisation's state, for its detail screen: drift count, last check. */
typedef struct {
    int drift;                   /* current findings */
    char *last_check;            /* the latest check of any system (ISO), or NULL: never */
    bool last_failed;            /* some system's latest check could not be read */
} hy_access_status;

int ops_access_org_status(hy_ctx *c, const hy_principal *p, const char *org_ref, hy_access_status *out, hy_err *err);
void hy_access_status_free(hy_access_status *s);

/* An organisation's users x systems. */
typedef enum {
    HY_CELL_NONE = 0,            /* no grant, not seen */
    HY_CELL_OK,                  /* granted and present */
    HY_CELL_MISSING,             /* granted, not there */
    HY_CELL_UNEXPECTED,          /* there, not granted */
    HY_CELL_REVOKED,             /* revoked, still there */
    HY_CELL_UNCHECKED,           /* granted; not (yet) read */
} hy_cell;

const char *hy_cell_label(hy_cell c);   /* "ok", "missing", "unexpected", "revoked", "-", "not checked" */

typedef struct {
    char *user_id;               /* NULL: an account HyOpps does not know */
    char *email, *name, *account_id;
    bool other_org;              /* a person of another organisation (or none) found here */
    hy_cell cell[HY_NSYS];
} hy_matrix_row;

typedef struct {
    char *org_id, *org_name;
    hy_access_check check[HY_NSYS];
    bool compared[HY_NSYS];      /* the system is not off */
    hy_matrix_row *rows;         /* the organisation's users, then the others found in its groups */
    int nrows;
    hy_finding_list groups;      /* unknown_group findings of the organisation */
    int drift;
} hy_access_matrix;

int ops_access_matrix(hy_ctx *c, const hy_principal *p, const char *org_ref, hy_access_matrix *out, hy_err *err);
void hy_access_matrix_free(hy_access_matrix *m);
cJSON *hy_access_matrix_to_json(const hy_access_matrix *m);

/* One person's access: granted (store_grants.h) beside what the last check saw. */
typedef struct {
    char *resource;              /* "Metabase", "Microsoft Teams", "Slack", "Studio"... */
    int sys;                     /* hy_sys, or -1 for a resource reconciliation does not read */
    bool granted;                /* active */
    char *granted_at, *granted_how, *execution_id, *revoked_at, *organization_name, *account_id;
    char *seen;                  /* "present", "not there", "there, not granted", "revoked, still there",
                                    "not checked", "could not be read", or NULL (not read by reconciliation) */
    char *checked_at, *detail;
} hy_access_line;

typedef struct {
    char *user_id, *email, *organization_name;
    hy_access_line *lines;
    int n;
} hy_access_user;

int ops_access_user(hy_ctx *c, const hy_principal *p, const char *user_ref, hy_access_user *out, hy_err *err);
void hy_access_user_free(hy_access_user *u);
cJSON *hy_access_user_to_json(const hy_access_user *u);

/* ---- running one ---- */

typedef struct {
    const char *org_ref;         /* NULL: every organisation */
    unsigned systems;            /* 0: all */
} hy_reconcile_req;

/* Runs a reconciliation now (waits on the services). out as reconcile_run. */
int ops_reconcile(hy_ctx *c, const hy_principal *p, const hy_reconcile_req *req, hy_reconcile_stats *out,
                  hy_err *err);

/* ---- repairs (ops_repair.c) ---- */

typedef enum {
    HY_REPAIR_DEFAULT = 0,       /* by kind: missing -> regrant, unexpected unknown -> remove; else choose */
    HY_REPAIR_REGRANT,           /* missing: a repair_access execution re-runs the granting steps */
    HY_REPAIR_REVOKE,            /* a known person: starts revoke_partner_user for them */
    HY_REPAIR_ADOPT,             /* a known person: records the access as a grant ("adopted") */
    HY_REPAIR_REMOVE,            /* takes the account out of that group (through the integration) */
} hy_repair;

const char *hy_repair_name(hy_repair a);          /* "default", "regrant", "revoke", "adopt", "remove" */
/* The repairs a finding allows (HY_REPAIR_* bits, 1 << a); 0: none (unknown group: its group id). */
unsigned hy_repair_choices(const hy_finding *f);
/* What a repair will do, in words (confirmations show it: the exact
 * account for a removal). NULL when the repair does not apply; caller frees. */
char *hy_repair_describe(const hy_finding *f, hy_repair a);

typedef struct {
    int64_t id;
    int code;                    /* 0, or what refused / failed it */
    char *message;               /* what was done, or why not */
    char *execution_id;          /* regrant / revoke: the execution started, or NULL */
} hy_repair_outcome;

typedef struct {
    hy_repair_outcome *v;
    int n;
    int done, failed;
} hy_repair_result;

void hy_repair_result_free(hy_repair_result *r);
cJSON *hy_repair_result_to_json(const hy_repair_result *r);

/* Repairs findings of the current drift (ids), each as `a` says (DEFAULT:
 * by kind). Missing findings of one person and organisation share one
 * repair_access execution. note (may be NULL): the reason recorded. A
 * refusal of the whole (not an administrator: HY_ERR_FORBIDDEN) is the
 * return code; each finding's own outcome is in out (0 returned even when
 * some failed: out->failed says). */
int ops_access_repair(hy_ctx *c, const hy_principal *p, const int64_t *ids, int n, hy_repair a, const char *note,
                      hy_repair_result *out, hy_err *err);
/* One finding of the current drift, in p's scope (for a confirmation). */
int ops_access_finding(hy_ctx *c, const hy_principal *p, int64_t id, hy_finding *out, hy_err *err);
void hy_finding_free(hy_finding *f);

#endif
