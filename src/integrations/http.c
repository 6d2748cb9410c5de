#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "sanitize.h"
#include "util.h"

#define SYSTEM_CA_DIR "/etc/ssl/certs"

struct hy_integ {
    const hy_config *cfg;
    CURL *http;                 /* reused: keeps connections open between calls */
    hy_call_log *log;
    char *token;                /* Graph access token */
    int64_t token_expiry_ms;    /* monotonic */
    integ_guard_fn guard;       /* called before every request, or NULL */
    void *guard_ud;
};

/* ---- global init ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static atomic_bool global_ready;

static void global_init_once(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) hy_fatal("cannot initialise libcurl");
    atomic_store(&global_ready, true);
}

void integ_global_init(void) { pthread_once(&global_once, global_init_once); }

bool integ_global_ready(void) { return atomic_load(&global_ready); }

/* ---- call log ---- */

void call_log_reset(hy_call_log *log)
{
    if (!log) return;
    log->n = 0;
    log->connections = 0;
}

void call_log_free(hy_call_log *log)
{
    if (!log) return;
    free(log->calls);
    log->calls = NULL;
    log->n = log->cap = 0;
    log->connections = 0;
}

cJSON *call_log_json(const hy_call_log *log)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; log && i < log->n; i++) {
        const hy_call *c = &log->calls[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "service", c->service);
        cJSON_AddStringToObject(o, "method", c->method);
        cJSON_AddStringToObject(o, "path", c->path);
        cJSON_AddNumberToObject(o, "status", c->status);
        cJSON_AddNumberToObject(o, "ms", c->ms);
        if (c->error[0]) cJSON_AddStringToObject(o, "error", c->error);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void integ_record(hy_integ *in, const char *service, const char *method, const char *path, int status,
                  int64_t ms, const char *error, long new_connections)
{
    hy_call_log *log = in ? in->log : NULL;
    if (!log) return;
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 16;
        log->calls = xrealloc(log->calls, (size_t)log->cap * sizeof *log->calls);
    }
    hy_call *c = &log->calls[log->n++];
    memset(c, 0, sizeof *c);
    hy_strlcpy(c->service, service, sizeof c->service);
    hy_strlcpy(c->method, method, sizeof c->method);
    http_log_path(path, c->path, sizeof c->path);
    c->status = status;
    c->ms = ms > INT32_MAX ? INT32_MAX : (int)ms;
    c->at_ms = hy_now_ms() - c->ms;
    c->new_connections = new_connections > INT32_MAX ? INT32_MAX : (int)new_connections;
    hy_strlcpy(c->error, error ? error : "", sizeof c->error);
    log->connections += new_connections;
}

/* ---- context ---- */

hy_integ *integ_new(const hy_config *cfg)
{
    hy_integ *in = xcalloc(1, sizeof *in);
    in->cfg = cfg;
    return in; /* the libcurl handle comes with the first request */
}

void integ_free(hy_integ *in)
{
    if (!in) return;
    curl_easy_cleanup(in->http);
    integ_drop_token(in);
    free(in);
}

void integ_set_log(hy_integ *in, hy_call_log *log) { in->log = log; }
void integ_set_guard(hy_integ *in, integ_guard_fn fn, void *ud)
{
    in->guard = fn;
    in->guard_ud = ud;
}
hy_call_log *integ_log(hy_integ *in) { return in->log; }
const hy_config *integ_config(const hy_integ *in) { return in->cfg; }

const char *integ_token(hy_integ *in)
{
    if (!in->token) return NULL;
    if (hy_mono_ms() >= in->token_expiry_ms) {
        integ_drop_token(in);
        return NULL;
    }
    return in->token;
}

const char *integ_set_token(hy_integ *in, const char *token, long expires_in_s)
{
    integ_drop_token(in);
    in->token = xstrdup(token);
    /* Valid until a minute before it expires. */
    long keep = expires_in_s > 60 ? expires_in_s - 60 : 0;
    in->token_expiry_ms = hy_mono_ms() + (int64_t)keep * 1000;
    return in->token;
}

void integ_drop_token(hy_integ *in)
{
    if (in->token) {
        explicit_bzero(in->token, strlen(in->token));
        free(in->token);
    }
    in->token = NULL;
    in->token_expiry_ms = 0;
}

/* ---- helpers ---- */

int http_parse_retry_after(const char *value, time_t now)
{
    if (!value) return 0;
    while (*value == ' ' || *value == '\t') value++;
    if (!*value) return 0;
    long secs;
    if (isdigit((unsigned char)*value)) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        while (*end == ' ' || *end == '\t') end++;
        if (errno || *end) return 0;
        secs = v;
    } else {
        time_t t = curl_getdate(value, NULL);
        if (t == (time_t)-1) return 0;
        secs = (long)(t - now);
    }
    if (secs < 0) secs = 0;
    if (secs > 3600) secs = 3600;
    return (int)secs;
}

