/* util, sanitize, validate */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backoff.h"
#include "sanitize.h"
#include "util.h"
#include "validate.h"

static void sanitize_escapes_controls_and_bidi(void **s)
{
    (void)s;
    char *out = hy_sanitize("Evil\x1b[31mCorp\xe2\x80\xae" "gpj.exe\x07");
    assert_string_equal(out, "Evil\\x1b[31mCorp\\u202egpj.exe\\x07");
    free(out);
    out = hy_sanitize("Globex \xc3\x9cn\xc3\xaf" "code GmbH");
    assert_string_equal(out, "Globex \xc3\x9cn\xc3\xaf" "code GmbH");
    free(out);
    out = hy_sanitize("bad\xff" "byte\xc2\x85" "nel");
    assert_string_equal(out, "bad\\xffbyte\\u0085nel");
    free(out);
    out = hy_sanitize(NULL);
    assert_string_equal(out, "");
    free(out);
}

static void json_safe_escapes_bidi(void **s)
{
    (void)s;
    char *out = hy_json_safe("{\"n\":\"a\xe2\x80\xae" "b\x7f\"}");
    assert_string_equal(out, "{\"n\":\"a\\u202eb\\u007f\"}");
    free(out);
}

/* The fixed-layout reader agrees with timegm on every day of two
 * centuries (leap years, 1900 and 2100 not leap, 2000 leap), on days past
 * a month's end (timegm runs into the next month), and other layouts still
 * go through sscanf. */
