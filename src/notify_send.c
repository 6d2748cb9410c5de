/* Notifications: delivering outbox rows, each once (notify.h):
 *   claim   (a transaction) status 'sending', a lease, the Message-ID;
 *   send    (no transaction) email or Slack;
 *   record  (a transaction) 'sent', or retry later, or give up;
 * and a 'sending' row whose lease ran out (its runner died) is marked
 * uncertain and sent again once, with the same Message-ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/email.h"
#include "integrations/slack.h"
#include "notify.h"
#include "util.h"

#define BACKOFF_MS 30000LL
#define MAX_BACKOFF_MS 3600000LL

static int64_t backoff(int attempts)
{
    int shift = attempts - 1 < 0 ? 0 : attempts - 1 > 10 ? 10 : attempts - 1;
    int64_t d = BACKOFF_MS << shift;
    return d > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : d;
}

static int64_t lease_ms(const hy_config *cfg)
{
    return (cfg->http.timeout_ms > 0 ? cfg->http.timeout_ms : 15000) + 5000;
}

static int in_tx(hy_ctx *c, int rc, hy_err *err)
{
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

/* Rows whose runner stopped in the middle of a send: it may have arrived. */
static int recover(hy_ctx *c, int64_t now, hy_err *err)
{
    int64_t id = 0;
    bool found;
    int rc = db_get_int(c->db, err, &id, &found,
                        "SELECT id FROM notify_outbox WHERE next_ms <= ? AND status = 'sending' LIMIT 1",
                        "I", now);
    if (rc || !found) return rc; /* a read first: no write lock when nothing is stuck */
    if (db_begin_quiet(c->db, err) != 0) return err->code;
    rc = db_exec(c->db, err,
                 "UPDATE notify_outbox SET "
                 "status = CASE WHEN uncertain = 0 THEN 'pending' ELSE 'uncertain' END, "
                 "error = CASE WHEN uncertain = 0 THEN 'the runner ' || coalesce(lease_owner, '?') || ' stopped while "
                 "handing it to the server: it may have arrived; sent again once, with the same Message-ID' "
                 "ELSE 'a runner stopped while handing it to the server, twice: it may have arrived (even twice); "
                 "not sent again' END, "
                 "uncertain = 1, next_ms = CASE WHEN uncertain = 0 THEN ?1 END, lease_owner = NULL "
                 "WHERE next_ms <= ?1 AND status = 'sending'",
                 "I", now);
    return in_tx(c, rc, err);
}

typedef struct {
    int64_t id;
    char channel[8];
    char *recipient, *subject, *text, *html, *message_id;
    int attempts;
    bool uncertain;
} row;

static void row_free(row *r)
{
    free(r->recipient);
    free(r->subject);
    free(r->text);
    free(r->html);
    free(r->message_id);
    memset(r, 0, sizeof *r);
}

/* Takes the next due row: 'sending', under this runner's lease. */
static int claim(hy_ctx *c, hy_integ *in, const char *owner, int64_t now, row *r, bool *got, hy_err *err)
{
    *got = false;
    int64_t id = 0;
    bool found;
    int rc = db_get_int(c->db, err, &id, &found,
                        "SELECT id FROM notify_outbox WHERE next_ms <= ? AND status = 'pending' ORDER BY next_ms LIMIT 1",
                        "I", now);
    if (rc || !found) return rc;
    char msgid[HY_MSGID_LEN];
    email_new_message_id(integ_config(in), msgid);
    if (db_begin_quiet(c->db, err) != 0) return err->code;
    rc = db_exec(c->db, err,
                 "UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1, lease_owner = ?, next_ms = ?, "
                 "message_id = coalesce(message_id, ?) WHERE id = ? AND status = 'pending'",
                 "tItI", owner, now + lease_ms(c->cfg), msgid, id);
    if (rc == 0 && db_changes(c->db) == 1) {
        hy_stmt *st = db_query(c->db, err,
                               "SELECT channel, recipient, subject, body_text, body_html, message_id, attempts, uncertain "
                               "FROM notify_outbox WHERE id = ?",
                               "I", id);
        if (db_row(st)) {
            memset(r, 0, sizeof *r);
            r->id = id;
            hy_strlcpy(r->channel, db_text(st, 0), sizeof r->channel);
            r->recipient = db_dup(st, 1);
            r->subject = db_dup(st, 2);
            r->text = db_dup(st, 3);
            r->html = db_dup(st, 4);
            r->message_id = db_dup(st, 5);
            r->attempts = (int)db_int(st, 6);
            r->uncertain = db_int(st, 7) != 0;
            *got = true;
        }
        rc = db_done(st);
    }
    rc = in_tx(c, rc, err);
    if (rc) {
        if (*got) row_free(r);
        *got = false;
    }
    return rc;
}

