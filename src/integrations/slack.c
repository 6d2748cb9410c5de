#include "slack.h"
#include "slack_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

int slack_ready(hy_integ *in, hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    if (!cfg->slack.bot_token || !cfg->slack.api_url)
        return hy_fail(err, HY_ERR_CONFIG, "Slack is not configured (set [slack] bot_token)");
    return 0;
}

/* Form arguments: key, value, key, value, ..., NULL. Values are escaped. */
static char *form(const char *const *kv)
{
    hy_buf b = {0};
    for (int i = 0; kv[i] && kv[i + 1]; i += 2) {
        char *v = http_escape(kv[i + 1]);
        hy_buf_printf(&b, "%s%s=%s", i ? "&" : "", kv[i], v);
        free(v);
    }
    return hy_buf_take(&b);
}

static bool transient_code(const char *code)
{
    static const char *const t[] = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                                    "request_timeout", NULL};
    for (int i = 0; t[i]; i++)
        if (hy_streq(code, t[i])) return true;
    return false;
}

/* Calls a Web API method; *out is the answer when ok:true. */
int slack_call(hy_integ *in, const char *method, const char *const *kv, cJSON **out, hy_err *err)
{
    *out = NULL;
    const hy_config *cfg = integ_config(in);
    char *auth = xasprintf("Authorization: Bearer %s", cfg->slack.bot_token);
    const char *hdrs[] = {auth, NULL};
    char *path = xasprintf("/%s", method);
    char *body = form(kv);
    hy_http_req rq = {
        .service = "Slack",
        .log_name = "slack",
        .method = "POST",
        .base = cfg->slack.api_url,
        .path = path,
        .headers = hdrs,
        .body = body,
        .content_type = "application/x-www-form-urlencoded",
        .auth_hint = "check [slack] bot_token",
    };
    hy_http_resp rs;
    int rc = http_perform(in, &rq, &rs, err);
    if (rc == 0 && !http_ok(&rs)) rc = http_status_error(&rq, &rs, err);
    cJSON *j = NULL;
    if (rc == 0) rc = http_parse_json(&rq, &rs, &j, err);
    if (rc == 0) {
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "ok");
        const char *code = json_str(j, "error");
        char safe[96];
        hy_sanitize_to(code ? code : "unknown_error", safe, sizeof safe);
        if (!cJSON_IsBool(ok)) {
            rc = hy_fail(err, HY_ERR_PERMANENT, "Slack answered %s without \"ok\" (is [slack] api_url the Web API?)",
                         method);
        } else if (!cJSON_IsTrue(ok)) {
            if (transient_code(code)) {
                rc = hy_fail(err, HY_ERR_TRANSIENT, "Slack %s failed: %s", method, safe);
                err->retry_after = rs.retry_after;
            } else if (hy_streq(code, "invalid_auth") || hy_streq(code, "not_authed") ||
                       hy_streq(code, "account_inactive") || hy_streq(code, "token_revoked") ||
                       hy_streq(code, "token_expired")) {
                rc = hy_fail(err, HY_ERR_PERMANENT, "Slack refused the token (%s): check [slack] bot_token", safe);
            } else if (hy_streq(code, "missing_scope")) {
                char needed[96];
                hy_sanitize_to(json_str(j, "needed") ? json_str(j, "needed") : "?", needed, sizeof needed);
                rc = hy_fail(err, HY_ERR_PERMANENT,
                             "Slack %s failed: missing_scope (the bot token needs the %s scope)", method, needed);
            } else {
                rc = hy_fail(err, HY_ERR_PERMANENT, "Slack %s failed: %s", method, safe);
            }
        }
    }
    if (rc == 0) *out = j;
    else cJSON_Delete(j);
    http_resp_free(&rs);
    free(body);
    free(path);
    explicit_bzero(auth, strlen(auth));
    free(auth);
    return rc;
}

char *slack_group_handle(const char *org_name) { return hy_org_group_name(org_name); }

