/* An email a step sends at most once (share_documentation, a revocation's
 * notify_requester): email is the one side effect that cannot be checked
 * remotely, so the step keeps its own record in the checkpoint, which
 * survives retries, recoveries and re-runs:
 *   {"output": {...}, "digest": D}  sent. The same email (D: a hash of the
 *                                   recipients and the whole content) is
 *                                   never sent again; a changed address or
 *                                   content makes a new one.
 *   {"sending": {digest, message_id, at, to, extra}}  an attempt is handing
 *                                   it to the server (saved before connecting).
 *   {"uncertain": {...}}            it may have been delivered; the step
 *                                   failed and asked a person to look.
 * An attempt that finds "sending" knows its predecessor stopped in the
 * middle (killed, or its lease lost): the email may have gone, so it does
 * not send but fails like the uncertain case. Only a person's retry (or
 * re-run) of a failed step reaches "uncertain", and then sends again, with
 * the same Message-ID. A person who marks the failed step done by hand
 * turns the record into "sent" (step_mail_done_by_hand): a re-run then
 * sends only when the recipients or the content changed. For step
 * functions (src/wf_*.c) only. */
#ifndef HY_STEP_MAIL_H
#define HY_STEP_MAIL_H

#include <cjson/cJSON.h>

#include "workflows.h"

/* Sends m through svc_email(r->mode) unless the checkpoint says this exact
 * email was sent. r->output gets extra's items (what the step reports
 * besides the sending, e.g. links_sent; may be NULL), sent_to, also_to (the
 * cc, if any), message_id and sent_at; "resumed": true when it had been
 * sent before. */
int step_mail_send_once(hy_step_run *r, const hy_mail *m, const cJSON *extra, hy_err *err);
/* The same, with the email's identity given: key (with the recipients)
 * instead of its content makes the digest, for an email whose wording
 * follows what the run found (a re-run that found nothing left to remove
 * does not send a second one). */
int step_mail_send_once_keyed(hy_step_run *r, const hy_mail *m, const char *key, const cJSON *extra, hy_err *err);

/* For on_done_by_hand: the email counts as sent. After an uncertain send,
 * the one that may have arrived; otherwise m (the email this context
 * makes; NULL: nothing to record). *out: the checkpoint to keep (or NULL
 * when it was recorded as sent already). */
void step_mail_done_by_hand(const cJSON *checkpoint, const hy_mail *m, const cJSON *extra, cJSON **out);
/* The same for step_mail_send_once_keyed. */
void step_mail_done_by_hand_keyed(const cJSON *checkpoint, const hy_mail *m, const char *key, const cJSON *extra,
                                  cJSON **out);

#endif
