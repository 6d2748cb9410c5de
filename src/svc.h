/* The integrations as interfaces: what a step (or ops) can ask Metabase,
 * Teams, Slack and the mail server, with a live and a simulated
 * implementation of each, chosen once from the integration's mode as curl
 * chooses a TLS backend (svc_metabase(mode) ...; NULL when it is off). A
 * step has one body: it calls the interface; the mode decides what answers.
 *
 *   live       the clients in src/integrations (HTTP, SMTP), no transaction
 *              open; calls are recorded on the step by the engine.
 *   simulated  the same answers from state kept in real tables (sim_accounts,
 *              sim_groups, sim_members, sim_mail: migration 008), inside the
 *              caller's transaction, so that simulate mode agrees with itself
 *              everywhere: the Metabase panel shows what a simulated workflow
 *              did, revocation removes it, reconciliation reads it.
 *
 * Every function returns 0 or a classified error (integrations.h):
 * HY_ERR_TRANSIENT (retried with backoff), HY_ERR_PERMANENT, HY_ERR_CONFIG.
 * Whole-list writes (Slack's user group members) hold a list lock
 * (list_lock.h) across every runner in the live backend. */
#ifndef HY_SVC_H
#define HY_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ctx.h"
#include "integrations/integrations.h"

/* What a backend runs with. */
typedef struct hy_svc {
    hy_ctx *c;                /* the caller's connection: simulated state, list locks */
    struct hy_integ *integ;   /* the live client (NULL: no live call possible) */
    const char *owner;        /* who holds list locks (a runner's lease owner) */
    int64_t lock_wait_ms;     /* out: how long the last locked call waited for its list (-1: none taken) */
} hy_svc;

/* Runs fn (a live client call) holding the lease on an external list
 * (list_lock.h), for a read-modify-write of a list the service only
 * replaces whole: taken before fn (waiting at most [http] timeout_ms + 5 s
 * for another runner; then a transient failure the engine retries when that
 * lease runs out), renewed before each HTTP call fn makes, given back
 * after. No transaction is open meanwhile. key: "slack:usergroup:<id>",
 * "metabase:permissions:graph". Sets s->lock_wait_ms. */
typedef int (*svc_locked_fn)(struct hy_integ *in, void *ud, hy_err *err);
int svc_locked(hy_svc *s, const char *key, svc_locked_fn fn, void *ud, hy_err *err);

/* A member of a group, as every service lists it. Strings never NULL. */
typedef struct {
    char *account_id;         /* the person's id in the service: "1234", "U0ABC", a Graph user id */
    char *email;              /* lower-cased; "" when the service does not say */
    char *name;
    char *membership_id;      /* what removes the membership ("" if nothing specific) */
    bool owner;               /* Teams: an owner of the team (its own people, not a partner's) */
} hy_member;

typedef struct {
    hy_member *v;
    int n;
} hy_member_list;

void hy_member_list_free(hy_member_list *l);
void hy_member_add(hy_member_list *l, const char *account_id, const char *email, const char *name,
                   const char *membership_id);