/* Finds the group by handle among all groups (disabled included). */
static int find_group(hy_integ *in, const char *handle, char *id, size_t idsz, bool *disabled, hy_err *err)
{
    id[0] = '\0';
    *disabled = false;
    static const char *const kv[] = {"include_disabled", "true", "include_count", "false", NULL};
    cJSON *j;
    if (slack_call(in, "usergroups.list", kv, &j, err)) return err->code;
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "usergroups"), *g;
    cJSON_ArrayForEach(g, groups)
    {
        const char *gid = json_str(g, "id");
        if (id[0] || !gid || !hy_strcaseeq(json_str(g, "handle"), handle)) continue;
        hy_strlcpy(id, gid, idsz);
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(g, "date_delete");
        *disabled = cJSON_IsNumber(del) && del->valuedouble > 0;
    }
    cJSON_Delete(j);
    return 0;
}

int slack_ensure_org_group(hy_integ *in, const char *org_name, slack_group_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(org_name)) return hy_fail(err, HY_ERR_PERMANENT, "no organisation name to name the user group after");
    char *handle = slack_group_handle(org_name);
    hy_strlcpy(out->handle, handle, sizeof out->handle);
    bool disabled = false;
    int rc = find_group(in, handle, out->id, sizeof out->id, &disabled, err);
    if (rc == 0 && out->id[0] && disabled) {
        const char *kv[] = {"usergroup", out->id, NULL};
        cJSON *j = NULL;
        rc = slack_call(in, "usergroups.enable", kv, &j, err);
        cJSON_Delete(j);
        out->enabled = rc == 0;
    } else if (rc == 0 && !out->id[0]) {
        const char *kv[] = {"name", handle, "handle", handle, "description", org_name, NULL};
        cJSON *j = NULL;
        rc = slack_call(in, "usergroups.create", kv, &j, err);
        if (rc == 0) {
            const char *gid = json_str(cJSON_GetObjectItemCaseSensitive(j, "usergroup"), "id");
            if (!gid) rc = hy_fail(err, HY_ERR_PERMANENT, "Slack created the user group but answered without its id");
            else {
                hy_strlcpy(out->id, gid, sizeof out->id);
                out->created = true;
            }
        } else if (strstr(err->msg, "name_already_exists") || strstr(err->msg, "handle_already_exists")) {
            /* Created meanwhile, or a group with that name has another handle. */
            hy_err first = *err;
            rc = find_group(in, handle, out->id, sizeof out->id, &disabled, err);
            if (rc == 0 && !out->id[0]) {
                *err = first;
                rc = hy_fail(err, HY_ERR_PERMANENT,
                             "Slack already has a user group named %s with another handle: rename or delete it, "
                             "then retry", handle);
            }
        }
        cJSON_Delete(j);
    }
    free(handle);
    return rc;
}

int slack_find_user(hy_integ *in, const char *email, char user_id[64], hy_err *err)
{
    user_id[0] = '\0';
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(email)) return hy_fail(err, HY_ERR_PERMANENT, "the user has no email address");
    const char *lk[] = {"email", email, NULL};
    cJSON *j = NULL;
    if (slack_call(in, "users.lookupByEmail", lk, &j, err)) {
        if (strstr(err->msg, "users_not_found")) {
            char safe[300];
            hy_sanitize_to(email, safe, sizeof safe);
            hy_fail(err, HY_ERR_PERMANENT, "%s has no Slack account in this workspace \xe2\x80\x94 invite them first, then retry",
                    safe);
        }
        return err->code;
    }
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "user");
    const char *uid = json_str(user, "id");
    bool deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(user, "deleted"));
    if (uid) hy_strlcpy(user_id, uid, 64);
    cJSON_Delete(j);
    if (!user_id[0]) return hy_fail(err, HY_ERR_PERMANENT, "Slack answered users.lookupByEmail without a user id");
    if (deleted)
        return hy_fail(err, HY_ERR_PERMANENT, "the Slack account of %s is deactivated: reactivate it, then retry", email);
    return 0;
}

/* A member list: user ids, in Slack's order. */
typedef struct {
    char **v;
    int n;
} members;

static void members_free(members *m)
{
    for (int i = 0; i < m->n; i++) free(m->v[i]);
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

static bool members_has(const members *m, const char *id)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->v[i], id) == 0) return true;
    return false;
}

