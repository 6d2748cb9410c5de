/* Emails sent at most once by a step (step_mail.h). */
#include "step_mail.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "integrations/integrations.h"
#include "svc.h"
#include "util.h"

/* A hash of the recipients and the whole content. An email without cc
 * hashes as share_documentation always did (records made before stay
 * valid). */
static void mail_digest(const hy_mail *m, const char *key, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    const char *parts[] = {m->to, key ? "key" : m->subject, key ? key : m->text, key ? "" : m->html};
    for (int i = 0; i < 4; i++) /* each with its NUL, so that parts cannot run into each other */
        crypto_hash_sha256_update(&h, (const unsigned char *)(parts[i] ? parts[i] : ""), strlen(parts[i] ? parts[i] : "") + 1);
    for (int i = 0; i < m->ncc; i++)
        crypto_hash_sha256_update(&h, (const unsigned char *)m->cc[i], strlen(m->cc[i]) + 1);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* The output of a sent email (also kept in its "sent" record). */
static void sent_output(cJSON *out, const char *to, const cJSON *cc, const cJSON *extra, const char *msgid,
                        const char *at)
{
    cJSON_AddStringToObject(out, "sent_to", to ? to : "");
    if (cJSON_GetArraySize(cc)) cJSON_AddItemToObject(out, "also_to", cJSON_Duplicate(cc, 1));
    const cJSON *it;
    cJSON_ArrayForEach(it, extra) cJSON_AddItemToObject(out, it->string, cJSON_Duplicate(it, 1));
    if (msgid) cJSON_AddStringToObject(out, "message_id", msgid);
    if (at) cJSON_AddStringToObject(out, "sent_at", at);
}

static cJSON *cc_array(const hy_mail *m)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < m->ncc; i++) cJSON_AddItemToArray(a, cJSON_CreateString(m->cc[i]));
    return a;
}

/* {key: {digest, message_id, at, to, also_to, extra}} */
static int save_mark(hy_step_run *r, const char *key, const hy_mail *m, const cJSON *extra, const char *digest,
                     const char *msgid, hy_err *err)
{
    cJSON *cp = cJSON_CreateObject(), *mk = cJSON_AddObjectToObject(cp, key);
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    cJSON_AddStringToObject(mk, "digest", digest);
    cJSON_AddStringToObject(mk, "message_id", msgid);
    cJSON_AddStringToObject(mk, "at", now);
    cJSON_AddStringToObject(mk, "to", m->to ? m->to : "");
    cJSON_AddItemToObject(mk, "also_to", cc_array(m));
    cJSON_AddItemToObject(mk, "extra", extra ? cJSON_Duplicate(extra, 1) : cJSON_CreateObject());
    int rc = step_save_checkpoint(r, cp, err);
    cJSON_Delete(cp);
    return rc;
}

static int uncertain(const char *to, const char *why, const char *msgid, hy_err *err)
{
    return hy_fail(err, HY_ERR_PERMANENT,
                   "%s. HyOpps will not send it again by itself: look for Message-ID %s in the mailbox of %s; if it "
                   "arrived, mark this step done by hand, otherwise retry it (same Message-ID)",
                   why, msgid, to);
}

static void save_ignoring(hy_step_run *r, cJSON *cp)
{
    hy_err ignored;
    hy_err_clear(&ignored);
    step_save_checkpoint(r, cp, &ignored);
    cJSON_Delete(cp);
}

int step_mail_send_once(hy_step_run *r, const hy_mail *m, const cJSON *extra, hy_err *err)
{
    return step_mail_send_once_keyed(r, m, NULL, extra, err);
}

