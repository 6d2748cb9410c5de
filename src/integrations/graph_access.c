/* Microsoft Graph (Teams): removing access and reading who has it
 * (integrations-api.md §6). Declared in graph.h; plumbing shared with
 * graph.c in graph_int.h. */
#include "graph.h"
#include "graph_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"
#include "util.h"

#define GRAPH_PAGE 100
#define GRAPH_MAX_PAGES 200

/* The path of a next-page link, which must lie under [azure] graph_url
 * (the token is sent along: never to another host). */
static int next_path(hy_integ *in, const char *link, char **path, hy_err *err)
{
    *path = NULL;
    const char *base = integ_config(in)->azure.graph_url;
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    if (strncasecmp(link, base, bl) != 0 || link[bl] != '/') {
        char safe[160];
        hy_sanitize_to(link, safe, sizeof safe);
        return hy_fail(err, HY_ERR_PERMANENT,
                       "Microsoft Graph answered a next-page link outside [azure] graph_url (%s): not followed", safe);
    }
    *path = xstrdup(link + bl);
    return 0;
}

typedef int (*item_fn)(const cJSON *item, void *ctx, hy_err *err);

/* Calls each() for every item of a paged list ({value:[...],
 * "@odata.nextLink"}) starting at path. what names it in errors. */
static int list_all(hy_integ *in, const char *path, const char *what, item_fn each, void *ctx, hy_err *err)
{
    char *next = xstrdup(path);
    int rc = 0;
    for (int page = 0; next && rc == 0; page++) {
        if (page == GRAPH_MAX_PAGES) {
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph listed more than %d pages of %s: stopped",
                         GRAPH_MAX_PAGES, what);
            break;
        }
        cJSON *j = NULL;
        rc = g_json(in, "GET", next, NULL, &j, err);
        free(next);
        next = NULL;
        if (rc) break;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "value"), *item;
        if (!cJSON_IsArray(v))
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph answered the list of %s without a value list", what);
        cJSON_ArrayForEach(item, v)
        {
            if (rc == 0) rc = each(item, ctx, err);
        }
        const char *link = json_str(j, "@odata.nextLink");
        if (rc == 0 && link) rc = next_path(in, link, &next, err);
        cJSON_Delete(j);
    }
    free(next);
    return rc;
}

/* ---- team members ---- */

void graph_member_list_free(graph_member_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].membership_id);
        free(l->v[i].user_id);
        free(l->v[i].email);
        free(l->v[i].display_name);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int add_member(const cJSON *item, void *ctx, hy_err *err)
{
    graph_member_list *l = ctx;
    const char *id = json_str(item, "id");
    if (!id || !*id) return hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph listed a team member without an id");
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    graph_member *m = &l->v[l->n++];
    m->membership_id = xstrdup(id);
    m->user_id = json_strdup(item, "userId");
    m->email = json_strdup(item, "email");
    m->display_name = json_strdup(item, "displayName");
    m->owner = false;
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(item, "roles"), *r;
    cJSON_ArrayForEach(r, roles) if (cJSON_IsString(r) && hy_strcaseeq(r->valuestring, "owner")) m->owner = true;
    return 0;
}

int graph_team_members(hy_integ *in, graph_member_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (graph_ready(in, true, err)) return err->code;
    char *team = http_escape(integ_config(in)->teams.team_id);
    char *path = xasprintf("/v1.0/teams/%s/members?$top=%d", team, GRAPH_PAGE);
    int rc = list_all(in, path, "team members", add_member, out, err);
    free(path);
    free(team);
    if (rc) graph_member_list_free(out);
    return rc;
}

/* DELETE path; 404 = already gone (*done false). Other failures via
 * g_status_error. */
static int delete_call(hy_integ *in, const char *path, bool *done, hy_err *err)
{
    *done = false;
    g_req r;
    hy_http_resp rs;
    int rc = g_raw(in, "DELETE", path, NULL, &r, &rs, err);
    if (rc == 0 && http_ok(&rs)) *done = true;
    else if (rc == 0 && rs.status != 404) rc = g_status_error(&r, &rs, err);
    http_resp_free(&rs);
    g_req_done(&r);
    return rc;
}

int graph_remove_user_from_team(hy_integ *in, const char *user_id, const char *email, bool *removed, hy_err *err)
{
    *removed = false;
    if (graph_ready(in, true, err)) return err->code;
    if (hy_empty(user_id) && hy_empty(email))
        return hy_fail(err, HY_ERR_PERMANENT, "no Teams user id or email address to remove");
    graph_member_list l;
    if (graph_team_members(in, &l, err)) return err->code;
    const char *mid = NULL;
    for (int i = 0; i < l.n && !mid && !hy_empty(user_id); i++)
        if (hy_strcaseeq(l.v[i].user_id, user_id)) mid = l.v[i].membership_id;
    for (int i = 0; i < l.n && !mid && !hy_empty(email); i++)
        if (hy_strcaseeq(l.v[i].email, email)) mid = l.v[i].membership_id;
    int rc = 0;
    if (mid) {
        char *team = http_escape(integ_config(in)->teams.team_id), *m = http_escape(mid);
        char *path = xasprintf("/v1.0/teams/%s/members/%s", team, m);
        rc = delete_call(in, path, removed, err);
        free(path);
        free(m);
        free(team);
    }
    graph_member_list_free(&l);
    return rc;
}

