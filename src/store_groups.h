/* Store: an organisation's groups in the external systems (system_groups:
 * one per organisation and tool). ONE rule for writing them, used by the
 * steps that create groups and by `orgs edit`: the display name is kept
 * unless a new one is given (a new group gets "ext-<organisation slug>",
 * the naming rule: hy_org_group_name in util.h), and a changed id is a real
 * one, so the original app's placeholder mark goes. */
#ifndef HY_STORE_GROUPS_H
#define HY_STORE_GROUPS_H

#include <stdbool.h>

#include "ctx.h"

/* Sets the group's id (name NULL: kept, or the naming rule for a new one). */
int group_upsert(hy_ctx *c, const char *org_id, const char *tool, const char *name, const char *external_id,
                 hy_err *err);
/* Renames the organisation's group; *found false when it has none. */
int group_rename(hy_ctx *c, const char *org_id, const char *tool, const char *name, bool *found, hy_err *err);
int group_delete(hy_ctx *c, const char *org_id, const char *tool, hy_err *err);
/* The group's name, id (both NULL if none; caller frees) and placeholder mark. */
int group_get(hy_ctx *c, const char *org_id, const char *tool, char **name, char **external_id, bool *placeholder,
              hy_err *err);
/* The group was disabled (a Slack user group whose last member left; the
 * next onboarding enables it again) or enabled: disabled_at set / cleared. */
int group_set_disabled(hy_ctx *c, const char *org_id, const char *tool, bool disabled, hy_err *err);
/* Is it marked disabled? (*disabled false when there is no group) */
int group_is_disabled(hy_ctx *c, const char *org_id, const char *tool, bool *disabled, hy_err *err);
/* Every group of the organisation marked archived (its offboarding). */
int group_archive_all(hy_ctx *c, const char *org_id, hy_err *err);

#endif
