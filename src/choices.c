/* Built-in choice providers (choices.h). */
#include "choices.h"

#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "sanitize.h"
#include "util.h"

/* ---- partner organisations ---- */

static int partner_orgs_list(hy_ctx *c, const hy_principal *actor, const cJSON *context, hy_choice_list *out,
                             hy_err *err)
{
    (void)context;
    char own[HY_UUID_LEN];
    bool any = authz_org_choices_any(actor, own);
    if (!any && !own[0]) return 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, name FROM organizations WHERE instr(account_types, '\"partner\"') > 0 "
                           "AND (?1 = 1 OR id = ?2) AND offboarded_at IS NULL ORDER BY name COLLATE NOCASE",
                           "it", any ? 1 : 0, own);
    while (db_row(st)) hy_choice_add(out, db_text(st, 0), db_text(st, 1));
    return db_done(st);
}

/* An organisation picked by id, exact name (any case), unique id prefix or
 * unique start of a name, among the partner organisations the actor may
 * use: looked up directly, not among every choice. */
/* offboarded (?4): 1 = an offboarded organisation may be given by its id or
 * exact name (its offboarding runs again); 0 = never. */
/* Runs a lookup (the first column is an id): *n rows, the first's id. */
static int lookup_ids(hy_stmt *st, char first[HY_UUID_LEN], int *n)
{
    first[0] = '\0';
    *n = 0;
    while (db_row(st))
        if ((*n)++ == 0) hy_strlcpy(first, db_text(st, 0), HY_UUID_LEN);
    return db_done(st);
}

/* One match: the field's value; several: a field error saying so
 * ("'x' matches several <what>"); true when either settled it. */
static bool lookup_settles(cJSON *out, const hy_field_def *f, const char *first, int n, const char *shown,
                           const char *what, hy_err *err)
{
    if (n == 1) cJSON_AddStringToObject(out, f->name, first);
    else if (n > 1) hy_field(err, f->name, "'%s' matches several %s", shown, what);
    return n >= 1;
}

static int orgs_resolve(hy_ctx *c, const hy_principal *actor, const hy_field_def *f, const char *s, int offboarded,
                        cJSON *out, hy_err *err)
{
    char own[HY_UUID_LEN];
    int any = authz_org_choices_any(actor, own) ? 1 : 0;
    static const char *const lookups[] = {
        "SELECT id FROM organizations WHERE id = ?1 AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3) AND (?4 = 1 OR offboarded_at IS NULL)",
        "SELECT id FROM organizations WHERE name = ?1 COLLATE NOCASE AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3) AND (?4 = 1 OR offboarded_at IS NULL) LIMIT 2",
        "SELECT id FROM organizations WHERE length(?1) >= 4 AND id >= lower(?1) AND id < lower(?1) || 'g' "
        "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) AND offboarded_at IS NULL "
        "AND ?4 IS NOT NULL LIMIT 2", /* (?4: every lookup binds the same four) */
    };
    char shown[80];
    hy_sanitize_to(s, shown, sizeof shown);
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        char first[HY_UUID_LEN];
        int n;
        int rc = lookup_ids(db_query(c->db, err, lookups[i], "titi", s, any, own, offboarded), first, &n);
        if (rc) return rc;
        if (lookup_settles(out, f, first, n, shown, "organisations: give its id", err)) return 0;
    }
    /* Last, the start of a name (any case), when only one organisation has
     * it: "acme" for "Acme Corp". Several: name a few, so the person can
     * type more. A scan of the partner organisations (a few ms at 20,000). */
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, name FROM organizations WHERE length(?1) >= 2 "
                           "AND lower(substr(name, 1, length(?1))) = lower(?1) "
                           "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) "
                           "AND offboarded_at IS NULL ORDER BY name COLLATE NOCASE LIMIT 4",
                           "tit", s, any, own);
    char first[HY_UUID_LEN] = "";
    hy_buf names = {0};
    int n = 0;
    while (db_row(st)) {
        if (n++ == 0) hy_strlcpy(first, db_text(st, 0), sizeof first);
        char name[48];
        hy_sanitize_to(db_text(st, 1), name, sizeof name);
        if (n <= 3) hy_buf_printf(&names, "%s%s", n > 1 ? ", " : "", name);
    }
    int rc = db_done(st);
    if (rc) {
        hy_buf_free(&names);
        return rc;
    }
    if (n == 1)
        cJSON_AddStringToObject(out, f->name, first);
    else if (n > 1)
        hy_field(err, f->name, "'%s' starts several names (%s%s): type more of it", shown, names.s,
                 n > 3 ? ", ..." : "");
    else
        hy_field(err, f->name, "no partner organisation matches '%s' (give its name or id)", shown);
    hy_buf_free(&names);
    return 0;
}

static int partner_orgs_resolve(hy_ctx *c, const hy_principal *actor, const cJSON *context, const hy_field_def *f,
                                const char *s, cJSON *out, hy_err *err)
{
    (void)context;
    return orgs_resolve(c, actor, f, s, 0, out, err);
}

static int offboard_orgs_resolve(hy_ctx *c, const hy_principal *actor, const cJSON *context, const hy_field_def *f,
                                 const char *s, cJSON *out, hy_err *err)
{
    (void)context;
    return orgs_resolve(c, actor, f, s, 1, out, err);
}

const hy_choice_provider hy_choices_partner_orgs = {
    .noun = "partner organisations",
    .list = partner_orgs_list,
    .resolve = partner_orgs_resolve,
};

const hy_choice_provider hy_choices_offboard_orgs = {
    .noun = "partner organisations",
    .list = partner_orgs_list,
    .resolve = offboard_orgs_resolve,
};

/* ---- the organisation's Studio companies ---- */