/* ---- channels ---- */

int graph_archive_channel(hy_integ *in, const char *channel_id, bool *archived, hy_err *err)
{
    *archived = false;
    if (graph_ready(in, true, err)) return err->code;
    if (hy_empty(channel_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Teams channel configured for this organisation");
    const char *team_id = integ_config(in)->teams.team_id;
    char *team = http_escape(team_id), *cid = http_escape(channel_id);
    char *path = xasprintf("/v1.0/teams/%s/channels/%s/archive", team, cid);
    free(team);
    free(cid);
    cJSON *body = cJSON_CreateObject(); /* optional settings: none */
    g_req r;
    hy_http_resp rs;
    int rc = g_raw(in, "POST", path, body, &r, &rs, err);
    cJSON_Delete(body);
    if (rc == 0 && http_ok(&rs)) {
        *archived = true; /* 202: Graph finishes it in the background */
    } else if (rc == 0 && rs.status == 400 && rs.body && strcasestr(rs.body, "already archived")) {
        /* done before */
    } else if (rc == 0 && rs.status == 404) {
        char safe[200], steam[120];
        hy_sanitize_to(channel_id, safe, sizeof safe);
        hy_sanitize_to(team_id, steam, sizeof steam);
        rc = hy_fail(err, HY_ERR_PERMANENT,
                     "Microsoft Graph has no channel %s in team %s (404): deleted by hand, or a wrong id? Check the "
                     "organisation's Teams channel id and [teams] team_id", safe, steam);
    } else if (rc == 0) {
        rc = g_status_error(&r, &rs, err);
    }
    http_resp_free(&rs);
    g_req_done(&r);
    free(path);
    return rc;
}

void graph_channel_list_free(graph_channel_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].name);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int add_channel(const cJSON *item, void *ctx, hy_err *err)
{
    graph_channel_list *l = ctx;
    const char *id = json_str(item, "id");
    if (!id || !*id) return hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph listed a channel without an id");
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    graph_channel *c = &l->v[l->n++];
    c->id = xstrdup(id);
    c->name = json_strdup(item, "displayName");
    c->archived = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "isArchived"));
    return 0;
}

int graph_list_channels(hy_integ *in, graph_channel_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (graph_ready(in, true, err)) return err->code;
    char *team = http_escape(integ_config(in)->teams.team_id);
    char *path = xasprintf("/v1.0/teams/%s/channels", team);
    int rc = list_all(in, path, "channels", add_channel, out, err);
    free(path);
    free(team);
    if (rc) graph_channel_list_free(out);
    return rc;
}

/* ---- guest accounts ---- */

int graph_delete_user(hy_integ *in, const char *user_id, bool *deleted, hy_err *err)
{
    *deleted = false;
    if (graph_ready(in, false, err)) return err->code;
    if (hy_empty(user_id)) return hy_fail(err, HY_ERR_PERMANENT, "no Teams guest account id to delete");
    char *uid = http_escape(user_id);
    char *look = xasprintf("/v1.0/users/%s?$select=id,userType,mail", uid);
    char *path = xasprintf("/v1.0/users/%s", uid);
    free(uid);
    g_req r;
    hy_http_resp rs;
    int rc = g_raw(in, "GET", look, NULL, &r, &rs, err);
    bool found = false;
    if (rc == 0 && http_ok(&rs)) {
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        const char *type = rc == 0 ? json_str(j, "userType") : NULL;
        if (rc == 0 && !hy_strcaseeq(json_str(j, "id"), user_id)) {
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph answered GET /v1.0/users/{id} with another account");
        } else if (rc == 0 && !hy_strcaseeq(type, "Guest")) {
            char safe[160], stype[40];
            hy_sanitize_to(user_id, safe, sizeof safe);
            hy_sanitize_to(type ? type : "unknown", stype, sizeof stype);
            rc = hy_fail(err, HY_ERR_PERMANENT,
                         "Microsoft account %s is not a guest (userType %s): HyOpps deletes only the guest accounts "
                         "it invited; remove it by hand if it must go", safe, stype);
        }
        found = rc == 0;
        cJSON_Delete(j);
    } else if (rc == 0 && rs.status != 404) {
        rc = g_status_error(&r, &rs, err);
    }
    http_resp_free(&rs);
    g_req_done(&r);
    if (rc == 0 && found) rc = delete_call(in, path, deleted, err);
    free(look);
    free(path);
    return rc;
}
