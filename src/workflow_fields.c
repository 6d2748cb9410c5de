/* Forms of manual steps: normalising submitted input against the field
 * table (every field error at once), defaults, choices and info lines. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "sanitize.h"
#include "util.h"
#include "validate.h"
#include "workflows.h"

#define MAX_ITEMS 50
#define MAX_ITEM_DEFAULT 100

/* ---- templates ---- */

char *workflow_expand(const char *tmpl, const cJSON *values, const cJSON *context)
{
    if (!tmpl) return NULL;
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (const char *p = tmpl; *p;) {
        if (*p != '{') {
            hy_buf_putc(&b, *p++);
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            hy_buf_put(&b, p);
            break;
        }
        char key[64];
        size_t n = (size_t)(close - p - 1);
        if (n >= sizeof key) n = sizeof key - 1;
        memcpy(key, p + 1, n);
        key[n] = '\0';
        const char *v = wf_str(values, key);
        if (hy_empty(v)) v = wf_str(context, key);
        if (hy_empty(v)) { /* a template needs all its parts */
            hy_buf_free(&b);
            return NULL;
        }
        hy_buf_put(&b, v);
        p = close + 1;
    }
    return hy_buf_take(&b);
}

/* ---- choices ---- */

typedef struct {
    hy_choice *v;
    int n;
} choice_list;

static void choice_add(choice_list *l, const char *value, const char *label)
{
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    l->v[l->n].value = xstrdup(value);
    l->v[l->n].label = xstrdup(label);
    l->n++;
}

static void choices_free(hy_choice *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].value);
        free(v[i].label);
    }
    free(v);
}

/* Partner organisations the actor may pick (partner admins: their own). */
static int org_choices(hy_ctx *c, const hy_principal *actor, choice_list *out, hy_err *err)
{
    bool admin = principal_is_admin(actor);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, name FROM organizations WHERE instr(account_types, '\"partner\"') > 0 "
                           "AND (?1 = 1 OR id = ?2) ORDER BY name COLLATE NOCASE",
                           "it", admin ? 1 : 0, actor->org_id);
    while (db_row(st)) choice_add(out, db_text(st, 0), db_text(st, 1));
    return db_done(st);
}

static int studio_choices(hy_ctx *c, const char *org_id, choice_list *out, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err,
                           "SELECT studio_id, name, environment FROM studio_companies WHERE organization_id = ? "
                           "ORDER BY environment DESC, name",
                           "t", org_id);
    while (db_row(st)) {
        char *label = xasprintf("%s (%s, %s)", db_text(st, 1), db_text(st, 0), db_text(st, 2));
        choice_add(out, db_text(st, 0), label);
        free(label);
    }
    return db_done(st);
}

static int field_choices(hy_ctx *c, const hy_principal *actor, const hy_field_def *f, const cJSON *context,
                         choice_list *out, hy_err *err)
{
    switch (f->kind) {
    case HY_FIELD_CHOICE:
        for (const char *const *ch = f->choices; ch && *ch; ch++) choice_add(out, *ch, *ch);
        return 0;
    case HY_FIELD_ORG: return org_choices(c, actor, out, err);
    case HY_FIELD_STUDIO_COMPANIES: {
        const char *org = wf_str(context, "organization_id");
        return org ? studio_choices(c, org, out, err) : 0;
    }
    default: return 0;
    }
}

/* ---- normalising one value ---- */

static int max_len(const hy_field_def *f)
{
    if (f->max_len > 0) return f->max_len;
    return f->kind == HY_FIELD_LIST ? MAX_ITEM_DEFAULT : HY_FIELD_MAX_DEFAULT;
}

/* The raw value as text (strings, numbers); NULL for other JSON types. */
static char *raw_text(const cJSON *v)
{
    if (cJSON_IsString(v)) return xstrdup(v->valuestring ? v->valuestring : "");
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble == (double)(long long)v->valuedouble) return xasprintf("%lld", (long long)v->valuedouble);
        return xasprintf("%g", v->valuedouble);
    }
    return NULL;
}