/* ---- Metabase ---- */
typedef struct {
    const char *backend;      /* "live" | "simulated" */
    int (*clone_collection)(hy_svc *s, const char *org_name, mb_collection_result *out, hy_err *err);
    int (*archive_collection)(hy_svc *s, long collection_id, bool *archived, hy_err *err);
    int (*ensure_group)(hy_svc *s, const char *org_name, mb_group_result *out, hy_err *err);
    int (*delete_group)(hy_svc *s, long group_id, bool *deleted, hy_err *err);
    int (*grant_db_access)(hy_svc *s, long group_id, mb_grant_result *out, hy_err *err);
    int (*revoke_db_access)(hy_svc *s, long group_id, mb_grant_result *out, hy_err *err);
    /* find by email (active, else reactivated) or create, then the membership */
    int (*add_user_to_group)(hy_svc *s, const char *email, const char *first, const char *last, long group_id,
                             mb_member_result *out, hy_err *err);
    int (*ensure_user)(hy_svc *s, const char *email, const char *first, const char *last, long *user_id,
                       mb_user_how *how, hy_err *err);
    /* by exact email, active or not; *user_id 0 when there is none */
    int (*find_user)(hy_svc *s, const char *email, long *user_id, bool *active, hy_err *err);
    int (*remove_user_from_group)(hy_svc *s, long user_id, long group_id, mb_remove_result *out, hy_err *err);
    int (*deactivate_user)(hy_svc *s, long user_id, bool *deactivated, hy_err *err);
    /* active accounts only (Metabase lists no others); an unknown group sets *group_missing */
    int (*group_members)(hy_svc *s, long group_id, hy_member_list *out, bool *group_missing, hy_err *err);
    /* the group's members whose accounts are deactivated (reconciliation:
     * a deactivated account is absent from group_members, not removed) */
    int (*deactivated_members)(hy_svc *s, long group_id, hy_member_list *out, hy_err *err);
    /* the admin's Metabase panel (list_groups: every group but 1 and 2; reconciliation too) */
    int (*list_groups)(hy_svc *s, mb_group_list *out, hy_err *err);
    int (*user_groups)(hy_svc *s, long user_id, mb_group_list *out, hy_err *err);
    int (*add_membership)(hy_svc *s, long user_id, long group_id, bool *added, hy_err *err);
    int (*remove_membership)(hy_svc *s, long user_id, long group_id, bool *removed, hy_err *err);
} hy_metabase_api;

/* ---- Microsoft Teams (the partners' shared team, one channel each) ---- */
typedef struct {
    const char *backend;
    int (*ensure_channel)(hy_svc *s, const char *org_name, graph_channel_result *out, hy_err *err);
    int (*archive_channel)(hy_svc *s, const char *channel_id, bool *archived, hy_err *err);
    int (*list_channels)(hy_svc *s, graph_channel_list *out, hy_err *err);
    int (*add_user)(hy_svc *s, const char *email, const char *display_name, graph_member_result *out, hy_err *err);
    int (*remove_user)(hy_svc *s, const char *user_id, const char *email, bool *removed, hy_err *err);
    int (*delete_guest)(hy_svc *s, const char *user_id, bool *deleted, hy_err *err);
    int (*team_members)(hy_svc *s, hy_member_list *out, hy_err *err);
} hy_teams_api;

/* ---- Slack (one user group per partner) ---- */

/* Onboarding into a group HyOpps disabled when its last member left: it is
 * enabled again, and the members Slack still lists that are not in keep
 * (the account ids with an active grant) are dropped. */
typedef struct {
    const char *const *keep;
    int nkeep;
} hy_slack_reenable;

typedef struct {
    const char *backend;
    int (*ensure_group)(hy_svc *s, const char *org_name, slack_group_result *out, hy_err *err);
    int (*disable_group)(hy_svc *s, const char *group_id, bool *disabled, hy_err *err);
    int (*list_groups)(hy_svc *s, slack_group_list *out, hy_err *err);
    /* reenable: NULL for a group that is enabled (nobody dropped) */
    int (*add_user)(hy_svc *s, const char *group_id, const char *email, const hy_slack_reenable *reenable,
                    slack_member_result *out, hy_err *err);
    int (*remove_user)(hy_svc *s, const char *group_id, const char *email, const char *known_user_id,
                       slack_remove_result *out, hy_err *err);
    int (*group_members)(hy_svc *s, const char *group_id, hy_member_list *out, bool *group_missing, hy_err *err);
} hy_slack_api;

/* ---- email ---- */
typedef struct {
    const char *backend;
    /* Sends m with Message-ID use_id (or a new one), telling how it ended
     * (email.h email_send_ex); message_id gets the one used. */
    int (*send)(hy_svc *s, const hy_mail *m, const char *use_id, char message_id[HY_MSGID_LEN],
                email_outcome *outcome, hy_err *err);
} hy_email_api;

/* The backend for a mode; NULL for off. */
const hy_metabase_api *svc_metabase(hy_mode mode);
const hy_teams_api *svc_teams(hy_mode mode);
const hy_slack_api *svc_slack(hy_mode mode);
const hy_email_api *svc_email(hy_mode mode);

/* The simulated Teams team id ([teams] team_id, else "team"). */
const char *svc_sim_team(const hy_config *cfg);

#endif
