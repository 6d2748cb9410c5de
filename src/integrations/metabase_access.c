/* Metabase: removing access and reading who has it (integrations-api.md §6).
 * Declared in metabase.h; plumbing shared with metabase.c in metabase_int.h. */
#include "metabase.h"
#include "metabase_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

/* ---- members ---- */

void mb_member_list_free(mb_member_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].email);
        free(l->v[i].first_name);
        free(l->v[i].last_name);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Fills out from a group object's "members"; a member without a user id
 * fails the whole answer (a partial list would report false drift). */
static int parse_members(const cJSON *group, mb_member_list *out, hy_err *err)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(group, "members"), *m;
    if (!cJSON_IsArray(ms)) return mb_shape_error("GET /api/permissions/group/:id without a members list", err);
    out->v = xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof *out->v);
    cJSON_ArrayForEach(m, ms)
    {
        long uid = json_id(cJSON_GetObjectItemCaseSensitive(m, "user_id"));
        if (uid <= 0) {
            mb_member_list_free(out);
            return mb_shape_error("GET /api/permissions/group/:id with a member without user_id", err);
        }
        mb_member *x = &out->v[out->n++];
        x->user_id = uid;
        x->email = json_strdup(m, "email");
        x->first_name = json_strdup(m, "first_name");
        x->last_name = json_strdup(m, "last_name");
        x->membership_id = json_id(cJSON_GetObjectItemCaseSensitive(m, "membership_id"));
        x->active = true; /* the group lists active accounts only */
    }
    return 0;
}