static bool check_text(hy_err *err, const hy_field_def *f, const char *s)
{
    if ((int)strlen(s) > max_len(f)) {
        hy_field(err, f->name, "must be at most %d bytes", max_len(f));
        return false;
    }
    if (!hy_text_is_clean(s, NULL)) {
        hy_field(err, f->name, "must be plain text (no control characters or invalid UTF-8)");
        return false;
    }
    return true;
}

/* Splits a raw list value (array of strings, or comma-separated text) into trimmed items. */
static bool raw_items(const cJSON *v, char ***items, int *n)
{
    *items = NULL;
    *n = 0;
    if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            char *t = raw_text(it);
            if (!t) goto bad;
            *items = xrealloc(*items, (size_t)(*n + 1) * sizeof **items);
            (*items)[(*n)++] = t;
        }
    } else {
        char *t = raw_text(v);
        if (!t) return false;
        char *save = NULL;
        for (char *tok = strtok_r(t, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            *items = xrealloc(*items, (size_t)(*n + 1) * sizeof **items);
            (*items)[(*n)++] = xstrdup(tok);
        }
        free(t);
    }
    /* trim in place, drop empties */
    int w = 0;
    for (int i = 0; i < *n; i++) {
        char *t = hy_trim((*items)[i]);
        if (!*t) {
            free((*items)[i]);
            continue;
        }
        memmove((*items)[i], t, strlen(t) + 1);
        (*items)[w++] = (*items)[i];
    }
    *n = w;
    return true;
bad:
    for (int i = 0; i < *n; i++) free((*items)[i]);
    free(*items);
    *items = NULL;
    *n = 0;
    return false;
}

static void free_items(char **items, int n)
{
    for (int i = 0; i < n; i++) free(items[i]);
    free(items);
}

static bool in_array(const cJSON *arr, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0) return true;
    return false;
}

static void normalize_list(const hy_field_def *f, const cJSON *v, cJSON *out, hy_err *err)
{
    char **items;
    int n;
    if (!raw_items(v, &items, &n)) {
        hy_field(err, f->name, "must be a comma-separated list or a JSON array of strings");
        return;
    }
    cJSON *arr = cJSON_CreateArray();
    bool ok = true;
    if (n > MAX_ITEMS) {
        hy_field(err, f->name, "has %d items; at most %d are allowed", n, MAX_ITEMS);
        ok = false;
    }
    for (int i = 0; ok && i < n; i++) {
        if ((int)strlen(items[i]) > max_len(f) || !hy_text_is_clean(items[i], NULL)) {
            char shown[64];
            hy_sanitize_to(items[i], shown, sizeof shown);
            hy_field(err, f->name, "item '%s' must be plain text of at most %d bytes", shown, max_len(f));
            ok = false;
        } else if (f->item_ok && !f->item_ok(items[i])) {
            char shown[64];
            hy_sanitize_to(items[i], shown, sizeof shown);
            hy_field(err, f->name, "'%s' is not %s", shown, f->item_rule ? f->item_rule : "allowed");
            ok = false;
        } else if (!in_array(arr, items[i])) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(items[i]));
        }
    }
    free_items(items, n);
    if (ok) cJSON_AddItemToObject(out, f->name, arr);
    else cJSON_Delete(arr);
}

/* An organisation picked by id, exact name (any case), unique id prefix or
 * unique start of a name, among the partner organisations the actor may
 * use: looked up directly, not among every choice. */
