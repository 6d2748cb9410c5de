#include "metabase.h"
#include "metabase_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

/* ---- plumbing ---- */

int mb_ready(hy_integ *in, hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    if (!cfg->metabase.url || !cfg->metabase.api_key)
        return hy_fail(err, HY_ERR_CONFIG, "Metabase is not configured (set [metabase] url and api_key)");
    return 0;
}

static void mb_req_init(hy_integ *in, mb_req *r, const char *method, const char *path, const char *body)
{
    const hy_config *cfg = integ_config(in);
    memset(r, 0, sizeof *r);
    r->keyhdr = xasprintf("x-api-key: %s", cfg->metabase.api_key);
    r->hdrs[0] = r->keyhdr;
    r->rq.service = "Metabase";
    r->rq.log_name = "metabase";
    r->rq.method = method;
    r->rq.base = cfg->metabase.url;
    r->rq.path = path;
    r->rq.headers = r->hdrs;
    r->rq.body = body;
    r->rq.auth_hint = "check [metabase] api_key (the key must belong to the Administrators group)";
}

void mb_req_done(mb_req *r)
{
    explicit_bzero(r->keyhdr, strlen(r->keyhdr));
    free(r->keyhdr);
}

int mb_json(hy_integ *in, const char *method, const char *path, const cJSON *body, cJSON **out, hy_err *err)
{
    char *b = body ? cJSON_PrintUnformatted(body) : NULL;
    mb_req r;
    mb_req_init(in, &r, method, path, b);
    int rc = http_json(in, &r.rq, out, err);
    mb_req_done(&r);
    cJSON_free(b);
    return rc;
}

int mb_raw(hy_integ *in, const char *method, const char *path, const cJSON *body, hy_http_resp *rs,
                  mb_req *r, hy_err *err)
{
    char *b = body ? cJSON_PrintUnformatted(body) : NULL;
    mb_req_init(in, r, method, path, b);
    int rc = http_perform(in, &r->rq, rs, err);
    /* The body was sent; requests keep only pointers, so drop it now. */
    r->rq.body = NULL;
    cJSON_free(b);
    return rc;
}

/* Items of a list answer: {data:[...]} (v0.40+) or a bare list. */
const cJSON *mb_list_items(const cJSON *j, long *total)
{
    if (total) *total = -1;
    if (cJSON_IsArray(j)) return j;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "data");
    if (cJSON_IsArray(d)) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "total");
        if (total && cJSON_IsNumber(t)) *total = (long)t->valuedouble;
        return d;
    }
    return NULL;
}

int mb_shape_error(const char *what, hy_err *err)
{
    return hy_fail(err, HY_ERR_PERMANENT, "Metabase answered %s in an unexpected shape (is [metabase] url a Metabase?)",
                   what);
}

bool mb_body_mentions(const hy_http_resp *rs, const char *word)
{
    return rs->body && strcasestr(rs->body, word) != NULL;
}

/* ---- users ---- */

/* Searches ?query=email (a substring match) and compares emails exactly,
 * case-insensitively. all: include deactivated users. */
static int search_user(hy_integ *in, const char *email, bool all, long *user_id, bool *active, hy_err *err)
{
    *user_id = 0;
    *active = false;
    char *q = http_escape(email);
    int rc = 0;
    for (int page = 0; page < MB_MAX_PAGES && rc == 0 && *user_id == 0; page++) {
        char *path = xasprintf("/api/user?query=%s%s&limit=%d&offset=%d", q, all ? "&status=all" : "", MB_PAGE,
                               page * MB_PAGE);
        cJSON *j = NULL;
        rc = mb_json(in, "GET", path, NULL, &j, err);
        free(path);
        if (rc) break;
        long total;
        const cJSON *items = mb_list_items(j, &total);
        if (!items) {
            cJSON_Delete(j);
            rc = mb_shape_error("GET /api/user", err);
            break;
        }
        int count = 0;
        const cJSON *u;
        cJSON_ArrayForEach(u, items)
        {
            count++;
            if (*user_id || !hy_strcaseeq(json_str(u, "email"), email)) continue;
            *user_id = json_id(cJSON_GetObjectItemCaseSensitive(u, "id"));
            const cJSON *act = cJSON_GetObjectItemCaseSensitive(u, "is_active");
            /* Without status=all only active users are listed. */
            *active = act ? cJSON_IsTrue(act) : !all;
        }
        cJSON_Delete(j);
        /* A bare list is never paged; stop at the last page. */
        if (total < 0 || count == 0 || (long)(page + 1) * MB_PAGE >= total) break;
    }
    free(q);
    return rc;
}