/* Copies text, collapsing runs of whitespace (newlines too) into one space,
 * at most max bytes of input, then sanitizes it for a terminal. */
static void one_line(const char *s, size_t len, size_t max, char *out, size_t outsz)
{
    hy_buf b = {0};
    bool space = false;
    size_t i = 0;
    while (i < len && s[i] && isspace((unsigned char)s[i])) i++;
    for (; i < len && b.len < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!ch) break;
        if (isspace(ch)) {
            space = true;
            continue;
        }
        if (space) hy_buf_putc(&b, ' ');
        space = false;
        hy_buf_putc(&b, (char)ch);
    }
    /* Cut at max bytes, never in the middle of a UTF-8 sequence. */
    char tmp[512];
    hy_strlcpy(tmp, b.s ? b.s : "", max + 1 < sizeof tmp ? max + 1 : sizeof tmp);
    hy_sanitize_to(tmp, out, outsz);
    hy_buf_free(&b);
}

void http_error_text(const char *body, size_t len, char *out, size_t outsz)
{
    out[0] = '\0';
    if (!body || len == 0) return;
    cJSON *j = cJSON_ParseWithLength(body, len);
    char buf[512] = "";
    if (j) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
        const cJSON *es = cJSON_GetObjectItemCaseSensitive(j, "errors");
        if (cJSON_IsString(e)) {
            /* OAuth ({error, error_description}) and Slack ({ok:false, error}) */
            const char *d = json_str(j, "error_description");
            snprintf(buf, sizeof buf, "%s%s%s", e->valuestring, d ? ": " : "", d ? d : "");
        } else if (cJSON_IsObject(e)) {
            /* Microsoft Graph: {"error":{"code","message"}} */
            const char *code = json_str(e, "code"), *msg = json_str(e, "message");
            snprintf(buf, sizeof buf, "%s%s%s", code ? code : "", code && msg ? ": " : "", msg ? msg : "");
        } else if (cJSON_IsString(m)) {
            snprintf(buf, sizeof buf, "%s", m->valuestring);
        } else if (cJSON_IsObject(es)) {
            /* Metabase parameter errors: {"errors":{"email":"..."}} */
            size_t used = 0;
            const cJSON *f;
            cJSON_ArrayForEach(f, es)
            {
                if (!cJSON_IsString(f) || used >= sizeof buf - 1) continue;
                int w = snprintf(buf + used, sizeof buf - used, "%s%s: %s", used ? "; " : "", f->string,
                                 f->valuestring);
                if (w > 0) used += (size_t)w;
            }
        } else if (cJSON_IsString(j)) {
            snprintf(buf, sizeof buf, "%s", j->valuestring);
        }
        cJSON_Delete(j);
    }
    if (buf[0]) one_line(buf, strlen(buf), 200, out, outsz);
    else one_line(body, len, 200, out, outsz);
}

char *http_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s ? s : "", 0);
    if (!e) hy_fatal("out of memory");
    char *r = xstrdup(e);
    curl_free(e);
    return r;
}

void http_log_path(const char *path, char *out, size_t outsz)
{
    hy_buf b = {0};
    const char *q = strchr(path, '?');
    hy_buf_putn(&b, path, q ? (size_t)(q - path) : strlen(path));
    if (q) {
        /* Keep the parameter names, mask every value. */
        const char *p = q + 1;
        hy_buf_putc(&b, '?');
        bool first = true;
        while (*p) {
            const char *amp = strchr(p, '&');
            size_t seglen = amp ? (size_t)(amp - p) : strlen(p);
            const char *eq = memchr(p, '=', seglen);
            if (!first) hy_buf_putc(&b, '&');
            first = false;
            hy_buf_putn(&b, p, eq ? (size_t)(eq - p) : seglen);
            if (eq) hy_buf_put(&b, "=*");
            p += seglen;
            if (*p == '&') p++;
        }
    }
    hy_sanitize_to(b.s ? b.s : "", out, outsz);
    hy_buf_free(&b);
}

static bool host_is_loopback(const char *h)
{
    if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0) return true;
    if (strncmp(h, "127.", 4) != 0) return false;
    int dots = 0;
    for (const char *p = h; *p; p++) {
        if (*p == '.') dots++;
        else if (!isdigit((unsigned char)*p)) return false;
    }
    return dots == 3;
}

