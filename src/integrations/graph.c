#include "graph.h"
#include "graph_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

#define GRAPH_SCOPE "https://graph.microsoft.com/.default"
#define GRAPH_BIND "https://graph.microsoft.com/v1.0/users('%s')"
#define INVITE_REDIRECT "https://teams.microsoft.com"
#define CREDENTIALS_HINT "check [azure] tenant_id, client_id and client_secret"

int graph_ready(hy_integ *in, bool need_team, hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    if (!cfg->azure.tenant_id || !cfg->azure.client_id || !cfg->azure.client_secret || !cfg->azure.login_url ||
        !cfg->azure.graph_url || (need_team && !cfg->teams.team_id))
        return hy_fail(err, HY_ERR_CONFIG,
                       "Microsoft Teams is not configured (set [azure] tenant_id, client_id, client_secret and "
                       "[teams] team_id)");
    return 0;
}

/* ---- token ---- */

static int fetch_token(hy_integ *in, const char **token, hy_err *err)
{
    *token = NULL;
    const hy_config *cfg = integ_config(in);
    char *tenant = http_escape(cfg->azure.tenant_id);
    char *path = xasprintf("/%s/oauth2/v2.0/token", tenant);
    char *id = http_escape(cfg->azure.client_id), *secret = http_escape(cfg->azure.client_secret);
    char *scope = http_escape(GRAPH_SCOPE);
    char *body = xasprintf("client_id=%s&client_secret=%s&scope=%s&grant_type=client_credentials", id, secret, scope);
    explicit_bzero(secret, strlen(secret));
    free(secret);
    free(id);
    free(scope);
    free(tenant);
    hy_http_req rq = {
        .service = "Microsoft login",
        .log_name = "login",
        .method = "POST",
        .base = cfg->azure.login_url,
        .path = path,
        .body = body,
        .content_type = "application/x-www-form-urlencoded",
        .auth_hint = CREDENTIALS_HINT,
    };
    hy_http_resp rs;
    int rc = http_perform(in, &rq, &rs, err);
    explicit_bzero(body, strlen(body));
    free(body);
    if (rc == 0 && !http_ok(&rs)) {
        if (rs.status >= 400 && rs.status < 500 && rs.status != 408 && rs.status != 429) {
            char text[256];
            http_error_text(rs.body, rs.len, text, sizeof text);
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft login answered %ld%s%s%s: " CREDENTIALS_HINT, rs.status,
                         text[0] ? " (" : "", text, text[0] ? ")" : "");
        } else {
            rc = http_status_error(&rq, &rs, err);
        }
    } else if (rc == 0) {
        cJSON *j = NULL;
        rc = http_parse_json(&rq, &rs, &j, err);
        const char *tok = rc == 0 ? json_str(j, "access_token") : NULL;
        const cJSON *exp = rc == 0 ? cJSON_GetObjectItemCaseSensitive(j, "expires_in") : NULL;
        long expires = cJSON_IsNumber(exp) ? (long)exp->valuedouble
                       : cJSON_IsString(exp) ? strtol(exp->valuestring, NULL, 10) : 3599;
        if (rc == 0 && (!tok || !*tok))
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft login answered without an access_token: check [azure] login_url");
        else if (rc == 0)
            *token = integ_set_token(in, tok, expires);
        if (tok) explicit_bzero((char *)tok, strlen(tok));
        cJSON_Delete(j);
    }
    if (rs.body) explicit_bzero(rs.body, rs.len);
    http_resp_free(&rs);
    free(path);
    return rc;
}

int graph_token(hy_integ *in, const char **token, hy_err *err)
{
    *token = NULL;
    if (graph_ready(in, false, err)) return err->code;
    if ((*token = integ_token(in)) != NULL) return 0;
    return fetch_token(in, token, err);
}

int graph_check(hy_integ *in, hy_err *err)
{
    if (graph_ready(in, true, err)) return err->code;
    integ_drop_token(in);
    const char *token;
    return fetch_token(in, &token, err);
}

/* ---- calls ---- */

void g_req_done(g_req *r)
{
    if (r->authhdr) {
        explicit_bzero(r->authhdr, strlen(r->authhdr));
        free(r->authhdr);
    }
    cJSON_free(r->body);
    memset(r, 0, sizeof *r);
}

int g_raw(hy_integ *in, const char *method, const char *path, const cJSON *body, g_req *r, hy_http_resp *rs,
                 hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    memset(r, 0, sizeof *r);
    memset(rs, 0, sizeof *rs);
    r->body = body ? cJSON_PrintUnformatted(body) : NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        const char *token;
        if (graph_token(in, &token, err)) return err->code;
        if (r->authhdr) {
            explicit_bzero(r->authhdr, strlen(r->authhdr));
            free(r->authhdr);
        }
        r->authhdr = xasprintf("Authorization: Bearer %s", token);
        r->hdrs[0] = r->authhdr;
        r->hdrs[1] = NULL;
        r->rq = (hy_http_req){
            .service = "Microsoft Graph",
            .log_name = "graph",
            .method = method,
            .base = cfg->azure.graph_url,
            .path = path,
            .headers = r->hdrs,
            .body = r->body,
            .auth_hint = "check the app registration's Graph application permissions (User.Invite.All, "
                         "User.Read.All, TeamMember.ReadWrite.All, Channel.ReadBasic.All, Channel.Create)",
        };
        http_resp_free(rs);
        if (http_perform(in, &r->rq, rs, err)) return err->code;
        if (rs->status != 401 || attempt == 1) break;
        integ_drop_token(in); /* expired or revoked early: get a new one */
    }
    return 0;
}

