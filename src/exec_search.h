/* The execution search index (migration 003): executions whose search
 * text changed wait in exec_search_pending and are indexed in batches. */
#ifndef HY_EXEC_SEARCH_H
#define HY_EXEC_SEARCH_H

#include <stdbool.h>

#include "ctx.h"

/* Inside the caller's write transaction: indexes the pending executions,
 * when there are many or the oldest waited long enough (or force). */
int exec_search_flush(hy_ctx *c, bool force, hy_err *err);
/* Is a batch due (a read)? backstop: the much larger backlog at which an
 * interactive action indexes it itself (no runner is doing it). *rc gets
 * the query's result. */
bool exec_search_due(hy_ctx *c, bool backstop, hy_err *err, int *rc);
/* Indexes every pending execution now (inside a write transaction). */
int exec_search_index(hy_ctx *c, hy_err *err);

/* The SQL expression for an execution's search text, given ?id-like
 * expressions for its id, organisation and user: "<id> <organisation
 * name> <user email> <first name> <last name>" (migration 015 keeps its
 * triggers to the same text). */
#define EXEC_SEARCH_TEXT(id, org, user)                                                                          \
    "lower(" id ") || ' ' || coalesce((SELECT lower(name) FROM organizations WHERE id = " org "), '') || ' ' || " \
    "coalesce((SELECT lower(email || ' ' || coalesce(firstname, '') || ' ' || coalesce(lastname, '')) "           \
    "FROM users WHERE id = " user "), '')"

#endif
