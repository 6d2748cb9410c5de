/* Forms of manual steps: normalising submitted input against the field
 * table (every field error at once), defaults, choices and info lines. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz.h"
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

void hy_choice_add_alias(hy_choice_list *l, const char *value, const char *label, const char *alias)
{
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
    l->v[l->n].value = xstrdup(value);
    l->v[l->n].label = xstrdup(label);
    l->v[l->n].alias = xstrdup(alias);
    l->n++;
}

void hy_choice_add(hy_choice_list *l, const char *value, const char *label)
{
    hy_choice_add_alias(l, value, label, NULL);
}

static void choices_free(hy_choice *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].value);
        free(v[i].label);
        free(v[i].alias);
    }
    free(v);
}

void hy_choice_list_free(hy_choice_list *l)
{
    choices_free(l->v, l->n);
    memset(l, 0, sizeof *l);
}

static int field_choices(hy_ctx *c, const hy_principal *actor, const hy_field_def *f, const cJSON *context,
                         hy_choice_list *out, hy_err *err)
{
    switch (f->kind) {
    case HY_FIELD_CHOICE:
        for (const char *const *ch = f->choices; ch && *ch; ch++) hy_choice_add(out, *ch, *ch);
        return 0;
    case HY_FIELD_PICK:
    case HY_FIELD_MULTI_PICK: return f->provider && f->provider->list ? f->provider->list(c, actor, context, out, err) : 0;
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

/* The value (or the label, any case) of one of the choices, or NULL. */
static const hy_choice *find_choice(const hy_choice_list *ch, const char *s)
{
    for (int k = 0; k < ch->n; k++)
        if (strcmp(ch->v[k].value, s) == 0) return &ch->v[k];
    for (int k = 0; k < ch->n; k++)
        if (hy_strcaseeq(ch->v[k].value, s) || hy_strcaseeq(ch->v[k].label, s) ||
            (ch->v[k].alias && hy_strcaseeq(ch->v[k].alias, s)))
            return &ch->v[k];
    return NULL;
}

static void normalize_multi(const hy_field_def *f, const cJSON *v, const hy_choice_list *ch, cJSON *out,
                            hy_err *err)
{
    char **items;
    int n;
    const char *noun = f->provider && f->provider->noun ? f->provider->noun : "choices";
    if (!raw_items(v, &items, &n)) {
        hy_field(err, f->name, "must be a comma-separated list of %s", noun);
        return;
    }
    cJSON *arr = cJSON_CreateArray();
    bool ok = true;
    for (int i = 0; i < n; i++) {
        const hy_choice *hit = find_choice(ch, items[i]);
        if (!hit) {
            char shown[80];
            hy_sanitize_to(items[i], shown, sizeof shown);
            hy_field(err, f->name, "'%s' is not one of the %s", shown, noun);
            ok = false;
        } else if (!in_array(arr, hit->value)) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(hit->value));
        }
    }
    free_items(items, n);
    if (ok) cJSON_AddItemToObject(out, f->name, arr);
    else cJSON_Delete(arr);
}

static void normalize_field(const hy_field_def *f, const cJSON *v, const hy_choice_list *ch, cJSON *out, hy_err *err)
{
    if (f->kind == HY_FIELD_LIST) return normalize_list(f, v, out, err);
    if (f->kind == HY_FIELD_MULTI_PICK) return normalize_multi(f, v, ch, out, err);
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
    case HY_FIELD_PICK: {
        const hy_choice *hit = find_choice(ch, s);
        if (hit) {
            cJSON_AddStringToObject(out, f->name, hit->value);
        } else {
            char shown[80];
            hy_sanitize_to(s, shown, sizeof shown);
            hy_field(err, f->name, "no %s matches '%s'", f->provider && f->provider->noun ? f->provider->noun : "choice",
                     shown);
        }
        break;
    }
    case HY_FIELD_WHEN: {
        int64_t at, now = hy_now_ms();
        char shown[64];
        hy_sanitize_to(s, shown, sizeof shown);
        if (strlen(s) > 64 || !hy_parse_when(s, now, &at))
            hy_field(err, f->name, "'%s' is not a date/time: give 2026-03-31, 2026-03-31 17:00 (UTC), "
                     "2026-03-31T17:00+02:00, or from now +3d, +12h, +30m", shown);
        else if (at < now - 60000)
            hy_field(err, f->name, "%s is in the past: leave it empty to start now", shown);
        else {
            char iso[HY_TIME_LEN];
            hy_iso_from_ms(at, iso);
            cJSON_AddStringToObject(out, f->name, iso);
        }
        break;
    }
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
        if (f->kind == HY_FIELD_PICK && f->provider && f->provider->resolve) {
            /* the provider looks the typed text up itself (not among every choice) */
            char *t = raw_text(v);
            char *trimmed = t ? hy_trim(t) : NULL;
            int rc = 0;
            if (!t) hy_field(err, f->name, "must be text");
            else if (*trimmed) rc = f->provider->resolve(c, actor, context, f, trimmed, norm, err);
            free(t);
            if (rc) {
                cJSON_Delete(norm);
                return rc;
            }
            continue;
        }
        hy_choice_list ch = {0};
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
        if (f->kind == HY_FIELD_MULTI_PICK && f->provider && f->provider->default_all && !given) {
            hy_choice_list ch = {0};
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

static int build_form(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                      hy_step_form *out, hy_err *err);

int workflow_build_form(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                        hy_step_form *out, hy_err *err)
{
    out->step = sd;
    cJSON *shown = NULL; /* a manual step's gather adds what its info lines show */
    if (sd->gather && context) {
        shown = cJSON_Duplicate(context, 1);
        hy_step_io io = {.c = c, .actor = actor, .execution_id = wf_str(context, "execution_id"),
                         .requested_by = wf_str(context, "requested_by"), .context = shown};
        if (sd->gather(&io, shown, err) != 0) {
            cJSON_Delete(shown);
            return err->code;
        }
        context = shown;
    }
    int rc = build_form(c, actor, sd, context, out, err);
    cJSON_Delete(shown);
    return rc;
}

static int build_form(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                      hy_step_form *out, hy_err *err)
{
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
        hy_choice_list ch = {0};
        if (field_choices(c, actor, f, context, &ch, err) != 0) {
            choices_free(ch.v, ch.n);
            return err->code;
        }
        ff->choices = ch.v;
        ff->nchoices = ch.n;
        char own[HY_UUID_LEN];
        if (f->kind == HY_FIELD_MULTI_PICK && f->provider && f->provider->default_all) {
            hy_buf b = {0};
            for (int k = 0; k < ch.n; k++) hy_buf_printf(&b, "%s%s", k ? ", " : "", ch.v[k].value);
            ff->default_value = hy_buf_take(&b);
        } else if (f->kind == HY_FIELD_PICK && f->attach == HY_ATTACH_ORG && !authz_org_choices_any(actor, own)) {
            /* scoped to one organisation (authz.h): nothing to choose */
            ff->fixed = true;
            ff->default_value = xstrdup(own);
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