int step_mail_send_once_keyed(hy_step_run *r, const hy_mail *m, const char *key, const cJSON *extra, hy_err *err)
{
    char digest[65];
    mail_digest(m, key, digest);
    const cJSON *cp = r->checkpoint;
    const cJSON *sent = cJSON_GetObjectItemCaseSensitive(cp, "output");
    const cJSON *sending = cJSON_GetObjectItemCaseSensitive(cp, "sending");
    const cJSON *maybe = cJSON_GetObjectItemCaseSensitive(cp, "uncertain");
    char msgid[HY_MSGID_LEN] = "";
    if (cJSON_IsObject(sent) && hy_streq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cp, "digest")), digest)) {
        /* sent already: never again */
        const cJSON *it;
        cJSON_ArrayForEach(it, sent) cJSON_AddItemToObject(r->output, it->string, cJSON_Duplicate(it, 1));
        cJSON_AddBoolToObject(r->output, "resumed", 1);
        return 0;
    }
    if (cJSON_IsObject(sending)) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sending, "message_id"));
        hy_strlcpy(msgid, email_message_id_ok(id) ? id : "(unknown)", sizeof msgid);
        cJSON *mark = cJSON_CreateObject();
        cJSON_AddItemToObject(mark, "uncertain", cJSON_Duplicate(sending, 1));
        save_ignoring(r, mark);
        char *why = xasprintf("an earlier attempt stopped while it was handing the email to %s to the SMTP server "
                              "(its runner was stopped or lost the step): it may have been delivered", m->to);
        int rc = uncertain(m->to, why, msgid, err);
        free(why);
        return rc;
    }
    /* A person retried after an uncertain send: the same message, the same Message-ID. */
    const char *prev = cJSON_IsObject(maybe) ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(maybe, "message_id"))
                                             : NULL;
    if (prev && email_message_id_ok(prev) &&
        hy_streq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(maybe, "digest")), digest))
        hy_strlcpy(msgid, prev, sizeof msgid);
    else
        email_new_message_id(r->cfg, msgid);
    int rc = save_mark(r, "sending", m, extra, digest, msgid, err);
    if (rc) return rc;

    char used[HY_MSGID_LEN];
    email_outcome outcome;
    rc = svc_email(r->mode)->send(&r->svc, m, msgid, used, &outcome, err);
    if (outcome == EMAIL_SENT) {
        char now[HY_TIME_LEN];
        hy_now_iso(now);
        cJSON *cc = cc_array(m);
        sent_output(r->output, m->to, cc, extra, used, now);
        cJSON_Delete(cc);
        /* Recorded before the step reports success. If this fails the lease
         * is lost: whoever has the step finds "sending" and asks a person. */
        cJSON *rec = cJSON_CreateObject();
        cJSON_AddItemToObject(rec, "output", cJSON_Duplicate(r->output, 1));
        cJSON_AddStringToObject(rec, "digest", digest);
        rc = step_save_checkpoint(r, rec, err);
        cJSON_Delete(rec);
    } else if (outcome == EMAIL_MAYBE_SENT) {
        hy_err ignored;
        hy_err_clear(&ignored);
        save_mark(r, "uncertain", m, extra, digest, used, &ignored);
        char why[sizeof err->msg];
        hy_strlcpy(why, err->msg, sizeof why);
        rc = uncertain(m->to, why, used, err);
    } else {
        /* Nothing was sent: the next attempt may send. */
        save_ignoring(r, cJSON_CreateObject());
    }
    return rc;
}

void step_mail_done_by_hand(const cJSON *cp, const hy_mail *m, const cJSON *extra, cJSON **out)
{
    step_mail_done_by_hand_keyed(cp, m, NULL, extra, out);
}

void step_mail_done_by_hand_keyed(const cJSON *cp, const hy_mail *m, const char *key, const cJSON *extra, cJSON **out)
{
    *out = NULL;
    const cJSON *mark = cJSON_GetObjectItemCaseSensitive(cp, "uncertain");
    if (!cJSON_IsObject(mark)) mark = cJSON_GetObjectItemCaseSensitive(cp, "sending");
    if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cp, "output")) || (!cJSON_IsObject(mark) && !m))
        return; /* recorded as sent already, or nothing to record */
    cJSON *rec = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(rec, "output");
    char digest[65];
    const char *mdigest = cJSON_IsObject(mark) ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mark, "digest"))
                                                : NULL;
    if (mdigest) {
        const char *mto = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mark, "to"));
        const cJSON *mextra = cJSON_GetObjectItemCaseSensitive(mark, "extra");
        sent_output(o, mto ? mto : m ? m->to : "", cJSON_GetObjectItemCaseSensitive(mark, "also_to"),
                    cJSON_IsObject(mextra) ? mextra : extra,
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mark, "message_id")),
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mark, "at")));
        hy_strlcpy(digest, mdigest, sizeof digest);
    } else {
        mail_digest(m, key, digest);
        cJSON *cc = cc_array(m);
        sent_output(o, m->to, cc, extra, NULL, NULL);
        cJSON_Delete(cc);
    }
    cJSON_AddBoolToObject(o, "done_by_hand", 1);
    cJSON_AddStringToObject(rec, "digest", digest);
    *out = rec;
}
