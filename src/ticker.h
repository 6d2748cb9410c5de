/* A background thread that calls a function every interval until stopped:
 * the worker's heartbeat and its checkpoints. The thread blocks every
 * signal (they are the main thread's: SIGTERM, SIGIO). */
#ifndef HY_TICKER_H
#define HY_TICKER_H

#include <stdbool.h>

typedef struct hy_ticker hy_ticker;
typedef void (*hy_tick_fn)(void *ud);

/* Starts the thread; fn(ud) first after interval_ms, then every
 * interval_ms after the last call ended. NULL when the thread could not be
 * started. */
hy_ticker *ticker_start(int interval_ms, hy_tick_fn fn, void *ud);
/* Stops the thread (waits for a call under way to end) and frees it;
 * NULL does nothing. */
void ticker_stop(hy_ticker *t);

#endif
