#include "principal.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *hy_role_name(hy_role r)
{
    switch (r) {
    case HY_ROLE_ADMIN: return "admin";
    case HY_ROLE_SUPPORT: return "support";
    case HY_ROLE_PARTNER_ADMIN: return "partner_admin";
    case HY_ROLE_USER: return "user";
    case HY_NROLES: break;
    }
    return "user";
}

static const hy_role ORDER[HY_NROLES] = {HY_ROLE_USER, HY_ROLE_PARTNER_ADMIN, HY_ROLE_SUPPORT, HY_ROLE_ADMIN};

hy_role hy_role_at(int i) { return i >= 0 && i < HY_NROLES ? ORDER[i] : HY_ROLE_USER; }

const char *hy_role_choices(void) { return "admin, support, partner_admin or user"; }

bool hy_role_parse(const char *s, hy_role *out)
{
    for (int i = 0; i < HY_NROLES; i++)
        if (hy_streq(s, hy_role_name(ORDER[i]))) {
            *out = ORDER[i];
            return true;
        }
    return false;
}

void principal_fill_origin(hy_principal *p)
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
        hy_strlcpy(p->os_user, res->pw_name, sizeof p->os_user);
    else
        snprintf(p->os_user, sizeof p->os_user, "uid:%u", (unsigned)getuid());
    p->remote[0] = '\0';
    const char *ssh = getenv("SSH_CONNECTION");
    if (ssh) {
        size_t n = strcspn(ssh, " ");
        if (n >= sizeof p->remote) n = sizeof p->remote - 1;
        memcpy(p->remote, ssh, n);
        p->remote[n] = '\0';
    }
}

void principal_system(hy_principal *p)
{
    memset(p, 0, sizeof *p);
    p->system = true;
    p->role = HY_ROLE_ADMIN;
    hy_strlcpy(p->email, "system", sizeof p->email);
    hy_strlcpy(p->display_name, "HyOpps engine", sizeof p->display_name);
    principal_fill_origin(p);
}
