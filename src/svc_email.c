/* Email as an interface (svc.h): SMTP through the client, or a simulated
 * mail server that keeps what it "received" in sim_mail. */
#include <stdlib.h>
#include <string.h>

#include "svc_sim.h"
#include "util.h"

static int live_send(hy_svc *s, const hy_mail *m, const char *use_id, char message_id[HY_MSGID_LEN],
                     email_outcome *outcome, hy_err *err)
{
    *outcome = EMAIL_NOT_SENT;
    if (!s->integ) return hy_fail(err, HY_ERR_INTERNAL, "this runner has no live mail client");
    return email_send_ex(s->integ, m, use_id, message_id, outcome, err);
}

static const hy_email_api LIVE = {.backend = "live", .send = live_send};

static int sim_send(hy_svc *s, const hy_mail *m, const char *use_id, char message_id[HY_MSGID_LEN],
                    email_outcome *outcome, hy_err *err)
{
    if (use_id && *use_id) hy_strlcpy(message_id, use_id, HY_MSGID_LEN);
    else email_new_message_id(s->c->cfg, message_id);
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    hy_buf to = {0};
    hy_buf_put(&to, m->to ? m->to : "");
    for (int i = 0; i < m->ncc; i++) hy_buf_printf(&to, ", %s", m->cc[i]); /* every recipient */
    int rc = db_exec(s->c->db, err,
                     "INSERT INTO sim_mail(at, message_id, mail_from, mail_to, subject, body_text) VALUES(?,?,?,?,?,?)",
                     "tttttt", now, message_id, s->c->cfg->smtp.from, to.s, m->subject, m->text);
    hy_buf_free(&to);
    *outcome = rc == 0 ? EMAIL_SENT : EMAIL_NOT_SENT;
    return rc;
}

static const hy_email_api SIMULATED = {.backend = "simulated", .send = sim_send};

const hy_email_api *svc_email(hy_mode mode)
{
    return mode == HY_MODE_LIVE ? &LIVE : mode == HY_MODE_SIMULATE ? &SIMULATED : NULL;
}
