/* The HTTP layer against the fake Metabase: classification of every fault
 * kind, Retry-After, body cap, malformed JSON, TLS verification, http only to
 * loopback, the call log and connection reuse. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakes.h"
#include "integrations/http.h"
#include "integrations/metabase.h"
#include "util.h"

#define KEY "mb-test-key"

static t_fake *mb;

static int setup(void **s)
{
    (void)s;
    mb = t_fake_start("metabase", NULL);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    t_fake_stop(mb);
    return 0;
}

static int reset(void **s)
{
    (void)s;
    t_fake_reset(mb);
    return 0;
}

typedef t_client ctx;

static void open_ctx(ctx *c, const char *url, const char *key, int timeout_ms)
{
    hy_config *cfg = t_integ_config(timeout_ms);
    t_config_metabase(cfg, url, key);
    t_client_open(c, cfg);
}

static int list_groups(ctx *c)
{
    mb_group_list l;
    hy_err_clear(&c->err);
    int rc = mb_list_groups(c->in, &l, &c->err);
    mb_group_list_free(&l);
    return rc;
}

static void retry_after_parses_seconds_and_dates(void **s)
{
    (void)s;
    time_t now = 1445412470; /* Wed, 21 Oct 2015 07:27:50 GMT */
    assert_int_equal(http_parse_retry_after("120", now), 120);
    assert_int_equal(http_parse_retry_after(" 7 ", now), 7);
    assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 10);
    assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0); /* past */
    assert_int_equal(http_parse_retry_after("99999999", now), 3600);                  /* clamped */
    assert_int_equal(http_parse_retry_after("soon", now), 0);
    assert_int_equal(http_parse_retry_after("12abc", now), 0);
    assert_int_equal(http_parse_retry_after(NULL, now), 0);
}

static void log_path_masks_query_values(void **s)
{
    (void)s;
    char out[240];
    http_log_path("/api/user?query=jane%40example.com&status=all&flag", out, sizeof out);
    assert_string_equal(out, "/api/user?query=*&status=*&flag");
    http_log_path("/api/user/7", out, sizeof out);
    assert_string_equal(out, "/api/user/7");
}

static void only_https_or_loopback_http(void **s)
{
    (void)s;
    bool plain;
    assert_true(http_url_allowed("https://mb.example.com/api", &plain));
    assert_false(plain);
    assert_true(http_url_allowed("http://127.0.0.1:3000/api", &plain));
    assert_true(plain);
    assert_true(http_url_allowed("http://localhost:3000/api", &plain));
    assert_true(http_url_allowed("http://[::1]:3000/api", &plain));
    assert_false(http_url_allowed("http://example.com/api", &plain));
    assert_false(http_url_allowed("http://127.0.0.1.evil.com/api", &plain));
    assert_false(http_url_allowed("http://127.0.0.1@evil.com/api", &plain));
    assert_false(http_url_allowed("ftp://127.0.0.1/x", &plain));

    ctx c;
    open_ctx(&c, "http://example.com", KEY, 2000);
    assert_int_equal(list_groups(&c), HY_ERR_CONFIG);
    assert_non_null(strstr(c.err.msg, "refusing to call Metabase at http://example.com: use an https:// URL"));
    assert_int_equal(c.log.n, 0); /* nothing was sent */
    t_client_close(&c);
}

static void error_text_reads_each_service_shape(void **s)
{
    (void)s;
    char out[256];
    const char *graph = "{\"error\":{\"code\":\"NotFound\",\"message\":\"No team\"}}";
    http_error_text(graph, strlen(graph), out, sizeof out);
    assert_string_equal(out, "NotFound: No team");
    const char *oauth = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: bad\"}";
    http_error_text(oauth, strlen(oauth), out, sizeof out);
    assert_string_equal(out, "invalid_client: AADSTS7000215: bad");
    const char *mbp = "{\"errors\":{\"email\":\"Email address already in use.\"}}";
    http_error_text(mbp, strlen(mbp), out, sizeof out);
    assert_string_equal(out, "email: Email address already in use.");
    const char *txt = "Not found.\n\x1b[2J";
    http_error_text(txt, strlen(txt), out, sizeof out);
    assert_string_equal(out, "Not found. \\x1b[2J");
}