int mb_find_user(hy_integ *in, const char *email, long *user_id, bool *active, hy_err *err)
{
    if (mb_ready(in, err)) return err->code;
    if (search_user(in, email, false, user_id, active, err)) return err->code;
    if (*user_id) return 0;
    /* A deactivated user is not listed by default but blocks POST /api/user. */
    return search_user(in, email, true, user_id, active, err);
}

static int reactivate(hy_integ *in, long user_id, hy_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "/api/user/%ld/reactivate", user_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "PUT", path, NULL, &rs, &r, err);
    if (rc == 0 && !http_ok(&rs)) {
        /* "Not able to reactivate an active user": someone did it already. */
        if (rs.status == 400 && mb_body_mentions(&rs, "active user")) rc = 0;
        else rc = http_status_error(&r.rq, &rs, err);
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

static int create_user(hy_integ *in, const char *email, const char *first, const char *last, long *user_id,
                       bool *in_use, hy_err *err)
{
    *user_id = 0;
    *in_use = false;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "email", email);
    if (first && *first) cJSON_AddStringToObject(body, "first_name", first);
    if (last && *last) cJSON_AddStringToObject(body, "last_name", last);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "POST", "/api/user", body, &rs, &r, err);
    cJSON_Delete(body);
    if (rc == 0 && !http_ok(&rs)) {
        if (rs.status == 400 && mb_body_mentions(&rs, "already in use")) *in_use = true;
        else rc = http_status_error(&r.rq, &rs, err);
    } else if (rc == 0) {
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        if (rc == 0) {
            *user_id = json_id(cJSON_GetObjectItemCaseSensitive(j, "id"));
            if (!*user_id) rc = mb_shape_error("POST /api/user without a user id", err);
        }
        cJSON_Delete(j);
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_ensure_user(hy_integ *in, const char *email, const char *first_name, const char *last_name, long *user_id,
                   mb_user_how *how, hy_err *err)
{
    *user_id = 0;
    bool active = false;
    if (mb_find_user(in, email, user_id, &active, err)) return err->code;
    if (!*user_id) {
        bool in_use = false;
        if (create_user(in, email, first_name, last_name, user_id, &in_use, err)) return err->code;
        if (!in_use) {
            *how = MB_USER_CREATED;
            return 0;
        }
        /* Created meanwhile, or deactivated and not listed: look again. */
        if (search_user(in, email, true, user_id, &active, err)) return err->code;
        if (!*user_id)
            return hy_fail(err, HY_ERR_PERMANENT,
                           "Metabase says %s is already in use, but no user with that email can be found; "
                           "check the user in Metabase's admin settings", email);
    }
    if (active) {
        *how = MB_USER_EXISTED;
        return 0;
    }
    if (reactivate(in, *user_id, err)) return err->code;
    *how = MB_USER_REACTIVATED;
    return 0;
}

/* ---- groups and memberships ---- */

void mb_group_list_free(mb_group_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) free(l->items[i].name);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void group_push(mb_group_list *l, long id, const char *name)
{
    l->items = xrealloc(l->items, (size_t)(l->n + 1) * sizeof *l->items);
    l->items[l->n].id = id;
    l->items[l->n].name = xstrdup(name ? name : "");
    l->n++;
}

int mb_list_groups(hy_integ *in, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    cJSON *j = NULL;
    if (mb_json(in, "GET", "/api/permissions/group", NULL, &j, err)) return err->code;
    const cJSON *items = mb_list_items(j, NULL);
    if (!items) {
        cJSON_Delete(j);
        return mb_shape_error("GET /api/permissions/group", err);
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, items)
    {
        long id = json_id(cJSON_GetObjectItemCaseSensitive(g, "id"));
        if (id <= 0 || id == MB_ALL_USERS || id == MB_ADMINS) continue;
        group_push(out, id, json_str(g, "name"));
    }
    cJSON_Delete(j);
    return 0;
}

int mb_get_user(hy_integ *in, long user_id, cJSON **out, bool *missing, hy_err *err)
{
    *out = NULL;
    if (missing) *missing = false;
    char path[48];
    snprintf(path, sizeof path, "/api/user/%ld", user_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "GET", path, NULL, &rs, &r, err);
    if (rc == 0) {
        if (rs.status == 404 && missing) {
            *missing = true;
        } else if (!http_ok(&rs)) {
            rc = http_status_error(&r.rq, &rs, err);
        } else if ((rc = http_parse_json(&r.rq, &rs, out, err)) == 0 &&
                   json_id(cJSON_GetObjectItemCaseSensitive(*out, "id")) != user_id) {
            cJSON_Delete(*out);
            *out = NULL;
            rc = mb_shape_error("GET /api/user/:id without the user's id", err);
        }
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_user_group_ids(const cJSON *user, long **ids, int *n, hy_err *err)
{
    *ids = NULL;
    *n = 0;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(user, "user_group_memberships");
    if (!cJSON_IsArray(ms)) return mb_shape_error("GET /api/user/:id without user_group_memberships", err);
    *ids = xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof **ids);
    const cJSON *m;
    cJSON_ArrayForEach(m, ms)
    {
        /* Here `id` IS the group id. */
        long gid = json_id(cJSON_GetObjectItemCaseSensitive(m, "id"));
        if (gid > 0) (*ids)[(*n)++] = gid;
    }
    return 0;
}

/* Group ids the user belongs to, from GET /api/user/:id. */
static int user_group_ids(hy_integ *in, long user_id, long **ids, int *n, hy_err *err)
{
    *ids = NULL;
    *n = 0;
    cJSON *j = NULL;
    if (mb_get_user(in, user_id, &j, NULL, err)) return err->code;
    int rc = mb_user_group_ids(j, ids, n, err);
    cJSON_Delete(j);
    return rc;
}

static int is_member(hy_integ *in, long user_id, long group_id, bool *member, hy_err *err)
{
    long *ids;
    int n;
    *member = false;
    if (user_group_ids(in, user_id, &ids, &n, err)) return err->code;
    for (int i = 0; i < n; i++)
        if (ids[i] == group_id) *member = true;
    free(ids);
    return 0;
}

int mb_user_groups(hy_integ *in, long user_id, mb_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    long *ids;
    int n;
    if (user_group_ids(in, user_id, &ids, &n, err)) return err->code;
    mb_group_list all;
    if (mb_list_groups(in, &all, err)) {
        free(ids);
        return err->code;
    }
    for (int i = 0; i < n; i++) {
        if (ids[i] == MB_ALL_USERS || ids[i] == MB_ADMINS) continue;
        const char *name = NULL;
        for (int k = 0; k < all.n; k++)
            if (all.items[k].id == ids[i]) name = all.items[k].name;
        char fallback[32];
        snprintf(fallback, sizeof fallback, "group %ld", ids[i]);
        group_push(out, ids[i], name ? name : fallback);
    }
    mb_group_list_free(&all);
    free(ids);
    return 0;
}

int mb_refuse_system_group(long group_id, hy_err *err)
{
    if (group_id == MB_ALL_USERS || group_id == MB_ADMINS)
        return hy_fail(err, HY_ERR_PERMANENT, "Metabase group %ld is a built-in group (%s) and cannot be changed here",
                       group_id, group_id == MB_ALL_USERS ? "All Users" : "Administrators");
    if (group_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "no Metabase group given");
    return 0;
}

int mb_add_membership(hy_integ *in, long user_id, long group_id, bool *added, hy_err *err)
{
    *added = false;
    if (mb_ready(in, err) || mb_refuse_system_group(group_id, err)) return err->code;
    bool member;
    if (is_member(in, user_id, group_id, &member, err)) return err->code;
    if (member) return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "group_id", (double)group_id);
    cJSON_AddNumberToObject(body, "user_id", (double)user_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "POST", "/api/permissions/membership", body, &rs, &r, err);
    cJSON_Delete(body);
    if (rc == 0 && http_ok(&rs)) {
        *added = true;
    } else if (rc == 0) {
        /* An "already a member" answer (500 unique-key violation, or 400 in
         * some versions) is success only if a re-read shows the membership. */
        hy_err again;
        hy_err_clear(&again);
        if ((rs.status == 400 || rs.status == 500) && is_member(in, user_id, group_id, &member, &again) == 0 && member)
            rc = 0;
        else
            rc = http_status_error(&r.rq, &rs, err);
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_remove_membership(hy_integ *in, long user_id, long group_id, bool *removed, hy_err *err)
{
    *removed = false;
    if (mb_ready(in, err) || mb_refuse_system_group(group_id, err)) return err->code;
    cJSON *j = NULL;
    if (mb_json(in, "GET", "/api/permissions/membership", NULL, &j, err)) return err->code;
    char key[32];
    snprintf(key, sizeof key, "%ld", user_id);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, key);
    long membership_id = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        if (json_id(cJSON_GetObjectItemCaseSensitive(m, "group_id")) == group_id)
            membership_id = json_id(cJSON_GetObjectItemCaseSensitive(m, "membership_id"));
    }
    cJSON_Delete(j);
    if (!membership_id) return 0;
    char path[64];
    snprintf(path, sizeof path, "/api/permissions/membership/%ld", membership_id);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "DELETE", path, NULL, &rs, &r, err);
    if (rc == 0 && http_ok(&rs)) *removed = true;
    else if (rc == 0 && rs.status != 404) rc = http_status_error(&r.rq, &rs, err); /* 404: gone already */
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

char *mb_group_name(const char *org_name) { return hy_org_group_name(org_name); }

static int find_group(hy_integ *in, const char *name, long *group_id, hy_err *err)
{
    *group_id = 0;
    cJSON *j = NULL;
    if (mb_json(in, "GET", "/api/permissions/group", NULL, &j, err)) return err->code;
    const cJSON *items = mb_list_items(j, NULL);
    if (!items) {
        cJSON_Delete(j);
        return mb_shape_error("GET /api/permissions/group", err);
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, items)
    {
        if (!*group_id && hy_strcaseeq(json_str(g, "name"), name))
            *group_id = json_id(cJSON_GetObjectItemCaseSensitive(g, "id"));
    }
    cJSON_Delete(j);
    return 0;
}

int mb_ensure_group(hy_integ *in, const char *name, long *group_id, bool *created, hy_err *err)
{
    *created = false;
    if (mb_ready(in, err)) return err->code;
    if (find_group(in, name, group_id, err)) return err->code;
    if (*group_id) return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "name", name);
    hy_http_resp rs;
    mb_req r;
    int rc = mb_raw(in, "POST", "/api/permissions/group", body, &rs, &r, err);
    cJSON_Delete(body);
    if (rc == 0 && http_ok(&rs)) {
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        if (rc == 0) {
            *group_id = json_id(cJSON_GetObjectItemCaseSensitive(j, "id"));
            *created = true;
            if (!*group_id) rc = mb_shape_error("POST /api/permissions/group without a group id", err);
        }
        cJSON_Delete(j);
    } else if (rc == 0) {
        /* Created meanwhile (names are unique, case-insensitively): find it. */
        if (rs.status == 400 && mb_body_mentions(&rs, "already exists")) {
            rc = find_group(in, name, group_id, err);
            if (rc == 0 && !*group_id) rc = http_status_error(&r.rq, &rs, err);
        } else {
            rc = http_status_error(&r.rq, &rs, err);
        }
    }
    http_resp_free(&rs);
    mb_req_done(&r);
    return rc;
}