static int normalize_org(hy_ctx *c, const hy_principal *actor, const hy_field_def *f, const char *s, cJSON *out,
                         hy_err *err)
{
    static const char *const lookups[] = {
        "SELECT id FROM organizations WHERE id = ?1 AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3)",
        "SELECT id FROM organizations WHERE name = ?1 COLLATE NOCASE AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3) LIMIT 2",
        "SELECT id FROM organizations WHERE length(?1) >= 4 AND id >= lower(?1) AND id < lower(?1) || 'g' "
        "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) LIMIT 2",
    };
    char shown[80];
    hy_sanitize_to(s, shown, sizeof shown);
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        char first[HY_UUID_LEN] = "";
        int n = 0;
        hy_stmt *st = db_query(c->db, err, lookups[i], "tit", s, principal_is_admin(actor) ? 1 : 0, actor->org_id);
        while (db_row(st))
            if (n++ == 0) hy_strlcpy(first, db_text(st, 0), sizeof first);
        int rc = db_done(st);
        if (rc) return rc;
        if (n == 1) {
            cJSON_AddStringToObject(out, f->name, first);
            return 0;
        }
        if (n > 1) {
            hy_field(err, f->name, "'%s' matches several organisations: give its id", shown);
            return 0;
        }
    }
    /* Last, the start of a name (any case), when only one organisation has
     * it: "acme" for "Acme Corp". Several: name a few, so the person can
     * type more. A scan of the partner organisations (a few ms at 20,000). */
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, name FROM organizations WHERE length(?1) >= 2 "
                           "AND lower(substr(name, 1, length(?1))) = lower(?1) "
                           "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) "
                           "ORDER BY name COLLATE NOCASE LIMIT 4",
                           "tit", s, principal_is_admin(actor) ? 1 : 0, actor->org_id);
    char first[HY_UUID_LEN] = "";
    hy_buf names = {0};
    int n = 0;
    while (db_row(st)) {
        if (n++ == 0) hy_strlcpy(first, db_text(st, 0), sizeof first);
        char name[48];
        hy_sanitize_to(db_text(st, 1), name, sizeof name);
        if (n <= 3) hy_buf_printf(&names, "%s%s", n > 1 ? ", " : "", name);
    }
    int rc = db_done(st);
    if (rc) {
        hy_buf_free(&names);
        return rc;
    }
    if (n == 1)
        cJSON_AddStringToObject(out, f->name, first);
    else if (n > 1)
        hy_field(err, f->name, "'%s' starts several names (%s%s): type more of it", shown, names.s,
                 n > 3 ? ", ..." : "");
    else
        hy_field(err, f->name, "no partner organisation matches '%s' (give its name or id)", shown);
    hy_buf_free(&names);
    return 0;
}

static void normalize_studio(const hy_field_def *f, const cJSON *v, const choice_list *ch, cJSON *out,
                             hy_err *err)
{
    char **items;
    int n;
    if (!raw_items(v, &items, &n)) {
        hy_field(err, f->name, "must be a comma-separated list of Studio company ids");
        return;
    }
    cJSON *arr = cJSON_CreateArray();
    bool ok = true;
    for (int i = 0; i < n; i++) {
        const hy_choice *hit = NULL;
        for (int k = 0; k < ch->n && !hit; k++)
            if (strcmp(ch->v[k].value, items[i]) == 0) hit = &ch->v[k];
        if (!hit) {
            char shown[80];
            hy_sanitize_to(items[i], shown, sizeof shown);
            hy_field(err, f->name, "'%s' is not a Studio company of this organisation", shown);
            ok = false;
        } else if (!in_array(arr, hit->value)) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(hit->value));
        }
    }
    free_items(items, n);
    if (ok) cJSON_AddItemToObject(out, f->name, arr);
    else cJSON_Delete(arr);
}

