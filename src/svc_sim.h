/* The simulated backends' state (migration 008), shared by svc_metabase.c,
 * svc_teams.c, svc_slack.c and svc_email.c. Inside the caller's
 * transaction. Not for other modules. */
#ifndef HY_SVC_SIM_H
#define HY_SVC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "step_support.h" /* sim_token, hy_row_id */
#include "svc.h"

/* n-1 random characters of alphabet (lower-case hex when NULL), NUL-terminated. */
void sim_hex(char *out, size_t n);
/* An id that sorts by creation time: the time in base 36 (9 characters),
 * then 6 random ones (upper-case letters and digits, as Slack's). Accounts
 * created by a simulation are appended to their indexes instead of each
 * landing on a random page of them (fewer pages written per execution). */
void sim_time_token(char *out, size_t n);

/* The next integer id of a counter (first: start). */
int sim_next_int(hy_ctx *c, const char *counter, int64_t start, int64_t *out, hy_err *err);

/* An account by email (any state): *found, its id and whether active. */
int sim_account_by_email(hy_ctx *c, const char *system, const char *email, bool *found, char id[128], bool *active,
                         hy_err *err);
/* An account by id: *found and whether active. */
int sim_account_get(hy_ctx *c, const char *system, const char *id, bool *found, bool *active, hy_err *err);
/* Likewise for accounts: one of its own state, or one HyOpps recorded for a
 * user (users.metabase_user_id, or a grant's account id), which then
 * enters its state (active). */
int sim_account_known(hy_ctx *c, const char *system, const char *id, bool *found, bool *active, hy_err *err);
int sim_account_create(hy_ctx *c, const char *system, const char *id, const char *email, const char *name,
                       hy_err *err);
int sim_account_set_active(hy_ctx *c, const char *system, const char *id, bool active, hy_err *err);

/* A group by name (any case) or by id: *found, id/name and state ("active", "archived", ...). */
int sim_group_by_name(hy_ctx *c, const char *system, const char *kind, const char *name, bool *found, char id[128],
                      char state[16], hy_err *err);
int sim_group_get(hy_ctx *c, const char *system, const char *kind, const char *id, bool *found, char state[16],
                  hy_err *err);
/* The simulated service has the groups HyOpps knows of: a group of its own
 * state, or one an organisation names (system_groups, tool = system, even a
 * placeholder of the original app: simulation calls nothing), which then
 * enters its state. *found false otherwise. */
int sim_group_known(hy_ctx *c, const char *system, const char *kind, const char *id, bool *found, char state[16],
                    hy_err *err);
int sim_group_create(hy_ctx *c, const char *system, const char *kind, const char *id, const char *name, hy_err *err);
int sim_group_set_state(hy_ctx *c, const char *system, const char *kind, const char *id, const char *state,
                        hy_err *err);
int sim_group_set_access(hy_ctx *c, const char *system, const char *id, bool access, bool *changed, hy_err *err);

/* Memberships: *changed says whether this call changed anything. */
int sim_member_add(hy_ctx *c, const char *system, const char *group, const char *account, bool *changed,
                   hy_err *err);
int sim_member_remove(hy_ctx *c, const char *system, const char *group, const char *account, bool *changed,
                      hy_err *err);
/* A group's member count, for the services that say it (Slack): kept by
 * whoever changes that group's members (sim_member_counted, +1 / -1). */
int sim_member_counted(hy_ctx *c, const char *system, const char *group, int delta, hy_err *err);
int sim_member_count(hy_ctx *c, const char *system, const char *group, int *out, hy_err *err);
/* Members of a group with their accounts' email and name (active accounts only). */
int sim_members(hy_ctx *c, const char *system, const char *group, hy_member_list *out, hy_err *err);
/* The members whose accounts are deactivated. */
int sim_members_deactivated(hy_ctx *c, const char *system, const char *group, hy_member_list *out, hy_err *err);
/* The groups (of kind) an account is a member of, in the list order. */
int sim_account_group_ids(hy_ctx *c, const char *system, const char *account, char ***ids, int *n, hy_err *err);

#endif