static int studio_list(hy_ctx *c, const hy_principal *actor, const cJSON *context, hy_choice_list *out, hy_err *err)
{
    (void)actor;
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT studio_id, name, environment FROM studio_companies WHERE organization_id = ? "
                           "ORDER BY environment DESC, name",
                           "t", org);
    while (db_row(st)) {
        char *label = xasprintf("%s (%s, %s)", db_text(st, 1), db_text(st, 0), db_text(st, 2));
        hy_choice_add_alias(out, db_text(st, 0), label, db_text(st, 1)); /* its name picks it too */
        free(label);
    }
    return db_done(st);
}

const hy_choice_provider hy_choices_org_studio_companies = {
    .noun = "Studio companies of this organisation",
    .list = studio_list,
    .default_all = true,
};

/* ---- an organisation's people ---- */

/* Who the actor may pick: (any organisation | own), the context's
 * organisation when there is one. */
typedef struct {
    int any;                     /* 1: every organisation */
    char own[HY_UUID_LEN];
    const char *org;             /* the context's organisation, or NULL */
    int staff;                   /* 1: staff accounts may be picked too */
    const char *self;
} user_scope;

static bool user_scope_of(const hy_principal *actor, const cJSON *context, user_scope *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->any = authz_org_choices_any(actor, sc->own) ? 1 : 0;
    sc->org = wf_str(context, "organization_id");
    sc->staff = sc->any;
    sc->self = actor->user_id;
    if (!sc->any && !sc->own[0]) return false;               /* no organisation at all */
    if (!sc->any && sc->org && !hy_streq(sc->org, sc->own)) return false;
    return true;
}

/* The WHERE clause every lookup shares (?2 any, ?3 own, ?4 org, ?5 staff, ?6 self). */
#define USER_SCOPE_SQL                                                                                           \
    " AND (?2 = 1 OR u.organization_id = ?3) AND (?4 IS NULL OR u.organization_id = ?4) "                        \
    "AND (?5 = 1 OR u.app_role IN ('user', 'partner_admin')) AND u.id != ?6 "

static void user_label(hy_stmt *st, bool with_org, char **label)
{
    const char *role = db_text(st, 4);
    bool org = with_org && db_text(st, 5)[0];
    *label = xasprintf("%s %s <%s>%s%s%s", db_text(st, 1), db_text(st, 2), db_text(st, 3),
                       hy_streq(role, "partner_admin") ? " (partner admin)" : "", org ? " \xe2\x80\x94 " : "",
                       org ? db_text(st, 5) : "");
}

static int org_users_list(hy_ctx *c, const hy_principal *actor, const cJSON *context, hy_choice_list *out,
                          hy_err *err)
{
    user_scope sc;
    if (!user_scope_of(actor, context, &sc)) return 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT u.id, u.firstname, u.lastname, u.email, u.app_role, coalesce(o.name, '') FROM users u "
                           "JOIN organizations o ON o.id = u.organization_id WHERE u.offboarded_at IS NULL "
                           "AND o.offboarded_at IS NULL AND ?1 = 1" USER_SCOPE_SQL
                           "ORDER BY lower(u.email) LIMIT 5000",
                           "iittit", 1, sc.any, sc.own, sc.org, sc.staff, sc.self);
    while (db_row(st)) {
        char *label;
        user_label(st, sc.org == NULL && sc.any, &label);
        hy_choice_add_alias(out, db_text(st, 0), label, db_text(st, 3)); /* the email picks it too */
        free(label);
    }
    return db_done(st);
}

static int org_users_resolve(hy_ctx *c, const hy_principal *actor, const cJSON *context, const hy_field_def *f,
                             const char *s, cJSON *out, hy_err *err)
{
    char shown[80];
    hy_sanitize_to(s, shown, sizeof shown);
    user_scope sc;
    if (!user_scope_of(actor, context, &sc)) {
        hy_field(err, f->name, "no user matches '%s'", shown);
        return 0;
    }
    /* exact id or email (offboarded ones too), then unique id prefix, then
     * the unique start of an email or a name (active ones) */
    static const char *const lookups[] = {
        "SELECT u.id FROM users u WHERE (u.id = ?1 OR lower(u.email) = lower(?1))" USER_SCOPE_SQL "LIMIT 2",
        "SELECT u.id FROM users u WHERE length(?1) >= 4 AND u.id >= lower(?1) AND u.id < lower(?1) || 'g' "
        "AND u.offboarded_at IS NULL" USER_SCOPE_SQL "LIMIT 2",
        "SELECT u.id FROM users u WHERE length(?1) >= 2 AND (lower(substr(u.email, 1, length(?1))) = lower(?1) "
        "OR lower(substr(u.firstname || ' ' || u.lastname, 1, length(?1))) = lower(?1)) "
        "AND u.offboarded_at IS NULL AND u.organization_id IS NOT NULL" USER_SCOPE_SQL "LIMIT 4",
    };
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        char first[HY_UUID_LEN];
        int n;
        int rc = lookup_ids(db_query(c->db, err, lookups[i], "tittit", s, sc.any, sc.own, sc.org, sc.staff, sc.self),
                            first, &n);
        if (rc) return rc;
        if (lookup_settles(out, f, first, n, shown, "users: give the email address", err)) return 0;
    }
    if (hy_streq(s, sc.self) || (actor->email[0] && hy_strcaseeq(s, actor->email)))
        hy_field(err, f->name, "you cannot revoke your own access: ask a HyOpps administrator");
    else
        hy_field(err, f->name, "no user %smatches '%s' (give their email address)",
                 sc.org || !sc.any ? "of this organisation " : "", shown);
    return 0;
}

const hy_choice_provider hy_choices_org_users = {
    .noun = "users of the organisation",
    .list = org_users_list,
    .resolve = org_users_resolve,
};
