/* Email against a real SMTP server on loopback (aiosmtpd, STARTTLS required,
 * AUTH, a certificate made at test time). The received message is parsed by
 * Python's email package (tests/fakes/mailcheck.py) and checked part by part. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fakes.h"
#include "integrations/email.h"
#include "sanitize.h"
#include "util.h"

#define PASSWORD "smtp-secret"

static char *certdir, *good_cert, *good_key, *other_cert;
static t_fake *starttls, *implicit, *plain;

static int setup(void **s)
{
    (void)s;
    certdir = t_tmpdir();
    t_make_cert(certdir, "good");
    t_make_cert(certdir, "other");
    good_cert = xasprintf("%s/good.pem", certdir);
    good_key = xasprintf("%s/good.key", certdir);
    other_cert = xasprintf("%s/other.pem", certdir);
    const char *st[] = {"--mode", "starttls", NULL}, *im[] = {"--mode", "implicit", NULL}, *pl[] = {"--mode", "plain", NULL};
    starttls = t_fake_start_tls("smtp", good_cert, good_key, st);
    implicit = t_fake_start_tls("smtp", good_cert, good_key, im);
    plain = t_fake_start_tls("smtp", good_cert, good_key, pl);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    t_fake_stop(starttls);
    t_fake_stop(implicit);
    t_fake_stop(plain);
    t_rmdir(certdir);
    free(certdir);
    free(good_cert);
    free(good_key);
    free(other_cert);
    return 0;
}

typedef t_client ctx;

static void open_ctx(ctx *c, t_fake *server, const char *mode, const char *ca, const char *password)
{
    hy_config *cfg = t_integ_config(5000);
    t_config_smtp(cfg, server->port, mode, ca, password);
    t_client_open(c, cfg);
}

static int smtp_int(t_fake *f, const char *key)
{
    cJSON *st = t_smtp_state(f);
    assert_non_null(st);
    const cJSON *v = cJSON_GetObjectItem(st, key);
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : v->valueint;
    cJSON_Delete(st);
    return n;
}

/* The n-th (1-based) message's envelope record. */
static cJSON *envelope(t_fake *f, int n)
{
    cJSON *st = t_smtp_state(f);
    cJSON *m = cJSON_Duplicate(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "messages"), n - 1), 1);
    cJSON_Delete(st);
    assert_non_null(m);
    return m;
}

/* Parses the n-th message with Python's email package. */
static cJSON *parse_mail(t_fake *f, int n)
{
    const char *root = getenv("HYOPPS_ROOT") ? getenv("HYOPPS_ROOT") : ".";
    char *cmd = xasprintf("/usr/bin/python3 '%s/tests/fakes/mailcheck.py' '%s/mail-%d.eml'", root, f->dir, n);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    hy_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0) hy_buf_putn(&b, chunk, got);
    assert_int_equal(pclose(p), 0);
    cJSON *j = cJSON_Parse(b.s);
    assert_non_null(j);
    hy_buf_free(&b);
    free(cmd);
    return j;
}