int mb_ensure_org_group(hy_integ *in, const char *org_name, mb_group_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (hy_empty(org_name)) return hy_fail(err, HY_ERR_PERMANENT, "no organisation name to name the group after");
    char *name = mb_group_name(org_name);
    hy_strlcpy(out->name, name, sizeof out->name);
    int rc = mb_ensure_group(in, name, &out->group_id, &out->created, err);
    free(name);
    return rc;
}

/* ---- collections and dashboards ---- */

/* Items of a collection of one model ("collection", "dashboard"). */
static int collection_items(hy_integ *in, long coll_id, const char *model, cJSON **out, const cJSON **items,
                            hy_err *err)
{
    char path[96];
    if (coll_id > 0) snprintf(path, sizeof path, "/api/collection/%ld/items?models=%s", coll_id, model);
    else snprintf(path, sizeof path, "/api/collection/root/items?models=%s", model);
    if (mb_json(in, "GET", path, NULL, out, err)) return err->code;
    *items = mb_list_items(*out, NULL);
    if (!*items) {
        cJSON_Delete(*out);
        *out = NULL;
        return mb_shape_error("GET /api/collection/:id/items", err);
    }
    return 0;
}

static bool item_is(const cJSON *item, const char *model)
{
    const char *m = json_str(item, "model");
    return !m || strcmp(m, model) == 0; /* older versions filter by ?models only */
}

