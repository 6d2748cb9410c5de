/* Private to the Metabase client (metabase.c, metabase_access.c): the
 * request plumbing and the permissions-graph writer they share. Not for
 * callers outside src/integrations/. */
#ifndef HY_METABASE_INT_H
#define HY_METABASE_INT_H

#include <stdbool.h>

#include "http.h"
#include "metabase.h"

#define MB_ALL_USERS 1
#define MB_ADMINS 2

typedef struct {
    hy_http_req rq;
    char *keyhdr;
    const char *hdrs[2];
} mb_req;

/* HY_ERR_CONFIG unless [metabase] url and api_key are set. */
int mb_ready(hy_integ *in, hy_err *err);
/* A call expecting 2xx JSON (*out may be NULL for an empty body). */
int mb_json(hy_integ *in, const char *method, const char *path, const cJSON *body, cJSON **out, hy_err *err);
/* A call whose non-2xx answers the caller inspects; then http_resp_free(rs)
 * and mb_req_done(r). */
int mb_raw(hy_integ *in, const char *method, const char *path, const cJSON *body, hy_http_resp *rs, mb_req *r,
           hy_err *err);
void mb_req_done(mb_req *r);
/* The items of a list answer: {data:[...], total} (v0.40+; *total set) or
 * a bare list (*total -1); NULL for anything else. */
const cJSON *mb_list_items(const cJSON *j, long *total);
#define MB_PAGE 100
#define MB_MAX_PAGES 50

/* "Metabase answered <what> in an unexpected shape (...)": permanent. */
int mb_shape_error(const char *what, hy_err *err);
bool mb_body_mentions(const hy_http_resp *rs, const char *word);
/* Fails for All Users (1), Administrators (2) and ids <= 0. */
int mb_refuse_system_group(long group_id, hy_err *err);

/* GET /api/user/:id into *out (the caller deletes it), checked to be that
 * user. missing (may be NULL): a 404 sets it and returns 0 with *out NULL. */
int mb_get_user(hy_integ *in, long user_id, cJSON **out, bool *missing, hy_err *err);
/* The group ids of a user object's user_group_memberships (caller frees). */
int mb_user_group_ids(const cJSON *user, long **ids, int *n, hy_err *err);

/* ---- the permissions graph ---- */

typedef enum { MB_GRAPH_NEW, MB_GRAPH_OLD } mb_graph_shape;
/* What a database's entry of the group should become: NULL when `old`
 * (NULL if the group has none for it) already says so, else a new entry. */
typedef cJSON *(*mb_entry_fn)(const cJSON *old, mb_graph_shape shape, const void *ctx);
/* Reads the graph, applies fn to each of [metabase] database_ids (and, with
 * every_db, to every other database the group has an entry for), and writes
 * back only the group with the revision it read; on 409 re-reads and
 * re-applies once, then a transient error. No write when nothing changes.
 * out->granted = databases changed, out->already = unchanged. */
int mb_graph_update(hy_integ *in, long group_id, bool every_db, mb_entry_fn fn, const void *ctx, mb_grant_result *out,
                    hy_err *err);

#endif
