/* The audit trail: one row per change, written by the caller inside the
 * same transaction as the change (DESIGN.md invariant 6). */
#ifndef HY_AUDIT_H
#define HY_AUDIT_H

#include <cjson/cJSON.h>

#include "ctx.h"
#include "principal.h"

/* Writes a row: actor (app user, OS user, remote address), action (e.g.
 * "org.update", "exec.retry"), target type and id, details (borrowed; may be
 * NULL; secrets must never be put in it). Must be called inside db_begin. */
int audit_write(hy_ctx *c, const hy_principal *actor, const char *action, const char *target_type,
                const char *target_id, const cJSON *details, hy_err *err);

typedef struct {
    int64_t id;
    char *at, *actor_id, *actor_email, *os_user, *remote, *action, *target_type, *target_id, *details;
    /* What the target is, for people ("Acme Corp", "Jane Doe <jane@...>",
     * "New partner user 3f2a1b2c: Acme Corp, jane@..."); NULL when it no
     * longer exists or is not known. Filled by ops_audit_list. */
    char *target_label;
} hy_audit_entry;

typedef struct {
    hy_audit_entry *items;
    int count;
} hy_audit_list;

typedef struct {
    const char *actor;     /* substring of the actor's email, or NULL */
    const char *action;    /* prefix of the action, or NULL */
    const char *target;    /* target id (prefix), or NULL */
    /* Substring of an organisation's name, a user's email or name: entries
     * about them, about their executions, or by them; or NULL. */
    const char *about;
    const char *since;     /* ISO timestamp lower bound, or NULL */
    int limit;             /* 0 = 200 */
    int64_t before_id;     /* paging: entries with id < this (0 = newest) */
} hy_audit_filter;

/* Newest first. No authorization here: ops_audit_list checks the caller. */
int audit_query(hy_ctx *c, const hy_audit_filter *f, hy_audit_list *out, hy_err *err);
void hy_audit_list_free(hy_audit_list *l);
void hy_audit_entry_free(hy_audit_entry *e);    /* its strings */

#endif
