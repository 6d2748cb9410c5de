/* Metabase client (REST, header x-api-key), written from
 * ../shared/reference/integrations-api.md §1. Every function is idempotent
 * on its own: it looks before it creates, and running it twice leaves one
 * user, one group, one membership, one collection.
 *
 * Uses [metabase] url, api_key, parent_collection_id, template_collection_id
 * and database_ids from the context's configuration. Returns 0 or a
 * classified hy_err (HY_ERR_TRANSIENT, HY_ERR_PERMANENT, HY_ERR_CONFIG). */
#ifndef HY_METABASE_H
#define HY_METABASE_H

#include <stdbool.h>

#include "http.h"

/* ---- step-level operations (what the engine's auto steps call) ---- */

/* create_metabase_group: the group "ext-<org-slug>", found by name
 * (case-insensitive) or created. */
typedef struct {
    long group_id;
    char name[160];
    bool created;
} mb_group_result;
int mb_ensure_org_group(hy_integ *in, const char *org_name, mb_group_result *out, hy_err *err);

/* clone_metabase_collection: the collection named after the organisation
 * under [metabase] parent_collection_id (found by exact name, or created),
 * then the dashboards of template_collection_id deep-copied into it, skipping
 * those already there (by name). Without a template only the collection is
 * made. */
typedef struct {
    long collection_id;
    bool created;
    int dashboards_copied;      /* this run */
    int dashboards_present;     /* already there */
} mb_collection_result;
int mb_clone_collection(hy_integ *in, const char *org_name, mb_collection_result *out, hy_err *err);

/* grant_metabase_db_access: query-builder access for group_id to each of
 * [metabase] database_ids in the permissions graph (read, modify, write back
 * with its revision; on 409 re-read and re-apply once). No write when
 * everything is already granted. An empty database_ids is a config error. */
typedef struct {
    int granted;                /* databases changed by this run */
    int already;                /* databases that already had access */
    long revision;              /* graph revision after the write */
} mb_grant_result;
int mb_grant_db_access(hy_integ *in, long group_id, mb_grant_result *out, hy_err *err);

/* add_user_to_metabase_group: the user found by exact, case-insensitive
 * email (active, else deactivated and then reactivated), else created; then
 * added to group_id unless already a member. */
typedef struct {
    long user_id;
    bool existed;               /* found active */
    bool reactivated;           /* found deactivated and reactivated */
    bool created;               /* created by this run */
    bool added;                 /* membership created by this run (false: was a member) */
} mb_member_result;
int mb_add_user_to_group(hy_integ *in, const char *email, const char *first_name, const char *last_name,
                         long group_id, mb_member_result *out, hy_err *err);

/* ---- building blocks and admin helpers ---- */

typedef enum { MB_USER_EXISTED, MB_USER_REACTIVATED, MB_USER_CREATED } mb_user_how;
int mb_ensure_user(hy_integ *in, const char *email, const char *first_name, const char *last_name, long *user_id,
                   mb_user_how *how, hy_err *err);
/* Finds a user by exact email (any status). *user_id = 0 when none. */
int mb_find_user(hy_integ *in, const char *email, long *user_id, bool *active, hy_err *err);
/* Group name for an organisation: "ext-<slug>". Caller frees. */
char *mb_group_name(const char *org_name);
int mb_ensure_group(hy_integ *in, const char *name, long *group_id, bool *created, hy_err *err);

typedef struct {
    long id;
    char *name;
} mb_group;
typedef struct {
    mb_group *items;
    int n;
} mb_group_list;
void mb_group_list_free(mb_group_list *l);
/* Every group except the built-in All Users (1) and Administrators (2). */
int mb_list_groups(hy_integ *in, mb_group_list *out, hy_err *err);
/* The user's live memberships (non-system groups), with group names. */
int mb_user_groups(hy_integ *in, long user_id, mb_group_list *out, hy_err *err);
/* Adds a membership unless it exists (*added says which). Refuses groups 1
 * and 2. A 400/500 "already" answer counts as success only once a re-read
 * shows the membership. */