static const char *hdr(cJSON *mail, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(mail, "headers"), name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *alt(cJSON *mail, int i) { return cJSON_GetArrayItem(cJSON_GetObjectItem(mail, "alternative"), i); }

static const char *field(const cJSON *o, const char *k) { return cJSON_GetObjectItem(o, k)->valuestring; }

#define HOSTILE "<script>alert(\"x\")</script> & S\xc3\xb6hne"

static void documentation_email_checked_part_by_part(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    int before = smtp_int(starttls, "messages");
    email_doc d = {.to = "zoe@partner.test",
                   .firstname = "Zo\xc3\xab",
                   .org_name = HOSTILE,
                   .internal = "https://docs.example.com/int?a=1&b=2",
                   .general = "https://docs.example.com/gen",
                   .additional = "javascript:alert(1)"};
    email_doc_result r;
    assert_int_equal(email_share_documentation(c.in, &d, &r, &c.err), 0);
    assert_int_equal(r.links_sent, 3);
    assert_string_equal(r.sent_to, "zoe@partner.test");
    assert_int_equal(smtp_int(starttls, "messages"), before + 1);

    cJSON *env = envelope(starttls, before + 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(env, "tls")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(env, "authenticated")));
    assert_string_equal(field(env, "mail_from"), "hyopps@example.com");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(env, "rcpt_tos"), 0)->valuestring, "zoe@partner.test");
    cJSON_Delete(env);

    cJSON *m = parse_mail(starttls, before + 1);
    /* Headers */
    assert_string_equal(hdr(m, "Message-ID"), r.message_id);
    assert_non_null(strstr(r.message_id, "@example.com>"));
    assert_string_equal(hdr(m, "From"), "hyopps@example.com");
    assert_string_equal(hdr(m, "To"), "zoe@partner.test");
    assert_non_null(hdr(m, "Date"));
    assert_non_null(strstr(hdr(m, "Date"), " +0000"));
    assert_int_equal(strncmp(hdr(m, "Subject"), "=?UTF-8?B?", 10), 0);
    assert_string_equal(field(m, "subject"), "Documentation for " HOSTILE);
    /* Structure: plain text first, HTML last (preferred). */
    const cJSON *tree = cJSON_GetObjectItem(m, "tree");
    assert_int_equal(cJSON_GetArraySize(tree), 4);
    assert_string_equal(cJSON_GetArrayItem(tree, 1)->valuestring, "  multipart/alternative");
    assert_string_equal(cJSON_GetArrayItem(tree, 2)->valuestring, "    text/plain");
    assert_string_equal(cJSON_GetArrayItem(tree, 3)->valuestring, "    text/html");
    const cJSON *text = alt(m, 0), *html = alt(m, 1);
    assert_string_equal(field(text, "charset"), "utf-8");
    assert_string_equal(field(text, "cte"), "quoted-printable");
    assert_string_equal(field(html, "charset"), "utf-8");
    assert_string_equal(field(html, "cte"), "quoted-printable");
    /* Plain text, decoded. */
    const char *t = field(text, "text");
    assert_non_null(strstr(t, "Hello Zo\xc3\xab,\r\n"));
    assert_non_null(strstr(t, "Here is the documentation for " HOSTILE ":"));
    assert_non_null(strstr(t, "Internal Documentation: https://docs.example.com/int?a=1&b=2\r\n"));
    assert_non_null(strstr(t, "General Documentation: https://docs.example.com/gen\r\n"));
    assert_non_null(strstr(t, "Additional Documentation: javascript:alert(1)\r\n"));
    /* HTML, decoded: every value escaped, only web links linked. */
    const char *h = field(html, "text");
    assert_non_null(strstr(h, "<p>Hello Zo\xc3\xab,</p>"));
    assert_non_null(strstr(h, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; S\xc3\xb6hne"));
    assert_null(strstr(h, "<script>"));
    assert_non_null(strstr(h, "<li>Internal Documentation: <a href=\"https://docs.example.com/int?a=1&amp;b=2\">"));
    assert_non_null(strstr(h, "<li>General Documentation: <a href=\"https://docs.example.com/gen\">"));
    assert_non_null(strstr(h, "<li>Additional Documentation: javascript:alert(1)</li>"));
    assert_null(strstr(h, "href=\"javascript"));
    cJSON_Delete(m);

    /* The call log: one SMTP send, 250, nothing secret. */
    assert_int_equal(c.log.n, 1);
    assert_string_equal(c.log.calls[0].service, "smtp");
    assert_string_equal(c.log.calls[0].method, "SEND");
    assert_int_equal(c.log.calls[0].status, 250);
    cJSON *lj = call_log_json(&c.log);
    char *lt = cJSON_PrintUnformatted(lj);
    assert_null(strstr(lt, PASSWORD));
    assert_null(strstr(lt, "zoe@"));
    cJSON_free(lt);
    cJSON_Delete(lj);
    t_client_close(&c);
}

static void without_links_it_says_none_are_configured(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    int before = smtp_int(starttls, "messages");
    email_doc d = {.to = "pat@partner.test", .firstname = "Pat", .org_name = "Acme", .internal = "", .general = NULL};
    email_doc_result r;
    assert_int_equal(email_share_documentation(c.in, &d, &r, &c.err), 0);
    assert_int_equal(r.links_sent, 0);
    cJSON *m = parse_mail(starttls, before + 1);
    assert_string_equal(hdr(m, "Subject"), "Documentation for Acme"); /* ASCII: not encoded */
    assert_non_null(strstr(field(alt(m, 0), "text"),
                           "No documentation links are configured for Acme yet. Please ask your HyOpps contact for them."));
    assert_non_null(strstr(field(alt(m, 1), "text"), "No documentation links are configured for <strong>Acme</strong> "
                                                     "yet. Please ask your HyOpps contact for them."));
    /* no promise that nothing keeps (issue 10, item 7): nothing sends them later */
    assert_null(strstr(field(alt(m, 0), "text"), "as soon as"));
    assert_null(strstr(field(alt(m, 1), "text"), "as soon as"));
    assert_null(strstr(field(alt(m, 1), "text"), "Documentation:"));
    cJSON_Delete(m);
    t_client_close(&c);
}

/* [smtp] from = Display Name <addr> (issue 10, item 5): the envelope gets
 * the address, the From header the whole form (the name encoded). */
static void a_sender_with_a_display_name(void **s)
{
    (void)s;
    static const struct {
        const char *from, *header, *name, *addr;
    } cases[] = {
        {"HyOpps <noreply@example.com>", "HyOpps <noreply@example.com>", "HyOpps", "noreply@example.com"},
        {"  \"Acme, Inc.\"   <ops@acme.example> ", "\"Acme, Inc.\" <ops@acme.example>", "Acme, Inc.", "ops@acme.example"},
        {"Acme Ops. <ops@acme.example>", "\"Acme Ops.\" <ops@acme.example>", "Acme Ops.", "ops@acme.example"},
        {"Zo\xc3\xab M\xc3\xbcller <zoe@example.org>", NULL, "Zo\xc3\xab M\xc3\xbcller", "zoe@example.org"},
        {"<bare@example.com>", "bare@example.com", "", "bare@example.com"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ctx c;
        open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
        free(c.cfg->smtp.from);
        c.cfg->smtp.from = xstrdup(cases[i].from);
        int before = smtp_int(starttls, "messages");
        hy_mail m = {.to = "pat@partner.test", .subject = "Hi", .text = "hi\n", .html = "<p>hi</p>"};
        char id[HY_MSGID_LEN];
        if (email_send(c.in, &m, id, &c.err) != 0) fail_msg("%s: %s", cases[i].from, c.err.msg);
        cJSON *env = envelope(starttls, before + 1);
        assert_string_equal(field(env, "mail_from"), cases[i].addr);
        cJSON_Delete(env);
        cJSON *mail = parse_mail(starttls, before + 1);
        if (cases[i].header) assert_string_equal(hdr(mail, "From"), cases[i].header);
        else assert_int_equal(strncmp(hdr(mail, "From"), "=?UTF-8?B?", 10), 0); /* RFC 2047 */
        assert_string_equal(field(mail, "from_name"), cases[i].name);
        assert_string_equal(field(mail, "from_addr"), cases[i].addr);
        assert_non_null(strstr(id, strchr(cases[i].addr, '@'))); /* Message-ID in the sender's domain */
        cJSON_Delete(mail);
        t_client_close(&c);
    }
    /* A sender the configuration could not use: nothing is sent, and the
     * message names the setting (config.c keeps it in from_error). */
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    free(c.cfg->smtp.from);
    c.cfg->smtp.from = NULL;
    c.cfg->smtp.from_error = xstrdup("environment EMAIL_FROM: [smtp] from must be an email address or Display Name "
                                     "<address> (e.g. HyOpps <noreply@example.com>), got 'HyOpps'");
    int before = smtp_int(starttls, "messages");
    hy_mail m = {.to = "pat@partner.test", .subject = "Hi", .text = "hi\n", .html = "<p>hi</p>"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_CONFIG);
    assert_non_null(strstr(c.err.msg, "Email cannot be sent: environment EMAIL_FROM: [smtp] from must be"));
    assert_int_equal(smtp_int(starttls, "messages"), before);
    assert_int_equal(email_check(c.in, &c.err), HY_ERR_CONFIG);
    assert_non_null(strstr(c.err.msg, "[smtp] from must be"));
    assert_int_equal(c.log.n, 0); /* not even a connection */
    t_client_close(&c);
}

static void each_send_is_exactly_one_message(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    int before = smtp_int(starttls, "messages");
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "one\n", .html = "<p>one</p>"};
    char id1[HY_MSGID_LEN], id2[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id1, &c.err), 0);
    assert_int_equal(smtp_int(starttls, "messages"), before + 1);
    assert_int_equal(email_send(c.in, &m, id2, &c.err), 0); /* same context: a fresh TLS connection */
    assert_int_equal(smtp_int(starttls, "messages"), before + 2);
    assert_string_not_equal(id1, id2);
    for (int i = 1; i <= 2; i++) {
        cJSON *env = envelope(starttls, before + i);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(env, "tls")));
        cJSON_Delete(env);
    }
    assert_int_equal(c.log.connections, 2);
    t_client_close(&c);
}

