#include "email.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sanitize.h"
#include "util.h"
#include "validate.h"

#define SYSTEM_CA_DIR "/etc/ssl/certs"
/* The documentation email without links (nothing sends them later) */
#define NO_LINKS_ASK "Please ask your HyOpps contact for them."

/* ---- headers ---- */

char *email_encode_subject(const char *subject)
{
    const unsigned char *s = (const unsigned char *)(subject ? subject : "");
    /* Controls become spaces (no header injection, no odd bytes). */
    char *clean = xstrdup((const char *)s);
    bool ascii = true;
    for (unsigned char *p = (unsigned char *)clean; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) *p = ' ';
        else if (*p >= 0x80) ascii = false;
    }
    if (ascii) return clean;
    /* RFC 2047: each encoded word at most 75 characters: 45 bytes of text
     * give 60 base64 characters plus 12 of framing. Never split a UTF-8
     * sequence across words. */
    hy_buf b = {0};
    size_t n = strlen(clean), i = 0;
    while (i < n) {
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 0 && i + take < n && ((unsigned char)clean[i + take] & 0xC0) == 0x80) take--;
        if (take == 0) take = n - i < 45 ? n - i : 45;
        char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)clean + i, take, sodium_base64_VARIANT_ORIGINAL);
        hy_buf_printf(&b, "%s=?UTF-8?B?%s?=", b.len ? " " : "", b64);
        i += take;
    }
    free(clean);
    return hy_buf_take(&b);
}

static void rfc5322_date(char *out, size_t outsz)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = (time_t)(hy_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "\n" → "\r\n" (quoted-printable keeps CRLF as line breaks). */
static char *to_crlf(const char *s)
{
    hy_buf b = {0};
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r')) hy_buf_putc(&b, '\r');
        hy_buf_putc(&b, *p);
    }
    return hy_buf_take(&b);
}

static bool header_safe(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* ---- the connection ---- */

/* The configured sender as written: [smtp] from ("addr" or "Display Name
 * <addr>"), else a user that is an address; NULL if none. */
static const char *sender_setting(const hy_config *cfg)
{
    if (cfg->smtp.from) return cfg->smtp.from;
    if (cfg->smtp.user && hy_valid_email(cfg->smtp.user)) return cfg->smtp.user;
    return NULL;
}

/* A display name for a header: as is when it is plain words, quoted when it
 * holds other ASCII (commas, dots...), RFC 2047 encoded words when not ASCII. */
static char *encode_display_name(const char *name)
{
    bool ascii = true, plain = true;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p >= 0x80) ascii = false;
        else if (!isalnum(*p) && *p != ' ' && !strchr("!#$%&'*+-/=?^_`{|}~", *p)) plain = false;
    }
    if (!ascii) return email_encode_subject(name);
    if (plain) return xstrdup(name);
    hy_buf b = {0};
    hy_buf_putc(&b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\') hy_buf_putc(&b, '\\');
        hy_buf_putc(&b, *p);
    }
    hy_buf_putc(&b, '"');
    return hy_buf_take(&b);
}

/* The sender's address (the envelope, MAIL FROM) and the From header's
 * value (the whole form, the name encoded). NULLs if there is none. */
static void sender(const hy_config *cfg, char **addr, char **header)
{
    *addr = NULL;
    if (header) *header = NULL;
    const char *s = sender_setting(cfg);
    char *name = NULL;
    if (!s || !hy_parse_mailbox(s, &name, addr)) return;
    if (header && !*name) {
        *header = xstrdup(*addr);
    } else if (header) {
        char *enc = encode_display_name(name);
        *header = xasprintf("%s <%s>", enc, *addr);
        free(enc);
    }
    free(name);
}

static int smtp_ready(const hy_config *cfg, hy_err *err)
{
    if (!cfg->smtp.host)
        return hy_fail(err, HY_ERR_CONFIG, "Email is not configured (set [smtp] host, user, password and from)");
    if (cfg->smtp.from_error) return hy_fail(err, HY_ERR_CONFIG, "Email cannot be sent: %s", cfg->smtp.from_error);
    if (!sender_setting(cfg))
        return hy_fail(err, HY_ERR_CONFIG, "Email has no sender: set [smtp] from (or a user that is an email address)");
    return 0;
}

