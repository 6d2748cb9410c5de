#include "json_input.h"

#include <stdbool.h>
#include <string.h>

#include "sanitize.h"

int hy_json_input_check_keys(const cJSON *obj, hy_err *err)
{
    int before = err->nfield;
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next) {
        if (!a->string) continue;
        bool first = true, twice = false;
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (b->string && strcmp(b->string, a->string) == 0) first = false;
        if (!first) continue; /* reported at its first occurrence */
        for (const cJSON *b = a->next; b && !twice; b = b->next) twice = b->string && strcmp(b->string, a->string) == 0;
        if (twice) {
            char shown[48];
            hy_sanitize_to(a->string, shown, sizeof shown);
            hy_field(err, shown, "is given twice");
        }
    }
    return err->nfield > before ? HY_ERR_INVALID : 0;
}

/* The index (0-based) of each top-level key whose key or value holds a NUL,
 * escaped (\u0000) or raw, in text that cJSON parsed as an object: bit i of
 * *mask for key i (the first 64). Returns whether there was one. */
static bool find_nuls(const char *s, size_t n, unsigned long long *mask)
{
    *mask = 0;
    int depth = 0, key = -1;
    bool in_str = false, found = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            bool nul = c == '\0' || (c == '\\' && i + 5 < n && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0);
            if (nul) {
                found = true;
                if (key >= 0 && key < 64) *mask |= 1ULL << key;
            }
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            break;
        case '{':
        case '[':
            if (++depth == 1 && c == '{') key = 0;
            break;
        case '}':
        case ']':
            depth--;
            break;
        case ',':
            if (depth == 1) key++;
            break;
        default:
            break;
        }
    }
    return found;
}

int hy_json_input_parse(const char *text, size_t len, cJSON **out, hy_err *err)
{
    *out = NULL;
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return hy_fail(err, HY_ERR_INVALID, "must hold one JSON object ({\"field\": \"value\", ...})");
    }
    /* nothing but white space after it */
    for (const char *p = end; p && p < text + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            cJSON_Delete(o);
            return hy_fail(err, HY_ERR_INVALID, "must hold one JSON object ({\"field\": \"value\", ...}) and nothing after it");
        }
    unsigned long long mask;
    if (find_nuls(text, len, &mask)) {
        int i = 0;
        for (const cJSON *it = o->child; it && i < 64; it = it->next, i++) {
            if (!(mask & (1ULL << i))) continue;
            char shown[48];
            hy_sanitize_to(it->string && *it->string ? it->string : "input", shown, sizeof shown);
            hy_field(err, shown, "contains a NUL character (\\u0000), which is not allowed");
        }
        if (!err->nfield) hy_field(err, "input", "contains a NUL character (\\u0000), which is not allowed");
    }
    hy_json_input_check_keys(o, err);
    if (err->nfield) {
        cJSON_Delete(o);
        return HY_ERR_INVALID;
    }
    *out = o;
    return 0;
}