static void members_add(members *m, const char *id)
{
    if (members_has(m, id)) return;
    m->v = xrealloc(m->v, (size_t)(m->n + 1) * sizeof *m->v);
    m->v[m->n++] = xstrdup(id);
}

static int read_members(hy_integ *in, const char *group_id, members *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    const char *lu[] = {"usergroup", group_id, "include_disabled", "true", NULL};
    cJSON *j = NULL;
    if (slack_call(in, "usergroups.users.list", lu, &j, err)) return err->code;
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(j, "users"), *u;
    if (!cJSON_IsArray(users)) {
        cJSON_Delete(j);
        return hy_fail(err, HY_ERR_PERMANENT, "Slack answered usergroups.users.list without a users list");
    }
    cJSON_ArrayForEach(u, users)
        if (cJSON_IsString(u) && *u->valuestring) members_add(out, u->valuestring);
    cJSON_Delete(j);
    return 0;
}

/* The whole list, as one comma-separated string (the update replaces it). */
static int write_members(hy_integ *in, const char *group_id, const members *m, hy_err *err)
{
    hy_buf list = {0};
    for (int i = 0; i < m->n; i++) hy_buf_printf(&list, "%s%s", i ? "," : "", m->v[i]);
    const char *up[] = {"usergroup", group_id, "users", list.s, NULL};
    cJSON *j = NULL;
    int rc = slack_call(in, "usergroups.users.update", up, &j, err);
    cJSON_Delete(j);
    hy_buf_free(&list);
    return rc;
}

int slack_group_add_member(hy_integ *in, const char *group_id, const char *user_id, slack_member_result *out,
                           hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organization");
    if (hy_empty(user_id)) return hy_fail(err, HY_ERR_PERMANENT, "no Slack user to add");
    hy_strlcpy(out->user_id, user_id, sizeof out->user_id);
    members want, now;
    if (read_members(in, group_id, &want, err)) return err->code;
    if (members_has(&want, user_id)) {
        out->member_count = want.n;
        members_free(&want);
        return 0;
    }
    members_add(&want, user_id); /* everyone who is there, and the user */
    int rc = 0;
    hy_buf missing = {0};
    int nmissing = 0;
    for (int round = 1; round <= SLACK_WRITE_ROUNDS; round++) {
        if ((rc = write_members(in, group_id, &want, err))) break;
        out->writes++;
        if ((rc = read_members(in, group_id, &now, err))) break;
        /* Verify: everyone written is there. If not, a stale list was
         * written over ours: write again with whoever went missing. */
        hy_buf_free(&missing);
        nmissing = 0;
        for (int i = 0; i < want.n; i++)
            if (!members_has(&now, want.v[i])) {
                if (strcmp(want.v[i], user_id) != 0) out->restored++;
                if (nmissing < 5) hy_buf_printf(&missing, "%s%s", nmissing ? ", " : "", want.v[i]);
                nmissing++;
            }
        if (nmissing == 0) {
            out->added = true;
            out->member_count = now.n;
            members_free(&now);
            break;
        }
        for (int i = 0; i < want.n; i++) members_add(&now, want.v[i]);
        members_free(&want);
        want = now;
        memset(&now, 0, sizeof now);
    }
    if (rc == 0 && !out->added)
        rc = hy_fail(err, HY_ERR_PERMANENT,
                     "the members of Slack group %s kept changing while HyOpps wrote them: after %d writes, %d "
                     "expected member%s still missing (%s%s). Another program writes this group's members at "
                     "the same time; check them in Slack, then retry",
                     group_id, out->writes, nmissing, nmissing == 1 ? " is" : "s are", missing.s ? missing.s : "",
                     nmissing > 5 ? ", ..." : "");
    hy_buf_free(&missing);
    members_free(&want);
    return rc;
}

