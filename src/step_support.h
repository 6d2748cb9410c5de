/* Helpers for the step tables (src/wf_*.c) and the engine: row ids, the
 * calls and checkpoints of a step, the organisation's groups a step needs.
 * Not for ops or UI. */
#ifndef HY_STEP_SUPPORT_H
#define HY_STEP_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "workflows.h"

/* An id for rows nobody types (steps, grants, Studio access): a UUID v7,
 * time-ordered, so that the rows an execution adds land on the last page of
 * their primary-key index instead of a random one (measured: about a fifth
 * fewer pages written per execution). Executions, users and organisations
 * keep random v4 ids: people type their prefixes. */
#include "util.h"
void hy_row_id(char out[HY_UUID_LEN]);

/* n-1 random characters from alphabet, NUL-terminated. */
void sim_token(char *out, size_t n, const char *alphabet);
/* Adds "simulated": true. */
void step_mark_simulated(cJSON *output);

/* The engine records the calls a live backend made during a step's run
 * (at, service, method, path with query values masked, status,
 * duration_ms, error, new_connection; never a secret, never a body). */
void step_record_calls(hy_step_run *r, const hy_call_log *log);

/* Puts the external id of the context's organisation's group for `tool`
 * into context[key], when there is one (for a step's gather). A group the
 * original app's stubs made (system_groups.placeholder) also sets
 * context["<key>_placeholder"]; a missing or placeholder group adds
 * context["org_new_partner_execution_id"] (the organisation's new_partner
 * execution that can create it, if any) for step_need_group's message. */
int step_gather_group(hy_ctx *c, cJSON *context, const char *tool, const char *key, hy_err *err);
/* For a step that needs the organisation's group of `tool` ("metabase",
 * "teams", "slack"; gathered into context[key]): fails at once (permanent,
 * no call) when there is none, or when it is a placeholder (in live mode,
 * or in any mode with any_mode), naming the organisation, the group and
 * both ways out: `hyopps orgs edit ORG --slack-group ID`, or re-running the
 * new_partner step that creates it (`hyopps exec rerun ID --from
 * create_slack_group`). */
int step_need_group(const hy_step_run *r, const char *tool, const char *key, bool any_mode, hy_err *err);

#endif
