/* Store: access grants (access_grants, one row per user and resource: the
 * current state; the audit trail keeps the history). The engine writes a
 * grant when a step declaring `grants` completes and ends it when a step
 * declaring `revokes` completes (workflows.h); ops read them. Nothing else
 * writes the table. */
#ifndef HY_STORE_GRANTS_H
#define HY_STORE_GRANTS_H

#include <stdbool.h>

#include "ctx.h"
#include "model.h"
#include "util.h"

#include <cjson/cJSON.h>

typedef struct {
    const char *user_id;
    const char *resource;         /* HY_RES_* name */
    const char *organization_id;  /* through which organisation (may be NULL) */
    const char *execution_id;     /* the execution and step that granted / revoked it (may be NULL) */
    const char *step_id;
    const char *how;              /* "auto" | "by_hand" | "adopted" */
    const char *note;             /* may be NULL */
    const char *account_id;       /* the person's account in the service, or NULL (kept) */
    const char *by;               /* who asked: a user id, or NULL */
} hy_grant_rec;

/* Records (or renews) the grant; a revoked one becomes active again. */
int grant_record(hy_ctx *c, const hy_grant_rec *g, hy_err *err);
/* Ends the active grant, if there is one (*ended, may be NULL, says). */
int grant_revoke(hy_ctx *c, const hy_grant_rec *g, bool *ended, hy_err *err);
/* Access a person was found to have at a service, given by hand, accepted
 * by an administrator (reconciliation's "adopt"): an active grant with
 * granted_how "adopted", granted_by by_user and the note "was given by hand,
 * accepted by <by_email>" (+ ": note" when given), through org_id, with the
 * account id the service listed. No execution granted it. */
int grant_adopt(hy_ctx *c, const char *user_id, const char *resource, const char *org_id, const char *account_id,
                const char *by_user, const char *by_email, const char *note, hy_err *err);
/* The user's grant of a resource: *found, whether it is active, the
 * account id kept on it (account[0] = '\0' if none) and the organisation
 * it came through (org[0] = '\0' if none). For the steps that end it. */
int grant_get(hy_ctx *c, const char *user_id, const char *resource, bool *found, bool *active, char account[64],
              char org[HY_UUID_LEN], hy_err *err);
/* The account ids (of a resource) of the organisation's users with an
 * active grant, as a JSON array added to out under key. */
int grant_active_accounts(hy_ctx *c, const char *org_id, const char *resource, cJSON *out, const char *key,
                          hy_err *err);
/* Every grant of a user (active first, then by resource). */
int grant_list_user(hy_ctx *c, const char *user_id, hy_grant_list *out, hy_err *err);

#endif