bool http_url_allowed(const char *url, bool *plain_http)
{
    *plain_http = false;
    CURLU *u = curl_url();
    if (!u) hy_fatal("out of memory");
    char *scheme = NULL, *host = NULL;
    bool ok = false;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (strcasecmp(scheme, "https") == 0) ok = true;
        else if (strcasecmp(scheme, "http") == 0 && host_is_loopback(host)) ok = *plain_http = true;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

long json_id(const cJSON *item)
{
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (d < 1 || d > 9007199254740991.0 || d != (double)(long)d) return 0;
    return (long)d;
}

const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *json_strdup(const cJSON *obj, const char *key)
{
    const char *s = json_str(obj, key);
    return xstrdup(s ? s : "");
}

/* ---- requests ---- */

typedef struct {
    hy_buf buf;
    bool too_big;
} body_sink;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    body_sink *s = ud;
    size_t len = size * n;
    if (s->buf.len + len > HY_HTTP_BODY_CAP) {
        s->too_big = true;
        return 0;
    }
    hy_buf_putn(&s->buf, p, len);
    return len;
}

void http_resp_free(hy_http_resp *rs)
{
    if (!rs) return;
    free(rs->body);
    memset(rs, 0, sizeof *rs);
}

bool http_ok(const hy_http_resp *rs) { return rs->status >= 200 && rs->status < 300; }

/* The short name of a transport failure for the call log. */
static const char *curl_kind(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_CONNECT: return "connect";
    case CURLE_COULDNT_RESOLVE_HOST: return "resolve";
    case CURLE_GOT_NOTHING: return "closed";
    case CURLE_PEER_FAILED_VERIFICATION: return "certificate";
    case CURLE_SSL_CONNECT_ERROR: return "tls";
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED: return "too large";
    default: return "transport";
    }
}

static bool curl_transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static char *full_url(const char *base, const char *path)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    return xasprintf("%.*s%s", (int)bl, base, path);
}

int http_perform(hy_integ *in, const hy_http_req *rq, hy_http_resp *rs, hy_err *err)
{
    memset(rs, 0, sizeof *rs);
    const hy_config *cfg = in->cfg;
    char logpath[240];
    http_log_path(rq->path, logpath, sizeof logpath);
    if (!rq->base || !*rq->base) return hy_fail(err, HY_ERR_CONFIG, "%s has no URL configured", rq->service);
    if (in->guard && in->guard(in->guard_ud, err) != 0) return err->code ? err->code : HY_ERR_INTERNAL;
    char *url = full_url(rq->base, rq->path);
    bool plain = false;
    if (!http_url_allowed(url, &plain)) {
        free(url);
        char base[200];
        hy_sanitize_to(rq->base, base, sizeof base);
        return hy_fail(err, HY_ERR_CONFIG,
                       "refusing to call %s at %s: use an https:// URL (plain http is allowed only to 127.0.0.1, "
                       "::1 or localhost)", rq->service, base);
    }

    if (!in->http) {
        integ_global_init(); /* done already where a live service may be called (before threads) */
        in->http = curl_easy_init();
        if (!in->http) hy_fatal("cannot create a libcurl handle");
    }
    CURL *h = in->http;
    curl_easy_reset(h);
    char errbuf[CURL_ERROR_SIZE] = "";
    body_sink sink = {0};
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    char ct[128];
    if (rq->body) {
        snprintf(ct, sizeof ct, "Content-Type: %s", rq->content_type ? rq->content_type : "application/json");
        hdrs = curl_slist_append(hdrs, ct);
    }
    for (const char *const *p = rq->headers; p && *p; p++) hdrs = curl_slist_append(hdrs, *p);

    long timeout = cfg->http.timeout_ms > 0 ? cfg->http.timeout_ms : 15000;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout < 10000 ? timeout : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->http.ca_file) {
        /* Adds a CA: the file, plus the system's certificates directory. */
        curl_easy_setopt(h, CURLOPT_CAINFO, cfg->http.ca_file);
        struct stat sb;
        if (stat(SYSTEM_CA_DIR, &sb) == 0 && S_ISDIR(sb.st_mode)) curl_easy_setopt(h, CURLOPT_CAPATH, SYSTEM_CA_DIR);
    }
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hyopps/" HYOPPS_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HY_HTTP_BODY_CAP);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (strcmp(rq->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(rq->method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
        if (rq->body || strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0) {
            const char *body = rq->body ? rq->body : "";
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        }
    }

    int64_t start = hy_mono_ms();
    CURLcode rc = curl_easy_perform(h);
    int64_t ms = hy_mono_ms() - start;
    long status = 0, conns = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
    if (sink.too_big) rc = CURLE_FILESIZE_EXCEEDED;
    integ_record(in, rq->log_name, rq->method, rq->path, rc == CURLE_OK ? (int)status : 0, ms,
                 rc == CURLE_OK ? NULL : curl_kind(rc), conns);

    int result = 0;
    if (rc == CURLE_OK) {
        rs->status = status;
        rs->len = sink.buf.len;
        rs->body = hy_buf_take(&sink.buf);
        struct curl_header *ra = NULL;
        if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK && ra)
            rs->retry_after = http_parse_retry_after(ra->value, time(NULL));
    } else {
        char detail[CURL_ERROR_SIZE + 8];
        hy_sanitize_to(errbuf[0] ? errbuf : curl_easy_strerror(rc), detail, sizeof detail);
        if (rc == CURLE_FILESIZE_EXCEEDED || sink.too_big)
            result = hy_fail(err, HY_ERR_PERMANENT, "%s answered %s %s with a body larger than %u MiB",
                             rq->service, rq->method, logpath, HY_HTTP_BODY_CAP / (1024u * 1024u));
        else if (rc == CURLE_OPERATION_TIMEDOUT)
            result = hy_fail(err, HY_ERR_TRANSIENT, "%s did not answer %s %s within %.1f s", rq->service,
                             rq->method, logpath, (double)timeout / 1000.0);
        else if (rc == CURLE_PEER_FAILED_VERIFICATION)
            result = hy_fail(err, HY_ERR_PERMANENT,
                             "the TLS certificate of %s is not trusted (%s); if a private CA signed it, "
                             "set [http] ca_file to that CA", rq->service, detail);
        else if (curl_transient(rc))
            result = hy_fail(err, HY_ERR_TRANSIENT, "cannot reach %s (%s %s): %s", rq->service, rq->method,
                             logpath, detail);
        else
            result = hy_fail(err, HY_ERR_PERMANENT, "calling %s failed (%s %s): %s", rq->service, rq->method,
                             logpath, detail);
        hy_buf_free(&sink.buf);
    }
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    free(url);
    return result;
}

