/* Errors: one code per kind of failure, a message a person can act on, and
 * per-field messages for form/CLI input. Stack-allocated; no ownership. */
#ifndef HY_ERR_H
#define HY_ERR_H

#include <stdbool.h>

typedef enum {
    HY_OK = 0,
    HY_ERR_INTERNAL,        /* a bug or an environment failure (disk, memory) */
    HY_ERR_INVALID,         /* bad input; see field[] for per-field messages */
    HY_ERR_NOT_FOUND,       /* also what an unauthorized caller sees for others' data */
    HY_ERR_FORBIDDEN,       /* the caller may not do this at all */
    HY_ERR_AUTH,            /* not logged in, session expired or revoked, bad credentials */
    HY_ERR_LOCKED,          /* too many failed logins */
    HY_ERR_PASSWORD_CHANGE, /* the session must change its password first */
    HY_ERR_CONFLICT,        /* state does not allow it (e.g. step is running) */
    HY_ERR_TRANSIENT,       /* a service failed in a way that may pass: retry */
    HY_ERR_PERMANENT,       /* a service refused: a person must fix something */
    HY_ERR_CONFIG,          /* bad configuration */
} hy_code;

#define HY_MAX_FIELD_ERRORS 16

typedef struct {
    char field[48];
    char msg[208];
} hy_field_error;

typedef struct {
    hy_code code;
    char msg[512];
    int nfield;
    hy_field_error field[HY_MAX_FIELD_ERRORS];
    int retry_after;        /* seconds a service asked us to wait (transient), 0 if none */
} hy_err;

void hy_err_clear(hy_err *e);
/* Sets code and message; returns the code (so: return hy_fail(err, ...)). */
int hy_fail(hy_err *e, hy_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a field error and sets code HY_ERR_INVALID (message "invalid input"
 * unless one is set). */
void hy_field(hy_err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The message for a field, or NULL. */
const char *hy_field_msg(const hy_err *e, const char *field);
const char *hy_code_name(hy_code c);

#endif