static int ensure_collection(hy_integ *in, const char *name, long parent, long *coll_id, bool *created, hy_err *err)
{
    *coll_id = 0;
    *created = false;
    cJSON *j;
    const cJSON *items, *it;
    if (collection_items(in, parent, "collection", &j, &items, err)) return err->code;
    cJSON_ArrayForEach(it, items)
    {
        if (!*coll_id && item_is(it, "collection") && hy_streq(json_str(it, "name"), name))
            *coll_id = json_id(cJSON_GetObjectItemCaseSensitive(it, "id"));
    }
    cJSON_Delete(j);
    if (*coll_id) return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "color", "#509EE3"); /* required by older versions */
    if (parent > 0) cJSON_AddNumberToObject(body, "parent_id", (double)parent);
    cJSON *res = NULL;
    int rc = mb_json(in, "POST", "/api/collection", body, &res, err);
    cJSON_Delete(body);
    if (rc == 0) {
        *coll_id = json_id(cJSON_GetObjectItemCaseSensitive(res, "id"));
        *created = true;
        if (!*coll_id) rc = mb_shape_error("POST /api/collection without a collection id", err);
    }
    cJSON_Delete(res);
    return rc;
}

static int copy_dashboards(hy_integ *in, long template_id, long coll_id, int *copied, int *present, hy_err *err)
{
    *copied = *present = 0;
    cJSON *tj, *cj;
    const cJSON *titems, *citems, *d, *e;
    if (collection_items(in, template_id, "dashboard", &tj, &titems, err)) return err->code;
    if (collection_items(in, coll_id, "dashboard", &cj, &citems, err)) {
        cJSON_Delete(tj);
        return err->code;
    }
    int rc = 0;
    cJSON_ArrayForEach(d, titems)
    {
        if (rc || !item_is(d, "dashboard")) continue;
        const char *name = json_str(d, "name");
        long id = json_id(cJSON_GetObjectItemCaseSensitive(d, "id"));
        if (!name || !id) continue;
        bool there = false;
        cJSON_ArrayForEach(e, citems)
        {
            if (item_is(e, "dashboard") && hy_streq(json_str(e, "name"), name)) there = true;
        }
        if (there) {
            (*present)++;
            continue;
        }
        /* A deep copy also copies the questions, so the partner's dashboards
         * do not depend on cards in the template collection. */
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "name", name);
        cJSON_AddNumberToObject(body, "collection_id", (double)coll_id);
        cJSON_AddBoolToObject(body, "is_deep_copy", 1);
        char path[64];
        snprintf(path, sizeof path, "/api/dashboard/%ld/copy", id);
        cJSON *res = NULL;
        rc = mb_json(in, "POST", path, body, &res, err);
        cJSON_Delete(body);
        cJSON_Delete(res);
        if (rc == 0) (*copied)++;
    }
    cJSON_Delete(tj);
    cJSON_Delete(cj);
    return rc;
}

