#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void hy_strlist_add(hy_strlist *l, const char *s)
{
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    l->v[l->n++] = xstrdup(s ? s : "");
}

void hy_strlist_free(hy_strlist *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

bool hy_strlist_has(const hy_strlist *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (hy_streq(l->v[i], s)) return true;
    return false;
}

void hy_strlist_from_json(hy_strlist *l, const char *json)
{
    memset(l, 0, sizeof *l);
    if (!json) return;
    cJSON *a = cJSON_Parse(json);
    if (cJSON_IsArray(a)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, a) {
            if (cJSON_IsString(it)) hy_strlist_add(l, it->valuestring);
        }
    }
    cJSON_Delete(a);
}

cJSON *hy_strlist_to_cjson(const hy_strlist *l)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < l->n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i]));
    return a;
}

char *hy_strlist_to_json(const hy_strlist *l)
{
    cJSON *a = hy_strlist_to_cjson(l);
    char *raw = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    char *s = xstrdup(raw);
    cJSON_free(raw);
    return s;
}

char *hy_strlist_join(const hy_strlist *l, const char *sep)
{
    if (l->n == 0) return xstrdup("-");
    hy_buf b = {0};
    for (int i = 0; i < l->n; i++) {
        if (i) hy_buf_put(&b, sep);
        hy_buf_put(&b, l->v[i]);
    }
    return hy_buf_take(&b);
}

void hy_strlist_split(hy_strlist *l, const char *text)
{
    memset(l, 0, sizeof *l);
    if (!text) return;
    char *copy = xstrdup(text), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = hy_trim(tok);
        if (*t) hy_strlist_add(l, t);
    }
    free(copy);
}

void hy_org_free(hy_org *o)
{
    free(o->id); free(o->name); free(o->created_at); free(o->offboarded_at);
    hy_strlist_free(&o->account_types);
    memset(o, 0, sizeof *o);
}

