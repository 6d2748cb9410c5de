/* Slack: removing access and reading who has it (integrations-api.md §6).
 * Declared in slack.h; the Web API call is shared with slack.c
 * (slack_int.h). */
#include "slack.h"
#include "slack_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

/* ---- id lists ---- */

void slack_id_list_free(slack_id_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) free(l->ids[i]);
    free(l->ids);
    l->ids = NULL;
    l->n = 0;
}

static bool ids_has(const slack_id_list *l, const char *id)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->ids[i], id) == 0) return true;
    return false;
}

/* Adds id unless it is there already or is `except`. */
static void ids_add(slack_id_list *l, const char *id, const char *except)
{
    if (ids_has(l, id) || (except && strcmp(id, except) == 0)) return;
    l->ids = xrealloc(l->ids, (size_t)(l->n + 1) * sizeof *l->ids);
    l->ids[l->n++] = xstrdup(id);
}

/* The ids of want missing from have, "U1, U2" (at most five named). */
static int ids_missing(const slack_id_list *want, const slack_id_list *have, hy_buf *names)
{
    int n = 0;
    for (int i = 0; i < want->n; i++) {
        if (ids_has(have, want->ids[i])) continue;
        if (n < 5) hy_buf_printf(names, "%s%s", n ? ", " : "", want->ids[i]);
        n++;
    }
    if (n > 5) hy_buf_printf(names, " and %d more", n - 5);
    return n;
}

/* A group id for a message (it may come from a service or a stub). */
static void safe_id(const char *id, char *out, size_t outsz) { hy_sanitize_to(id, out, outsz); }

/* ---- members ---- */

int slack_group_members(hy_integ *in, const char *group_id, slack_id_list *out, bool *group_missing, hy_err *err)
{
    memset(out, 0, sizeof *out);
    *group_missing = false;
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organisation");
    const char *kv[] = {"usergroup", group_id, "include_disabled", "true", NULL};
    cJSON *j = NULL;
    if (slack_call(in, "usergroups.users.list", kv, &j, err)) {
        if (err->code != HY_ERR_PERMANENT || !strstr(err->msg, "failed: no_such_subteam")) return err->code;
        hy_err_clear(err);
        *group_missing = true;
        return 0;
    }
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(j, "users"), *u;
    int rc = cJSON_IsArray(users)
                 ? 0
                 : hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.users.list without a users list");
    cJSON_ArrayForEach(u, users)
    {
        if (rc) break;
        if (!cJSON_IsString(u) || !*u->valuestring)
            rc = hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.users.list with a user id that is not a string");
        else ids_add(out, u->valuestring, NULL);
    }
    cJSON_Delete(j);
    if (rc) slack_id_list_free(out);
    return rc;
}

/* The members, an unknown group being an error. */
static int read_members(hy_integ *in, const char *group_id, slack_id_list *out, hy_err *err)
{
    bool missing;
    if (slack_group_members(in, group_id, out, &missing, err)) return err->code;
    if (!missing) return 0;
    char g[96];
    safe_id(group_id, g, sizeof g);
    return hy_fail(err, HY_ERR_PERMANENT,
                   "Slack has no user group %s (no_such_subteam): check the organisation's Slack group id", g);
}

/* usergroups.users.update with the whole list as one comma-separated string. */
static int write_members(hy_integ *in, const char *group_id, const slack_id_list *l, hy_err *err)
{
    hy_buf list = {0};
    for (int i = 0; i < l->n; i++) hy_buf_printf(&list, "%s%s", i ? "," : "", l->ids[i]);
    const char *kv[] = {"usergroup", group_id, "users", list.s ? list.s : "", NULL};
    cJSON *j = NULL;
    int rc = slack_call(in, "usergroups.users.update", kv, &j, err);
    cJSON_Delete(j);
    hy_buf_free(&list);
    return rc;
}

/* users.lookupByEmail: *uid "" when there is no such Slack account. A
 * deactivated account still has an id (and may still be listed). */
static int lookup(hy_integ *in, const char *email, char *uid, size_t uidsz, hy_err *err)
{
    uid[0] = '\0';
    const char *kv[] = {"email", email, NULL};
    cJSON *j = NULL;
    if (slack_call(in, "users.lookupByEmail", kv, &j, err)) {
        if (err->code != HY_ERR_PERMANENT || !strstr(err->msg, "failed: users_not_found")) return err->code;
        hy_err_clear(err);
        return 0;
    }
    const char *id = json_str(cJSON_GetObjectItemCaseSensitive(j, "user"), "id");
    int rc = 0;
    if (!id || !*id || strlen(id) >= uidsz)
        rc = hy_fail(err, HY_ERR_PERMANENT, "Slack answered users.lookupByEmail without a usable user id");
    else hy_strlcpy(uid, id, uidsz);
    cJSON_Delete(j);
    return rc;
}

/* Writes `want` (never empty), reads back and checks that uid is gone and
 * everyone in `want` is there; once more if not. *after: the last read. */