int mb_clone_collection(hy_integ *in, const char *org_name, mb_collection_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    if (hy_empty(org_name)) return hy_fail(err, HY_ERR_PERMANENT, "no organisation name to name the collection after");
    const hy_config *cfg = integ_config(in);
    if (ensure_collection(in, org_name, cfg->metabase.parent_collection_id, &out->collection_id, &out->created, err))
        return err->code;
    if (cfg->metabase.template_collection_id <= 0) return 0;
    return copy_dashboards(in, cfg->metabase.template_collection_id, out->collection_id, &out->dashboards_copied,
                           &out->dashboards_present, err);
}

/* ---- data permissions ---- */

/* Newer versions: {"view-data":..., "create-queries":...}; older:
 * {"data":{"schemas":..., "native":...}}. Decided from what the graph holds. */
static mb_graph_shape detect_shape(const cJSON *groups)
{
    const cJSON *g, *db;
    cJSON_ArrayForEach(g, groups)
    {
        cJSON_ArrayForEach(db, g)
        {
            if (cJSON_GetObjectItemCaseSensitive(db, "view-data") ||
                cJSON_GetObjectItemCaseSensitive(db, "create-queries"))
                return MB_GRAPH_NEW;
            if (cJSON_GetObjectItemCaseSensitive(db, "data")) return MB_GRAPH_OLD;
        }
    }
    return MB_GRAPH_NEW;
}

