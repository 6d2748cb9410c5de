/* A user's Metabase group memberships, for the admin's Metabase panel (and
 * anything else that wants them). Administrators and support staff see
 * them (ops_metabase_user); only administrators change them (and list the
 * groups to add); every change writes an audit row ("metabase.add_membership", "metabase.remove_membership").
 *
 * By [metabase] mode, through the Metabase interface (svc.h):
 *  - live: the Metabase client. These functions make network calls of up
 *    to [http] timeout_ms each: never call them on the UI thread. No
 *    transaction is open while they wait on the network; the audit row is
 *    written in a short transaction afterwards.
 *  - simulate: the simulated Metabase (its state in the sim_* tables, the
 *    same one the simulated workflows change: the panel shows what a
 *    simulated onboarding did), one transaction per operation.
 *  - off: HY_ERR_CONFIG "Metabase is not configured (set [metabase] url and
 *    api_key)".
 * Groups 1 (All Users) and 2 (Administrators) are Metabase's own: never
 * listed, never changed.
 *
 * A user without a stored Metabase id (an admin, someone whose onboarding
 * stopped before the Metabase step, a user of the original app): showing
 * looks them up by email (live; nothing stored); adding finds their account
 * by email (a deactivated one is reactivated) or creates it, as the
 * onboarding step does (mb_ensure_user), stores its id (audit row
 * "metabase.link_user"), then adds; removing finds it by email and stores
 * it. Simulated: no account exists until one is needed; adding makes a
 * simulated id (as the simulated onboarding step does) and stores it. */
#ifndef HY_OPS_METABASE_H
#define HY_OPS_METABASE_H

#include <stdbool.h>

#include "config.h"
#include "ctx.h"
#include "integrations/metabase.h"
#include "principal.h"

typedef struct {
    char user_id[HY_UUID_LEN];
    char *email;                /* owned */
    hy_mode mode;               /* live or simulate (off fails) */
    bool has_metabase_id;       /* stored in HyOpps */
    bool found_by_email;        /* not stored, but Metabase has an account for the email (live) */
    long metabase_user_id;      /* the stored id, or the one found by email; 0 if neither */
    mb_group_list groups;       /* the current memberships, by group id (owned) */
} hy_mb_user;

/* What add/remove did about the user's Metabase account. */
typedef struct {
    bool linked;                /* no id was stored: the account was found or created by email, its id stored */
    mb_user_how how;            /* when linked: existed, reactivated or created */
    long metabase_user_id;      /* the user's Metabase id (0 if none: removing from no account) */
} hy_mb_link;

void hy_mb_user_free(hy_mb_user *m);

/* The stored Metabase id and the live (or simulated) memberships. */
int ops_metabase_user(hy_ctx *c, const hy_principal *p, const char *user_ref, hy_mb_user *out, hy_err *err);
/* The groups the user could be added to: every group but 1 and 2 and those
 * the user is already in. */
int ops_metabase_addable(hy_ctx *c, const hy_principal *p, const char *user_ref, mb_group_list *out, hy_err *err);
/* Adds the user to / removes the user from group_id. *changed (may be NULL)
 * says whether anything changed (false: already a member / not a member);
 * *link (may be NULL) what was done about the account (see above). */
int ops_metabase_add(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                     hy_mb_link *link, hy_err *err);
int ops_metabase_remove(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                        hy_mb_link *link, hy_err *err);
/* "existed", "reactivated", "created". */
const char *hy_mb_how_name(mb_user_how how);

#endif