int mb_group_members(hy_integ *in, long group_id, mb_member_list *out, bool *group_missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    *group_missing = false;
    if (mb_ready(in, err)) return err->code;
    if (group_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase group given");
    char path[64];
    snprintf(path, sizeof path, "/api/permissions/group/%ld", group_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "GET", path, NULL, &rs, &r, err);
    if (rc == 0 && rs.status == 404) {
        *group_missing = true;
    } else if (rc == 0 && !http_ok(&rs)) {
        rc = http_status_error(&r.rq, &rs, err);
    } else if (rc == 0) {
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        if (rc == 0 && json_id(cJSON_GetObjectItemCaseSensitive(j, "id")) != group_id)
            rc = mb_shape_error("GET /api/permissions/group/:id without the group's id", err);
        if (rc == 0) rc = parse_members(j, out, err);
        cJSON_Delete(j);
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_group_users(hy_integ *in, long group_id, mb_member_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    if (group_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase group given");
    int rc = 0, cap = 0;
    for (int page = 0; page < MB_MAX_PAGES && rc == 0; page++) {
        char *path = xasprintf("/api/user?group_id=%ld&status=all&limit=%d&offset=%d", group_id, MB_PAGE,
                               page * MB_PAGE);
        cJSON *j = NULL;
        rc = mb_json(in, "GET", path, NULL, &j, err);
        free(path);
        if (rc) break;
        long total;
        const cJSON *items = mb_list_items(j, &total), *u;
        if (!items) rc = mb_shape_error("GET /api/user?group_id=", err);
        int count = 0;
        cJSON_ArrayForEach(u, items)
        {
            count++;
            long uid = json_id(cJSON_GetObjectItemCaseSensitive(u, "id"));
            const cJSON *act = cJSON_GetObjectItemCaseSensitive(u, "is_active");
            if (uid <= 0 || !cJSON_IsBool(act)) {
                rc = mb_shape_error("GET /api/user?group_id= with a user without id or is_active", err);
                break;
            }
            if (out->n == cap) out->v = xrealloc(out->v, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *out->v);
            mb_member *x = &out->v[out->n++];
            x->user_id = uid;
            x->email = json_strdup(u, "email");
            x->first_name = json_strdup(u, "first_name");
            x->last_name = json_strdup(u, "last_name");
            x->membership_id = 0;
            x->active = cJSON_IsTrue(act);
        }
        cJSON_Delete(j);
        /* a bare list is never paged */
        if (total < 0 || count == 0 || (long)(page + 1) * MB_PAGE >= total) break;
    }
    if (rc) mb_member_list_free(out);
    return rc;
}

/* ---- one person ---- */

int mb_remove_user_from_group(hy_integ *in, long user_id, long group_id, mb_remove_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err) || mb_refuse_system_group(group_id, err)) return err->code;
    if (user_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase user given (the user has no Metabase id)");
    cJSON *u = NULL;
    bool missing = false;
    if (mb_get_user(in, user_id, &u, &missing, err)) return err->code;
    if (missing) {
        out->user_missing = true;
        return 0;
    }
    long *ids;
    int n;
    int rc = mb_user_group_ids(u, &ids, &n, err);
    cJSON_Delete(u);
    if (rc) return rc;
    bool member = false;
    out->in_no_group = true;
    for (int i = 0; i < n; i++) {
        if (ids[i] == group_id) member = true;
        else if (ids[i] != MB_ALL_USERS) out->in_no_group = false;
    }
    free(ids);
    if (!member) return 0;
    return mb_remove_membership(in, user_id, group_id, &out->removed, err);
}

int mb_deactivate_user(hy_integ *in, long user_id, bool *deactivated, hy_err *err)
{
    *deactivated = false;
    if (mb_ready(in, err)) return err->code;
    if (user_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase user given (the user has no Metabase id)");
    cJSON *u = NULL;
    bool missing = false;
    if (mb_get_user(in, user_id, &u, &missing, err)) return err->code;
    if (missing) return 0;
    const cJSON *active = cJSON_GetObjectItemCaseSensitive(u, "is_active");
    bool admin = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "is_superuser"));
    cJSON_Delete(u);
    if (!cJSON_IsBool(active)) return mb_shape_error("GET /api/user/:id without is_active", err);
    if (cJSON_IsFalse(active)) return 0;
    if (admin)
        return hy_fail(err, HY_ERR_PERMANENT,
                       "Metabase user %ld is an administrator: HyOpps does not deactivate administrators; "
                       "take them out of Administrators in Metabase first, or deactivate them by hand", user_id);
    char path[48];
    snprintf(path, sizeof path, "/api/user/%ld", user_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "DELETE", path, NULL, &rs, &r, err);
    if (rc == 0 && rs.status == 404) {
        /* gone meanwhile: nothing to deactivate */
    } else if (rc == 0 && !http_ok(&rs)) {
        rc = http_status_error(&r.rq, &rs, err);
    } else if (rc == 0 && rs.len > 0) {
        /* {"success":true}; an empty 2xx body is accepted too. */
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "success");
        if (rc == 0 && ok && !cJSON_IsTrue(ok))
            rc = hy_fail(err, HY_ERR_PERMANENT, "Metabase answered DELETE /api/user/%ld without success", user_id);
        cJSON_Delete(j);
        *deactivated = rc == 0;
    } else if (rc == 0) {
        *deactivated = true;
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

/* ---- an organisation's group, data access and collection ---- */

/* A view-data value: lower-case letters and dashes ("unrestricted", "blocked"). */
static bool valid_view_data(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && *s != '-') return false;
    return true;
}

static cJSON *revoke_entry(const cJSON *old, mb_graph_shape shape, const void *ctx)
{
    const char *view_data = ctx;
    if (!cJSON_IsObject(old)) return NULL; /* no entry: nothing was granted */
    cJSON *e = cJSON_CreateObject();
    if (shape == MB_GRAPH_NEW) {
        const cJSON *vd = cJSON_GetObjectItemCaseSensitive(old, "view-data");
        bool blocked = cJSON_IsString(vd) && strcmp(vd->valuestring, "blocked") == 0;
        if (hy_streq(json_str(old, "create-queries"), "no") &&
            (blocked || (cJSON_IsString(vd) && strcmp(vd->valuestring, view_data) == 0))) {
            cJSON_Delete(e);
            return NULL;
        }
        /* Never loosen: "blocked" is the strictest value there is. */
        cJSON_AddStringToObject(e, "view-data", blocked ? "blocked" : view_data);
        cJSON_AddStringToObject(e, "create-queries", "no");
    } else {
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(old, "data");
        const char *schemas = json_str(data, "schemas"), *native = json_str(data, "native");
        bool none_s = !cJSON_GetObjectItemCaseSensitive(data, "schemas") || hy_streq(schemas, "none") ||
                      hy_streq(schemas, "block");
        bool none_n = !cJSON_GetObjectItemCaseSensitive(data, "native") || hy_streq(native, "none");
        if (none_s && none_n) {
            cJSON_Delete(e);
            return NULL;
        }
        cJSON *d = cJSON_AddObjectToObject(e, "data");
        cJSON_AddStringToObject(d, "schemas", hy_streq(schemas, "block") ? "block" : "none");
        cJSON_AddStringToObject(d, "native", "none");
    }
    return e;
}

int mb_revoke_db_access(hy_integ *in, long group_id, const char *view_data, mb_grant_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err) || mb_refuse_system_group(group_id, err)) return err->code;
    const hy_config *cfg = integ_config(in);
    if (!view_data) view_data = cfg->metabase.revoke_view_data ? cfg->metabase.revoke_view_data : "unrestricted";
    if (!valid_view_data(view_data))
        return hy_fail(err, HY_ERR_CONFIG,
                       "[metabase] revoke_view_data must be a Metabase view-data value such as unrestricted or "
                       "blocked (lower-case letters and dashes)");
    return mb_graph_update(in, group_id, true, revoke_entry, view_data, out, err);
}

