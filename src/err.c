#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hy_err_clear(hy_err *e)
{
    if (!e) return;
    e->code = HY_OK;
    e->msg[0] = '\0';
    e->nfield = 0;
    e->retry_after = 0;
}

int hy_fail(hy_err *e, hy_code code, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void hy_field(hy_err *e, const char *field, const char *fmt, ...)
{
    if (!e) return;
    e->code = HY_ERR_INVALID;
    if (!e->msg[0]) snprintf(e->msg, sizeof e->msg, "invalid input");
    if (e->nfield >= HY_MAX_FIELD_ERRORS) return;
    hy_field_error *f = &e->field[e->nfield++];
    snprintf(f->field, sizeof f->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
}

const char *hy_field_msg(const hy_err *e, const char *field)
{
    for (int i = 0; e && i < e->nfield; i++)
        if (strcmp(e->field[i].field, field) == 0) return e->field[i].msg;
    return NULL;
}

const char *hy_code_name(hy_code c)
{
    switch (c) {
    case HY_OK: return "ok";
    case HY_ERR_INTERNAL: return "internal error";
    case HY_ERR_INVALID: return "invalid input";
    case HY_ERR_NOT_FOUND: return "not found";
    case HY_ERR_FORBIDDEN: return "forbidden";
    case HY_ERR_AUTH: return "not logged in";
    case HY_ERR_LOCKED: return "locked";
    case HY_ERR_PASSWORD_CHANGE: return "password change required";
    case HY_ERR_CONFLICT: return "conflict";
    case HY_ERR_TRANSIENT: return "temporary failure";
    case HY_ERR_PERMANENT: return "failed";
    case HY_ERR_CONFIG: return "configuration error";
    }
    return "error";
}
