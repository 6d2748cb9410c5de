#include "fakes.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "testlib.h"
#include "util.h"

static const char *root(void)
{
    const char *r = getenv("HYOPPS_ROOT");
    return r && *r ? r : ".";
}

char *t_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = xasprintf("%s/hyopps-fake.XXXXXX", base);
    if (!mkdtemp(dir)) fail_msg("mkdtemp: %s", strerror(errno));
    return dir;
}

void t_rmdir(const char *dir)
{
    if (!dir || !*dir) return;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    free(cmd);
}

char *t_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    hy_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) hy_buf_putn(&b, chunk, n);
    fclose(f);
    return hy_buf_take(&b);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void t_make_cert(const char *dir, const char *name)
{
    char *cmd = xasprintf("'%s/tests/fakes/make_cert.sh' '%s' '%s'", root(), dir, name);
    if (system(cmd) != 0) fail_msg("cannot make a certificate (%s)", cmd);
    free(cmd);
}

static t_fake *start(const char *name, const char *cert, const char *key, const char *const *args)
{
    t_fake *f = xcalloc(1, sizeof *f);
    char *dir = t_tmpdir();
    hy_strlcpy(f->dir, dir, sizeof f->dir);
    free(dir);
    char *script = xasprintf("%s/tests/fakes/fake_%s.py", root(), name);
    char *portfile = xasprintf("%s/port", f->dir), *logfile = xasprintf("%s/log", f->dir);
    const char *argv[64];
    int n = 0;
    argv[n++] = "/usr/bin/python3";
    argv[n++] = script;
    argv[n++] = "--port-file";
    argv[n++] = portfile;
    if (strcmp(name, "smtp") == 0) {
        argv[n++] = "--dir";
        argv[n++] = f->dir;
    }
    if (cert && strcmp(name, "smtp") != 0) {
        argv[n++] = "--tls-cert";
        argv[n++] = cert;
        argv[n++] = "--tls-key";
        argv[n++] = key;
    } else if (cert) {
        argv[n++] = "--cert";
        argv[n++] = cert;
        argv[n++] = "--key";
        argv[n++] = key;
    }
    for (int i = 0; args && args[i] && n < 62; i++) argv[n++] = args[i];
    argv[n] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (nul >= 0) dup2(nul, 0);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    f->pid = pid;
    /* Wait until it listens: it writes the port file once bound. */
    for (int waited = 0;; waited += 20) {
        char *txt = t_read_file(portfile);
        if (txt && atoi(txt) > 0) {
            f->port = atoi(txt);
            free(txt);
            break;
        }
        free(txt);
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            char *log = t_read_file(logfile);
            fail_msg("fake %s exited early: %s", name, log ? log : "(no log)");
        }
        if (waited > 15000) fail_msg("fake %s did not start within 15 s", name);
        sleep_ms(20);
    }
    snprintf(f->url, sizeof f->url, "%s://127.0.0.1:%d", cert && strcmp(name, "smtp") ? "https" : "http", f->port);
    if (cert) hy_strlcpy(f->ca, cert, sizeof f->ca);
    free(script);
    free(portfile);
    free(logfile);
    return f;
}

t_fake *t_fake_start(const char *name, const char *const *args) { return start(name, NULL, NULL, args); }

t_fake *t_fake_start_tls(const char *name, const char *cert, const char *key, const char *const *args)
{
    return start(name, cert, key, args);
}

void t_fake_stop(t_fake *f)
{
    if (!f) return;
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        int st;
        bool gone = false;
        for (int i = 0; i < 250 && !gone; i++) {
            if (waitpid(f->pid, &st, WNOHANG) == f->pid) gone = true;
            else sleep_ms(20);
        }
        if (!gone) {
            kill(f->pid, SIGKILL);
            waitpid(f->pid, &st, 0);
        }
    }
    if (!getenv("KEEP")) t_rmdir(f->dir);
    free(f);
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    hy_buf_putn(ud, p, size * n);
    return size * n;
}

static cJSON *control(t_fake *f, const char *method, const char *path, const char *json)
{
    CURL *h = curl_easy_init();
    char *url = xasprintf("%s%s", f->url, path);
    hy_buf b = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (f->ca[0]) curl_easy_setopt(h, CURLOPT_CAINFO, f->ca);
    if (strcmp(method, "POST") == 0) curl_easy_setopt(h, CURLOPT_POSTFIELDS, json ? json : "{}");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK || status != 200) fail_msg("fake control %s %s: curl %d, status %ld", method, url, rc, status);
    cJSON *j = cJSON_Parse(b.s ? b.s : "");
    if (!j) fail_msg("fake control %s %s: not JSON: %s", method, url, b.s ? b.s : "");
    hy_buf_free(&b);
    free(url);
    return j;
}

