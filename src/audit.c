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
    int limit = f && f->limit > 0 ? f->limit : 200;
    char *actor = f && f->actor && *f->actor ? xasprintf("%%%s%%", f->actor) : NULL;
    char *action = f && f->action && *f->action ? xasprintf("%s%%", f->action) : NULL;
    char *target = f && f->target && *f->target ? xasprintf("%s%%", f->target) : NULL;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, at, actor_id, actor_email, os_user, remote, action, target_type, target_id, "
                           "details FROM audit_log "
                           "WHERE (?1 IS NULL OR actor_email LIKE ?1) AND (?2 IS NULL OR action LIKE ?2) "
                           "AND (?3 IS NULL OR target_id LIKE ?3) AND (?4 IS NULL OR at >= ?4) "
                           "AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6",
                           "ttttIi", actor, action, target, f ? f->since : NULL,
                           (int64_t)(f ? f->before_id : 0), limit);
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 32;
            out->items = xrealloc(out->items, (size_t)cap * sizeof *out->items);
        }
        hy_audit_entry *e = &out->items[out->count++];
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
    if (rc) hy_audit_list_free(out);
    return rc;
}

void hy_audit_list_free(hy_audit_list *l)
{
    for (int i = 0; i < l->count; i++) {
        hy_audit_entry *e = &l->items[i];
        free(e->at); free(e->actor_id); free(e->actor_email); free(e->os_user); free(e->remote);
        free(e->action); free(e->target_type); free(e->target_id); free(e->details);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}