typedef enum { SENT, NOT_SENT, MAYBE_SENT } outcome;

static outcome send_row(hy_integ *in, const row *r, hy_err *failure)
{
    hy_err_clear(failure);
    if (hy_streq(r->channel, "slack")) {
        bool maybe = false;
        if (slack_post_message(in, r->recipient, r->text, &maybe, failure) == 0) return SENT;
        return maybe ? MAYBE_SENT : NOT_SENT;
    }
    hy_mail m = {.to = r->recipient, .subject = r->subject, .text = r->text, .html = r->html ? r->html : ""};
    char used[HY_MSGID_LEN];
    email_outcome o;
    email_send_ex(in, &m, email_message_id_ok(r->message_id) ? r->message_id : NULL, used, &o, failure);
    return o == EMAIL_SENT ? SENT : o == EMAIL_MAYBE_SENT ? MAYBE_SENT : NOT_SENT;
}

/* Records the outcome, if the row is still this runner's. */
static int record(hy_ctx *c, const row *r, const char *owner, outcome o, const hy_err *failure, notify_stats *st,
                  hy_err *err)
{
    int64_t now = hy_now_ms();
    char at[HY_TIME_LEN];
    hy_iso_from_ms(now, at);
    const char *status;
    int64_t next = 0;
    char *msg = NULL;
    if (o == SENT) {
        status = "sent";
    } else if (o == MAYBE_SENT) {
        status = r->uncertain ? "uncertain" : "pending";
        next = r->uncertain ? 0 : now + backoff(1);
        msg = xasprintf("%s%s", failure->msg,
                        r->uncertain ? "; it may have arrived (even twice): not sent again"
                                     : "; sent again once, with the same Message-ID");
    } else {
        bool retry = failure->code == HY_ERR_TRANSIENT && r->attempts < NOTIFY_MAX_ATTEMPTS;
        status = retry ? "pending" : "failed";
        next = retry ? now + backoff(r->attempts) : 0;
        msg = retry || r->attempts <= 1 ? xstrdup(failure->msg)
                                        : xasprintf("gave up after %d attempts: %s", r->attempts, failure->msg);
    }
    if (db_begin_quiet(c->db, err) != 0) {
        free(msg);
        return err->code;
    }
    int rc = db_exec(c->db, err,
                     "UPDATE notify_outbox SET status = ?, next_ms = CASE WHEN ?2 > 0 THEN ?2 END, lease_owner = NULL, "
                     "error = CASE WHEN ?1 = 'sent' THEN error ELSE ?3 END, "
                     "uncertain = CASE WHEN ?4 THEN 1 ELSE uncertain END, "
                     "sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END "
                     "WHERE id = ?6 AND status = 'sending' AND lease_owner = ?7",
                     "tItitIt", status, next, msg, o == MAYBE_SENT ? 1 : 0, at, r->id, owner);
    free(msg);
    if (rc == 0 && st) {
        if (o == SENT) st->sent++;
        else if (hy_streq(status, "failed") || hy_streq(status, "uncertain")) st->failed++;
    }
    return in_tx(c, rc, err);
}

int notify_send_next(hy_ctx *c, hy_integ *in, const char *owner, bool *worked, notify_stats *st, hy_err *err)
{
    *worked = false;
    if (!c->cfg->notify.enabled) return 0;
    int64_t now = hy_now_ms();
    int rc = recover(c, now, err);
    if (rc) return rc;
    row r;
    bool got = false;
    if ((rc = claim(c, in, owner, now, &r, &got, err)) != 0 || !got) return rc;
    *worked = true;
    hy_err failure;
    outcome o = send_row(in, &r, &failure); /* no transaction open */
    rc = record(c, &r, owner, o, &failure, st, err);
    row_free(&r);
    return rc;
}
