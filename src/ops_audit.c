/* The audit trail for administrators: the rows of audit.c, each with what
 * its target is in words (names and emails, not bare ids). */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "util.h"
#include "workflows.h"

/* "Acme Corp"; "Jane Doe <jane@acme.example>"; "New partner user 3f2a1b2c:
 * Acme Corp, jane@acme.example" (NULL: gone, or another kind). */
static int target_label(hy_ctx *c, const hy_audit_entry *e, char **out, hy_err *err)
{
    *out = NULL;
    if (!e->target_id || !e->target_type) return 0;
    hy_stmt *st;
    if (hy_streq(e->target_type, "organization")) {
        st = db_query(c->db, err, "SELECT name FROM organizations WHERE id = ?", "t", e->target_id);
        if (db_row(st)) *out = db_dup(st, 0);
    } else if (hy_streq(e->target_type, "user")) {
        st = db_query(c->db, err, "SELECT firstname, lastname, email FROM users WHERE id = ?", "t", e->target_id);
        if (db_row(st)) *out = xasprintf("%s %s <%s>", db_text(st, 0), db_text(st, 1), db_text(st, 2));
    } else if (hy_streq(e->target_type, "execution")) {
        st = db_query(c->db, err,
                      "SELECT wd.name, o.name, u.email FROM workflow_executions x "
                      "JOIN workflow_definitions wd ON wd.id = x.workflow_definition_id "
                      "LEFT JOIN organizations o ON o.id = x.organization_id LEFT JOIN users u ON u.id = x.user_id "
                      "WHERE x.id = ?",
                      "t", e->target_id);
        if (db_row(st)) {
            const hy_workflow_def *wf = workflow_find(db_text(st, 0));
            hy_buf b = {0};
            hy_buf_printf(&b, "%s %.8s", wf ? wf->label : db_text(st, 0), e->target_id);
            if (!db_null(st, 1)) hy_buf_printf(&b, ": %s", db_text(st, 1));
            if (!db_null(st, 2)) hy_buf_printf(&b, "%s%s", db_null(st, 1) ? ": " : ", ", db_text(st, 2));
            *out = hy_buf_take(&b);
        }
    } else {
        return 0;
    }
    return db_done(st);
}

int ops_audit_list(hy_ctx *c, const hy_principal *p, const hy_audit_filter *f, hy_audit_list *out, hy_err *err)
{
    if (ops_begin_staff(c, p, err) != 0) return err->code;
    int rc = audit_query(c, f, out, err);
    /* a page's targets repeat (an execution's many entries): looked up once */
    for (int i = 0; rc == 0 && i < out->count; i++) {
        hy_audit_entry *e = &out->items[i];
        for (int j = i - 1; j >= 0 && j >= i - 32; j--)
            if (hy_streq(out->items[j].target_id, e->target_id) && hy_streq(out->items[j].target_type, e->target_type)) {
                e->target_label = xstrdup(out->items[j].target_label);
                break;
            }
        if (!e->target_label) rc = target_label(c, e, &e->target_label, err);
    }
    if (rc) hy_audit_list_free(out);
    return rc;
}