static void long_subjects_become_several_encoded_words(void **s)
{
    (void)s;
    hy_buf b = {0};
    for (int i = 0; i < 20; i++) hy_buf_put(&b, "\xc3\xa9t\xc3\xa9 \xe4\xb8\x96 ");
    char *enc = email_encode_subject(b.s);
    int words = 0;
    hy_buf joined = {0};
    char *save = NULL;
    for (char *w = strtok_r(enc, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        words++;
        assert_true(strlen(w) <= 75);
        assert_int_equal(strncmp(w, "=?UTF-8?B?", 10), 0);
        size_t wl = strlen(w);
        assert_string_equal(w + wl - 2, "?=");
        unsigned char bin[64];
        size_t binlen;
        w[wl - 2] = '\0';
        assert_int_equal(sodium_base642bin(bin, sizeof bin, w + 10, strlen(w + 10), NULL, &binlen, NULL,
                                           sodium_base64_VARIANT_ORIGINAL), 0);
        char piece[65];
        memcpy(piece, bin, binlen);
        piece[binlen] = '\0';
        assert_true(hy_text_is_clean(piece, " ")); /* each word is whole UTF-8 */
        hy_buf_put(&joined, piece);
    }
    assert_true(words > 1);
    assert_string_equal(joined.s, b.s);
    free(enc);
    enc = email_encode_subject("Plain\r\nBcc: evil@x");
    assert_string_equal(enc, "Plain  Bcc: evil@x"); /* no header injection */
    free(enc);
    hy_buf_free(&joined);

    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    int before = smtp_int(starttls, "messages");
    hy_mail m = {.to = "a@partner.test", .subject = b.s, .text = "x", .html = "<p>x</p>"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), 0);
    cJSON *mail = parse_mail(starttls, before + 1);
    assert_string_equal(field(mail, "subject"), b.s);
    cJSON_Delete(mail);
    t_client_close(&c);
    hy_buf_free(&b);
}