static void normalize_field(const hy_field_def *f, const cJSON *v, const choice_list *ch, cJSON *out, hy_err *err)
{
    if (f->kind == HY_FIELD_LIST) return normalize_list(f, v, out, err);
    if (f->kind == HY_FIELD_STUDIO_COMPANIES) return normalize_studio(f, v, ch, out, err);
    if (f->kind == HY_FIELD_CONFIRM) {
        bool b = false;
        char *t = cJSON_IsBool(v) ? NULL : raw_text(v);
        if (cJSON_IsBool(v)) b = cJSON_IsTrue(v);
        else if (!t || !hy_parse_bool(hy_trim(t), &b)) {
            free(t);
            hy_field(err, f->name, "must be yes or no");
            return;
        }
        free(t);
        if (f->required && !b) hy_field(err, f->name, "must be confirmed (yes) before you go on");
        else cJSON_AddBoolToObject(out, f->name, b);
        return;
    }
    char *raw = raw_text(v);
    if (!raw) {
        hy_field(err, f->name, "must be text");
        return;
    }
    char *s = hy_trim(raw);
    if (!*s) { /* empty: handled as missing (defaults, required) by the caller */
        free(raw);
        return;
    }
    switch (f->kind) {
    case HY_FIELD_EMAIL:
        for (char *p = s; *p; p++) *p = (char)tolower((unsigned char)*p);
        if (!hy_valid_email(s)) hy_field(err, f->name, "is not a valid email address (name@example.com)");
        else cJSON_AddStringToObject(out, f->name, s);
        break;
    case HY_FIELD_CHOICE: {
        const char *hit = NULL;
        for (int i = 0; i < ch->n && !hit; i++)
            if (hy_strcaseeq(ch->v[i].value, s)) hit = ch->v[i].value;
        if (hit) {
            cJSON_AddStringToObject(out, f->name, hit);
        } else {
            hy_buf allowed = {0};
            for (int i = 0; i < ch->n; i++) hy_buf_printf(&allowed, "%s%s", i ? ", " : "", ch->v[i].value);
            hy_field(err, f->name, "must be one of: %s", allowed.s ? allowed.s : "");
            hy_buf_free(&allowed);
        }
        break;
    }
    default:
        if (check_text(err, f, s)) cJSON_AddStringToObject(out, f->name, s);
        break;
    }
    free(raw);
}

int workflow_normalize_input(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                             const cJSON *raw, cJSON **out, hy_err *err)
{
    *out = NULL;
    if (raw && !cJSON_IsObject(raw)) return hy_fail(err, HY_ERR_INVALID, "the input must be a JSON object");
    /* unknown keys */
    const cJSON *it;
    cJSON_ArrayForEach(it, raw) {
        bool known = false;
        for (int i = 0; i < sd->nfields && !known; i++) known = strcmp(sd->fields[i].name, it->string) == 0;
        if (!known) {
            hy_buf names = {0};
            for (int i = 0; i < sd->nfields; i++) hy_buf_printf(&names, "%s%s", i ? ", " : "", sd->fields[i].name);
            char shown[48];
            hy_sanitize_to(it->string, shown, sizeof shown);
            hy_field(err, shown, "unknown field (this step takes: %s)", names.s ? names.s : "nothing");
            hy_buf_free(&names);
        }
    }
    cJSON *norm = cJSON_CreateObject();
    for (int i = 0; i < sd->nfields; i++) {
        const hy_field_def *f = &sd->fields[i];
        const cJSON *v = raw ? cJSON_GetObjectItemCaseSensitive(raw, f->name) : NULL;
        if (!v || cJSON_IsNull(v)) continue;
        if (f->kind == HY_FIELD_ORG) {
            char *t = raw_text(v);
            char *trimmed = t ? hy_trim(t) : NULL;
            int rc = 0;
            if (!t) hy_field(err, f->name, "must be text");
            else if (*trimmed) rc = normalize_org(c, actor, f, trimmed, norm, err);
            free(t);
            if (rc) {
                cJSON_Delete(norm);
                return rc;
            }
            continue;
        }
        choice_list ch = {0};
        if (field_choices(c, actor, f, context, &ch, err) != 0) {
            choices_free(ch.v, ch.n);
            cJSON_Delete(norm);
            return err->code;
        }
        normalize_field(f, v, &ch, norm, err);
        choices_free(ch.v, ch.n);
    }
    /* defaults and required fields, once every value is known */
    for (int i = 0; i < sd->nfields; i++) {
        const hy_field_def *f = &sd->fields[i];
        if (cJSON_HasObjectItem(norm, f->name) || hy_field_msg(err, f->name)) continue;
        const cJSON *given = raw ? cJSON_GetObjectItemCaseSensitive(raw, f->name) : NULL;
        if (f->kind == HY_FIELD_STUDIO_COMPANIES && !given) {
            choice_list ch = {0};
            if (field_choices(c, actor, f, context, &ch, err) != 0) {
                choices_free(ch.v, ch.n);
                cJSON_Delete(norm);
                return err->code;
            }
            cJSON *arr = cJSON_AddArrayToObject(norm, f->name);
            for (int k = 0; k < ch.n; k++) cJSON_AddItemToArray(arr, cJSON_CreateString(ch.v[k].value));
            choices_free(ch.v, ch.n);
            continue;
        }
        char *def = f->default_tmpl ? workflow_expand(f->default_tmpl, norm, context) : NULL;
        if (def && check_text(err, f, def)) cJSON_AddStringToObject(norm, f->name, def);
        else if (f->required && !def && f->kind == HY_FIELD_CONFIRM)
            hy_field(err, f->name, "must be confirmed (yes) before you go on");
        else if (f->required && !def) hy_field(err, f->name, "is required");
        else if (!def && f->kind == HY_FIELD_CONFIRM) cJSON_AddBoolToObject(norm, f->name, 0);
        else if (!def && f->kind == HY_FIELD_LIST) cJSON_AddArrayToObject(norm, f->name);
        free(def);
    }
    *out = norm; /* also on field errors: apply checks the rest */
    return err->nfield ? HY_ERR_INVALID : 0;
}

