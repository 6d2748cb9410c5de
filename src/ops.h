/* ops: the one door. Every operation a person can do is a function here
 * that takes the caller's principal and checks, first, that the session is
 * still valid and, then, that this caller may do this. The UI and the CLI
 * never run SQL and never decide who may do what.
 *
 * Conventions:
 *  - return 0 or an hy_code, with err filled (field errors for bad input);
 *  - what a partner admin may not see answers HY_ERR_NOT_FOUND, exactly as
 *    if it did not exist;
 *  - every change is one BEGIN IMMEDIATE transaction that also writes its
 *    audit row;
 *  - references (`ref`) accept an id, a unique id prefix (as git does), or a
 *    natural key (an organisation's exact name, a user's email).
 */
#ifndef HY_OPS_H
#define HY_OPS_H

#include "authz.h"
#include "ctx.h"
#include "model.h"
#include "principal.h"

/* Input limits (bytes). */
#define HY_MAX_NAME 200
#define HY_MAX_LIST_ITEMS 50
#define HY_MAX_LIST_ITEM 100
#define HY_MAX_URL 2048

/* Guards used at the top of every ops function. ops_begin checks the
 * session and refuses a session that must change its password first. */
int ops_begin(hy_ctx *c, const hy_principal *p, hy_err *err);
/* Like ops_begin, and p's role has the capability (authz.h), else
 * HY_ERR_FORBIDDEN saying so: */
int ops_begin_read(hy_ctx *c, const hy_principal *p, hy_err *err);   /* HY_CAP_PANEL */
int ops_begin_staff(hy_ctx *c, const hy_principal *p, hy_err *err);  /* HY_CAP_READ_ALL */
int ops_begin_admin(hy_ctx *c, const hy_principal *p, hy_err *err);  /* HY_CAP_MANAGE */
/* May p see organisation org_id? (read all: any; else their own). */
bool ops_can_see_org(const hy_principal *p, const char *org_id);
/* For the UI: what p's role may do at all (authz.h), to offer only those
 * keys and screens. ops still checks every call. */
bool ops_can(const hy_principal *p, hy_capability cap);
bool ops_exec_role_may(const hy_principal *p, hy_exec_action a);
/* Ends a write transaction started by the caller: commit if rc == 0, else
 * roll back. Returns rc (or the commit's error). */
int ops_finish(hy_ctx *c, int rc, hy_err *err);

/* ---- organisations (ops_orgs.c) ---- */

/* filter: case-insensitive substring of the name, or NULL. Partner admins get
 * their own organisation only. */
int ops_org_list(hy_ctx *c, const hy_principal *p, const char *filter, hy_org_list *out, hy_err *err);
int ops_org_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);
int ops_org_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_detail *out, hy_err *err);
/* Just the name (caller frees): for headers and whoami. */
int ops_org_name(hy_ctx *c, const hy_principal *p, const char *org_id, char **out, hy_err *err);

typedef struct {
    const char *name;            /* NULL = unchanged */
    const char *account_types;   /* "partner, client": NULL = unchanged */
} hy_org_update;
int ops_org_update(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_update *u, hy_err *err);

/* Documentation links: http/https URLs; "" clears one; NULL = unchanged. */
typedef struct {
    const char *internal, *general, *additional;
} hy_org_docs;
int ops_org_set_docs(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_docs *d, hy_err *err);

/* System group ids: metabase must be a positive integer; "" clears; NULL =
 * unchanged. The *_name fields are the groups' display names
 * (system_groups.external_name; NULL = unchanged, "ext-<organisation>" for a
 * new group without one): one line, not empty; naming a group that does
 * not exist needs its id too. */
typedef struct {
    const char *metabase, *teams, *slack;
    const char *metabase_name, *teams_name, *slack_name;
} hy_org_groups;
int ops_org_set_groups(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_groups *g, hy_err *err);

/* All of the above in one transaction; any part may be NULL. Every field
 * error of every part is reported at once, and nothing changes then. */
int ops_org_edit(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_update *u, const hy_org_docs *d,
                 const hy_org_groups *g, hy_err *err);

/* What a delete would remove (shown before asking to confirm). */
int ops_org_delete_impact(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_impact *out, hy_err *err);
int ops_org_delete(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_impact *done, hy_err *err);

/* ---- users (ops_users.c) ---- */

