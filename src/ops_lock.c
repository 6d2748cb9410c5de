/* A user's login lockout: shown to staff, cleared by administrators
 * (auth.c decides what "locked" means). */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "ops.h"
#include "ops_refs.h"
#include "util.h"

/* The user's lower-cased email and its lock now. */
static int load(hy_ctx *c, const char *id, char email[256], hy_lock_state *out, hy_err *err)
{
    char *e = NULL;
    int rc = db_get_text(c->db, err, &e, "SELECT lower(email) FROM users WHERE id = ?", "t", id);
    if (rc == 0 && !e) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
    if (rc) return rc;
    hy_strlcpy(email, e, 256);
    free(e);
    int64_t now = hy_now_ms(), until;
    rc = auth_lock_state(c, email, now, &until, &out->failures, err);
    if (rc) return rc;
    out->locked = until > now;
    if (out->locked) hy_iso_from_ms(until, out->until);
    return 0;
}

int ops_user_lock(hy_ctx *c, const hy_principal *p, const char *ref, hy_lock_state *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[HY_UUID_LEN], email[256];
    if (ops_begin_staff(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    return load(c, id, email, out, err);
}

int ops_user_unlock(hy_ctx *c, const hy_principal *p, const char *ref, hy_lock_state *before, hy_err *err)
{
    memset(before, 0, sizeof *before);
    char id[HY_UUID_LEN], email[256];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int cleared = 0;
    int rc = load(c, id, email, before, err);
    if (rc == 0 && before->failures == 0)
        rc = hy_fail(err, HY_ERR_CONFLICT, "%s is not locked: no failed logins since the last successful one", email);
    if (rc == 0) rc = auth_unlock(c, email, &cleared, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "email", email);
        cJSON_AddBoolToObject(d, "was_locked", before->locked);
        if (before->locked) cJSON_AddStringToObject(d, "locked_until", before->until);
        cJSON_AddNumberToObject(d, "failed_logins_cleared", cleared);
        rc = audit_write(c, p, "user.unlock", "user", id, d, err);
        cJSON_Delete(d);
    }
    return ops_finish(c, rc, err);
}
