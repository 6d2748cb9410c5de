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

static int begin_cap(hy_ctx *c, const hy_principal *p, hy_capability cap, const char *refusal, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    if (!authz_can(p, cap)) return hy_fail(err, HY_ERR_FORBIDDEN, "%s", refusal);
    return 0;
}

int ops_begin_read(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    return begin_cap(c, p, HY_CAP_PANEL, "this account has no panel access", err);
}

int ops_begin_staff(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    return begin_cap(c, p, HY_CAP_READ_ALL, "only administrators and support staff may do this", err);
}

int ops_begin_admin(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    return begin_cap(c, p, HY_CAP_MANAGE, "only administrators may do this", err);
}

bool ops_can_see_org(const hy_principal *p, const char *org_id)
{
    const char *scope = authz_org_scope(p);
    if (!scope) return true;
    return authz_can(p, HY_CAP_PANEL) && scope[0] && org_id && hy_streq(scope, org_id);
}

bool ops_can(const hy_principal *p, hy_capability cap) { return authz_can(p, cap); }

bool ops_exec_role_may(const hy_principal *p, hy_exec_action a) { return authz_role_may(p, a); }

int ops_finish(hy_ctx *c, int rc, hy_err *err)
{
    if (rc != 0) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}