/* GET or PUT /api/collection/:id; *is_archived from the answer. */
static int collection_call(hy_integ *in, const char *method, long id, const cJSON *body, bool *is_archived,
                           hy_err *err)
{
    *is_archived = false;
    char path[64];
    snprintf(path, sizeof path, "/api/collection/%ld", id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, method, path, body, &rs, &r, err);
    cJSON *j = NULL;
    if (rc == 0 && rs.status == 404)
        rc = hy_fail(err, HY_ERR_PERMANENT,
                     "Metabase has no collection %ld (404): deleted by hand? Check the organisation's Metabase "
                     "collection id", id);
    else if (rc == 0 && !http_ok(&rs)) rc = http_status_error(&r.rq, &rs, err);
    else if (rc == 0) rc = http_parse_json(&r.rq, &rs, &j, err);
    if (rc == 0 && json_id(cJSON_GetObjectItemCaseSensitive(j, "id")) != id)
        rc = mb_shape_error("/api/collection/:id without the collection's id", err);
    if (rc == 0) *is_archived = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "archived"));
    cJSON_Delete(j);
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_archive_collection(hy_integ *in, long collection_id, bool *archived, hy_err *err)
{
    *archived = false;
    if (mb_ready(in, err)) return err->code;
    const hy_config *cfg = integ_config(in);
    if (collection_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase collection given");
    if (collection_id == cfg->metabase.parent_collection_id || collection_id == cfg->metabase.template_collection_id)
        return hy_fail(err, HY_ERR_PERMANENT,
                       "Metabase collection %ld is [metabase] %s: HyOpps never archives it; check the "
                       "organisation's collection id", collection_id,
                       collection_id == cfg->metabase.parent_collection_id ? "parent_collection_id"
                                                                           : "template_collection_id");
    bool is_archived;
    if (collection_call(in, "GET", collection_id, NULL, &is_archived, err)) return err->code;
    if (is_archived) return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddBoolToObject(body, "archived", 1);
    int rc = collection_call(in, "PUT", collection_id, body, &is_archived, err);
    cJSON_Delete(body);
    if (rc == 0 && !is_archived)
        rc = hy_fail(err, HY_ERR_PERMANENT, "Metabase answered PUT /api/collection/%ld but the collection is not archived",
                     collection_id);
    *archived = rc == 0;
    return rc;
}

int mb_delete_group(hy_integ *in, long group_id, bool *deleted, hy_err *err)
{
    *deleted = false;
    if (mb_ready(in, err) || mb_refuse_system_group(group_id, err)) return err->code;
    mb_member_list members;
    bool missing;
    if (mb_group_members(in, group_id, &members, &missing, err)) return err->code;
    if (missing) return 0;
    if (members.n > 0) {
        hy_buf who = {0};
        for (int i = 0; i < members.n && i < 3; i++)
        {
            char safe[128];
            hy_sanitize_to(members.v[i].email[0] ? members.v[i].email : "?", safe, sizeof safe);
            hy_buf_printf(&who, "%s%s", i ? ", " : "", safe);
        }
        if (members.n > 3) hy_buf_printf(&who, " and %d more", members.n - 3);
        hy_fail(err, HY_ERR_PERMANENT,
                "Metabase group %ld still has %d member%s (%s): revoke their access first, then retry", group_id,
                members.n, members.n == 1 ? "" : "s", who.s);
        hy_buf_free(&who);
        mb_member_list_free(&members);
        return err->code;
    }
    mb_member_list_free(&members);
    char path[64];
    snprintf(path, sizeof path, "/api/permissions/group/%ld", group_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "DELETE", path, NULL, &rs, &r, err);
    if (rc == 0 && http_ok(&rs)) *deleted = true;
    else if (rc == 0 && rs.status != 404) rc = http_status_error(&r.rq, &rs, err); /* 404: gone meanwhile */
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}