int slack_group_reenable_add(hy_integ *in, const char *group_id, const char *user_id, const char *const *keep,
                             int nkeep, slack_member_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organization");
    if (hy_empty(user_id)) return hy_fail(err, HY_ERR_PERMANENT, "no Slack user to add");
    hy_strlcpy(out->user_id, user_id, sizeof out->user_id);
    const char *en[] = {"usergroup", group_id, NULL};
    cJSON *j = NULL;
    if (slack_call(in, "usergroups.enable", en, &j, err)) return err->code;
    cJSON_Delete(j);
    out->enabled = true;
    members listed, want = {0}, now = {0};
    if (read_members(in, group_id, &listed, err)) return err->code;
    for (int i = 0; i < listed.n; i++) {
        bool kept = strcmp(listed.v[i], user_id) == 0;
        for (int k = 0; !kept && k < nkeep; k++) kept = keep[k] && strcmp(listed.v[i], keep[k]) == 0;
        if (kept) members_add(&want, listed.v[i]);
        else out->stale_removed++;
    }
    members_add(&want, user_id);
    int rc = 0;
    if (out->stale_removed == 0 && members_has(&listed, user_id)) {
        out->member_count = listed.n;
    } else if ((rc = write_members(in, group_id, &want, err)) == 0 && (rc = read_members(in, group_id, &now, err)) == 0) {
        out->writes = 1;
        out->added = !members_has(&listed, user_id);
        out->member_count = now.n;
        for (int i = 0; i < want.n && rc == 0; i++)
            if (!members_has(&now, want.v[i]))
                rc = hy_fail(err, HY_ERR_TRANSIENT,
                             "Slack group %s does not list %s after HyOpps wrote its members (another program "
                             "writing the group?); retry",
                             group_id, want.v[i]);
    }
    members_free(&listed);
    members_free(&want);
    members_free(&now);
    return rc;
}

int slack_add_user_to_group(hy_integ *in, const char *group_id, const char *email, slack_member_result *out,
                            hy_err *err)
{
    memset(out, 0, sizeof *out);
    char uid[64];
    if (hy_empty(group_id)) return hy_fail(err, HY_ERR_PERMANENT, "No Slack group configured for this organization");
    if (slack_find_user(in, email, uid, err)) return err->code;
    return slack_group_add_member(in, group_id, uid, out, err);
}

int slack_post_message(hy_integ *in, const char *channel, const char *text, bool *maybe_sent, hy_err *err)
{
    *maybe_sent = false;
    if (slack_ready(in, err)) return err->code;
    if (hy_empty(channel)) return hy_fail(err, HY_ERR_PERMANENT, "no Slack channel to post to (set [notify] slack_channel)");
    hy_call_log *prev = integ_log(in), log = {0};
    integ_set_log(in, &log); /* what became of the request, to tell "maybe posted" apart */
    const char *kv[] = {"channel", channel, "text", text ? text : "", "unfurl_links", "false", "unfurl_media", "false",
                        NULL};
    cJSON *j = NULL;
    int rc = slack_call(in, "chat.postMessage", kv, &j, err);
    cJSON_Delete(j);
    integ_set_log(in, prev);
    for (int i = 0; i < log.n; i++) {
        const hy_call *k = &log.calls[i];
        if (prev) integ_record(in, k->service, k->method, k->path, k->status, k->ms, k->error, k->new_connections);
        /* no answer after the request could have been sent */
        if (rc && k->status == 0 && k->error[0] && !hy_streq(k->error, "connect") && !hy_streq(k->error, "resolve") &&
            !hy_streq(k->error, "tls") && !hy_streq(k->error, "certificate"))
            *maybe_sent = true;
    }
    call_log_free(&log);
    return rc;
}

int slack_check(hy_integ *in, char *who, size_t whosz, hy_err *err)
{
    if (who && whosz) who[0] = '\0';
    if (slack_ready(in, err)) return err->code;
    static const char *const kv[] = {NULL};
    cJSON *j = NULL;
    if (slack_call(in, "auth.test", kv, &j, err)) return err->code;
    if (who && whosz) {
        const char *user = json_str(j, "user"), *team = json_str(j, "team");
        char *raw = xasprintf("%s@%s", user ? user : "?", team ? team : "?");
        hy_sanitize_to(raw, who, whosz);
        free(raw);
    }
    cJSON_Delete(j);
    return 0;
}
