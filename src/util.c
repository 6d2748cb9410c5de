#include "util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static hy_fatal_hook fatal_hook;

void hy_set_fatal_hook(hy_fatal_hook hook) { fatal_hook = hook; }

void hy_fatal(const char *fmt, ...)
{
    if (fatal_hook) fatal_hook();
    va_list ap;
    va_start(ap, fmt);
    fputs("hyopps: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) hy_fatal("out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) hy_fatal("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) hy_fatal("out of memory (%zu bytes)", n);
    return q;
}

char *xstrdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t n)
{
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) hy_fatal("out of memory");
    return s;
}

/* ---- hy_buf ---- */

static void buf_grow(hy_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void hy_buf_putn(hy_buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void hy_buf_put(hy_buf *b, const char *s) { if (s) hy_buf_putn(b, s, strlen(s)); }

void hy_buf_putc(hy_buf *b, char c) { hy_buf_putn(b, &c, 1); }

void hy_buf_printf(hy_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { va_end(ap2); return; }
    buf_grow(b, (size_t)n);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void hy_buf_reset(hy_buf *b)
{
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}

char *hy_buf_take(hy_buf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void hy_buf_free(hy_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* ---- strings ---- */

char *hy_trim(char *s)
{
    if (!s) return s;
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

bool hy_streq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

bool hy_strcaseeq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcasecmp(a, b) == 0;
}

bool hy_empty(const char *s)
{
    if (!s) return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

char *hy_shell_quoted(const char *s)
{
    if (!s || !*s) return NULL;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || strchr("\"\\$`!", *p)) return NULL;
    return xasprintf("\"%s\"", s);
}

char *hy_slug(const char *name)
{
    hy_buf b = {0};
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
        if (isalnum(*p) && *p < 0x80) {
            if (dash && b.len) hy_buf_putc(&b, '-');
            dash = false;
            hy_buf_putc(&b, (char)tolower(*p));
        } else if (*p < 0x80) {
            dash = true;
        }
        /* bytes >= 0x80 (non-ASCII letters) are dropped without a dash */
    }
    if (b.len == 0) hy_buf_put(&b, "org");
    return hy_buf_take(&b);
}

void hy_strlcpy(char *dst, const char *src, size_t n)
{
    if (n == 0) return;
    if (!src) { dst[0] = '\0'; return; }
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        /* back off to a UTF-8 sequence boundary */
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* ---- forks ---- */

/* Bumped in a forked child (one thread then, so no race). Per-thread
 * caches compare it instead of calling getpid(): a system call on every
 * id made (glibc no longer caches the pid) was 4% of a worker's CPU. */
static unsigned fork_gen;
static void forked_child(void) { fork_gen++; }
static void fork_watch(void) { pthread_atfork(NULL, NULL, forked_child); }

unsigned hy_fork_generation(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fork_watch);
    return fork_gen;
}

/* ---- UUID ---- */

static void random_setup(void)
{
    if (sodium_init() < 0) hy_fatal("libsodium failed to initialise");
}

/* Random bytes from a per-thread pool filled by libsodium: one getrandom
 * system call per 512 bytes instead of one per id (ids are made by the
 * dozen per execution). A forked child refills before its first use, so
 * parent and child never hand out the same bytes. */
void hy_random(void *buf, size_t n)
{
    static _Thread_local unsigned char pool[512];
    static _Thread_local size_t used = sizeof pool;
    static _Thread_local unsigned owner;
    static pthread_once_t sodium = PTHREAD_ONCE_INIT;
    pthread_once(&sodium, random_setup);
    if (n > sizeof pool / 4) {
        randombytes_buf(buf, n);
        return;
    }
    unsigned gen = hy_fork_generation();
    if (used + n > sizeof pool || owner != gen) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
        owner = gen;
    }
    memcpy(buf, pool + used, n);
    sodium_memzero(pool + used, n); /* never handed out twice */
    used += n;
}

uint32_t hy_random_uniform(uint32_t upper)
{
    if (upper < 2) return 0;
    /* rejection sampling: no bias towards small values */
    uint32_t min = (uint32_t)(-upper % upper), r;
    do hy_random(&r, sizeof r);
    while (r < min);
    return r % upper;
}

void hy_uuid_format(const unsigned char b[16], char out[HY_UUID_LEN])
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

void hy_uuid(char out[HY_UUID_LEN])
{
    unsigned char b[16];
    hy_random(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    hy_uuid_format(b, out);
}

bool hy_is_uuid(const char *s)
{
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* ---- time ---- */

static int64_t clock_offset_ms;

void hy_clock_set_offset_ms(int64_t offset) { clock_offset_ms = offset; }

int64_t hy_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

int64_t hy_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hy_cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

struct timespec hy_mono_deadline(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = (int64_t)ts.tv_nsec + ms * 1000000;
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

static char *put_digits(char *o, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10) o[i] = (char)('0' + v % 10);
    return o + n;
}

/* YYYY-MM-DDTHH:MM:SS.mmmZ, written by hand (several per transaction). */
void hy_iso_from_ms(int64_t ms, char out[HY_TIME_LEN])
{
    int64_t secs = ms / 1000, frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        secs--;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    year = year < 0 ? 0 : year > 9999 ? 9999 : year; /* four digits, as ISO-8601 wants */
    char *o = put_digits(out, year, 4);
    *o++ = '-';
    o = put_digits(o, tm.tm_mon + 1, 2);
    *o++ = '-';
    o = put_digits(o, tm.tm_mday, 2);
    *o++ = 'T';
    o = put_digits(o, tm.tm_hour, 2);
    *o++ = ':';
    o = put_digits(o, tm.tm_min, 2);
    *o++ = ':';
    o = put_digits(o, tm.tm_sec, 2);
    *o++ = '.';
    o = put_digits(o, (int)frac, 3);
    *o++ = 'Z';
    *o = '\0';
}

void hy_now_iso(char out[HY_TIME_LEN]) { hy_iso_from_ms(hy_now_ms(), out); }

static bool all_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil); a day past the month's end runs into the next, as
 * timegm does. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The layout we write (YYYY-MM-DDTHH:MM:SS) is read without sscanf and
 * timegm: lists parse two times per row at every redraw; anything else
 * goes through sscanf as before. */
bool hy_parse_time(const char *s, int64_t *ms_out)
{
    if (!s) return false;
    int y, mo, d, h, mi, sec, consumed = 0;
    char sep;
    if (all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) && s[7] == '-' && all_digits(s + 8, 2) && s[10] &&
        all_digits(s + 11, 2) && s[13] == ':' && all_digits(s + 14, 2) && s[16] == ':' && all_digits(s + 17, 2)) {
        y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2), sep = s[10];
        h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2), consumed = 19;
    } else if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &consumed) != 7) {
        return false;
    }
    if (sep != 'T' && sep != ' ') return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    int64_t frac_ms = 0;
    const char *p = s + consumed;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3) frac_ms = frac_ms * 10 + (*p - '0');
            digits++;
            p++;
        }
        for (; digits < 3; digits++) frac_ms *= 10;
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *ms_out = t * 1000 + frac_ms;
    return true;
}

