/* Workflows as data: one table per workflow drives the engine, the forms
 * (TUI and CLI), input validation, authorization (authz.h) and the seeding of
 * workflow_definitions / workflow_step_definitions.
 *
 * Adding a workflow (a file, a line, its tests):
 *   1. Write src/wf_<name>.c: its steps (hy_step_def[]) and one
 *      `const hy_workflow_def hy_wf_<name> = {...}` (copy a short one, e.g.
 *      src/wf_new_partner_user.c). Manual steps declare their form; auto
 *      steps declare the integration they use and a `run` that calls that
 *      integration's interface (integrations/service.h: the live or the
 *      simulated backend is chosen from the mode, the body is the same).
 *   2. Add `HY_WORKFLOW(<name>)` to src/workflow_list.h.
 *   3. Test it (tests/unit). The authorization matrix test
 *      (tests/unit/test_ops_authz.c) covers every registered workflow, role
 *      and action by itself.
 * Nothing else: definitions are seeded at every start when they changed
 * (a hash of the tables, workflows_seed), partner admins may use it when
 * `partner_admin_may_use` is set (authz.c reads the flag), forms are
 * generated from the fields, and a step that grants access declares
 * `grants` so that the engine records (and shows) the grant.
 *
 * Ids are stable: a fresh database gets the ids below; a database written by
 * the original app keeps its own (rows are matched by workflow name and
 * step_order), so its executions stay valid.
 *
 * A manual step declares its form (fields and read-only info lines) and an
 * `apply` function; an auto step declares the integration it uses and
 * `gather` (optional: adds what it needs from the database to the context),
 * `run` (calls the service, no transaction open when the integration is
 * live) and `persist` (local side effects, inside the transaction that
 * records the result). Only the engine calls these functions. */
#ifndef HY_WORKFLOWS_H
#define HY_WORKFLOWS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ctx.h"
#include "principal.h"
#include "svc.h"
#include "util.h"

typedef enum { HY_STEP_MANUAL, HY_STEP_AUTO } hy_step_kind;

/* ---- forms (manual steps) ---- */

typedef enum {
    HY_FIELD_TEXT,
    HY_FIELD_EMAIL,            /* stored lower-cased */
    HY_FIELD_CHOICE,           /* one of choices[] */
    HY_FIELD_CONFIRM,          /* a checkbox: yes/no; required = must be ticked */
    HY_FIELD_LIST,             /* comma-separated (or a JSON array), stored as a JSON array */
    HY_FIELD_PICK,             /* one of a provider's choices (a UI may offer a pick list) */
    HY_FIELD_MULTI_PICK,       /* several of a provider's choices (checkboxes); stored as a JSON array */
    /* A date/time: "2026-03-31" (midnight UTC), "2026-03-31 17:00",
     * "2026-03-31T17:00:00Z" (or +02:00), or from now: "+3d", "+12h",
     * "+30m", "+45s". Stored as UTC ISO-8601. When it is in the future, the
     * execution waits until then before its next step (status scheduled);
     * empty: no wait. More than a minute in the past is refused. */
    HY_FIELD_WHEN,
} hy_field_kind;

struct hy_field_def;

typedef struct {
    char *value;             /* what to submit */
    char *label;             /* what to show */
    char *alias;             /* another text that picks it (any case), e.g. a bare name; or NULL */
} hy_choice;

typedef struct {
    hy_choice *v;
    int n;
} hy_choice_list;

void hy_choice_add(hy_choice_list *l, const char *value, const char *label);
/* The same, with an alias (typed text that picks it as well as the value and the label). */
void hy_choice_add_alias(hy_choice_list *l, const char *value, const char *label, const char *alias);
void hy_choice_list_free(hy_choice_list *l);

/* Where the choices of a PICK / MULTI_PICK field come from (choices.c has
 * the built-in ones). Providers read through the stores and offer only what
 * this actor may pick (authz.h scopes them). */
typedef struct hy_choice_provider {
    const char *noun;        /* plural, for pick lists and messages: "partner organisations" */
    /* Every choice, in the order to show; context is the execution's (may
     * lack keys, e.g. before an organisation is chosen: then no choices). */
    int (*list)(hy_ctx *c, const hy_principal *actor, const cJSON *context, hy_choice_list *out, hy_err *err);
    /* Optional: what a person typed (an id, a name, the start of it...) ->
     * one value added to out under f->name, or a field error. NULL: the text
     * must be a value or a label of list() (any case). */
    int (*resolve)(hy_ctx *c, const hy_principal *actor, const cJSON *context, const struct hy_field_def *f,
                   const char *typed, cJSON *out, hy_err *err);
    bool default_all;        /* MULTI_PICK left out: every choice */
} hy_choice_provider;