/* Grants query-builder access, keeping native access where it was given;
 * NULL when the entry already grants it. */
static cJSON *grant_entry(const cJSON *old, mb_graph_shape shape, const void *ctx)
{
    (void)ctx;
    if (shape == MB_GRAPH_NEW) {
        const char *cq = json_str(old, "create-queries"), *vd = json_str(old, "view-data");
        if (cq && strncmp(cq, "query-builder", 13) == 0 && hy_streq(vd, "unrestricted")) return NULL;
    } else if (hy_streq(json_str(cJSON_GetObjectItemCaseSensitive(old, "data"), "schemas"), "all")) {
        return NULL;
    }
    cJSON *e = cJSON_CreateObject();
    if (shape == MB_GRAPH_NEW) {
        const char *cq = json_str(old, "create-queries");
        cJSON_AddStringToObject(e, "view-data", "unrestricted");
        cJSON_AddStringToObject(e, "create-queries",
                                hy_streq(cq, "query-builder-and-native") ? cq : "query-builder");
    } else {
        const char *native = json_str(cJSON_GetObjectItemCaseSensitive(old, "data"), "native");
        cJSON *data = cJSON_AddObjectToObject(e, "data");
        cJSON_AddStringToObject(data, "schemas", "all");
        cJSON_AddStringToObject(data, "native", native ? native : "none");
    }
    return e;
}

/* Applies fn to each database key of the group's entry (the configured ids,
 * then with every_db the other databases the group has an entry for).
 * Returns how many changed. */
static int apply_entries(cJSON *gobj, const hy_config *cfg, bool every_db, mb_entry_fn fn, const void *ctx,
                         mb_graph_shape shape, mb_grant_result *out)
{
    int nkeys = 0, cap = cfg->metabase.ndatabase_ids + cJSON_GetArraySize(gobj) + 1;
    char(*keys)[32] = xcalloc((size_t)cap, sizeof *keys);
    for (int i = 0; i < cfg->metabase.ndatabase_ids; i++)
        snprintf(keys[nkeys++], sizeof keys[0], "%ld", cfg->metabase.database_ids[i]);
    const cJSON *db;
    cJSON_ArrayForEach(db, gobj)
    {
        if (!every_db || !db->string) continue;
        bool seen = false;
        for (int k = 0; k < nkeys && !seen; k++) seen = strcmp(keys[k], db->string) == 0;
        if (!seen) hy_strlcpy(keys[nkeys++], db->string, sizeof keys[0]);
    }
    out->granted = out->already = 0;
    for (int k = 0; k < nkeys; k++) {
        const cJSON *entry = cJSON_GetObjectItemCaseSensitive(gobj, keys[k]);
        cJSON *fresh = fn(entry, shape, ctx);
        if (!fresh) {
            out->already++;
            continue;
        }
        if (entry) cJSON_ReplaceItemInObjectCaseSensitive(gobj, keys[k], fresh);
        else cJSON_AddItemToObject(gobj, keys[k], fresh);
        out->granted++;
    }
    free(keys);
    return out->granted;
}