static void server_errors_are_transient_with_retry_after(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 3000);
    t_fake_fault(mb, "{\"method\":\"GET\",\"path\":\"^/api/permissions/group\",\"kind\":\"status\",\"status\":503,"
                     "\"headers\":{\"Retry-After\":\"3\"}}");
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_int_equal(c.err.retry_after, 3);
    assert_non_null(strstr(c.err.msg, "Metabase answered 503 to GET /api/permissions/group"));
    /* The caller's retry succeeds. */
    assert_int_equal(list_groups(&c), 0);

    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"status\":500}");
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_int_equal(c.err.retry_after, 0);
    assert_non_null(strstr(c.err.msg, "fake Metabase error 500"));
    assert_int_equal(list_groups(&c), 0);
    t_client_close(&c);
}

static void rate_limit_with_http_date(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 3000);
    char date[64];
    time_t later = time(NULL) + 5;
    struct tm tm;
    gmtime_r(&later, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    char *fault = xasprintf("{\"path\":\"^/api/permissions/group\",\"status\":429,\"headers\":{\"Retry-After\":\"%s\"}}",
                            date);
    t_fake_fault(mb, fault);
    free(fault);
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_in_range(c.err.retry_after, 3, 6);
    assert_int_equal(list_groups(&c), 0);
    t_client_close(&c);
}

static void hang_is_a_transient_timeout(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 700);
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"kind\":\"hang\",\"seconds\":3}");
    int64_t t0 = hy_mono_ms();
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_true(hy_mono_ms() - t0 < 2500);
    assert_non_null(strstr(c.err.msg, "Metabase did not answer GET /api/permissions/group within 0.7 s"));
    assert_int_equal(c.log.n, 1);
    assert_string_equal(c.log.calls[0].error, "timeout");
    assert_int_equal(c.log.calls[0].status, 0);
    assert_int_equal(list_groups(&c), 0);
    t_client_close(&c);
}

static void closed_connection_is_transient(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 3000);
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"kind\":\"close\"}");
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c.err.msg, "cannot reach Metabase (GET /api/permissions/group)"));
    assert_int_equal(list_groups(&c), 0);
    t_client_close(&c);
}

static void refused_connection_is_transient(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, "http://127.0.0.1:9", KEY, 2000); /* discard port: nobody listens */
    assert_int_equal(list_groups(&c), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c.err.msg, "cannot reach Metabase"));
    assert_string_equal(c.log.calls[0].error, "connect");
    t_client_close(&c);
}

static void malformed_json_is_permanent_and_says_what(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 3000);
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"kind\":\"malformed\"}");
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT);
    assert_string_equal(c.err.msg, "Metabase answered 200 with a body that is not JSON: "
                                   "<html><body>Bad gateway\\x1b[31m</body></html>");
    t_client_close(&c);
}

static void body_over_8_mib_is_refused(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 10000);
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"kind\":\"big\",\"size\":9437184}");
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "Metabase answered GET /api/permissions/group with a body larger than 8 MiB"));
    /* Just under the cap is read (a JSON string, not a group list). */
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"kind\":\"big\",\"size\":8000000}");
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "unexpected shape"));
    t_client_close(&c);
}

static void client_errors_are_permanent(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, "wrong-key", 3000);
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT);
    assert_string_equal(c.err.msg, "Metabase answered 401 (Unauthenticated): check [metabase] api_key (the key must "
                                   "belong to the Administrators group)");
    assert_null(strstr(c.err.msg, "wrong-key"));
    t_client_close(&c);

    open_ctx(&c, mb->url, KEY, 3000);
    t_fake_fault(mb, "{\"path\":\"^/api/permissions/group\",\"status\":404,\"content_type\":\"text/plain\","
                     "\"body\":\"Not found.\"}");
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT);
    assert_string_equal(c.err.msg, "Metabase answered 404 to GET /api/permissions/group: Not found.");
    assert_int_equal(c.err.retry_after, 0);
    t_client_close(&c);
}

