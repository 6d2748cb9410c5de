/* After repeated failures of the same loop (the worker, a runner thread):
 * wait longer and longer, up to a bound, and print an error once, then how
 * often it came back, instead of the same line at every try. */
#ifndef HY_BACKOFF_H
#define HY_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Bounded exponential backoff: base, 2 x base, 4 x base ... up to max. */
typedef struct {
    int64_t base_ms, max_ms;
    int failures;               /* in a row */
} hy_backoff;

/* One more failure: how long to wait before the next try. */
int64_t hy_backoff_fail(hy_backoff *b);
/* A try went well: the next failure waits base again. */
void hy_backoff_ok(hy_backoff *b);

/* How long a transient failure waits before attempt `attempt` + 1 (steps,
 * reconciliation): 1-1.5 s after the first, 2-3 s after the second ...
 * (random jitter, at most 5 min), or the service's Retry-After (seconds, at
 * most an hour) when that is longer. */
#define HY_RETRY_MAX_BACKOFF_MS 300000
#define HY_RETRY_MAX_AFTER_MS 3600000
int64_t hy_retry_delay_ms(int attempt, int retry_after_s);

/* An error printed once, then counted while it repeats: a line
 * "PREFIX: (same error N more times in the last M min)" when another error
 * comes, when the loop works again (then "PREFIX: working again"), at
 * hy_repeats_flush, and at most every every_ms while it lasts. An error
 * that comes back soon after clearing is counted, not printed again (a
 * loop that fails every few seconds prints a few lines per period, not one
 * per failure). Zero-initialise; every_ms 0 = 10 minutes; times are
 * monotonic milliseconds. */
typedef struct {
    char *last;                 /* the last error printed, or NULL */
    long repeats;               /* seen again since the last line about it */
    int64_t since_ms;           /* when the last line about it was printed */
    int64_t every_ms;
    bool said_ok;               /* "working again" printed since that line */
} hy_repeats;

void hy_repeats_error(hy_repeats *r, FILE *out, const char *prefix, const char *msg, int64_t now_ms);
/* The loop went well again: says so if an error was printed. */
void hy_repeats_clear(hy_repeats *r, FILE *out, const char *prefix, int64_t now_ms);
/* Prints the count of repeats not yet reported (e.g. before exiting). */
void hy_repeats_flush(hy_repeats *r, FILE *out, const char *prefix, int64_t now_ms);
void hy_repeats_free(hy_repeats *r);

#endif
