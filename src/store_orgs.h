/* Store: organisations and what hangs off them one to one
 * (organization_integrations, organization_documentation) and their Studio
 * companies. ops (orgs edit, delete) and the new_partner steps both write
 * through these functions; nothing else writes these tables. Inside the
 * caller's transaction. */
#ifndef HY_STORE_ORGS_H
#define HY_STORE_ORGS_H

#include <stdbool.h>

#include "ctx.h"
#include "util.h"

/* A new partner organisation (account types ["partner"]). */
int org_create(hy_ctx *c, const char *name, char id_out[HY_UUID_LEN], hy_err *err);
int org_rename(hy_ctx *c, const char *org_id, const char *name, hy_err *err);
/* types_json: a JSON list of partner / client / internal. */
int org_set_account_types(hy_ctx *c, const char *org_id, const char *types_json, hy_err *err);

/* organization_integrations: the row (created when missing), then one fact each. */
int org_ensure_integrations(hy_ctx *c, const char *org_id, hy_err *err);
int org_set_keycloak(hy_ctx *c, const char *org_id, bool confirmed, const char *cluster, hy_err *err);
int org_set_lms(hy_ctx *c, const char *org_id, bool confirmed, hy_err *err);
/* A new collection id clears the original app's placeholder mark. */
int org_set_collection(hy_ctx *c, const char *org_id, const char *collection_id, hy_err *err);

/* Documentation links: NULL keeps one, "" clears it (stored as NULL, as the original did). */
int org_set_docs(hy_ctx *c, const char *org_id, const char *internal, const char *general, const char *additional,
                 hy_err *err);

/* The organisation's Studio company of an environment ("test" | "prod"), set or created. */
int org_upsert_studio_company(hy_ctx *c, const char *org_id, const char *env, const char *studio_id,
                              const char *name, hy_err *err);

/* The organisation was offboarded (offboarded_at = now; kept, read-only)
 * or is a partner again (cleared). */
int org_set_offboarded(hy_ctx *c, const char *org_id, bool offboarded, hy_err *err);

/* Deletes the organisation and what belongs to it alone (Studio companies
 * with their users' access, groups, integrations, documentation); its
 * users are detached. Executions are the engine's: engine_detach_org first. */
int org_delete(hy_ctx *c, const char *org_id, hy_err *err);

#endif