void hy_org_list_free(hy_org_list *l)
{
    for (int i = 0; i < l->count; i++) hy_org_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void hy_org_detail_free(hy_org_detail *d)
{
    hy_org_free(&d->org);
    for (int i = 0; i < d->ncompanies; i++) {
        hy_studio_company *s = &d->companies[i];
        free(s->id); free(s->studio_id); free(s->name); free(s->environment);
    }
    free(d->companies);
    for (int i = 0; i < d->ngroups; i++) {
        hy_system_group *g = &d->groups[i];
        free(g->id); free(g->tool); free(g->external_name); free(g->external_id); free(g->created_at);
    }
    free(d->groups);
    free(d->keycloak_cluster); free(d->metabase_collection_id); free(d->integrations_updated_at);
    free(d->docs_internal); free(d->docs_general); free(d->docs_additional); free(d->docs_updated_at);
    for (int i = 0; i < d->nusers; i++) {
        hy_user_brief *u = &d->users[i];
        free(u->id); free(u->email); free(u->firstname); free(u->lastname); free(u->offboarded_at);
        hy_strlist_free(&u->access);
    }
    free(d->users);
    for (int i = 0; i < d->nexecutions; i++) {
        hy_exec_brief *e = &d->executions[i];
        free(e->id); free(e->workflow); free(e->status); free(e->user_email); free(e->created_at);
    }
    free(d->executions);
    memset(d, 0, sizeof *d);
}

void hy_org_impact_free(hy_org_impact *i)
{
    free(i->name);
    memset(i, 0, sizeof *i);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

void hy_grant_list_free(hy_grant_list *l)
{
    for (int i = 0; i < l->count; i++) {
        hy_grant *g = &l->items[i];
        free(g->resource); free(g->granted_at); free(g->granted_how); free(g->note); free(g->account_id);
        free(g->execution_id); free(g->step_name); free(g->granted_by_email); free(g->organization_name);
        free(g->revoked_at); free(g->revoked_how); free(g->revoked_note); free(g->revoked_execution_id);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

char *hy_access_summary(const hy_strlist *access)
{
    if (!access->n) return xstrdup("none");
    hy_buf b = {0};
    for (int i = 0; i < access->n; i++) {
        const char *name = hy_streq(access->v[i], "Microsoft Teams") ? "Teams" : access->v[i];
        hy_buf_printf(&b, "%s%s", i ? ", " : "", name);
    }
    return hy_buf_take(&b);
}

cJSON *hy_grant_list_to_json(const hy_grant_list *l)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < l->count; i++) {
        const hy_grant *g = &l->items[i];
        cJSON *j = cJSON_CreateObject();
        add_str(j, "system", g->resource);
        cJSON_AddBoolToObject(j, "active", g->revoked_at == NULL);
        add_str(j, "granted_at", g->granted_at);
        add_str(j, "granted_how", g->granted_how);
        add_str(j, "note", g->note);
        add_str(j, "account_id", g->account_id);
        add_str(j, "execution_id", g->execution_id);
        add_str(j, "step", g->step_name);
        add_str(j, "granted_by", g->granted_by_email);
        add_str(j, "organization", g->organization_name);
        add_str(j, "revoked_at", g->revoked_at);
        add_str(j, "revoked_how", g->revoked_how);
        add_str(j, "revoked_note", g->revoked_note);
        add_str(j, "revoked_execution_id", g->revoked_execution_id);
        cJSON_AddItemToArray(arr, j);
    }
    return arr;
}

void hy_user_free(hy_user *u)
{
    free(u->id); free(u->firstname); free(u->lastname); free(u->email);
    hy_strlist_free(&u->languages); hy_strlist_free(&u->skills); hy_strlist_free(&u->roles);
    free(u->organization_id); free(u->organization_name);
    free(u->studio_company_id); free(u->studio_company_name);
    free(u->created_at); free(u->updated_at); free(u->offboarded_at);
    hy_strlist_free(&u->access);
    hy_grant_list_free(&u->grants);
    memset(u, 0, sizeof *u);
}

void hy_user_list_free(hy_user_list *l)
{
    for (int i = 0; i < l->count; i++) hy_user_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void hy_user_impact_free(hy_user_impact *i)
{
    free(i->email);
    memset(i, 0, sizeof *i);
}


cJSON *hy_org_to_json(const hy_org *o)
{
    cJSON *j = cJSON_CreateObject();
    add_str(j, "id", o->id);
    add_str(j, "name", o->name);
    cJSON_AddItemToObject(j, "account_types", hy_strlist_to_cjson(&o->account_types));
    cJSON_AddNumberToObject(j, "users", o->nusers);
    cJSON_AddNumberToObject(j, "executions", o->nexecutions);
    add_str(j, "created_at", o->created_at);
    if (o->offboarded_at) add_str(j, "offboarded_at", o->offboarded_at);
    return j;
}

const char *hy_group_edit_flag(const char *tool)
{
    if (hy_streq(tool, "metabase")) return "--metabase-group";
    if (hy_streq(tool, "teams")) return "--teams-group";
    if (hy_streq(tool, "slack")) return "--slack-group";
    return NULL;
}

cJSON *hy_org_detail_to_json(const hy_org_detail *d)
{
    cJSON *j = hy_org_to_json(&d->org);
    cJSON *a = cJSON_AddArrayToObject(j, "studio_companies");
    for (int i = 0; i < d->ncompanies; i++) {
        cJSON *s = cJSON_CreateObject();
        add_str(s, "id", d->companies[i].id);
        add_str(s, "studio_id", d->companies[i].studio_id);
        add_str(s, "name", d->companies[i].name);
        add_str(s, "environment", d->companies[i].environment);
        cJSON_AddItemToArray(a, s);
    }
    a = cJSON_AddArrayToObject(j, "system_groups");
    for (int i = 0; i < d->ngroups; i++) {
        cJSON *g = cJSON_CreateObject();
        add_str(g, "tool", d->groups[i].tool);
        add_str(g, "external_name", d->groups[i].external_name);
        add_str(g, "external_id", d->groups[i].external_id);
        cJSON_AddBoolToObject(g, "placeholder", d->groups[i].placeholder);
        cJSON_AddItemToArray(a, g);
    }
    cJSON *in = cJSON_AddObjectToObject(j, "integrations");
    cJSON_AddBoolToObject(in, "keycloak_confirmed", d->keycloak_confirmed);
    add_str(in, "keycloak_cluster", d->keycloak_cluster);
    add_str(in, "metabase_collection_id", d->metabase_collection_id);
    cJSON_AddBoolToObject(in, "metabase_collection_placeholder", d->metabase_collection_placeholder);
    cJSON_AddBoolToObject(in, "lms_confirmed", d->lms_confirmed);
    cJSON *docs = cJSON_AddObjectToObject(j, "documentation");
    add_str(docs, "internal", d->docs_internal);
    add_str(docs, "general", d->docs_general);
    add_str(docs, "additional", d->docs_additional);
    a = cJSON_AddArrayToObject(j, "members");
    for (int i = 0; i < d->nusers; i++) {
        cJSON *u = cJSON_CreateObject();
        add_str(u, "id", d->users[i].id);
        add_str(u, "email", d->users[i].email);
        add_str(u, "firstname", d->users[i].firstname);
        add_str(u, "lastname", d->users[i].lastname);
        add_str(u, "role", hy_role_name(d->users[i].role));
        cJSON_AddItemToObject(u, "access", hy_strlist_to_cjson(&d->users[i].access));
        if (d->users[i].offboarded_at) add_str(u, "offboarded_at", d->users[i].offboarded_at);
        cJSON_AddItemToArray(a, u);
    }
    a = cJSON_AddArrayToObject(j, "recent_executions");
    for (int i = 0; i < d->nexecutions; i++) {
        cJSON *e = cJSON_CreateObject();
        add_str(e, "id", d->executions[i].id);
        add_str(e, "workflow", d->executions[i].workflow);
        add_str(e, "status", d->executions[i].status);
        add_str(e, "user_email", d->executions[i].user_email);
        cJSON_AddNumberToObject(e, "current_step", d->executions[i].current_step);
        cJSON_AddNumberToObject(e, "steps", d->executions[i].nsteps);
        add_str(e, "created_at", d->executions[i].created_at);
        cJSON_AddItemToArray(a, e);
    }
    return j;
}

cJSON *hy_user_to_json(const hy_user *u)
{
    cJSON *j = cJSON_CreateObject();
    add_str(j, "id", u->id);
    add_str(j, "firstname", u->firstname);
    add_str(j, "lastname", u->lastname);
    add_str(j, "email", u->email);
    cJSON_AddItemToObject(j, "languages", hy_strlist_to_cjson(&u->languages));
    cJSON_AddItemToObject(j, "skills", hy_strlist_to_cjson(&u->skills));
    cJSON_AddItemToObject(j, "roles", hy_strlist_to_cjson(&u->roles));
    add_str(j, "organization_id", u->organization_id);
    add_str(j, "organization", u->organization_name);
    add_str(j, "role", hy_role_name(u->role));
    if (u->has_metabase_id) cJSON_AddNumberToObject(j, "metabase_user_id", (double)u->metabase_user_id);
    else cJSON_AddNullToObject(j, "metabase_user_id");
    add_str(j, "studio_company_id", u->studio_company_id);
    add_str(j, "studio_company_name", u->studio_company_name);
    add_str(j, "created_at", u->created_at);
    cJSON_AddBoolToObject(j, "must_change_password", u->must_change_password);
    cJSON_AddBoolToObject(j, "can_log_in", u->can_log_in);
    cJSON_AddItemToObject(j, "access", hy_strlist_to_cjson(&u->access));
    if (u->offboarded_at) add_str(j, "offboarded_at", u->offboarded_at);
    if (u->grants.count) cJSON_AddItemToObject(j, "grants", hy_grant_list_to_json(&u->grants));
    return j;
}