static void call_log_has_no_secret_and_reuses_one_connection(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, mb->url, KEY, 3000);
    long uid = 0;
    mb_user_how how;
    assert_int_equal(mb_ensure_user(c.in, "secret.person@example.com", "Sec", "Ret", &uid, &how, &c.err), 0);
    assert_int_equal(list_groups(&c), 0);
    assert_int_equal(list_groups(&c), 0);
    assert_true(c.log.n >= 4);
    assert_int_equal(c.log.connections, 1);
    cJSON *st = t_fake_state(mb);
    assert_int_equal(cJSON_GetObjectItem(st, "connections")->valueint, 1);
    cJSON_Delete(st);

    cJSON *j = call_log_json(&c.log);
    char *txt = cJSON_PrintUnformatted(j);
    assert_null(strstr(txt, KEY));
    assert_null(strstr(txt, "secret.person"));
    assert_null(strstr(txt, "Sec")); /* no body */
    assert_non_null(strstr(txt, "\"service\":\"metabase\",\"method\":\"GET\",\"path\":\"/api/user?query=*&limit=*&offset=*\","
                                "\"status\":200"));
    assert_non_null(strstr(txt, "\"method\":\"POST\",\"path\":\"/api/user\",\"status\":200"));
    cJSON_free(txt);
    cJSON_Delete(j);
    t_client_close(&c);
}

static void tls_is_verified_and_ca_file_adds_a_ca(void **s)
{
    (void)s;
    char *dir = t_tmpdir();
    t_make_cert(dir, "good");
    t_make_cert(dir, "other");
    char *cert = xasprintf("%s/good.pem", dir), *key = xasprintf("%s/good.key", dir);
    char *other = xasprintf("%s/other.pem", dir);
    t_fake *tls = t_fake_start_tls("metabase", cert, key, NULL);

    ctx c;
    open_ctx(&c, tls->url, KEY, 3000);
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT); /* not trusted by the system */
    assert_non_null(strstr(c.err.msg, "the TLS certificate of Metabase is not trusted"));
    assert_non_null(strstr(c.err.msg, "set [http] ca_file"));
    t_client_close(&c);

    open_ctx(&c, tls->url, KEY, 3000);
    c.cfg->http.ca_file = xstrdup(other);
    assert_int_equal(list_groups(&c), HY_ERR_PERMANENT); /* a CA that did not sign it */
    assert_non_null(strstr(c.err.msg, "not trusted"));
    t_client_close(&c);

    open_ctx(&c, tls->url, KEY, 3000);
    c.cfg->http.ca_file = xstrdup(cert);
    assert_int_equal(list_groups(&c), 0);
    t_client_close(&c);

    t_fake_stop(tls);
    t_rmdir(dir);
    free(dir);
    free(cert);
    free(key);
    free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry_after_parses_seconds_and_dates),
        cmocka_unit_test(log_path_masks_query_values),
        cmocka_unit_test(only_https_or_loopback_http),
        cmocka_unit_test(error_text_reads_each_service_shape),
        cmocka_unit_test_setup(server_errors_are_transient_with_retry_after, reset),
        cmocka_unit_test_setup(rate_limit_with_http_date, reset),
        cmocka_unit_test_setup(hang_is_a_transient_timeout, reset),
        cmocka_unit_test_setup(closed_connection_is_transient, reset),
        cmocka_unit_test_setup(refused_connection_is_transient, reset),
        cmocka_unit_test_setup(malformed_json_is_permanent_and_says_what, reset),
        cmocka_unit_test_setup(body_over_8_mib_is_refused, reset),
        cmocka_unit_test_setup(client_errors_are_permanent, reset),
        cmocka_unit_test_setup(call_log_has_no_secret_and_reuses_one_connection, reset),
        cmocka_unit_test(tls_is_verified_and_ca_file_adds_a_ca),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