/* A picked value that says what the execution is about: the engine attaches
 * the execution to it when the step is submitted (lists, counts and partner
 * scoping follow the execution's organisation). */
typedef enum { HY_ATTACH_NONE = 0, HY_ATTACH_ORG, HY_ATTACH_USER } hy_attach;

typedef struct hy_field_def {
    const char *name;          /* key in the step's input JSON */
    const char *label;
    hy_field_kind kind;
    bool required;
    int max_len;               /* bytes (per item for lists); 0 = HY_FIELD_MAX_DEFAULT */
    const char *help;
    const char *const *choices;      /* CHOICE: NULL-terminated */
    const hy_choice_provider *provider; /* PICK / MULTI_PICK */
    hy_attach attach;                /* PICK: the execution is about the picked organisation / user */
    /* Default when left empty: "{organization_name} TEST" takes the value of
     * another field of the same form, else of the context. NULL = none. */
    const char *default_tmpl;
    bool (*item_ok)(const char *item);  /* LIST: check for each item, or NULL */
    const char *item_rule;              /* LIST: what item_ok wants, e.g. "an ISO 639-1 code" */
} hy_field_def;

#define HY_FIELD_MAX_DEFAULT 200

/* A read-only line shown above a form: label and a template over the context
 * ("{studio_company_id_test}"). */
typedef struct hy_info_def {
    const char *label;
    const char *tmpl;
} hy_info_def;

/* ---- what step functions get ---- */

/* An execution as the step functions see it (inside a transaction). */
typedef struct hy_step_io {
    hy_ctx *c;
    const hy_principal *actor;     /* who submitted the input, or the system */
    const char *execution_id;
    const char *requested_by;      /* may be NULL */
    const cJSON *context;          /* merged inputs/outputs of earlier steps + execution fields */
    const cJSON *output;           /* persist: what run produced */
    /* apply/persist set these to attach the execution to an organisation or
     * a user; the engine writes the execution row. */
    char attach_org[37];
    char attach_user[37];
} hy_step_io;

/* Which outside service an auto step talks to; the mode comes from config. */
typedef enum {
    HY_INT_STUDIO = 0,   /* no public API: always simulated, local rows are real */
    HY_INT_METABASE,
    HY_INT_TEAMS,
    HY_INT_SLACK,
    HY_INT_EMAIL,
    HY_INT_EXTERNAL,     /* something else outside (custom steps): always run with no transaction open */
    HY_INT_LOCAL,        /* HyOpps itself (its own tables): always live, run inside a transaction */
} hy_integration;

const char *hy_integration_name(hy_integration i);     /* "metabase" */
const char *hy_integration_label(hy_integration i);    /* "Metabase" */
hy_mode hy_integration_mode(const hy_config *cfg, hy_integration i);
/* The message of a step whose integration is off, naming the settings. */
const char *hy_integration_off_message(hy_integration i);
/* Does a step of this integration wait on the network in this mode? (live
 * or external). Steps that do not are run inside one transaction. */
bool hy_integration_remote(const hy_config *cfg, hy_integration i);

/* What an auto step's run function gets. No transaction is open. */
typedef struct hy_step_run {
    hy_ctx *c;                 /* the runner's connection (for step_save_checkpoint) */
    const hy_config *cfg;
    hy_mode mode;              /* simulate or live (off never reaches run) */
    const char *execution_id;
    const char *step_id;
    const char *step_name;
    int attempt;               /* 1 for the first */
    const cJSON *context;      /* merged context + what gather added */
    const cJSON *checkpoint;   /* what an earlier attempt saved, or NULL */
    cJSON *output;             /* an object the step fills */
    cJSON *calls;              /* array: [{at, service?, method, path, status, duration_ms, ...}] */
    const char *lease_owner;   /* private to the engine */
    /* The runner's live client (src/integrations: one per engine, created
     * in engine_open, freed in engine_close; its connections are reused
     * from step to step), or NULL where no live call can happen. */
    struct hy_integ *integ;
    /* What the integration interfaces run with (svc.h): a step calls e.g.
     * svc_metabase(r->mode)->add_user_to_group(&r->svc, ...); the engine
     * records every live call on the step. */
    hy_svc svc;
    /* private to the engine: a checkpoint saved during a local run (one
     * transaction with its result), written with the result */
    char *checkpoint_local;
} hy_step_run;

/* Records a service call (kept on the step, shown by `exec show`). */
void step_record_call(hy_step_run *r, const char *method, const char *path, int status, int64_t duration_ms);
/* Saves progress durably at once (own short transaction), e.g. "email sent";
 * a later attempt sees it in r->checkpoint. Fails if the lease was lost.
 * The checkpoint stays with the step through retries, recoveries and
 * re-runs: key it on what the effect depends on (the email's recipient and
 * content) when a changed input should redo it. */