bool hy_parse_when(const char *s, int64_t now_ms, int64_t *ms_out)
{
    if (!s) return false;
    while (*s == ' ') s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ') len--;
    if (len == 3 && strncasecmp(s, "now", 3) == 0) {
        *ms_out = now_ms;
        return true;
    }
    if (len >= 3 && s[0] == '+') { /* +3d, +12h, +30m, +45s, +1w */
        size_t i = 1;
        int64_t n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && n < 100000000) n = n * 10 + (s[i++] - '0');
        if (i == 1 || i != len - 1) return false;
        int64_t unit;
        switch (s[i]) {
        case 's': unit = 1000; break;
        case 'm': unit = 60 * 1000; break;
        case 'h': unit = 3600 * 1000; break;
        case 'd': unit = 86400 * 1000; break;
        case 'w': unit = 7 * 86400 * (int64_t)1000; break;
        default: return false;
        }
        if (n > 3660 * 86400000LL / unit) return false; /* at most ten years ahead */
        *ms_out = now_ms + n * unit;
        return true;
    }
    /* YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|(+|-)HH[:]MM] */
    if (len < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
        return false;
    struct tm tm = {0};
    tm.tm_year = num(s, 4) - 1900;
    tm.tm_mon = num(s + 5, 2) - 1;
    tm.tm_mday = num(s + 8, 2);
    if (tm.tm_year < 70 || tm.tm_year > 1100 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
        tm.tm_mday > 31)
        return false;
    size_t p = 10;
    int64_t frac = 0, offset_min = 0;
    if (p < len) {
        if ((s[p] != ' ' && s[p] != 'T') || p + 6 > len || !all_digits(s + p + 1, 2) || s[p + 3] != ':' ||
            !all_digits(s + p + 4, 2))
            return false;
        tm.tm_hour = num(s + p + 1, 2);
        tm.tm_min = num(s + p + 4, 2);
        p += 6;
        if (p < len && s[p] == ':') {
            if (p + 3 > len || !all_digits(s + p + 1, 2)) return false;
            tm.tm_sec = num(s + p + 1, 2);
            p += 3;
            if (p < len && s[p] == '.') {
                int digits = 0;
                for (p++; p < len && s[p] >= '0' && s[p] <= '9'; p++, digits++)
                    if (digits < 3) frac = frac * 10 + (s[p] - '0');
                if (!digits) return false;
                for (; digits < 3; digits++) frac *= 10;
            }
        }
        if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) return false;
        if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
            p++;
        } else if (p < len && (s[p] == '+' || s[p] == '-')) {
            int sign = s[p] == '-' ? -1 : 1;
            p++;
            if (p + 2 > len || !all_digits(s + p, 2)) return false;
            int hh = num(s + p, 2), mm = 0;
            p += 2;
            if (p < len && s[p] == ':') p++;
            if (p + 2 <= len && all_digits(s + p, 2)) {
                mm = num(s + p, 2);
                p += 2;
            }
            if (hh > 14 || mm > 59) return false;
            offset_min = sign * (hh * 60 + mm);
        }
        if (p != len) return false;
    }
    struct tm check = tm;
    time_t t = timegm(&tm);
    if (tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon) return false; /* 2026-02-30 */
    *ms_out = (int64_t)t * 1000 + frac - offset_min * 60000;
    return true;
}

void hy_time_short(const char *iso, char out[HY_TIME_LEN])
{
    int64_t ms;
    if (!hy_parse_time(iso, &ms)) {
        snprintf(out, HY_TIME_LEN, "-");
        return;
    }
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, HY_TIME_LEN, "%Y-%m-%d %H:%M", &tm);
}

void hy_age(const char *iso, int64_t now_ms, char out[16])
{
    int64_t ms;
    if (!hy_parse_time(iso, &ms)) {
        snprintf(out, 16, "-");
        return;
    }
    int64_t s = (now_ms - ms) / 1000;
    if (s < 0) s = 0;
    if (s < 60) snprintf(out, 16, "%llds", (long long)s);
    else if (s < 3600) snprintf(out, 16, "%lldm", (long long)(s / 60));
    else if (s < 86400) snprintf(out, 16, "%lldh", (long long)(s / 3600));
    else snprintf(out, 16, "%lldd", (long long)(s / 86400));
}

char *hy_org_group_name(const char *org_name)
{
    char *slug = hy_slug(org_name);
    char *name = xasprintf("ext-%s", slug);
    free(slug);
    return name;
}
