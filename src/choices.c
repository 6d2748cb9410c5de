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
                           "AND (?1 = 1 OR id = ?2) ORDER BY name COLLATE NOCASE",
                           "it", any ? 1 : 0, own);
    while (db_row(st)) hy_choice_add(out, db_text(st, 0), db_text(st, 1));
    return db_done(st);
}

/* An organisation picked by id, exact name (any case), unique id prefix or
 * unique start of a name, among the partner organisations the actor may
 * use: looked up directly, not among every choice. */
static int partner_orgs_resolve(hy_ctx *c, const hy_principal *actor, const cJSON *context, const hy_field_def *f,
                                const char *s, cJSON *out, hy_err *err)
{
    (void)context;
    char own[HY_UUID_LEN];
    int any = authz_org_choices_any(actor, own) ? 1 : 0;
    static const char *const lookups[] = {
        "SELECT id FROM organizations WHERE id = ?1 AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3)",
        "SELECT id FROM organizations WHERE name = ?1 COLLATE NOCASE AND instr(account_types, '\"partner\"') > 0 "
        "AND (?2 = 1 OR id = ?3) LIMIT 2",
        "SELECT id FROM organizations WHERE length(?1) >= 4 AND id >= lower(?1) AND id < lower(?1) || 'g' "
        "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) LIMIT 2",
    };
    char shown[80];
    hy_sanitize_to(s, shown, sizeof shown);
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        char first[HY_UUID_LEN] = "";
        int n = 0;
        hy_stmt *st = db_query(c->db, err, lookups[i], "tit", s, any, own);
        while (db_row(st))
            if (n++ == 0) hy_strlcpy(first, db_text(st, 0), sizeof first);
        int rc = db_done(st);
        if (rc) return rc;
        if (n == 1) {
            cJSON_AddStringToObject(out, f->name, first);
            return 0;
        }
        if (n > 1) {
            hy_field(err, f->name, "'%s' matches several organisations: give its id", shown);
            return 0;
        }
    }
    /* Last, the start of a name (any case), when only one organisation has
     * it: "acme" for "Acme Corp". Several: name a few, so the person can
     * type more. A scan of the partner organisations (a few ms at 20,000). */
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, name FROM organizations WHERE length(?1) >= 2 "
                           "AND lower(substr(name, 1, length(?1))) = lower(?1) "
                           "AND instr(account_types, '\"partner\"') > 0 AND (?2 = 1 OR id = ?3) "
                           "ORDER BY name COLLATE NOCASE LIMIT 4",
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

const hy_choice_provider hy_choices_partner_orgs = {
    .noun = "partner organisations",
    .list = partner_orgs_list,
    .resolve = partner_orgs_resolve,
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

/* ---- the organisation's users ---- */

static int org_users_list(hy_ctx *c, const hy_principal *actor, const cJSON *context, hy_choice_list *out,
                          hy_err *err)
{
    (void)actor;
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, email, trim(coalesce(firstname, '') || ' ' || coalesce(lastname, '')) FROM users "
                           "WHERE organization_id = ? ORDER BY lower(email)",
                           "t", org);
    while (db_row(st)) {
        char *label = *db_text(st, 2) ? xasprintf("%s <%s>", db_text(st, 2), db_text(st, 1)) : xstrdup(db_text(st, 1));
        hy_choice_add_alias(out, db_text(st, 0), label, db_text(st, 1)); /* the email picks it too */
        free(label);
    }
    return db_done(st);
}

static int org_users_resolve(hy_ctx *c, const hy_principal *actor, const cJSON *context, const hy_field_def *f,
                             const char *s, cJSON *out, hy_err *err)
{
    (void)actor;
    const char *org = wf_str(context, "organization_id");
    char shown[80];
    hy_sanitize_to(s, shown, sizeof shown);
    if (!org) {
        hy_field(err, f->name, "choose the organisation first");
        return 0;
    }
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id FROM users WHERE organization_id = ?2 AND (id = ?1 OR lower(email) = lower(?1) OR "
                           "(length(?1) >= 4 AND id >= lower(?1) AND id < lower(?1) || 'g')) LIMIT 2",
                           "tt", s, org);
    char first[HY_UUID_LEN] = "";
    int n = 0;
    while (db_row(st))
        if (n++ == 0) hy_strlcpy(first, db_text(st, 0), sizeof first);
    int rc = db_done(st);
    if (rc) return rc;
    if (n == 1) cJSON_AddStringToObject(out, f->name, first);
    else if (n > 1) hy_field(err, f->name, "'%s' matches several users: give the email or the whole id", shown);
    else hy_field(err, f->name, "no user of this organisation matches '%s' (give the email or the id)", shown);
    return 0;
}

const hy_choice_provider hy_choices_org_users = {
    .noun = "users of this organisation",
    .list = org_users_list,
    .resolve = org_users_resolve,
};