int step_save_checkpoint(hy_step_run *r, const cJSON *checkpoint, hy_err *err);

typedef int (*hy_apply_fn)(hy_step_io *io, cJSON *input, hy_err *err);
typedef int (*hy_gather_fn)(hy_step_io *io, cJSON *context, hy_err *err);
typedef int (*hy_run_fn)(hy_step_run *r, hy_err *err);
typedef int (*hy_persist_fn)(hy_step_io *io, hy_err *err);

typedef struct hy_step_def {
    const char *id;          /* stable id for fresh databases */
    const char *name;        /* e.g. "input_studio_companies" */
    const char *label;       /* e.g. "Input Studio Companies" */
    hy_step_kind kind;
    const char *description;
    /* manual */
    const hy_field_def *fields;
    int nfields;
    const hy_info_def *info;
    int ninfo;
    /* Validates every field at once (field errors in err, nothing changed),
     * then performs the side effects inside the caller's transaction. input
     * is already normalised (trimmed, defaults filled, lists as arrays) and
     * may be completed (e.g. a resolved id); it is stored as manual_input.
     * It is called even when the generic checks found errors (input then
     * holds the fields that passed), so that every error is reported at
     * once: with err->nfield > 0 it must change nothing. */
    hy_apply_fn apply;
    /* auto */
    hy_integration integration;
    hy_gather_fn gather;     /* optional: reads what run needs (inside the claim transaction); for a
                              * manual step, what its form's info lines show (what will happen) */
    hy_run_fn run;           /* no transaction open; 0, or HY_ERR_TRANSIENT / HY_ERR_PERMANENT */
    hy_persist_fn persist;   /* optional: local side effects, inside the recording transaction */
    /* Access this step gives the execution's user when it completes (run by
     * a runner, or done by hand): a resource name (HY_RES_*), recorded as
     * a grant by the engine (grants.h) with the execution, the step and how;
     * a skipped step grants nothing. grant_account_key: the output key of
     * the person's account id in that service (e.g. "metabase_user_id"),
     * kept on the grant for reconciliation; NULL if none. */
    const char *grants;
    const char *grant_account_key;
    /* Access this step ends (sets revoked_at on the user's grant): an auto
     * step when it completes, a manual one when it is submitted. */
    const char *revokes;
    /* A step that starts child executions and waits for them (auto,
     * HY_INT_LOCAL; an organisation's offboarding waits on each person's
     * revocation). spawn runs inside the transaction that runs the step,
     * again on a retry or a re-run: it starts the children it needs with
     * step_start_child (step_children lists those started before, so that
     * one still in progress is not started twice) and puts their ids in
     * output["children"]. The step then waits (status waiting) until every
     * one of them is completed: a child's completion, failure or
     * cancellation wakes it (the engine, not a poll). While it waits, a
     * failed child is named on the step's error; once that child is retried
     * and completes, the parent goes on. A cancelled child fails the step
     * (retry it: a new child is started). Cancelling the parent cancels
     * its unfinished children. */
    int (*spawn)(hy_step_io *io, cJSON *output, hy_err *err);
    /* A manual step that is skipped (as the engine, with skip_note) when the
     * execution's context has this key, e.g. "parent_execution_id": a
     * revocation that is part of an offboarding leaves the LMS to the
     * offboarding's own step. */
    const char *skip_if;
    const char *skip_note;
    /* Manual steps only staff may fill in (admins; partner admins may see
     * the step but not submit it), e.g. a confirmation of work in a system
     * partners have no access to. */
    bool staff_only;
    /* optional: a person marked this failed step done by hand (`exec done`);
     * called inside that transaction with the step's context (gather's
     * additions included) and its checkpoint (NULL if none). A step whose
     * side effect cannot be checked remotely (an email) records it here as
     * done: *checkpoint_out (taken over by the engine, which stores it as
     * the step's checkpoint) keeps a later re-run from repeating it. */
    int (*on_done_by_hand)(hy_step_io *io, const cJSON *checkpoint, cJSON **checkpoint_out, hy_err *err);
} hy_step_def;

/* ---- child executions (spawn steps; the engine implements these) ---- */

/* Starts an execution of `workflow` as a child of io's execution (same
 * requester), attached to org_id (may be NULL), and submits first_input
 * (may be NULL) to its first step as the engine; its auto steps are left
 * to the runners. Field errors of that input fail it (err names them). */
int step_start_child(hy_step_io *io, const char *workflow, const char *org_id, const cJSON *first_input,
                     char id_out[HY_UUID_LEN], hy_err *err);

typedef struct {
    char id[HY_UUID_LEN];
    char user_id[HY_UUID_LEN];   /* "" when none */
    char workflow[64];
    char status[16];
} hy_child;

