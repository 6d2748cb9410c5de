#include "backoff.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DEFAULT_EVERY_MS (10 * 60 * 1000)

int64_t hy_backoff_fail(hy_backoff *b)
{
    int64_t base = b->base_ms > 0 ? b->base_ms : 1000;
    int64_t max = b->max_ms >= base ? b->max_ms : base;
    int64_t d = base;
    for (int i = 0; i < b->failures && d < max; i++) d *= 2;
    if (b->failures < 1000) b->failures++;
    return d < max ? d : max;
}

void hy_backoff_ok(hy_backoff *b) { b->failures = 0; }

int64_t hy_retry_delay_ms(int attempt, int retry_after_s)
{
    int shift = attempt - 1 < 0 ? 0 : attempt - 1 > 20 ? 20 : attempt - 1;
    int64_t base = (int64_t)1000 << shift;
    if (base > HY_RETRY_MAX_BACKOFF_MS) base = HY_RETRY_MAX_BACKOFF_MS;
    int64_t d = base + (int64_t)hy_random_uniform((uint32_t)(base / 2 + 1)); /* 1-1.5 s, 2-3 s, 4-6 s ... */
    int64_t ra = (int64_t)retry_after_s * 1000;
    if (ra > HY_RETRY_MAX_AFTER_MS) ra = HY_RETRY_MAX_AFTER_MS;
    return ra > d ? ra : d;
}

/* "40 s", "12 min", "3 h" */
static void span(int64_t ms, char *out, size_t n)
{
    int64_t s = (ms + 500) / 1000;
    if (s < 120) snprintf(out, n, "%lld s", (long long)s);
    else if (s < 2 * 3600) snprintf(out, n, "%lld min", (long long)(s / 60));
    else snprintf(out, n, "%lld h", (long long)(s / 3600));
}

void hy_repeats_flush(hy_repeats *r, FILE *out, const char *prefix, int64_t now_ms)
{
    if (!r->last || r->repeats == 0) return;
    char d[32];
    span(now_ms - r->since_ms, d, sizeof d);
    fprintf(out, "%s: (same error %ld more time%s in the last %s)\n", prefix, r->repeats, r->repeats == 1 ? "" : "s",
            d);
    fflush(out);
    r->repeats = 0;
    r->since_ms = now_ms;
    r->said_ok = false;
}

void hy_repeats_error(hy_repeats *r, FILE *out, const char *prefix, const char *msg, int64_t now_ms)
{
    int64_t every = r->every_ms > 0 ? r->every_ms : DEFAULT_EVERY_MS;
    bool same = r->last && strcmp(r->last, msg) == 0;
    if (same && (r->repeats > 0 || now_ms - r->since_ms < every)) {
        r->repeats++;
        if (now_ms - r->since_ms >= every) hy_repeats_flush(r, out, prefix, now_ms);
        return;
    }
    hy_repeats_flush(r, out, prefix, now_ms);
    free(r->last);
    r->last = xstrdup(msg);
    r->repeats = 0;
    r->since_ms = now_ms;
    r->said_ok = false;
    fprintf(out, "%s: %s\n", prefix, msg);
    fflush(out);
}

void hy_repeats_clear(hy_repeats *r, FILE *out, const char *prefix, int64_t now_ms)
{
    if (!r->last || r->said_ok) return;
    hy_repeats_flush(r, out, prefix, now_ms);
    fprintf(out, "%s: working again\n", prefix);
    fflush(out);
    r->said_ok = true;
}

void hy_repeats_free(hy_repeats *r)
{
    free(r->last);
    memset(r, 0, sizeof *r);
}
