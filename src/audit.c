#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int audit_write(hy_ctx *c, const hy_principal *actor, const char *action, const char *target_type,
                const char *target_id, const cJSON *details, hy_err *err)
{
    if (!db_in_tx(c->db))
        return hy_fail(err, HY_ERR_INTERNAL, "audit row for %s written outside a transaction (a bug)", action);
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    char *json = details ? cJSON_PrintUnformatted(details) : NULL;
    int rc = db_exec(c->db, err,
                     "INSERT INTO audit_log(at, actor_id, actor_email, os_user, remote, action, target_type, "
                     "target_id, details) VALUES(?,?,?,?,?,?,?,?,?)",
                     "ttttttttt", now, actor->user_id[0] ? actor->user_id : NULL, actor->email,
                     actor->os_user[0] ? actor->os_user : NULL, actor->remote[0] ? actor->remote : NULL, action,
                     target_type, target_id, json);
    cJSON_free(json);
    return rc;
}

int audit_query(hy_ctx *c, const hy_audit_filter *f, hy_audit_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_audit_filter none = {0};
    if (!f) f = &none;
    int limit = f->limit > 0 ? f->limit : 200;
    char *actor = f->actor && *f->actor ? xasprintf("%%%s%%", f->actor) : NULL;
    char *action = f->action && *f->action ? xasprintf("%s%%", f->action) : NULL;
    bool whole_id = f->target && hy_is_uuid(f->target);
    char *target = f->target && *f->target ? (whole_id ? xstrdup(f->target) : xasprintf("%s%%", f->target)) : NULL;
    const char *since = f->since && *f->since ? f->since : NULL;
    char *about = NULL;
    if (f->about && *f->about) { /* a LIKE pattern of the text, with % and _ taken literally */
        hy_buf b = {0};
        hy_buf_putc(&b, '%');
        for (const char *q = f->about; *q; q++) {
            if (*q == '%' || *q == '_' || *q == '\\') hy_buf_putc(&b, '\\');
            hy_buf_putc(&b, *q);
        }
        hy_buf_putc(&b, '%');
        about = hy_buf_take(&b);
    }
    /* Only the conditions that are set, so SQLite can use an index where
     * one helps: a whole target id (an execution's, a user's) is looked up
     * in idx_audit_target instead of walking the whole trail newest first.
     * ?6 is always there, so every parameter can be bound whichever text is
     * used; so is ?7. */
    hy_buf sql = {0};
    hy_buf_printf(&sql, "SELECT id, at, actor_id, actor_email, os_user, remote, action, target_type, target_id, "
                        "details FROM audit_log WHERE 1");
    if (actor) hy_buf_printf(&sql, " AND actor_email LIKE ?1");
    if (action) hy_buf_printf(&sql, " AND action LIKE ?2");
    if (target) hy_buf_printf(&sql, whole_id ? " AND target_id = lower(?3)" : " AND target_id LIKE ?3");
    if (since) hy_buf_printf(&sql, " AND at >= ?4");
    if (f->before_id > 0) hy_buf_printf(&sql, " AND id < ?5");
    /* about: the organisations and users it names (read once into a small
     * table each), their executions, and what those users did */
    if (about)
        hy_buf_printf(&sql, " AND (target_id IN (SELECT id FROM organizations WHERE name LIKE ?7 ESCAPE '\\') "
                            "OR target_id IN (SELECT id FROM users WHERE email LIKE ?7 ESCAPE '\\' "
                            "OR firstname || ' ' || lastname LIKE ?7 ESCAPE '\\') "
                            "OR actor_email LIKE ?7 ESCAPE '\\' "
                            "OR target_id IN (SELECT e.id FROM workflow_executions e WHERE e.organization_id IN "
                            "(SELECT id FROM organizations WHERE name LIKE ?7 ESCAPE '\\') OR e.user_id IN "
                            "(SELECT id FROM users WHERE email LIKE ?7 ESCAPE '\\' "
                            "OR firstname || ' ' || lastname LIKE ?7 ESCAPE '\\')))");
    else hy_buf_printf(&sql, " AND ?7 IS NULL"); /* (so that ?7 can be bound) */
    hy_buf_printf(&sql, " ORDER BY id DESC LIMIT ?6");
    hy_stmt *st = db_query(c->db, err, sql.s, "ttttIit", actor, action, target, since, (int64_t)f->before_id, limit,
                           about);
    hy_buf_free(&sql);
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 32;
            out->items = xrealloc(out->items, (size_t)cap * sizeof *out->items);
        }
        hy_audit_entry *e = &out->items[out->count++];
        memset(e, 0, sizeof *e);
        e->id = db_int(st, 0);
        e->at = db_dup(st, 1);
        e->actor_id = db_dup(st, 2);
        e->actor_email = db_dup(st, 3);
        e->os_user = db_dup(st, 4);
        e->remote = db_dup(st, 5);
        e->action = db_dup(st, 6);
        e->target_type = db_dup(st, 7);
        e->target_id = db_dup(st, 8);
        e->details = db_dup(st, 9);
    }
    int rc = db_done(st);
    free(actor);
    free(action);
    free(target);
    free(about);
    if (rc) hy_audit_list_free(out);
    return rc;
}

void hy_audit_entry_free(hy_audit_entry *e)
{
    free(e->at); free(e->actor_id); free(e->actor_email); free(e->os_user); free(e->remote);
    free(e->action); free(e->target_type); free(e->target_id); free(e->details); free(e->target_label);
    memset(e, 0, sizeof *e);
}

void hy_audit_list_free(hy_audit_list *l)
{
    for (int i = 0; i < l->count; i++) hy_audit_entry_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}
