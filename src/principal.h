/* Who is calling: built from a verified session token (auth.h) or, for the
 * engine's own work, the system principal. Every ops function takes one. */
#ifndef HY_PRINCIPAL_H
#define HY_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

typedef enum { HY_ROLE_USER = 0, HY_ROLE_PARTNER_ADMIN, HY_ROLE_ADMIN, HY_ROLE_SUPPORT, HY_NROLES } hy_role;

typedef struct hy_principal {
    char user_id[HY_UUID_LEN];  /* "" for the system principal */
    char email[256];
    char display_name[160];     /* "Firstname Lastname" */
    hy_role role;
    char org_id[HY_UUID_LEN];   /* "" when the user has no organisation */
    char jti[48];               /* session id; "" for the system principal */
    int64_t exp;                /* session expiry, seconds since the epoch */
    bool must_change_password;
    bool system;                /* the engine acting on its own */
    char os_user[64];           /* for the audit trail */
    char remote[64];            /* client address from SSH_CONNECTION, or "" */
} hy_principal;

const char *hy_role_name(hy_role r);        /* "admin", "support", "partner_admin", "user" */
bool hy_role_parse(const char *s, hy_role *out);
/* The roles from least to most powerful, the order forms offer them in
 * (one arrow key never jumps from user to admin): user, partner_admin
 * (acts on one organisation), support (sees every organisation, execution
 * and audit row; fills in and retries steps anywhere), admin (everything).
 * i from 0 to HY_NROLES - 1. */
hy_role hy_role_at(int i);
/* "admin, support, partner_admin or user": for messages. */
const char *hy_role_choices(void);
/* Fills os_user (from the real uid) and remote (SSH_CONNECTION's first field). */
void principal_fill_origin(hy_principal *p);
/* The engine's own principal (audit actor "system"). */
void principal_system(hy_principal *p);
static inline bool principal_is_admin(const hy_principal *p) { return p->system || p->role == HY_ROLE_ADMIN; }

#endif