typedef struct {
    hy_child *v;
    int n;
} hy_child_list;

/* Every child execution of io's execution, oldest first. */
int step_children(hy_step_io *io, hy_child_list *out, hy_err *err);
void hy_child_list_free(hy_child_list *l);

/* Resource names (the original's `resources` table, seeded by app.c). */
#define HY_RES_STUDIO "Studio"
#define HY_RES_METABASE "Metabase"
#define HY_RES_TEAMS "Microsoft Teams"
#define HY_RES_SLACK "Slack"
#define HY_RES_LMS "LMS"
#define HY_RES_KEYCLOAK "KeyCloak"

typedef struct hy_workflow_def {
    const char *id;
    const char *name;        /* "new_partner", "new_partner_user" */
    const char *label;       /* "New partner" */
    const char *short_label; /* for list columns, at most 11 cells: "New user" */
    const char *description;
    const hy_step_def *steps;
    int nsteps;
    bool partner_admin_may_use;   /* partner admins may start/see it (their organisation's) */
    /* Runs when the last step is done, in the same transaction. */
    int (*on_complete)(hy_step_io *io, hy_err *err);
} hy_workflow_def;

/* ---- the registry (src/workflow_list.h) ---- */

/* The i-th known workflow (0-based; registry order, then workflows added
 * with workflows_add), NULL past the last:
 *   for (int i = 0; (wf = workflow_at(i)); i++) ... */
const hy_workflow_def *workflow_at(int i);
const hy_workflow_def *workflow_find(const char *name);
const hy_step_def *workflow_step(const hy_workflow_def *wf, const char *step_name);
/* A step by name or by its 1-based order ("3"); NULL if neither. */
const hy_step_def *workflow_step_ref(const hy_workflow_def *wf, const char *ref, int *order_out);

/* A hash (hex SHA-256) of every known definition: what seeding writes. */
const char *workflows_hash(void);
/* Inserts or updates every definition (idempotent upserts, inside the
 * caller's transaction). app_seed calls it at start when workflows_hash()
 * differs from the one the database was last seeded with, so a database of
 * any earlier version gets new workflows and steps by itself. */
int workflows_seed(hy_ctx *c, hy_err *err);

/* Adds a workflow table at run time (tests and extensions; production has
 * none), before the database is opened (app_open then seeds it). Not
 * thread-safe: call before starting runners. */
int workflows_add(const hy_workflow_def *wf, hy_err *err);
/* workflows_add, then seeds it in its own transaction (an open database). */
int workflows_register(hy_ctx *c, const hy_workflow_def *wf, hy_err *err);

/* ---- forms for a UI (built by ops_exec_form) ---- */

typedef struct {
    const hy_field_def *def; /* static part (name, label, kind, required, max_len, help) */
    char *default_value;     /* computed from the context ("Acme TEST"), or NULL; lists comma-separated */
    hy_choice *choices;      /* CHOICE / PICK / MULTI_PICK */
    int nchoices;
    /* Nothing to choose for this caller (a partner admin's own
     * organisation): show default_value read-only and submit it. */
    bool fixed;
} hy_form_field;

typedef struct {
    char *label;
    char *value;
} hy_info_line;

typedef struct {
    char *execution_id;
    int step_order;
    const hy_step_def *step;
    hy_info_line *info;
    int ninfo;
    hy_form_field *fields;
    int nfields;
    /* The step's context, so a UI can recompute defaults as the person types:
     * workflow_expand(field->def->default_tmpl, typed_values, form->context). */
    cJSON *context;
} hy_step_form;

void hy_step_form_free(hy_step_form *f);

/* ---- helpers shared by the step tables (workflow_fields.c) ---- */

/* Normalises raw input (strings, booleans, arrays) against a step's fields:
 * unknown keys, missing required values, bad emails, choices, lengths, list
 * items -> field errors (all at once). Fills defaults. *out: a new object
 * holding the fields that passed, also when it returns HY_ERR_INVALID. */
int workflow_normalize_input(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                             const cJSON *raw, cJSON **out, hy_err *err);
/* Expands "{key}" from values (may be NULL), then context; unknown keys
 * expand to "". Caller frees. */
char *workflow_expand(const char *tmpl, const cJSON *values, const cJSON *context);
/* Builds the form for a step (choices, defaults, info lines). */
int workflow_build_form(hy_ctx *c, const hy_principal *actor, const hy_step_def *sd, const cJSON *context,
                        hy_step_form *out, hy_err *err);

/* Small JSON accessors used by step functions. */
const char *wf_str(const cJSON *obj, const char *key);           /* NULL if absent or not a string */
bool wf_int(const cJSON *obj, const char *key, int64_t *out);    /* integer or integer string */

#endif