int mb_graph_update(hy_integ *in, long group_id, bool every_db, mb_entry_fn fn, const void *ctx, mb_grant_result *out,
                    hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    char gkey[32];
    snprintf(gkey, sizeof gkey, "%ld", group_id);
    for (int attempt = 0; attempt < 2; attempt++) {
        cJSON *graph = NULL;
        if (mb_json(in, "GET", "/api/permissions/graph", NULL, &graph, err)) return err->code;
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(graph, "revision");
        cJSON *groups = cJSON_GetObjectItemCaseSensitive(graph, "groups");
        if (!cJSON_IsNumber(rev) || !cJSON_IsObject(groups)) {
            cJSON_Delete(graph);
            return mb_shape_error("GET /api/permissions/graph", err);
        }
        mb_graph_shape shape = detect_shape(groups);
        cJSON *gobj = cJSON_GetObjectItemCaseSensitive(groups, gkey);
        if (!cJSON_IsObject(gobj)) {
            cJSON_DeleteItemFromObjectCaseSensitive(groups, gkey);
            gobj = cJSON_AddObjectToObject(groups, gkey);
        }
        out->revision = (long)rev->valuedouble;
        if (apply_entries(gobj, cfg, every_db, fn, ctx, shape, out) == 0) {
            cJSON_Delete(graph);
            return 0;
        }
        /* Write back only our group, with the revision we read. */
        cJSON *body = cJSON_CreateObject();
        cJSON_AddNumberToObject(body, "revision", rev->valuedouble);
        cJSON *bg = cJSON_AddObjectToObject(body, "groups");
        cJSON_AddItemToObject(bg, gkey, cJSON_Duplicate(gobj, 1));
        cJSON_Delete(graph);
        hy_http_resp rs;
        mb_req r;
        int rc = mb_raw(in, "PUT", "/api/permissions/graph", body, &rs, &r, err);
        cJSON_Delete(body);
        bool conflict = rc == 0 && rs.status == 409;
        if (rc == 0 && http_ok(&rs)) {
            cJSON *j = NULL;
            if (http_parse_json(&r.rq, &rs, &j, err) == 0) {
                const cJSON *nrev = cJSON_GetObjectItemCaseSensitive(j, "revision");
                if (cJSON_IsNumber(nrev)) out->revision = (long)nrev->valuedouble;
            } else {
                rc = err->code;
            }
            cJSON_Delete(j);
        } else if (rc == 0 && !conflict) {
            rc = http_status_error(&r.rq, &rs, err);
        }
        http_resp_free(&rs);
        mb_req_done(&r);
        if (!conflict) return rc;
        /* 409: someone else edited the permissions; re-read and re-apply once. */
    }
    return hy_fail(err, HY_ERR_TRANSIENT,
                   "Metabase's permissions changed twice while HyOpps was writing them (409); try again");
}

int mb_grant_db_access(hy_integ *in, long group_id, mb_grant_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    if (integ_config(in)->metabase.ndatabase_ids == 0)
        return hy_fail(err, HY_ERR_CONFIG,
                       "no Metabase databases to grant: set [metabase] database_ids to the ids of the databases "
                       "partners may query");
    if (group_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "No Metabase group configured for this organisation");
    return mb_graph_update(in, group_id, false, grant_entry, NULL, out, err);
}

/* ---- check ---- */

int mb_check(hy_integ *in, char *who, size_t whosz, hy_err *err)
{
    if (who && whosz) who[0] = '\0';
    if (mb_ready(in, err)) return err->code;
    cJSON *j = NULL;
    if (mb_json(in, "GET", "/api/user/current", NULL, &j, err)) return err->code;
    const char *email = json_str(j, "email");
    if (!email) {
        cJSON_Delete(j);
        return mb_shape_error("GET /api/user/current", err);
    }
    const char *name = json_str(j, "common_name");
    bool admin = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "is_superuser"));
    if (who && whosz) {
        char *raw = xasprintf("%s%s<%s>", name ? name : "", name ? " " : "", email);
        hy_sanitize_to(raw, who, whosz);
        free(raw);
    }
    cJSON_Delete(j);
    if (!admin)
        return hy_fail(err, HY_ERR_PERMANENT,
                       "the Metabase API key works but is not an administrator: put it in the Administrators "
                       "group (HyOpps creates users, groups and collections)");
    return 0;
}

int mb_add_user_to_group(hy_integ *in, const char *email, const char *first_name, const char *last_name,
                         long group_id, mb_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (mb_ready(in, err)) return err->code;
    if (group_id <= 0) return hy_fail(err, HY_ERR_PERMANENT, "No Metabase group configured for this organisation");
    if (hy_empty(email)) return hy_fail(err, HY_ERR_PERMANENT, "the user has no email address");
    mb_user_how how;
    if (mb_ensure_user(in, email, first_name, last_name, &out->user_id, &how, err)) return err->code;
    out->existed = how == MB_USER_EXISTED;
    out->reactivated = how == MB_USER_REACTIVATED;
    out->created = how == MB_USER_CREATED;
    return mb_add_membership(in, out->user_id, group_id, &out->added, err);
}
