/* What ops hands to the UI and the CLI: plain structs that own their
 * strings. Every *_free() frees the contents (and NULLs them), not the
 * struct itself, so they work on stack values too. */
#ifndef HY_MODEL_H
#define HY_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "principal.h"

/* A list of strings (languages, skills, roles, account types). */
typedef struct {
    char **v;
    int n;
} hy_strlist;

void hy_strlist_add(hy_strlist *l, const char *s);
void hy_strlist_free(hy_strlist *l);
bool hy_strlist_has(const hy_strlist *l, const char *s);
/* From the JSON text the original stores ('["en", "de"]'); bad JSON gives an
 * empty list. */
void hy_strlist_from_json(hy_strlist *l, const char *json);
/* To compact JSON text; caller frees. */
char *hy_strlist_to_json(const hy_strlist *l);
/* "en, de" (or "-" when empty); caller frees. */
char *hy_strlist_join(const hy_strlist *l, const char *sep);
/* Splits "a, b ,c" on commas, trimming; empty items dropped. */
void hy_strlist_split(hy_strlist *l, const char *text);
cJSON *hy_strlist_to_cjson(const hy_strlist *l);

/* ---- organisations ---- */

typedef struct {
    char *id, *name, *created_at;
    hy_strlist account_types;
    int nusers, nexecutions;     /* nusers: active (not offboarded) users */
    char *offboarded_at;         /* the organisation was offboarded (read-only), or NULL */
} hy_org;

typedef struct {
    hy_org *items;
    int count;
} hy_org_list;

typedef struct {
    char *id, *studio_id, *name, *environment;
} hy_studio_company;

typedef struct {
    char *id, *tool, *external_name, *external_id, *created_at;
    bool placeholder;            /* a made-up id from the original app's stubs (migration 007) */
} hy_system_group;

/* The `orgs edit` option that sets a tool's group id ("--slack-group"), or NULL. */
const char *hy_group_edit_flag(const char *tool);

typedef struct {
    char *id, *email, *firstname, *lastname;
    hy_role role;
    hy_strlist access;        /* resources with an active grant */
    char *offboarded_at;      /* their access was revoked (kept for the audit trail), or NULL */
} hy_user_brief;

typedef struct {
    char *id, *workflow, *status, *user_email, *created_at;
    int current_step, nsteps;
} hy_exec_brief;

typedef struct {
    hy_org org;
    hy_studio_company *companies;
    int ncompanies;
    hy_system_group *groups;
    int ngroups;
    bool has_integrations;
    bool keycloak_confirmed, lms_confirmed;
    char *keycloak_cluster, *metabase_collection_id, *integrations_updated_at;
    bool metabase_collection_placeholder;   /* made up by the original app's stubs */
    char *docs_internal, *docs_general, *docs_additional, *docs_updated_at;
    hy_user_brief *users;
    int nusers;
    hy_exec_brief *executions;   /* newest first, at most 50 */
    int nexecutions;
} hy_org_detail;

/* What deleting an organisation removes or detaches. */
typedef struct {
    char *name;
    int users;                /* detached: organization_id set to NULL */
    int studio_companies;     /* deleted (with their user_studio_access rows) */
    int system_groups;        /* deleted */
    int executions;           /* kept, detached from the organisation */
    bool integrations, documentation;  /* rows deleted */
} hy_org_impact;

void hy_org_free(hy_org *o);
void hy_org_list_free(hy_org_list *l);
void hy_org_detail_free(hy_org_detail *d);
void hy_org_impact_free(hy_org_impact *i);

/* ---- access grants ---- */

/* What a user was given (or had taken away), and by what. */
typedef struct {
    char *resource;                  /* "Metabase", "Slack", ... */
    char *granted_at, *granted_how;  /* how: auto | by_hand | inferred | adopted */
    char *note, *account_id;         /* may be NULL */
    char *execution_id, *step_name;  /* what granted it (may be NULL) */
    char *granted_by_email, *organization_name;
    char *revoked_at;                /* NULL while active */
    char *revoked_how, *revoked_note, *revoked_execution_id;
} hy_grant;

typedef struct {
    hy_grant *items;
    int count;
} hy_grant_list;

void hy_grant_list_free(hy_grant_list *l);
/* "Metabase, Slack, Studio, Teams" (short names), or "none"; caller frees. */
char *hy_access_summary(const hy_strlist *access);
cJSON *hy_grant_list_to_json(const hy_grant_list *l);

/* ---- users ---- */

typedef struct {
    char *id, *firstname, *lastname, *email;
    hy_strlist languages, skills, roles;
    char *organization_id, *organization_name;
    hy_role role;
    bool has_metabase_id;
    int64_t metabase_user_id;
    char *studio_company_id, *studio_company_name;   /* the personal one, if any */
    char *created_at, *updated_at;
    bool must_change_password;
    bool can_log_in;           /* has a usable password */
    hy_strlist access;         /* resources with an active grant ("Metabase", ...) */
    hy_grant_list grants;      /* ops_user_show only: every grant, with what granted it */
    char *offboarded_at;       /* their access was revoked (revoke_partner_user), or NULL */
} hy_user;

typedef struct {
    hy_user *items;
    int count;
} hy_user_list;

typedef struct {
    char *email;
    int executions_requested; /* kept, requested_by set to NULL */
    int executions_about;     /* kept, user_id set to NULL */
    int access_grants, studio_access;   /* deleted */
    bool personal_studio_company;       /* deleted */
} hy_user_impact;

void hy_user_free(hy_user *u);
void hy_user_list_free(hy_user_list *l);
void hy_user_impact_free(hy_user_impact *i);

/* JSON views for `--json` (caller owns the tree). */
cJSON *hy_org_to_json(const hy_org *o);
cJSON *hy_org_detail_to_json(const hy_org_detail *d);
cJSON *hy_user_to_json(const hy_user *u);

#endif