static char *smtp_url(const hy_config *cfg)
{
    const char *scheme = cfg->smtp.tls == HY_TLS_IMPLICIT ? "smtps" : "smtp";
    bool v6 = strchr(cfg->smtp.host, ':') != NULL && cfg->smtp.host[0] != '[';
    return xasprintf("%s://%s%s%s:%d", scheme, v6 ? "[" : "", cfg->smtp.host, v6 ? "]" : "", cfg->smtp.port);
}

/* A fresh handle with TLS required and verified, before anything connects. */
static CURL *smtp_handle(const hy_config *cfg, const char *url, char *errbuf)
{
    CURL *h = curl_easy_init();
    if (!h) hy_fatal("cannot create a libcurl handle");
    long timeout = cfg->http.timeout_ms > 0 ? cfg->http.timeout_ms : 15000;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, cfg->smtp.tls == HY_TLS_IMPLICIT ? "smtps" : "smtp");
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = cfg->smtp.ca_file ? cfg->smtp.ca_file : cfg->http.ca_file;
    if (ca) {
        curl_easy_setopt(h, CURLOPT_CAINFO, ca);
        struct stat sb;
        if (stat(SYSTEM_CA_DIR, &sb) == 0 && S_ISDIR(sb.st_mode)) curl_easy_setopt(h, CURLOPT_CAPATH, SYSTEM_CA_DIR);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout < 10000 ? timeout : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (cfg->smtp.user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp.user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp.password ? cfg->smtp.password : "");
    }
    return h;
}

/* Classifies a failed SMTP transfer. */
static int smtp_error(const hy_config *cfg, CURLcode rc, long reply, const char *errbuf, hy_err *err)
{
    char detail[CURL_ERROR_SIZE + 8];
    hy_sanitize_to(errbuf[0] ? errbuf : curl_easy_strerror(rc), detail, sizeof detail);
    char where[300];
    char host[256];
    hy_sanitize_to(cfg->smtp.host, host, sizeof host);
    snprintf(where, sizeof where, "%s:%d", host, cfg->smtp.port);
    switch (rc) {
    case CURLE_USE_SSL_FAILED:
        return hy_fail(err, HY_ERR_PERMANENT,
                       "the SMTP server %s does not offer STARTTLS: nothing was sent (HyOpps never sends mail in "
                       "plain text; if the server speaks TLS directly, set [smtp] tls = implicit, usually port 465)",
                       where);
    case CURLE_PEER_FAILED_VERIFICATION:
        return hy_fail(err, HY_ERR_PERMANENT,
                       "the TLS certificate of the SMTP server %s is not trusted (%s): nothing was sent; if a "
                       "private CA signed it, set [smtp] ca_file to that CA", where, detail);
    case CURLE_LOGIN_DENIED:
        return hy_fail(err, HY_ERR_PERMANENT, "the SMTP server %s refused the login: check [smtp] user and password",
                       where);
    case CURLE_SSL_CONNECT_ERROR:
        return hy_fail(err, HY_ERR_PERMANENT, "TLS with the SMTP server %s failed (%s): check [smtp] port and tls",
                       where, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
        return hy_fail(err, HY_ERR_TRANSIENT, "cannot reach the SMTP server %s: %s", where, detail);
    default:
        break;
    }
    if (reply >= 400 && reply < 500)
        return hy_fail(err, HY_ERR_TRANSIENT, "the SMTP server %s answered %ld (try again later): %s", where, reply,
                       detail);
    if (reply >= 500)
        return hy_fail(err, HY_ERR_PERMANENT, "the SMTP server %s refused the message (%ld): %s", where, reply, detail);
    if (rc == CURLE_SEND_ERROR)
        return hy_fail(err, HY_ERR_TRANSIENT, "sending to the SMTP server %s failed: %s", where, detail);
    return hy_fail(err, HY_ERR_PERMANENT, "sending mail through %s failed: %s", where, detail);
}

static void record(hy_integ *in, CURL *h, const char *method, const char *url, CURLcode rc, int64_t ms)
{
    long reply = 0, conns = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
    const char *kind = NULL;
    if (rc == CURLE_OPERATION_TIMEDOUT) kind = "timeout";
    else if (rc == CURLE_COULDNT_CONNECT) kind = "connect";
    else if (rc == CURLE_USE_SSL_FAILED) kind = "no starttls";
    else if (rc == CURLE_PEER_FAILED_VERIFICATION) kind = "certificate";
    else if (rc == CURLE_LOGIN_DENIED) kind = "login";
    else if (rc != CURLE_OK) kind = "smtp";
    integ_record(in, "smtp", method, url, (int)reply, ms, kind, conns);
}

/* ---- sending ---- */

void email_new_message_id(const hy_config *cfg, char out[HY_MSGID_LEN])
{
    char uuid[HY_UUID_LEN];
    hy_uuid(uuid);
    char *from = NULL;
    sender(cfg, &from, NULL);
    const char *domain = from ? strrchr(from, '@') : NULL;
    char dom[100];
    hy_strlcpy(dom, domain && domain[1] && header_safe(domain + 1) ? domain + 1 : "hyopps.local", sizeof dom);
    snprintf(out, HY_MSGID_LEN, "<%s@%s>", uuid, dom);
    free(from);
}

bool email_message_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 5 || n >= HY_MSGID_LEN || s[0] != '<' || s[n - 1] != '>' || !strchr(s, '@')) return false;
    for (size_t i = 1; i + 1 < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '<' || s[i] == '>') return false;
    return true;
}