int mb_add_membership(hy_integ *in, long user_id, long group_id, bool *added, hy_err *err);
/* Removes it if present (*removed says whether it was). */
int mb_remove_membership(hy_integ *in, long user_id, long group_id, bool *removed, hy_err *err);

/* ---- removing access and reading who has it (metabase_access.c) ----
 * From integrations-api.md §6. Each looks first and removes only what is
 * there: "already gone" is success with the out flag false. */

/* A member of a group. Strings are never NULL ("" when Metabase sent none). */
typedef struct {
    long user_id;
    char *email, *first_name, *last_name;
    long membership_id;         /* 0 when the version does not send it */
    bool active;                /* false: a deactivated account (mb_group_users only) */
} mb_member;
typedef struct {
    mb_member *v;
    int n;
} mb_member_list;
void mb_member_list_free(mb_member_list *l);
/* GET /api/permissions/group/:id: its members (Metabase lists active
 * accounts only: a deactivated member is absent). A group Metabase does not
 * know (404) sets *group_missing and returns 0 with an empty list. One call
 * whatever the group's size. */
int mb_group_members(hy_integ *in, long group_id, mb_member_list *out, bool *group_missing, hy_err *err);

/* GET /api/user?group_id=G&status=all (every page): the group's members
 * with deactivated accounts too (mb_group_members lists active ones only),
 * each with `active`; no membership ids. One call per 100 members. */
int mb_group_users(hy_integ *in, long group_id, mb_member_list *out, hy_err *err);

/* remove_from_metabase_group: GET /api/user/:id (is the user in the group?),
 * then the membership deleted (DELETE /api/permissions/membership/:id; 404 =
 * already gone). Refuses All Users and Administrators. */
typedef struct {
    bool removed;               /* false: was not a member (or gone meanwhile) */
    bool in_no_group;           /* afterwards in no group but All Users (not Administrators): may be deactivated */
    bool user_missing;          /* Metabase has no such user (404): nothing removed */
} mb_remove_result;
int mb_remove_user_from_group(hy_integ *in, long user_id, long group_id, mb_remove_result *out, hy_err *err);

/* Deactivates the account (DELETE /api/user/:id; the row stays, its email
 * still blocks POST /api/user: mb_ensure_user reactivates it). Looks first:
 * already inactive or unknown (404) = *deactivated false. Refuses a
 * Metabase administrator (is_superuser). */
int mb_deactivate_user(hy_integ *in, long user_id, bool *deactivated, hy_err *err);

/* remove_metabase_access: in the permissions graph, every database of
 * [metabase] database_ids and every other database the group has an entry
 * for becomes {"view-data": view_data, "create-queries": "no"} (newer
 * versions) or {"data":{"schemas":"none","native":"none"}} (older); entries
 * that already say so (or view-data "blocked" with create-queries "no") are
 * left alone. view_data NULL = [metabase] revoke_view_data, default
 * "unrestricted". Same revision rules as mb_grant_db_access (409: re-read,
 * re-apply once); no write when nothing changes. out->granted counts the
 * databases revoked by this run, out->already those that had no access. */
int mb_revoke_db_access(hy_integ *in, long group_id, const char *view_data, mb_grant_result *out, hy_err *err);

/* Archives a collection (PUT /api/collection/:id {"archived":true}) after
 * GET /api/collection/:id: already archived = *archived false. Unknown id
 * (404) is a permanent error naming it. Refuses [metabase]
 * parent_collection_id and template_collection_id. */
int mb_archive_collection(hy_integ *in, long collection_id, bool *archived, hy_err *err);

/* Deletes a group (DELETE /api/permissions/group/:id) once it has no
 * members (else a permanent error naming them: revoke them first). Unknown
 * (404) = *deleted false. Refuses All Users and Administrators locally. */
int mb_delete_group(hy_integ *in, long group_id, bool *deleted, hy_err *err);

/* integrations check: GET /api/user/current. who (may be NULL) receives the
 * key's user ("Admin <admin@example.com>"). */
int mb_check(hy_integ *in, char *who, size_t whosz, hy_err *err);

#endif
