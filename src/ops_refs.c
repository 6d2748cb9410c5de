/* Resolving what a person typed (an id, a unique id prefix as git does, an
 * organisation's name, a user's email) to an id, within what the caller may
 * see: a reference to something out of scope answers "not found". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "ops_refs.h"
#include "sanitize.h"
#include "util.h"

bool ops_is_id_prefix(const char *ref)
{
    size_t n = strlen(ref);
    if (n < 4 || n > 36) return false;
    for (const char *p = ref; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != '-') return false;
    return true;
}

int ops_resolve_prefix(hy_ctx *c, const char *table_label, const char *sql_prefix, const char *scope_org,
                       const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    /* GLOB with a literal prefix uses the primary key index. */
    char *pattern = xasprintf("%s*", ref);
    hy_stmt *st = db_query(c->db, err, sql_prefix, "tt", pattern, scope_org);
    int n = 0;
    hy_buf cands = {0};
    while (db_row(st)) {
        if (n == 0) hy_strlcpy(id, db_text(st, 0), HY_UUID_LEN);
        if (n < 5) {
            hy_buf_put(&cands, n ? ", " : "");
            hy_buf_putn(&cands, db_text(st, 0), 8);
        }
        n++;
    }
    int rc = db_done(st);
    free(pattern);
    if (rc == 0 && n == 0) rc = hy_fail(err, HY_ERR_NOT_FOUND, "no %s matches '%s'", table_label, ref);
    else if (rc == 0 && n > 1)
        rc = hy_fail(err, HY_ERR_INVALID, "'%s' is ambiguous: it matches %d %ss (%s%s); type more of the id", ref, n,
                     table_label, cands.s, n > 5 ? ", ..." : "");
    hy_buf_free(&cands);
    return rc;
}

int ops_find_org(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    if (!ref || !*ref) return hy_fail(err, HY_ERR_INVALID, "which organisation? give its id or name");
    if (!authz_can(p, HY_CAP_PANEL)) return hy_fail(err, HY_ERR_NOT_FOUND, "no organisation matches '%s'", ref);
    /* Partner admins resolve only within their own organisation. */
    const char *scope = authz_org_scope(p);
    char *found = NULL;
    int rc = db_get_text(c->db, err, &found,
                         "SELECT id FROM organizations WHERE (id = ?1 OR name = ?1) AND (?2 IS NULL OR id = ?2)", "tt",
                         ref, scope);
    if (rc == 0 && !found)
        rc = db_get_text(c->db, err, &found,
                         "SELECT id FROM organizations WHERE name = ?1 COLLATE NOCASE AND (?2 IS NULL OR id = ?2) "
                         "ORDER BY name LIMIT 1",
                         "tt", ref, scope);
    if (rc) return rc;
    if (found) {
        hy_strlcpy(id, found, HY_UUID_LEN);
        free(found);
        return 0;
    }
    if (!ops_is_id_prefix(ref)) return hy_fail(err, HY_ERR_NOT_FOUND, "no organisation matches '%s'", ref);
    return ops_resolve_prefix(c, "organisation",
                              "SELECT id FROM organizations WHERE id GLOB ?1 AND (?2 IS NULL OR id = ?2) LIMIT 6",
                              scope, ref, id, err);
}

int ops_find_user(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    if (!ref || !*ref) return hy_fail(err, HY_ERR_INVALID, "which user? give an id or email");
    if (!authz_can(p, HY_CAP_PANEL)) return hy_fail(err, HY_ERR_NOT_FOUND, "no user matches '%s'", ref);
    const char *scope = authz_org_scope(p);
    char *lower = xstrdup(ref);
    for (char *q = lower; *q; q++) *q = (char)tolower((unsigned char)*q);
    char *found = NULL;
    int rc = db_get_text(c->db, err, &found,
                         "SELECT id FROM users WHERE (id = ?1 OR email = ?2) AND (?3 IS NULL OR organization_id = ?3)",
                         "ttt", ref, lower, scope);
    free(lower);
    if (rc) return rc;
    if (found) {
        hy_strlcpy(id, found, HY_UUID_LEN);
        free(found);
        return 0;
    }
    if (!ops_is_id_prefix(ref)) return hy_fail(err, HY_ERR_NOT_FOUND, "no user matches '%s'", ref);
    return ops_resolve_prefix(c, "user",
                              "SELECT id FROM users WHERE id GLOB ?1 AND (?2 IS NULL OR organization_id = ?2) LIMIT 6",
                              scope, ref, id, err);
}

char *ops_like_pattern(const char *text)
{
    if (!text || !*text) return NULL;
    hy_buf b = {0};
    hy_buf_putc(&b, '%');
    for (const char *q = text; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\') hy_buf_putc(&b, '\\');
        hy_buf_putc(&b, *q);
    }
    hy_buf_putc(&b, '%');
    return hy_buf_take(&b);
}

bool ops_check_text(hy_err *err, const char *field, const char *value, bool required, size_t max)
{
    if (!value || hy_empty(value)) {
        if (required) hy_field(err, field, "is required");
        return !required;
    }
    if (strlen(value) > max) {
        hy_field(err, field, "is too long (%zu bytes; at most %zu)", strlen(value), max);
        return false;
    }
    if (!hy_text_is_clean(value, NULL)) {
        hy_field(err, field, "must be one line of text without control characters");
        return false;
    }
    return true;
}
