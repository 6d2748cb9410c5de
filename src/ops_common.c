#include "auth.h"
#include "ops.h"

int ops_begin(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    hy_err_clear(err);
    if (!p) return hy_fail(err, HY_ERR_AUTH, "not logged in");
    if (auth_check_session(c, p, err) != 0) return err->code;
    if (p->must_change_password && !p->system)
        return hy_fail(err, HY_ERR_PASSWORD_CHANGE, "password change required: choose a new password first");
    return 0;
}

int ops_begin_admin(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    if (!principal_is_admin(p)) return hy_fail(err, HY_ERR_FORBIDDEN, "only administrators may do this");
    return 0;
}

bool ops_can_see_org(const hy_principal *p, const char *org_id)
{
    if (principal_is_admin(p)) return true;
    return p->role == HY_ROLE_PARTNER_ADMIN && p->org_id[0] && org_id && hy_streq(p->org_id, org_id);
}

int ops_finish(hy_ctx *c, int rc, hy_err *err)
{
    if (rc != 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}
