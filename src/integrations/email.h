/* Email over SMTP with libcurl, written from
 * ../shared/reference/integrations-api.md §5.
 *
 * Never in plain text: [smtp] tls = starttls uses smtp:// with
 * CURLUSESSL_ALL (a server that does not offer STARTTLS gets nothing), tls =
 * implicit uses smtps://. Each send uses a fresh curl handle, so a cached
 * plaintext connection can never carry a message (dependencies.md). The
 * server's certificate is verified; [smtp] ca_file adds a CA. AUTH with
 * [smtp] user/password when a user is set.
 *
 * Messages are multipart/alternative (text/plain then text/html, UTF-8,
 * quoted-printable) built with curl_mime, with Date, From ([smtp] from, else
 * user), To, Subject (RFC 2047 B-encoded when not ASCII) and a generated
 * Message-ID, which is returned. */
#ifndef HY_EMAIL_H
#define HY_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "util.h"

#define HY_MSGID_LEN 160

typedef struct {
    const char *to;             /* one address */
    const char *const *cc;      /* more addresses (a Cc: header and a recipient each), or NULL */
    int ncc;
    const char *subject;        /* UTF-8 */
    const char *text;           /* UTF-8; "\n" line ends are sent as CRLF */
    const char *html;           /* UTF-8 */
} hy_mail;

/* Sends one message (one message per call: the caller records the send
 * before reporting success and never repeats a recorded one). */
int email_send(hy_integ *in, const hy_mail *m, char message_id[HY_MSGID_LEN], hy_err *err);

/* What a failed send is known to have done. SMTP cannot be asked later
 * whether a message arrived, so the one case that matters is told apart:
 * the server accepted DATA (354) and then the transfer failed without its
 * final answer (a timeout, or the connection lost): the whole message may
 * have reached it and been queued. Everything before (connect, TLS, AUTH,
 * MAIL, RCPT) and an explicit refusal after the data (4xx/5xx) sent
 * nothing. */
typedef enum {
    EMAIL_SENT = 0,      /* the server answered 250 to the message */
    EMAIL_NOT_SENT,      /* nothing was queued: trying again is safe */
    EMAIL_MAYBE_SENT,    /* no final answer after the data: it may have been delivered */
} email_outcome;

/* email_send with the Message-ID chosen by the caller (use_id NULL or "":
 * a new one; a resend after EMAIL_MAYBE_SENT keeps the first one, so the
 * recipient's mail system can recognise a duplicate) and the outcome.
 * EMAIL_MAYBE_SENT comes with HY_ERR_PERMANENT and a message saying the
 * email may have been delivered: never resend it automatically. */
int email_send_ex(hy_integ *in, const hy_mail *m, const char *use_id, char message_id[HY_MSGID_LEN],
                  email_outcome *outcome, hy_err *err);
/* A new Message-ID: "<uuid@domain of the sender>". */
void email_new_message_id(const hy_config *cfg, char out[HY_MSGID_LEN]);
/* Is s a Message-ID this client could have made ("<...@...>", printable,
 * no spaces, shorter than HY_MSGID_LEN)? */
bool email_message_id_ok(const char *s);

/* ---- the documentation email (share_documentation) ---- */

typedef struct {
    const char *to;
    const char *firstname;
    const char *org_name;
    const char *internal;       /* URLs; NULL or "" when not set */
    const char *general;
    const char *additional;
} email_doc;

typedef struct {
    char *subject, *text, *html;
    int links;                  /* how many links it lists */
} email_body;

/* Greets by first name, names the organisation and lists its links as
 * Internal Documentation / General Documentation / Additional Documentation;
 * without links it says none are configured yet and to ask the HyOpps
 * contact for them (nothing sends them later). Every value in the HTML is
 * escaped; only http(s) URLs become links. Free with email_body_free. */
void email_build_documentation(const email_doc *d, email_body *out);
void email_body_free(email_body *b);

typedef struct {
    char message_id[HY_MSGID_LEN];
    char sent_to[256];
    int links_sent;
} email_doc_result;
int email_share_documentation(hy_integ *in, const email_doc *d, email_doc_result *out, hy_err *err);

/* ---- helpers ---- */

/* The Subject header value: as is when printable ASCII, else RFC 2047
 * encoded words (=?UTF-8?B?...?=, each at most 75 characters). Control
 * characters become spaces. Caller frees. */
char *email_encode_subject(const char *subject);
/* HTML-escapes & < > " ' into b. */
void email_html_escape(hy_buf *b, const char *s);

/* integrations check: connect, STARTTLS (or implicit TLS), AUTH, then QUIT;
 * nothing is sent. */
int email_check(hy_integ *in, hy_err *err);

#endif