typedef struct {
    const char *filter;          /* substring of name or email, or NULL */
    const char *org_ref;         /* only this organisation, or NULL */
    int limit;                   /* 0 = no limit */
    int offset;                  /* rows to skip (paging; with limit) */
} hy_user_query;
int ops_user_list(hy_ctx *c, const hy_principal *p, const hy_user_query *q, hy_user_list *out, hy_err *err);
/* How many users ops_user_list would return without limit and offset. */
int ops_user_count(hy_ctx *c, const hy_principal *p, const hy_user_query *q, int64_t *out, hy_err *err);
int ops_user_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);
int ops_user_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_user *out, hy_err *err);

typedef struct {
    const char *firstname, *lastname, *email;   /* NULL = unchanged */
    const char *languages, *skills, *roles;     /* comma-separated; NULL = unchanged */
    const char *org_ref;                        /* "" = no organisation; NULL = unchanged */
    const char *role;                           /* admin | partner_admin | user; NULL = unchanged */
    const char *password;                       /* new password; NULL = unchanged */
} hy_user_update;
/* Admin only. A role or password change ends the user's sessions. */
int ops_user_update(hy_ctx *c, const hy_principal *p, const char *ref, const hy_user_update *u, hy_err *err);
int ops_user_set_password(hy_ctx *c, const hy_principal *p, const char *ref, const char *password, hy_err *err);
int ops_user_delete_impact(hy_ctx *c, const hy_principal *p, const char *ref, hy_user_impact *out, hy_err *err);
int ops_user_delete(hy_ctx *c, const hy_principal *p, const char *ref, hy_user_impact *done, hy_err *err);

/* Login lockout (ops_lock.c). */
typedef struct {
    bool locked;                /* now */
    char until[HY_TIME_LEN];    /* when it ends (ISO), when locked */
    int failures;               /* failed logins since the last successful one */
} hy_lock_state;
/* Administrators and support staff. */
int ops_user_lock(hy_ctx *c, const hy_principal *p, const char *ref, hy_lock_state *out, hy_err *err);
/* Administrators: clears the user's failed logins (audited "user.unlock");
 * *before: the state it had. HY_ERR_CONFLICT when there was nothing to clear. */
int ops_user_unlock(hy_ctx *c, const hy_principal *p, const char *ref, hy_lock_state *before, hy_err *err);

/* ---- audit (ops_audit.c) ---- */

#include "audit.h"
/* Admin only. */
int ops_audit_list(hy_ctx *c, const hy_principal *p, const hy_audit_filter *f, hy_audit_list *out, hy_err *err);

#include "ops_integrations.h"
#include "ops_metabase.h"
#include "ops_notify.h"

/* ---- what changed (ops_watch.c) ----
 * For live screens: cheap looks at whether other connections changed
 * anything since the last look, and whether a `hyopps worker` is alive.
 * With a principal whose view is one organisation (a partner admin), a
 * state change counts only when it touched what that organisation's
 * screens can show (a fingerprint of its rows, read only when the audit
 * trail grew: nothing is written for it, and nothing of other
 * organisations is told). Without a principal, or for staff, any state
 * change counts. */

typedef struct {
    bool valid;              /* looked at least once */
    int64_t data_version;    /* PRAGMA data_version: moves with any other connection's commit */
    int64_t audit_id;        /* the audit trail's last id: every state change writes a row */
    int64_t state;           /* moves when what the principal may see changed (staff: = audit_id) */
    uint64_t scope_sig;      /* one organisation's view: the fingerprint of its rows at the last look */
    char scope[HY_UUID_LEN]; /* that organisation ('': every one) */
    int64_t worker_until;    /* a worker's heartbeat is fresh until (ms since the epoch); 0: none */
} hy_watch;

enum {
    HY_WATCH_DATA = 1,       /* something was committed (perhaps only a heartbeat or the search index) */
    HY_WATCH_STATE = 2,      /* what the principal's screens show may differ (w->state moved) */
    HY_WATCH_WORKER = 4,     /* a worker appeared or is gone (worker_until crossed now) */
    HY_WATCH_ANY = 8,        /* a state change somewhere (the audit trail grew): sessions, runners */
};

/* Looks again and updates *w; *changed gets the HY_WATCH_* bits (all of
 * them the first time, or when p's organisation is another than at the
 * last look). One query when nothing was committed; p may be NULL. */
int ops_watch(hy_ctx *c, const hy_principal *p, hy_watch *w, unsigned *changed, hy_err *err);
/* An idle session gives back the memory its connection's page cache holds. */
void ops_release_memory(hy_ctx *c);

/* ---- workflow executions (ops_exec.c) ---- */

#include "ops_exec.h"

/* ---- many people at once, batches (ops_bulk.c, ops_batch.c) ---- */

#include "ops_bulk.h"

/* ---- who has access, really: reconciliation and its repairs (ops_access.c, ops_repair.c) ---- */

#include "ops_access.h"

#endif