static int write_verified(hy_integ *in, const char *group_id, const char *uid, slack_id_list *want, slack_id_list *after,
                          hy_err *err)
{
    memset(after, 0, sizeof *after);
    for (int round = 0; round < 2; round++) {
        slack_id_list_free(after);
        if (write_members(in, group_id, want, err) || read_members(in, group_id, after, err)) return err->code;
        hy_buf gone = {0};
        int ngone = ids_missing(want, after, &gone);
        bool still = ids_has(after, uid);
        if (!still && ngone == 0) {
            hy_buf_free(&gone);
            return 0;
        }
        if (round == 1) {
            char g[96], u[96], who[256];
            safe_id(group_id, g, sizeof g);
            safe_id(uid, u, sizeof u);
            safe_id(gone.s ? gone.s : "", who, sizeof who);
            if (still)
                hy_fail(err, HY_ERR_TRANSIENT,
                        "Slack user group %s still lists %s after HyOpps wrote its members without them twice "
                        "(another program writing the group?); retry later", g, u);
            else
                hy_fail(err, HY_ERR_PERMANENT,
                        "Slack dropped %s from user group %s although HyOpps wrote them back twice (deactivated "
                        "accounts?): check the group's members in Slack, then retry", who, g);
            hy_buf_free(&gone);
            return err->code;
        }
        hy_buf_free(&gone);
        /* Again with whoever is there now and whoever went missing, without uid. */
        for (int i = 0; i < after->n; i++) ids_add(want, after->ids[i], uid);
    }
    return 0;
}

int slack_remove_user_from_group(hy_integ *in, const char *group_id, const char *email, const char *known_user_id,
                                 slack_remove_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organisation");
    if (!hy_empty(known_user_id)) {
        if (strlen(known_user_id) >= sizeof out->user_id)
            return hy_fail(err, HY_ERR_PERMANENT, "the stored Slack user id is not a Slack id");
        hy_strlcpy(out->user_id, known_user_id, sizeof out->user_id);
    } else if (hy_empty(email)) {
        return hy_fail(err, HY_ERR_PERMANENT, "the user has no email address and no Slack id");
    } else if (lookup(in, email, out->user_id, sizeof out->user_id, err)) {
        return err->code;
    }
    if (!out->user_id[0]) return 0; /* no Slack account: in no group */

    slack_id_list before, want = {0}, after = {0};
    if (read_members(in, group_id, &before, err)) return err->code;
    int rc = 0;
    for (int i = 0; i < before.n; i++) ids_add(&want, before.ids[i], out->user_id);
    if (!ids_has(&before, out->user_id)) {
        out->member_count = want.n;
    } else if (want.n == 0) {
        /* Slack refuses an empty list: disable the group instead. */
        bool disabled = false;
        rc = slack_disable_group(in, group_id, &disabled, err);
        out->disabled_group = rc == 0;
        out->removed = rc == 0 && disabled;
    } else if ((rc = write_verified(in, group_id, out->user_id, &want, &after, err)) == 0) {
        out->removed = true;
        out->member_count = after.n;
    }
    slack_id_list_free(&before);
    slack_id_list_free(&want);
    slack_id_list_free(&after);
    return rc;
}

/* ---- groups ---- */

void slack_group_list_free(slack_group_list *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].handle);
        free(l->v[i].name);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int slack_list_groups(hy_integ *in, slack_group_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (slack_ready(in, err)) return err->code;
    static const char *const kv[] = {"include_disabled", "true", "include_count", "false", "include_users", "false",
                                     NULL};
    cJSON *j = NULL;
    if (slack_call(in, "usergroups.list", kv, &j, err)) return err->code;
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "usergroups"), *g;
    int rc = cJSON_IsArray(groups) ? 0
                                   : hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.list without a usergroups list");
    if (rc == 0) out->v = xcalloc((size_t)cJSON_GetArraySize(groups) + 1, sizeof *out->v);
    cJSON_ArrayForEach(g, groups)
    {
        const char *id = json_str(g, "id");
        if (rc) break;
        if (!id || !*id) {
            rc = hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.list with a group without an id");
            break;
        }
        slack_group *x = &out->v[out->n++];
        x->id = xstrdup(id);
        x->handle = json_strdup(g, "handle");
        x->name = json_strdup(g, "name");
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(g, "date_delete");
        x->disabled = cJSON_IsNumber(del) && del->valuedouble > 0;
    }
    cJSON_Delete(j);
    if (rc) slack_group_list_free(out);
    return rc;
}

int slack_disable_group(hy_integ *in, const char *group_id, bool *disabled, hy_err *err)
{
    *disabled = false;
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organisation");
    slack_group_list l;
    if (slack_list_groups(in, &l, err)) return err->code;
    int found = -1;
    for (int i = 0; i < l.n && found < 0; i++)
        if (strcmp(l.v[i].id, group_id) == 0) found = i;
    bool already = found >= 0 && l.v[found].disabled;
    slack_group_list_free(&l);
    if (found < 0) {
        char g[96];
        safe_id(group_id, g, sizeof g);
        return hy_fail(err, HY_ERR_PERMANENT,
                       "Slack has no user group %s (no_such_subteam): check the organisation's Slack group id", g);
    }
    if (already) return 0;
    const char *kv[] = {"usergroup", group_id, NULL};
    cJSON *j = NULL;
    if (slack_call(in, "usergroups.disable", kv, &j, err)) return err->code;
    /* {ok:true} or {ok:true, usergroup:{..., date_delete}}: check it when given. */
    const cJSON *ug = cJSON_GetObjectItemCaseSensitive(j, "usergroup");
    const cJSON *del = cJSON_GetObjectItemCaseSensitive(ug, "date_delete");
    int rc = 0;
    if (ug && !(cJSON_IsNumber(del) && del->valuedouble > 0))
        rc = hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.disable but the group is not disabled");
    cJSON_Delete(j);
    *disabled = rc == 0;
    return rc;
}