static void server_without_starttls_gets_nothing(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, plain, "starttls", good_cert, PASSWORD);
    email_doc d = {.to = "pat@partner.test", .firstname = "Pat", .org_name = "Acme"};
    email_doc_result r;
    assert_int_equal(email_share_documentation(c.in, &d, &r, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "does not offer STARTTLS: nothing was sent"));
    assert_string_equal(r.message_id, "");
    assert_int_equal(smtp_int(plain, "connections"), 1);
    assert_int_equal(smtp_int(plain, "messages"), 0);
    assert_int_equal(smtp_int(plain, "auth_ok") + smtp_int(plain, "auth_fail"), 0); /* no password in clear */
    assert_string_equal(c.log.calls[0].error, "no starttls");
    t_client_close(&c);
}

static void certificate_from_another_ca_is_refused(void **s)
{
    (void)s;
    int before = smtp_int(starttls, "messages"), auth_before = smtp_int(starttls, "auth_ok") + smtp_int(starttls, "auth_fail");
    ctx c;
    open_ctx(&c, starttls, "starttls", other_cert, PASSWORD);
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "the TLS certificate of the SMTP server 127.0.0.1:"));
    assert_non_null(strstr(c.err.msg, "is not trusted"));
    assert_non_null(strstr(c.err.msg, "set [smtp] ca_file"));
    t_client_close(&c);
    /* Nor does the system's trust store know it. */
    open_ctx(&c, starttls, "starttls", NULL, PASSWORD);
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "is not trusted"));
    t_client_close(&c);
    assert_int_equal(smtp_int(starttls, "messages"), before);
    assert_int_equal(smtp_int(starttls, "auth_ok") + smtp_int(starttls, "auth_fail"), auth_before);
}