int g_status_error(const g_req *r, const hy_http_resp *rs, hy_err *err)
{
    int rc = http_status_error(&r->rq, rs, err);
    if (rs->status == 404 && strncmp(r->rq.path, "/v1.0/teams/", 12) == 0) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used, " (check [teams] team_id)");
    }
    return rc;
}

int g_json(hy_integ *in, const char *method, const char *path, const cJSON *body, cJSON **out, hy_err *err)
{
    *out = NULL;
    g_req r;
    hy_http_resp rs;
    int rc = g_raw(in, method, path, body, &r, &rs, err);
    if (rc == 0 && !http_ok(&rs)) rc = g_status_error(&r, &rs, err);
    if (rc == 0 && rs.len > 0) rc = http_parse_json(&r.rq, &rs, out, err);
    http_resp_free(&rs);
    g_req_done(&r);
    return rc;
}

/* An OData string literal: quotes doubled, then percent-encoded. */
static char *odata_filter(const char *field, const char *value)
{
    hy_buf b = {0};
    hy_buf_printf(&b, "%s eq '", field);
    for (const char *p = value; *p; p++) {
        if (*p == '\'') hy_buf_putc(&b, '\'');
        hy_buf_putc(&b, *p);
    }
    hy_buf_putc(&b, '\'');
    char *esc = http_escape(b.s);
    hy_buf_free(&b);
    return esc;
}

/* ---- channels ---- */

void graph_channel_name(const char *org_name, char *out, size_t outsz)
{
    static const char forbidden[] = "~#%&*{}+/\\:<>?|'\"";
    hy_buf b = {0};
    const unsigned char *p = (const unsigned char *)(org_name ? org_name : "");
    size_t n = strlen((const char *)p);
    int chars = 0;
    while (n > 0 && chars < 50) {
        unsigned cp;
        int len = hy_utf8_decode(p, n, &cp);
        if (len == 0) { /* invalid byte: drop it */
            p++, n--;
            continue;
        }
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || hy_is_format_control(cp)) hy_buf_putc(&b, ' ');
        else if (cp < 0x80 && strchr(forbidden, (int)cp)) hy_buf_putc(&b, '-');
        else hy_buf_putn(&b, (const char *)p, (size_t)len);
        p += len, n -= (size_t)len;
        chars++;
    }
    char *s = b.s ? b.s : xstrdup("");
    char *t = hy_trim(s);
    while (*t == '_' || *t == '.') t++;
    size_t tl = strlen(t);
    while (tl > 0 && (t[tl - 1] == '.' || t[tl - 1] == ' ')) t[--tl] = '\0';
    hy_strlcpy(out, *t ? t : "Partner", outsz);
    free(s);
}

static int find_channel(hy_integ *in, const char *team, const char *name, char *id, size_t idsz, hy_err *err)
{
    id[0] = '\0';
    char *filter = odata_filter("displayName", name);
    char *path = xasprintf("/v1.0/teams/%s/channels?$filter=%s", team, filter);
    free(filter);
    cJSON *j = NULL;
    int rc = g_json(in, "GET", path, NULL, &j, err);
    free(path);
    if (rc) return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "value"), *c;
    if (!cJSON_IsArray(v)) {
        cJSON_Delete(j);
        return hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph answered GET channels without a value list");
    }
    cJSON_ArrayForEach(c, v)
    {
        const char *cid = json_str(c, "id");
        if (!id[0] && cid && hy_strcaseeq(json_str(c, "displayName"), name)) hy_strlcpy(id, cid, idsz);
    }
    cJSON_Delete(j);
    return 0;
}