static void time_parse_agrees_with_timegm(void **s)
{
    (void)s;
    for (int64_t day = -25567; day < 47482; day++) { /* 1900-01-01 .. 2099-12-31 */
        time_t t = (time_t)(day * 86400 + (day * 7919) % 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        char iso[40];
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
        int64_t ms;
        assert_true(hy_parse_time(iso, &ms));
        if (ms != (int64_t)t * 1000) fail_msg("%s read as %lld, timegm says %lld", iso, (long long)ms, (long long)t * 1000);
    }
    int64_t a, b;
    struct tm feb31 = {.tm_year = 126, .tm_mon = 1, .tm_mday = 31, .tm_hour = 5};
    assert_true(hy_parse_time("2026-02-31T05:00:00", &a));
    assert_int_equal(a, (int64_t)timegm(&feb31) * 1000);
    assert_true(hy_parse_time("2026-1-5 3:04:05", &a)); /* not our layout: sscanf */
    assert_true(hy_parse_time("2026-01-05T03:04:05", &b));
    assert_int_equal(a, b);
    assert_false(hy_parse_time("2026-01-05", &a));
    assert_false(hy_parse_time("2026-13-05T03:04:05", &a));
    assert_false(hy_parse_time("2026-01-05x03:04:05", &a));
}

static void time_parses_legacy_formats(void **s)
{
    (void)s;
    int64_t a, b, c;
    assert_true(hy_parse_time("2026-11-25 21:39:56", &a));
    assert_true(hy_parse_time("2026-11-25T21:39:56.202789", &b));
    assert_true(hy_parse_time("2026-11-25T21:39:56.202Z", &c));
    assert_int_equal(b - a, 202);
    assert_int_equal(c, b);
    assert_false(hy_parse_time("yesterday", &a));
    char out[HY_TIME_LEN];
    hy_iso_from_ms(c, out);
    assert_string_equal(out, "2026-11-25T21:39:56.202Z");
    hy_time_short("2026-11-25T21:39:56.202789", out);
    assert_string_equal(out, "2026-11-25 21:39");
    /* written by hand: the epoch, before it, a leap day, the last ms of a year */
    hy_iso_from_ms(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    hy_iso_from_ms(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    hy_iso_from_ms(951782400007LL, out);
    assert_string_equal(out, "2000-02-29T00:00:00.007Z");
    hy_iso_from_ms(1735689599999LL, out);
    assert_string_equal(out, "2024-12-31T23:59:59.999Z");
    int64_t back;
    assert_true(hy_parse_time(out, &back));
    assert_int_equal(back, 1735689599999LL);
}

static void slug_is_ascii_dashes(void **s)
{
    (void)s;
    char *x = hy_slug("Acme Corp");
    assert_string_equal(x, "acme-corp");
    free(x);
    x = hy_slug("  Globex \xc3\x9cn\xc3\xaf" "code GmbH!! ");
    assert_string_equal(x, "globex-ncode-gmbh");
    free(x);
    x = hy_slug("\xe4\xb8\x96\xe7\x95\x8c");
    assert_string_equal(x, "org");
    free(x);
}

static void uuid_is_v4(void **s)
{
    (void)s;
    char a[HY_UUID_LEN], b[HY_UUID_LEN];
    hy_uuid(a);
    hy_uuid(b);
    assert_true(hy_is_uuid(a));
    assert_int_equal(a[14], '4');
    assert_string_not_equal(a, b);
    assert_false(hy_is_uuid("not-a-uuid"));
    assert_true(strchr("89ab", a[19]) != NULL); /* RFC 4122 variant */
    /* the per-thread pool: a forked child never repeats its parent's bytes */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    unsigned char mine[64], theirs[64];
    pid_t pid = fork();
    if (pid == 0) {
        hy_random(theirs, sizeof theirs);
        ssize_t w = write(fds[1], theirs, sizeof theirs);
        _exit(w == (ssize_t)sizeof theirs ? 0 : 1);
    }
    hy_random(mine, sizeof mine);
    assert_int_equal(read(fds[0], theirs, sizeof theirs), (int)sizeof theirs);
    int status = 0;
    waitpid(pid, &status, 0);
    close(fds[0]);
    close(fds[1]);
    assert_memory_not_equal(mine, theirs, sizeof mine);
    /* and a thousand ids are all different */
    char (*ids)[HY_UUID_LEN] = calloc(1000, HY_UUID_LEN);
    for (int i = 0; i < 1000; i++) hy_uuid(ids[i]);
    qsort(ids, 1000, HY_UUID_LEN, (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < 1000; i++) assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

static void validators(void **s)
{
    (void)s;
    assert_true(hy_valid_email("jane.doe@acme.example"));
    assert_false(hy_valid_email("jane.doe@acme"));
    assert_false(hy_valid_email("jane doe@acme.example"));
    assert_false(hy_valid_email("@acme.example"));
    assert_false(hy_valid_email("a@@b.example"));
    assert_true(hy_valid_http_url("https://docs.example/x?y=1"));
    assert_true(hy_valid_http_url("http://docs.example"));
    assert_false(hy_valid_http_url("javascript:alert(1)"));
    assert_false(hy_valid_http_url("ftp://x.example"));
    assert_false(hy_valid_http_url("https://"));
    assert_false(hy_valid_http_url("https://a.example/\"><script>"));
    assert_true(hy_url_is_loopback("http://127.0.0.1:8080/api"));
    assert_true(hy_url_is_loopback("http://localhost/"));
    assert_false(hy_url_is_loopback("http://127.0.0.1.evil.example/"));
    assert_true(hy_valid_lang("en"));
    assert_false(hy_valid_lang("EN"));
    assert_false(hy_valid_lang("xx"));
    assert_true(hy_valid_lang("zu"));
    assert_true(hy_valid_lang("aa"));
    assert_false(hy_valid_lang("zz"));
    long v;
    assert_true(hy_parse_long("42", 1, 100, &v));
    assert_int_equal(v, 42);
    assert_false(hy_parse_long("4x", 1, 100, &v));
    assert_false(hy_parse_long("101", 1, 100, &v));
}

static void backoff_doubles_up_to_its_bound(void **s)
{
    (void)s;
    hy_backoff b = {.base_ms = 1000, .max_ms = 60000};
    int64_t want[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) assert_int_equal(hy_backoff_fail(&b), want[i]);
    for (int i = 0; i < 5000; i++) hy_backoff_fail(&b); /* no overflow however long it lasts */
    assert_int_equal(hy_backoff_fail(&b), 60000);
    hy_backoff_ok(&b);
    assert_int_equal(hy_backoff_fail(&b), 1000);
}

static int lines_of(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n;
}

/* The worker's stderr under a lasting error: the line once, then counts. */
static void repeated_errors_are_counted_not_printed(void **s)
{
    (void)s;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    hy_repeats r = {.every_ms = 600000};
    int64_t t = 1000000;
    /* a million failures, one every 100 ms for over a day */
    for (int i = 0; i < 1000000; i++, t += 100) hy_repeats_error(&r, out, "w", "disk full", t);
    fflush(out);
    assert_true(lines_of(text) <= 1 + 100000000 / 600000 + 1);
    assert_non_null(strstr(text, "w: disk full\n"));
    assert_non_null(strstr(text, "w: (same error 6000 more times in the last 10 min)\n"));
    /* another error: what was counted is said first */
    size_t before = len;
    hy_repeats_error(&r, out, "w", "database is locked", t);
    hy_repeats_clear(&r, out, "w", t + 10);
    fflush(out);
    assert_string_equal(text + before, "w: (same error 3999 more times in the last 6 min)\nw: database is locked\n"
                                       "w: working again\n");
    /* flapping (fails, works, fails...): counted, not a line each time */
    before = len;
    for (int i = 0; i < 100; i++) {
        hy_repeats_error(&r, out, "w", "database is locked", t + 1000 * i);
        hy_repeats_clear(&r, out, "w", t + 1000 * i + 500);
    }
    hy_repeats_flush(&r, out, "w", t + 100000);
    fflush(out);
    assert_string_equal(text + before, "w: (same error 100 more times in the last 100 s)\n");
    hy_repeats_free(&r);
    fclose(out);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanitize_escapes_controls_and_bidi),
        cmocka_unit_test(json_safe_escapes_bidi),
        cmocka_unit_test(time_parse_agrees_with_timegm),
        cmocka_unit_test(time_parses_legacy_formats),
        cmocka_unit_test(slug_is_ascii_dashes),
        cmocka_unit_test(uuid_is_v4),
        cmocka_unit_test(validators),
        cmocka_unit_test(backoff_doubles_up_to_its_bound),
        cmocka_unit_test(repeated_errors_are_counted_not_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