static void wrong_password_is_permanent_and_not_shown(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, "not-the-Passw0rd");
    int before = smtp_int(starttls, "messages");
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "refused the login: check [smtp] user and password"));
    assert_null(strstr(c.err.msg, "not-the-Passw0rd"));
    assert_int_equal(smtp_int(starttls, "messages"), before);
    t_client_close(&c);
}

static void implicit_tls_sends(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, implicit, "implicit", good_cert, PASSWORD);
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), 0);
    assert_int_equal(smtp_int(implicit, "messages"), 1);
    assert_int_equal(smtp_int(implicit, "starttls"), 0);
    cJSON *env = envelope(implicit, 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(env, "tls")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(env, "authenticated")));
    cJSON_Delete(env);
    t_client_close(&c);
}

static void unreachable_server_is_transient(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    c.cfg->smtp.port = 9; /* nobody listens */
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_TRANSIENT);
    assert_non_null(strstr(c.err.msg, "cannot reach the SMTP server 127.0.0.1:9"));
    t_client_close(&c);
}

static void bad_recipient_is_refused_before_connecting(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    hy_mail m = {.to = "a@b.test\r\nBcc: x@y.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    assert_int_equal(email_send(c.in, &m, id, &c.err), HY_ERR_PERMANENT);
    assert_int_equal(c.log.n, 0);
    t_client_close(&c);
}

static void check_logs_in_then_quits_without_sending(void **s)
{
    (void)s;
    int msgs = smtp_int(starttls, "messages"), ok = smtp_int(starttls, "auth_ok"), quits = smtp_int(starttls, "quits");
    int tls = smtp_int(starttls, "starttls");
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    assert_int_equal(email_check(c.in, &c.err), 0);
    assert_int_equal(smtp_int(starttls, "auth_ok"), ok + 1);
    assert_int_equal(smtp_int(starttls, "starttls"), tls + 1);
    assert_int_equal(smtp_int(starttls, "quits"), quits + 1);
    assert_int_equal(smtp_int(starttls, "messages"), msgs);
    t_client_close(&c);

    open_ctx(&c, starttls, "starttls", good_cert, "wrong");
    assert_int_equal(email_check(c.in, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "refused the login"));
    t_client_close(&c);

    open_ctx(&c, plain, "starttls", good_cert, PASSWORD);
    assert_int_equal(email_check(c.in, &c.err), HY_ERR_PERMANENT);
    assert_non_null(strstr(c.err.msg, "does not offer STARTTLS"));
    t_client_close(&c);
}

/* After DATA: the server kept the message, then never said 250. The client
 * cannot know: "may have been delivered", never "try again". */
static void lost_answer_after_the_data_may_have_been_delivered(void **s)
{
    (void)s;
    const char *faults[] = {"[{\"kind\": \"drop_after_data\"}]", "[{\"kind\": \"hang_after_data\", \"seconds\": 4}]"};
    for (int i = 0; i < 2; i++) {
        ctx c;
        open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
        c.cfg->http.timeout_ms = 1500;
        t_smtp_fault(starttls, faults[i]);
        int before = t_smtp_messages(starttls);
        hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
        char id[HY_MSGID_LEN], mine[HY_MSGID_LEN];
        email_new_message_id(c.cfg, mine);
        email_outcome out;
        assert_int_equal(email_send_ex(c.in, &m, mine, id, &out, &c.err), HY_ERR_PERMANENT);
        assert_int_equal(out, EMAIL_MAYBE_SENT);
        assert_string_equal(id, mine); /* the caller's Message-ID, kept for the operator */
        assert_non_null(strstr(c.err.msg, "it may have been delivered"));
        assert_non_null(strstr(c.err.msg, i == 0 ? "lost the connection before confirming the message"
                                                 : "did not confirm the message in time"));
        assert_int_equal(t_smtp_messages(starttls), before + 1); /* the server did keep it */
        cJSON *mail = parse_mail(starttls, before + 1);
        assert_string_equal(hdr(mail, "Message-ID"), mine);
        cJSON_Delete(mail);
        t_client_close(&c);
    }
    t_smtp_fault(starttls, "[]");
}

/* An explicit refusal after the data, and failures before it: nothing sent. */
static void refusals_and_early_failures_sent_nothing(void **s)
{
    (void)s;
    ctx c;
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    int before = t_smtp_messages(starttls);
    hy_mail m = {.to = "a@partner.test", .subject = "Hi", .text = "x", .html = "x"};
    char id[HY_MSGID_LEN];
    email_outcome out;
    t_smtp_fault(starttls, "[{\"kind\": \"reject_after_data\", \"reply\": \"451 4.3.0 Try again later\"}]");
    assert_int_equal(email_send_ex(c.in, &m, NULL, id, &out, &c.err), HY_ERR_TRANSIENT);
    assert_int_equal(out, EMAIL_NOT_SENT);
    assert_non_null(strstr(c.err.msg, "answered 451"));
    t_smtp_fault(starttls, "[{\"kind\": \"reject_after_data\", \"reply\": \"554 5.7.1 Rejected\"}]");
    assert_int_equal(email_send_ex(c.in, &m, NULL, id, &out, &c.err), HY_ERR_PERMANENT);
    assert_int_equal(out, EMAIL_NOT_SENT);
    assert_non_null(strstr(c.err.msg, "refused the message (554)"));
    assert_int_equal(t_smtp_messages(starttls), before);
    c.cfg->smtp.port = 9;
    assert_int_equal(email_send_ex(c.in, &m, NULL, id, &out, &c.err), HY_ERR_TRANSIENT);
    assert_int_equal(out, EMAIL_NOT_SENT);
    t_client_close(&c);
    /* a Message-ID that could inject a header is refused */
    open_ctx(&c, starttls, "starttls", good_cert, PASSWORD);
    assert_int_equal(email_send_ex(c.in, &m, "<a@b>\r\nBcc: x@y", id, &out, &c.err), HY_ERR_INTERNAL);
    assert_int_equal(c.log.n, 0);
    assert_false(email_message_id_ok("<a b@c>"));
    assert_true(email_message_id_ok("<1-2@example.com>"));
    t_client_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documentation_email_checked_part_by_part),
        cmocka_unit_test(lost_answer_after_the_data_may_have_been_delivered),
        cmocka_unit_test(refusals_and_early_failures_sent_nothing),
        cmocka_unit_test(without_links_it_says_none_are_configured),
        cmocka_unit_test(each_send_is_exactly_one_message),
        cmocka_unit_test(a_sender_with_a_display_name),
        cmocka_unit_test(long_subjects_become_several_encoded_words),
        cmocka_unit_test(server_without_starttls_gets_nothing),
        cmocka_unit_test(certificate_from_another_ca_is_refused),
        cmocka_unit_test(wrong_password_is_permanent_and_not_shown),
        cmocka_unit_test(implicit_tls_sends),
        cmocka_unit_test(unreachable_server_is_transient),
        cmocka_unit_test(bad_recipient_is_refused_before_connecting),
        cmocka_unit_test(check_logs_in_then_quits_without_sending),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