/* A failure after the server said 354 to DATA: the message was being (or
 * had been) transferred, and no final answer came back. */
static int maybe_sent_error(const hy_config *cfg, CURLcode rc, const char *errbuf, hy_err *err)
{
    char detail[CURL_ERROR_SIZE + 8], host[256];
    hy_sanitize_to(errbuf[0] ? errbuf : curl_easy_strerror(rc), detail, sizeof detail);
    hy_sanitize_to(cfg->smtp.host, host, sizeof host);
    const char *what = rc == CURLE_OPERATION_TIMEDOUT ? "did not confirm the message in time"
                                                      : "lost the connection before confirming the message";
    return hy_fail(err, HY_ERR_PERMANENT, "the SMTP server %s:%d %s (%s): it may have been delivered", host,
                   cfg->smtp.port, what, detail);
}

int email_send_ex(hy_integ *in, const hy_mail *m, const char *use_id, char message_id[HY_MSGID_LEN],
                  email_outcome *outcome, hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    message_id[0] = '\0';
    *outcome = EMAIL_NOT_SENT;
    if (smtp_ready(cfg, err)) return err->code;
    if (!m->to || !hy_valid_email(m->to) || !header_safe(m->to))
        return hy_fail(err, HY_ERR_PERMANENT, "cannot send an email to '%s': not a valid address", m->to ? m->to : "");
    for (int i = 0; i < m->ncc; i++)
        if (!m->cc[i] || !hy_valid_email(m->cc[i]) || !header_safe(m->cc[i]))
            return hy_fail(err, HY_ERR_PERMANENT, "cannot send an email to '%s': not a valid address",
                           m->cc[i] ? m->cc[i] : "");
    if (use_id && *use_id && !email_message_id_ok(use_id))
        return hy_fail(err, HY_ERR_INTERNAL, "not a usable Message-ID for a resend");
    char *from = NULL, *from_header = NULL;
    sender(cfg, &from, &from_header);

    char date[64];
    if (use_id && *use_id) hy_strlcpy(message_id, use_id, HY_MSGID_LEN);
    else email_new_message_id(cfg, message_id);
    rfc5322_date(date, sizeof date);
    char *subject = email_encode_subject(m->subject);
    char *h_date = xasprintf("Date: %s", date), *h_from = xasprintf("From: %s", from_header);
    char *h_to = xasprintf("To: %s", m->to), *h_subj = xasprintf("Subject: %s", subject);
    char *h_id = xasprintf("Message-ID: %s", message_id);
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, h_date);
    hdrs = curl_slist_append(hdrs, h_from);
    hdrs = curl_slist_append(hdrs, h_to);
    hy_buf cc = {0};
    for (int i = 0; i < m->ncc; i++) hy_buf_printf(&cc, "%s%s", i ? ", " : "Cc: ", m->cc[i]);
    if (cc.s) hdrs = curl_slist_append(hdrs, cc.s);
    hy_buf_free(&cc);
    hdrs = curl_slist_append(hdrs, h_subj);
    hdrs = curl_slist_append(hdrs, h_id);

    char *url = smtp_url(cfg);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = smtp_handle(cfg, url, errbuf);
    char *mail_from = xasprintf("<%s>", from), *rcpt = xasprintf("<%s>", m->to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    for (int i = 0; i < m->ncc; i++) {
        char *r = xasprintf("<%s>", m->cc[i]);
        rcpts = curl_slist_append(rcpts, r);
        free(r);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    /* multipart/alternative: plain text first, HTML last (preferred). */
    char *text = to_crlf(m->text), *html = to_crlf(m->html);
    curl_mime *mime = curl_mime_init(h), *alt = curl_mime_init(h);
    curl_mimepart *part = curl_mime_addpart(alt);
    curl_mime_data(part, text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");
    part = curl_mime_addpart(alt);
    curl_mime_data(part, html, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/html; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");
    part = curl_mime_addpart(mime);
    curl_mime_subparts(part, alt);
    curl_mime_type(part, "multipart/alternative");
    struct curl_slist *inline_hdr = curl_slist_append(NULL, "Content-Disposition: inline");
    curl_mime_headers(part, inline_hdr, 1);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);

    int64_t start = hy_mono_ms();
    CURLcode rc = curl_easy_perform(h);
    int64_t ms = hy_mono_ms() - start;
    record(in, h, "SEND", url, rc, ms);
    /* The last reply the server sent: 354 means it was taking the data
     * when the transfer failed. */
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    int result = 0;
    if (rc == CURLE_OK) {
        *outcome = EMAIL_SENT;
    } else if (reply == 354) {
        *outcome = EMAIL_MAYBE_SENT;
        result = maybe_sent_error(cfg, rc, errbuf, err);
    } else {
        result = smtp_error(cfg, rc, reply, errbuf, err);
    }
    if (*outcome == EMAIL_NOT_SENT) message_id[0] = '\0';

    curl_easy_cleanup(h); /* QUIT; the connection is never reused */
    curl_mime_free(mime);
    curl_slist_free_all(hdrs);
    curl_slist_free_all(rcpts);
    free(text);
    free(html);
    free(mail_from);
    free(from);
    free(from_header);
    free(rcpt);
    free(url);
    free(subject);
    free(h_date);
    free(h_from);
    free(h_to);
    free(h_subj);
    free(h_id);
    return result;
}

int email_send(hy_integ *in, const hy_mail *m, char message_id[HY_MSGID_LEN], hy_err *err)
{
    email_outcome outcome;
    int rc = email_send_ex(in, m, NULL, message_id, &outcome, err);
    if (rc && outcome == EMAIL_NOT_SENT) message_id[0] = '\0';
    return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

int email_check(hy_integ *in, hy_err *err)
{
    const hy_config *cfg = integ_config(in);
    if (smtp_ready(cfg, err)) return err->code;
    char *url = smtp_url(cfg);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = smtp_handle(cfg, url, errbuf);
    /* Connect, STARTTLS (or implicit TLS), EHLO, AUTH, then a NOOP; the
     * cleanup sends QUIT. (With libcurl 7.88, CURLOPT_CONNECT_ONLY also gets
     * as far as AUTH, but the connection is then dropped without QUIT.) */
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    int64_t start = hy_mono_ms();
    CURLcode rc = curl_easy_perform(h);
    int64_t ms = hy_mono_ms() - start;
    record(in, h, "CHECK", url, rc, ms);
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    int result = rc == CURLE_OK ? 0 : smtp_error(cfg, rc, reply, errbuf, err);
    curl_easy_cleanup(h);
    free(url);
    return result;
}

/* ---- the documentation email ---- */

void email_html_escape(hy_buf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': hy_buf_put(b, "&amp;"); break;
        case '<': hy_buf_put(b, "&lt;"); break;
        case '>': hy_buf_put(b, "&gt;"); break;
        case '"': hy_buf_put(b, "&quot;"); break;
        case '\'': hy_buf_put(b, "&#39;"); break;
        default: hy_buf_putc(b, *p);
        }
    }
}

/* Text for the plain part: controls (other than none) become spaces. */
static char *plain(const char *s)
{
    char *c = xstrdup(s ? s : "");
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7f) *p = ' ';
    return c;
}