cJSON *t_fake_get(t_fake *f, const char *path) { return control(f, "GET", path, NULL); }
cJSON *t_fake_post(t_fake *f, const char *path, const char *json) { return control(f, "POST", path, json); }

void t_fake_reset(t_fake *f) { cJSON_Delete(t_fake_post(f, "/_fake/reset", "{}")); }

void t_fake_fault(t_fake *f, const char *fault_json) { cJSON_Delete(t_fake_post(f, "/_fake/faults", fault_json)); }

cJSON *t_fake_state(t_fake *f) { return t_fake_get(f, "/_fake/state"); }

int t_fake_count(t_fake *f, const char *key)
{
    cJSON *s = t_fake_state(f);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "requests"), key);
    int n = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON_Delete(s);
    return n;
}

int t_fake_state_int(t_fake *f, const char *key)
{
    cJSON *s = t_fake_state(f);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
    if (!cJSON_IsNumber(v)) fail_msg("the fake's state has no number %s", key);
    int n = v->valueint;
    cJSON_Delete(s);
    return n;
}

const cJSON *t_mb_graph_entry(const cJSON *state, long gid, long db)
{
    char g[32], d[32];
    snprintf(g, sizeof g, "%ld", gid);
    snprintf(d, sizeof d, "%ld", db);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(state, "graph"), "groups");
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(groups, g), d);
}

cJSON *t_smtp_state(t_fake *f)
{
    char *path = xasprintf("%s/state.json", f->dir);
    char *txt = t_read_file(path);
    free(path);
    cJSON *j = txt ? cJSON_Parse(txt) : NULL;
    free(txt);
    return j;
}

void t_smtp_fault(t_fake *f, const char *faults_json)
{
    char *tmp = xasprintf("%s/faults.json.tmp", f->dir), *path = xasprintf("%s/faults.json", f->dir);
    FILE *out = fopen(tmp, "w");
    if (!out || fputs(faults_json, out) < 0 || fclose(out) != 0) fail_msg("cannot write %s", tmp);
    if (rename(tmp, path) != 0) fail_msg("cannot rename %s", tmp);
    free(tmp);
    free(path);
}

int t_smtp_messages(t_fake *f)
{
    cJSON *st = t_smtp_state(f);
    if (!st) fail_msg("the SMTP fake has no state.json in %s", f->dir);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "messages"));
    cJSON_Delete(st);
    return n;
}

static void set(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

void t_client_open(t_client *c, hy_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->in = integ_new(cfg);
    integ_set_log(c->in, &c->log);
    hy_err_clear(&c->err);
}

void t_client_close(t_client *c)
{
    integ_free(c->in);
    call_log_free(&c->log);
    config_free(c->cfg);
}

hy_config *t_integ_config(int timeout_ms)
{
    hy_config *cfg = config_default();
    cfg->embedded_default = false;
    cfg->metabase.mode = cfg->teams.mode = cfg->slack.mode = cfg->smtp.mode = HY_MODE_OFF;
    cfg->http.timeout_ms = timeout_ms;
    return cfg;
}

void t_config_metabase(hy_config *cfg, const char *url, const char *api_key)
{
    cfg->metabase.mode = HY_MODE_LIVE;
    set(&cfg->metabase.url, url);
    set(&cfg->metabase.api_key, api_key);
}

void t_config_graph(hy_config *cfg, const char *url, const char *secret)
{
    cfg->teams.mode = HY_MODE_LIVE;
    set(&cfg->azure.login_url, url);
    set(&cfg->azure.graph_url, url);
    set(&cfg->azure.tenant_id, "tenant-1");
    set(&cfg->azure.client_id, "client-1");
    set(&cfg->azure.client_secret, secret);
    set(&cfg->teams.team_id, "team-1");
}

void t_config_slack(hy_config *cfg, const char *url, const char *token)
{
    cfg->slack.mode = HY_MODE_LIVE;
    char *api = xasprintf("%s/api", url);
    set(&cfg->slack.api_url, api);
    free(api);
    set(&cfg->slack.bot_token, token);
}

void t_config_smtp(hy_config *cfg, int port, const char *mode, const char *ca_file, const char *password)
{
    cfg->smtp.mode = HY_MODE_LIVE;
    set(&cfg->smtp.host, "127.0.0.1");
    cfg->smtp.port = port;
    cfg->smtp.tls = strcmp(mode, "implicit") == 0 ? HY_TLS_IMPLICIT : HY_TLS_STARTTLS;
    set(&cfg->smtp.user, "mailer@example.com");
    set(&cfg->smtp.password, password);
    set(&cfg->smtp.from, "hyopps@example.com");
    set(&cfg->smtp.ca_file, ca_file);
}

long t_fake_seed_id(t_fake *f, const char *what, const char *json)
{
    cJSON *r = t_fake_post(f, "/_fake/seed", json);
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, what), 0);
    if (!cJSON_IsNumber(v)) fail_msg("seed %s answered no %s id", json, what);
    long id = (long)v->valuedouble;
    cJSON_Delete(r);
    return id;
}