int graph_ensure_channel(hy_integ *in, const char *org_name, graph_channel_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (graph_ready(in, true, err)) return err->code;
    if (hy_empty(org_name)) return hy_fail(err, HY_ERR_PERMANENT, "no organisation name to name the channel after");
    graph_channel_name(org_name, out->name, sizeof out->name);
    char *team = http_escape(integ_config(in)->teams.team_id);
    int rc = find_channel(in, team, out->name, out->id, sizeof out->id, err);
    if (rc == 0 && !out->id[0]) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "displayName", out->name);
        char *desc = xasprintf("Partner channel for %s (created by HyOpps)", out->name);
        cJSON_AddStringToObject(body, "description", desc);
        free(desc);
        cJSON_AddStringToObject(body, "membershipType", "standard");
        char *path = xasprintf("/v1.0/teams/%s/channels", team);
        g_req r;
        hy_http_resp rs;
        rc = g_raw(in, "POST", path, body, &r, &rs, err);
        cJSON_Delete(body);
        if (rc == 0 && http_ok(&rs)) {
            cJSON *j = NULL;
            rc = http_parse_json(&r.rq, &rs, &j, err);
            const char *cid = rc == 0 ? json_str(j, "id") : NULL;
            if (rc == 0 && !cid)
                rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph created the channel but answered without its id");
            else if (rc == 0) {
                hy_strlcpy(out->id, cid, sizeof out->id);
                out->created = true;
            }
            cJSON_Delete(j);
        } else if (rc == 0) {
            /* Created meanwhile: NameAlreadyExists. Find it. */
            if (rs.status == 400 && rs.body && strstr(rs.body, "NameAlreadyExists")) {
                rc = find_channel(in, team, out->name, out->id, sizeof out->id, err);
                if (rc == 0 && !out->id[0]) rc = g_status_error(&r, &rs, err);
            } else {
                rc = g_status_error(&r, &rs, err);
            }
        }
        http_resp_free(&rs);
        g_req_done(&r);
        free(path);
    }
    free(team);
    return rc;
}

/* ---- members ---- */

/* The invitation failed (re-inviting an existing user may): look for a user
 * with that mail address. */
static int find_user_by_mail(hy_integ *in, const char *email, char *id, size_t idsz, hy_err *err)
{
    id[0] = '\0';
    char *filter = odata_filter("mail", email);
    char *path = xasprintf("/v1.0/users?$filter=%s", filter);
    free(filter);
    cJSON *j = NULL;
    int rc = g_json(in, "GET", path, NULL, &j, err);
    free(path);
    if (rc) return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "value"), *u;
    cJSON_ArrayForEach(u, v)
    {
        const char *uid = json_str(u, "id");
        if (!id[0] && uid) hy_strlcpy(id, uid, idsz);
    }
    cJSON_Delete(j);
    return 0;
}

static int invite(hy_integ *in, const char *email, const char *display_name, char *user_id, size_t idsz, hy_err *err)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "invitedUserEmailAddress", email);
    cJSON_AddStringToObject(body, "inviteRedirectUrl", INVITE_REDIRECT);
    if (display_name && *display_name) cJSON_AddStringToObject(body, "invitedUserDisplayName", display_name);
    cJSON_AddBoolToObject(body, "sendInvitationMessage", 0);
    g_req r;
    hy_http_resp rs;
    int rc = g_raw(in, "POST", "/v1.0/invitations", body, &r, &rs, err);
    cJSON_Delete(body);
    if (rc == 0 && http_ok(&rs)) {
        cJSON *j = NULL;
        rc = http_parse_json(&r.rq, &rs, &j, err);
        /* invitedUser.id, not the invitation's own id. */
        const char *uid = rc == 0 ? json_str(cJSON_GetObjectItemCaseSensitive(j, "invitedUser"), "id") : NULL;
        if (rc == 0 && !uid)
            rc = hy_fail(err, HY_ERR_PERMANENT, "Microsoft Graph answered the invitation without invitedUser.id");
        else if (rc == 0)
            hy_strlcpy(user_id, uid, idsz);
        cJSON_Delete(j);
    } else if (rc == 0 && rs.status == 400) {
        rc = find_user_by_mail(in, email, user_id, idsz, err);
        if (rc == 0 && !user_id[0]) rc = g_status_error(&r, &rs, err);
    } else if (rc == 0) {
        rc = g_status_error(&r, &rs, err);
    }
    http_resp_free(&rs);
    g_req_done(&r);
    return rc;
}

int graph_add_user_to_team(hy_integ *in, const char *email, const char *display_name, graph_member_result *out,
                           hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (graph_ready(in, true, err)) return err->code;
    if (hy_empty(email)) return hy_fail(err, HY_ERR_PERMANENT, "the user has no email address");
    if (invite(in, email, display_name, out->user_id, sizeof out->user_id, err)) return err->code;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "@odata.type", "#microsoft.graph.aadUserConversationMember");
    cJSON_AddArrayToObject(body, "roles");
    char *bind = xasprintf(GRAPH_BIND, out->user_id);
    cJSON_AddStringToObject(body, "user@odata.bind", bind);
    free(bind);
    char *team = http_escape(integ_config(in)->teams.team_id);
    char *path = xasprintf("/v1.0/teams/%s/members", team);
    cJSON *j = NULL;
    int rc = g_json(in, "POST", path, body, &j, err);
    if (rc == 0) {
        const char *mid = json_str(j, "id");
        hy_strlcpy(out->membership_id, mid ? mid : "", sizeof out->membership_id);
    }
    cJSON_Delete(j);
    cJSON_Delete(body);
    free(path);
    free(team);
    return rc;
}