static bool is_http_url(const char *u)
{
    return u && (strncasecmp(u, "https://", 8) == 0 || strncasecmp(u, "http://", 7) == 0);
}

void email_build_documentation(const email_doc *d, email_body *out)
{
    static const char *const labels[] = {"Internal Documentation", "General Documentation",
                                         "Additional Documentation"};
    const char *urls[] = {d->internal, d->general, d->additional};
    char *org = plain(hy_empty(d->org_name) ? "your organisation" : d->org_name);
    char *first = plain(hy_empty(d->firstname) ? NULL : d->firstname);
    char *ftrim = hy_trim(first);
    memset(out, 0, sizeof *out);
    out->subject = xasprintf("Documentation for %s", org);

    hy_buf t = {0}, h = {0};
    if (*ftrim) hy_buf_printf(&t, "Hello %s,\n\n", ftrim);
    else hy_buf_put(&t, "Hello,\n\n");
    hy_buf_put(&h, "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"></head><body>\n<p>Hello");
    if (*ftrim) {
        hy_buf_put(&h, " ");
        email_html_escape(&h, ftrim);
    }
    hy_buf_put(&h, ",</p>\n");

    for (int i = 0; i < 3; i++)
        if (!hy_empty(urls[i])) out->links++;
    if (out->links) {
        hy_buf_printf(&t, "Here is the documentation for %s:\n\n", org);
        hy_buf_put(&h, "<p>Here is the documentation for <strong>");
        email_html_escape(&h, org);
        hy_buf_put(&h, "</strong>:</p>\n<ul>\n");
        for (int i = 0; i < 3; i++) {
            if (hy_empty(urls[i])) continue;
            char *u = plain(urls[i]);
            char *ut = hy_trim(u);
            hy_buf_printf(&t, "%s: %s\n", labels[i], ut);
            hy_buf_printf(&h, "<li>%s: ", labels[i]);
            if (is_http_url(ut)) {
                hy_buf_put(&h, "<a href=\"");
                email_html_escape(&h, ut);
                hy_buf_put(&h, "\">");
                email_html_escape(&h, ut);
                hy_buf_put(&h, "</a>");
            } else {
                email_html_escape(&h, ut); /* not a web link: shown, never linked */
            }
            hy_buf_put(&h, "</li>\n");
            free(u);
        }
        hy_buf_put(&h, "</ul>\n");
    } else {
        /* Nothing sends the links later by itself: say so, and who has them. */
        hy_buf_printf(&t, "No documentation links are configured for %s yet. " NO_LINKS_ASK "\n", org);
        hy_buf_put(&h, "<p>No documentation links are configured for <strong>");
        email_html_escape(&h, org);
        hy_buf_put(&h, "</strong> yet. " NO_LINKS_ASK "</p>\n");
    }
    hy_buf_put(&t, "\nBest regards,\nThe HyOpps team\n");
    hy_buf_put(&h, "<p>Best regards,<br>\nThe HyOpps team</p>\n</body></html>\n");
    out->text = hy_buf_take(&t);
    out->html = hy_buf_take(&h);
    free(org);
    free(first);
}

void email_body_free(email_body *b)
{
    if (!b) return;
    free(b->subject);
    free(b->text);
    free(b->html);
    memset(b, 0, sizeof *b);
}

int email_share_documentation(hy_integ *in, const email_doc *d, email_doc_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    email_body body;
    email_build_documentation(d, &body);
    hy_mail m = {.to = d->to, .subject = body.subject, .text = body.text, .html = body.html};
    int rc = email_send(in, &m, out->message_id, err);
    if (rc == 0) {
        hy_strlcpy(out->sent_to, d->to, sizeof out->sent_to);
        out->links_sent = body.links;
    }
    email_body_free(&body);
    return rc;
}