/* ---- forms for a UI ---- */

int workflow_build_form(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                        hy_step_form *out, hy_err *err)
{
    out->step = sd;
    out->ninfo = sd->ninfo;
    out->info = xcalloc((size_t)(sd->ninfo ? sd->ninfo : 1), sizeof *out->info);
    for (int i = 0; i < sd->ninfo; i++) {
        out->info[i].label = xstrdup(sd->info[i].label);
        char *v = workflow_expand(sd->info[i].tmpl, NULL, context);
        out->info[i].value = v ? v : xstrdup("-");
    }
    out->nfields = sd->nfields;
    out->fields = xcalloc((size_t)(sd->nfields ? sd->nfields : 1), sizeof *out->fields);
    for (int i = 0; i < sd->nfields; i++) {
        const hy_field_def *f = &sd->fields[i];
        hy_form_field *ff = &out->fields[i];
        ff->def = f;
        choice_list ch = {0};
        if (field_choices(c, actor, f, context, &ch, err) != 0) {
            choices_free(ch.v, ch.n);
            return err->code;
        }
        ff->choices = ch.v;
        ff->nchoices = ch.n;
        if (f->kind == HY_FIELD_STUDIO_COMPANIES) {
            hy_buf b = {0};
            for (int k = 0; k < ch.n; k++) hy_buf_printf(&b, "%s%s", k ? ", " : "", ch.v[k].value);
            ff->default_value = hy_buf_take(&b);
        } else if (f->kind == HY_FIELD_ORG && ch.n == 1 && !principal_is_admin(actor)) {
            ff->default_value = xstrdup(ch.v[0].value);
        } else {
            ff->default_value = workflow_expand(f->default_tmpl, NULL, context);
        }
    }
    return 0;
}

void hy_step_form_free(hy_step_form *f)
{
    if (!f) return;
    for (int i = 0; i < f->ninfo; i++) {
        free(f->info[i].label);
        free(f->info[i].value);
    }
    free(f->info);
    for (int i = 0; i < f->nfields; i++) {
        free(f->fields[i].default_value);
        choices_free(f->fields[i].choices, f->fields[i].nchoices);
    }
    free(f->fields);
    free(f->execution_id);
    cJSON_Delete(f->context);
    memset(f, 0, sizeof *f);
}
