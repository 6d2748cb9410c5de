/* Small helpers every module uses: memory that never returns NULL, a growable
 * string buffer, UUIDs, UTC timestamps. */
#ifndef HY_UTIL_H
#define HY_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation failure is fatal: it prints a message (after the registered
 * fatal hook, which the UI uses to restore the terminal) and exits. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef void (*hy_fatal_hook)(void);
void hy_set_fatal_hook(hy_fatal_hook hook);
_Noreturn void hy_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated string. Zero-initialise ({0}) before use. */
typedef struct {
    char *s;
    size_t len, cap;
} hy_buf;
void hy_buf_put(hy_buf *b, const char *s);
void hy_buf_putn(hy_buf *b, const char *s, size_t n);
void hy_buf_putc(hy_buf *b, char c);
void hy_buf_printf(hy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hy_buf_reset(hy_buf *b);
char *hy_buf_take(hy_buf *b);          /* caller owns the string; b is reset */
void hy_buf_free(hy_buf *b);

/* Strings */
char *hy_trim(char *s);                /* in place; returns s advanced past leading space */
bool hy_streq(const char *a, const char *b);           /* NULL-safe */
bool hy_strcaseeq(const char *a, const char *b);       /* ASCII case-insensitive, NULL-safe */
bool hy_empty(const char *s);          /* NULL or only whitespace */
/* Lower-case ASCII slug: "Acme Corp GmbH" -> "acme-corp-gmbh"; non-ASCII
 * letters are dropped; never empty ("org" if nothing remains). Caller frees. */
char *hy_slug(const char *name);
/* The name HyOpps gives an organisation's groups in Metabase and Slack and
 * the groups it records: "ext-<slug of the name>" (one rule). Caller frees. */
char *hy_org_group_name(const char *org_name);
/* s in double quotes, as one word of a command line a person copies into a
 * shell ("Acme Corp"), or NULL when s is empty or would need escaping
 * (quotes, backslash, $, `, !, control characters). Caller frees. */
char *hy_shell_quoted(const char *s);
/* Copies at most n-1 bytes without cutting a UTF-8 sequence in half. */
void hy_strlcpy(char *dst, const char *src, size_t n);

/* A random UUID v4 in canonical text form. */
#define HY_UUID_LEN 37
void hy_uuid(char out[HY_UUID_LEN]);
/* 16 bytes as 8-4-4-4-12 lower-case hex. */
void hy_uuid_format(const unsigned char b[16], char out[HY_UUID_LEN]);
/* Changes in a forked child: what a per-thread cache compares instead of
 * getpid() (a system call each time). */
unsigned hy_fork_generation(void);
/* Cryptographically random bytes (libsodium), from a per-thread pool. */
void hy_random(void *buf, size_t n);
/* Uniform in [0, upper) (0 if upper < 2), from the same pool. */
uint32_t hy_random_uniform(uint32_t upper);
bool hy_is_uuid(const char *s);

/* Time. All stored timestamps are UTC ISO-8601: 2026-11-25T21:39:56.123Z. */
#define HY_TIME_LEN 32
int64_t hy_now_ms(void);               /* wall clock, milliseconds since the epoch */
int64_t hy_mono_ms(void);              /* monotonic clock, for durations */
/* A condition variable whose timed waits run on the monotonic clock (a
 * change of the wall clock neither cuts nor stretches them), and the
 * deadline ms from now for pthread_cond_timedwait on it. */
void hy_cond_init_monotonic(pthread_cond_t *cv);
struct timespec hy_mono_deadline(int64_t ms);
void hy_now_iso(char out[HY_TIME_LEN]);
void hy_iso_from_ms(int64_t ms, char out[HY_TIME_LEN]);
/* Parses our format and the original app's ("2026-11-25 21:39:56",
 * "2026-11-25T21:39:56.202789"), all UTC. Returns false if unparseable. */
bool hy_parse_time(const char *s, int64_t *ms_out);
/* A time a person typed (HY_FIELD_WHEN, --at): "2026-03-31" (midnight
 * UTC), "2026-03-31 17:00", "2026-03-31T17:00[:SS[.mmm]]" with an optional
 * "Z" or "+02:00" / "-0500", or from now_ms: "+3d", "+12h", "+30m", "+45s",
 * "+1w", or "now". Nothing else (trailing text is refused). */
bool hy_parse_when(const char *s, int64_t now_ms, int64_t *ms_out);
/* "2026-11-25 21:39" (UTC) for display; "-" for NULL/unparseable. */
void hy_time_short(const char *iso, char out[HY_TIME_LEN]);
/* "3s", "4m", "2h", "5d" since the timestamp. */
void hy_age(const char *iso, int64_t now_ms, char out[16]);
/* Tests only: shift hy_now_ms() by this many milliseconds. */
void hy_clock_set_offset_ms(int64_t offset);

#endif
