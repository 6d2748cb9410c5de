/* Shared by the ops modules: reference resolution helpers. */
#ifndef HY_OPS_REFS_H
#define HY_OPS_REFS_H

#include <stdbool.h>

#include "ctx.h"
#include "principal.h"
#include "util.h"

/* Resolve a reference within the caller's scope, WITHOUT the session check
 * (for ops functions that already ran ops_begin). */
int ops_find_org(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);
int ops_find_user(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);
/* A LIKE pattern matching the text anywhere, with %, _ and \ escaped (use
 * with ESCAPE '\'). Caller frees; NULL/empty text gives NULL. */
char *ops_like_pattern(const char *text);
/* Checks a one-line text input: required, <= max bytes, no control chars.
 * Adds a field error and returns false if bad. */
bool ops_check_text(hy_err *err, const char *field, const char *value, bool required, size_t max);

/* 4 to 36 characters of hex digits and dashes. */
bool ops_is_id_prefix(const char *ref);
/* Runs sql_prefix (params: ?1 GLOB pattern, ?2 scope or NULL; returns ids)
 * and resolves a unique match; errors name table_label. */
int ops_resolve_prefix(hy_ctx *c, const char *table_label, const char *sql_prefix, const char *scope_org,
                       const char *ref, char id[HY_UUID_LEN], hy_err *err);

#endif