int http_status_error(const hy_http_req *rq, const hy_http_resp *rs, hy_err *err)
{
    char logpath[240], text[256];
    http_log_path(rq->path, logpath, sizeof logpath);
    http_error_text(rs->body, rs->len, text, sizeof text);
    long st = rs->status;
    bool transient = st == 408 || st == 429 || st >= 500;
    hy_code code = transient ? HY_ERR_TRANSIENT : HY_ERR_PERMANENT;
    if ((st == 401 || st == 403) && rq->auth_hint)
        hy_fail(err, code, "%s answered %ld%s%s%s: %s", rq->service, st, text[0] ? " (" : "", text,
                text[0] ? ")" : "", rq->auth_hint);
    else if (st >= 300 && st < 400)
        hy_fail(err, code, "%s answered %ld (a redirect) to %s %s: check the configured URL", rq->service, st,
                rq->method, logpath);
    else
        hy_fail(err, code, "%s answered %ld to %s %s%s%s", rq->service, st, rq->method, logpath,
                text[0] ? ": " : "", text);
    if (transient) err->retry_after = rs->retry_after;
    return code;
}

int http_parse_json(const hy_http_req *rq, const hy_http_resp *rs, cJSON **out, hy_err *err)
{
    *out = NULL;
    const char *end = NULL;
    cJSON *j = rs->body ? cJSON_ParseWithLengthOpts(rs->body, rs->len, &end, 0) : NULL;
    if (j) {
        /* Only whitespace may follow the value. */
        size_t rest = (size_t)(end - rs->body);
        while (rest < rs->len && isspace((unsigned char)rs->body[rest])) rest++;
        if (rest == rs->len) {
            *out = j;
            return 0;
        }
        cJSON_Delete(j);
    }
    char snippet[256];
    one_line(rs->body ? rs->body : "", rs->len, 80, snippet, sizeof snippet);
    return hy_fail(err, HY_ERR_PERMANENT, "%s answered %ld with a body that is not JSON: %s", rq->service,
                   rs->status, snippet[0] ? snippet : "(empty)");
}

int http_json(hy_integ *in, const hy_http_req *rq, cJSON **out, hy_err *err)
{
    *out = NULL;
    hy_http_resp rs;
    int rc = http_perform(in, rq, &rs, err);
    if (rc == 0 && !http_ok(&rs)) rc = http_status_error(rq, &rs, err);
    if (rc == 0 && rs.len > 0) rc = http_parse_json(rq, &rs, out, err);
    http_resp_free(&rs);
    return rc;
}
