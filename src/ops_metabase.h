/* A user's Metabase group memberships, for the admin's Metabase panel (and
 * anything else that wants them). Administrators and support staff see
 * them (ops_metabase_user); only administrators change them (and list the
 * groups to add); every change writes an audit row ("metabase.add_membership", "metabase.remove_membership").
 *
 * By [metabase] mode:
 *  - live: the Metabase client (integrations/metabase.h). These functions
 *    make network calls of up to [http] timeout_ms each: never call them on
 *    the UI thread. No transaction is open while they wait on the network;
 *    the audit row is written in a short transaction afterwards.
 *  - simulate: consistent without a network: the groups are the
 *    organisations' Metabase system groups (system_groups, tool metabase,
 *    external_id = group id) and the memberships are kept in the settings
 *    table (key "metabase.simulated_memberships", JSON
 *    {"<metabase user id>": [group ids]}).
 *  - off: HY_ERR_CONFIG "Metabase is not configured (set [metabase] url and
 *    api_key)".
 * Groups 1 (All Users) and 2 (Administrators) are Metabase's own: never
 * listed, never changed. A user without a stored Metabase id has no
 * memberships to show and cannot be added (HY_ERR_CONFLICT). */
#ifndef HY_OPS_METABASE_H
#define HY_OPS_METABASE_H

#include <stdbool.h>

#include "config.h"
#include "ctx.h"
#include "integrations/metabase.h"
#include "principal.h"

#define HY_MB_SIMULATED_KEY "metabase.simulated_memberships"

typedef struct {
    char user_id[HY_UUID_LEN];
    char *email;                /* owned */
    hy_mode mode;               /* live or simulate (off fails) */
    bool has_metabase_id;
    long metabase_user_id;
    mb_group_list groups;       /* the current memberships, by group id (owned) */
} hy_mb_user;

void hy_mb_user_free(hy_mb_user *m);

/* The stored Metabase id and the live (or simulated) memberships. */
int ops_metabase_user(hy_ctx *c, const hy_principal *p, const char *user_ref, hy_mb_user *out, hy_err *err);
/* The groups the user could be added to: every group but 1 and 2 and those
 * the user is already in. */
int ops_metabase_addable(hy_ctx *c, const hy_principal *p, const char *user_ref, mb_group_list *out, hy_err *err);
/* Adds the user to / removes the user from group_id. *changed (may be NULL)
 * says whether anything changed (false: already a member / not a member). */
int ops_metabase_add(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                     hy_err *err);
int ops_metabase_remove(hy_ctx *c, const hy_principal *p, const char *user_ref, long group_id, bool *changed,
                        hy_err *err);

#endif
