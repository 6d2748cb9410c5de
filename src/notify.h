/* Notifications: bring the right person to a waiting or failed step, and
 * tell a requester their request ended (DESIGN.md: "an outbox written in the
 * transaction that changed the state and delivered once by runners").
 *
 *  1. The engine writes an event (notify_events) inside the transaction of
 *     the state change: one INSERT, nothing else (notify_failed,
 *     notify_finished). An "input needed" is made by runners from the
 *     waiting step's own row (durable in the same way: status
 *     awaiting_input since started_at) once [notify] input_delay_minutes
 *     have passed, once per waiting period (a dedup key): an input given
 *     within the delay writes nothing. Runners also add reminders and the
 *     daily digest (notify_schedule, notify_schedule_inputs).
 *  2. A runner addresses due events (notify_address): who gets it (the
 *     [notify] rules below, minus people who turned notifications off),
 *     the text, and one outbox row per recipient and channel. An "input
 *     needed" is dropped when the step no longer waits by the time it is
 *     addressed.
 *  3. A runner delivers due outbox rows (notify_send_next), one at a time,
 *     with no transaction open while it talks to the server, like the
 *     share_documentation email (wf_new_partner_user.c): the row is marked
 *     "sending" (with a lease and its Message-ID) before connecting and
 *     recorded after. A runner that finds a "sending" row whose lease ran out
 *     (its runner died in the middle), or a send whose confirmation was lost
 *     after the server took the message, cannot know whether it arrived: the
 *     row is marked uncertain and sent again ONCE, with the same Message-ID;
 *     a second such loss leaves it "uncertain" for good. So each recipient
 *     gets a notification once, and at most twice after a crash, and the
 *     outbox says which ones may have arrived twice. Transient failures are
 *     retried with backoff (30 s doubling, up to NOTIFY_MAX_ATTEMPTS).
 *
 * Who gets what ([notify] admin_emails, default: every admin and support
 * user):
 *   input_needed, reminder  the partner admin who made the request, alone,
 *                           when the waiting step is theirs to fill in;
 *                           else the administrators (+ the Slack channel)
 *   failed                  the administrators (+ the Slack channel)
 *   completed, cancelled    the requester; for a partner admin's request,
 *                           the organisation's partner admins too
 *   digest                  each administrator: everything waiting or failed
 * Email follows [smtp] mode (live: sent; simulate: recorded as simulated;
 * off: recorded as skipped, saying why); the Slack message [slack] mode.
 * [notify] enabled = false: nothing is written or sent. */
#ifndef HY_NOTIFY_H
#define HY_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "ctx.h"
#include "integrations/http.h"

#define NOTIFY_MAX_ATTEMPTS 8

/* ---- engine hooks: inside the caller's transaction ---- */

/* A step failed after its automatic attempts, with this error. */
int notify_failed(hy_ctx *c, const char *exec_id, int step_order, const char *step_id, const char *error,
                  hy_err *err);
/* The execution completed, or was cancelled by actor_id (may be NULL). */
int notify_finished(hy_ctx *c, const char *exec_id, int step_order, bool cancelled, const char *actor_id,
                    hy_err *err);

/* ---- runners (each in transactions of its own) ---- */

typedef struct {
    int scheduled;      /* reminders and digests added */
    int addressed;      /* events turned into outbox rows */
    int dropped;        /* events that needed no notification any more */
    int sent;           /* rows delivered (or recorded as simulated) */
    int failed;         /* rows given up */
} notify_stats;

/* Adds the input-needed events, reminders and the digest due at now_ms
 * (each once, whichever runner comes first); input needed for steps that
 * began waiting within the last 7 days. */
int notify_schedule(hy_ctx *c, int64_t now_ms, int *added, hy_err *err);
/* Only the input-needed events, for steps that began waiting since
 * *scanned_ms (a minute's margin; 0: the last 7 days), then moves
 * *scanned_ms on: the notifier's cheap look after each kick. */
int notify_schedule_inputs(hy_ctx *c, int64_t now_ms, int64_t *scanned_ms, int *added, hy_err *err);
/* Addresses up to max due events, in one transaction. */
int notify_address(hy_ctx *c, int64_t now_ms, int max, notify_stats *st, hy_err *err);
/* Delivers the next due outbox row, if any (*worked). owner names this
 * runner in the row while it sends. */
int notify_send_next(hy_ctx *c, hy_integ *in, const char *owner, bool *worked, notify_stats *st, hy_err *err);
/* When the next event or row is due (ms since the epoch), or -1. */
int notify_next_due(hy_ctx *c, int64_t *due, hy_err *err);
/* Everything due now: schedule, address, send until nothing is due. */
int notify_drain(hy_ctx *c, hy_integ *in, const char *owner, notify_stats *st, hy_err *err);

/* ---- the notifier thread: its own connection and client, no curses ---- */

typedef struct hy_notifier hy_notifier;

/* Starts delivering (nothing is started when [notify] enabled = false:
 * *out stays NULL and 0 is returned). poll_ms: how often to look for
 * events written by other processes; 0: never (a terminal session's, which
 * is kicked when the database's state changed). */
int notifier_start(const hy_app *app, int poll_ms, hy_notifier **out, hy_err *err);
/* Something may be due now. NULL is ignored. */
void notifier_kick(hy_notifier *n);
/* Paused: it finishes the send in progress, then delivers, schedules and
 * looks for nothing until resumed (a worker delivers meanwhile). */
void notifier_pause(hy_notifier *n, bool paused);
/* Finishes the send in progress, stops, closes. NULL is ignored. */
void notifier_stop(hy_notifier *n);

#endif