cJSON *t_fake_bodies(t_fake *f, const char *method, const char *path)
{
    cJSON *log = t_fake_get(f, "/_fake/requests"), *out = cJSON_CreateArray();
    const cJSON *q;
    cJSON_ArrayForEach(q, log)
    {
        const char *m = cJSON_GetObjectItemCaseSensitive(q, "method")->valuestring;
        const char *p = cJSON_GetObjectItemCaseSensitive(q, "path")->valuestring;
        if (strcmp(m, method) == 0 && strstr(p, path))
            cJSON_AddItemToArray(out, cJSON_CreateString(cJSON_GetObjectItemCaseSensitive(q, "body")->valuestring));
    }
    cJSON_Delete(log);
    return out;
}

static int faults_left(t_fake *f)
{
    cJSON *s = t_fake_state(f);
    int n = cJSON_GetObjectItemCaseSensitive(s, "faults_left")->valueint;
    cJSON_Delete(s);
    return n;
}

void t_fault_classes(t_fake *f, t_client *c, const char *method, const char *path_re, bool parses_body,
                     t_call_fn call, void *arg)
{
    static const struct {
        const char *fault;      /* the rest of the fault object */
        hy_code want;
        int retry_after;
        bool needs_body;
    } cases[] = {
        {"\"status\":500", HY_ERR_TRANSIENT, 0, false},
        {"\"status\":503", HY_ERR_TRANSIENT, 0, false},
        {"\"status\":429,\"headers\":{\"Retry-After\":\"3\"}", HY_ERR_TRANSIENT, 3, false},
        /* libcurl re-sends once when a reused connection closes unanswered */
        {"\"kind\":\"close\",\"count\":2", HY_ERR_TRANSIENT, 0, false},
        {"\"kind\":\"cut\"", HY_ERR_TRANSIENT, 0, false},
        {"\"kind\":\"hang\",\"seconds\":1.5", HY_ERR_TRANSIENT, 0, false},
        {"\"kind\":\"malformed\"", HY_ERR_PERMANENT, 0, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].needs_body && !parses_body) continue;
        char *fault = xasprintf("{\"method\":\"%s\",\"path\":\"%s\",%s}", method, path_re, cases[i].fault);
        t_fake_fault(f, fault);
        int saved = c->cfg->http.timeout_ms;
        if (strstr(fault, "hang")) c->cfg->http.timeout_ms = 400;
        hy_err_clear(&c->err);
        int rc = call(c, arg);
        c->cfg->http.timeout_ms = saved;
        if (rc != (int)cases[i].want || c->err.retry_after != cases[i].retry_after)
            fail_msg("fault %s: got %s (retry_after %d): %s", fault, hy_code_name((hy_code)rc), c->err.retry_after,
                     c->err.msg);
        if (faults_left(f) != 0) fail_msg("fault %s was never hit", fault);
        free(fault);
    }
    hy_err_clear(&c->err);
    int rc = call(c, arg);
    if (rc != 0) fail_msg("after the faults: %s: %s", hy_code_name((hy_code)rc), c->err.msg);
}

t_suite_t t_suite;

int t_suite_start(void **state)
{
    (void)state;
    t_suite.fake = t_fake_start(t_suite.name, NULL);
    return 0;
}

int t_suite_stop(void **state)
{
    (void)state;
    t_fake_stop(t_suite.fake);
    t_suite.fake = NULL;
    return 0;
}

int t_suite_open(void **state)
{
    t_fake *f = t_suite.fake;
    t_fake_reset(f);
    t_client *c = xcalloc(1, sizeof *c);
    hy_config *cfg = t_integ_config(3000);
    if (strcmp(t_suite.name, "metabase") == 0) t_config_metabase(cfg, f->url, "mb-test-key");
    else if (strcmp(t_suite.name, "graph") == 0) t_config_graph(cfg, f->url, "graph-secret");
    else if (strcmp(t_suite.name, "slack") == 0) t_config_slack(cfg, f->url, "xoxb-test-token");
    else fail_msg("no client fixture for the %s fake", t_suite.name);
    t_client_open(c, cfg);
    *state = c;
    return 0;
}

int t_suite_close(void **state)
{
    t_client_close(*state);
    free(*state);
    return 0;
}
