/* config: a good file, each kind of bad value with its FILE:LINE message,
 * env overrides, lookup order, the embedded default, modes. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char dir[256];

static const char *ENV_VARS[] = {"JWT_SECRET", "METABASE_URL", "METABASE_API_KEY", "AZURE_TENANT_ID",
                                 "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "TEAMS_TEAM_ID", "SMTP_HOST",
                                 "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "EMAIL_FROM", "SLACK_BOT_TOKEN",
                                 "HYOPPS_DB", "HYOPPS_CONFIG", "XDG_CONFIG_HOME"};

static int setup(void **s)
{
    (void)s;
    snprintf(dir, sizeof dir, "/tmp/hyopps-config.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    for (size_t i = 0; i < sizeof ENV_VARS / sizeof ENV_VARS[0]; i++) unsetenv(ENV_VARS[i]);
    return chdir(dir);
}

static int teardown(void **s)
{
    (void)s;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (chdir("/") != 0) return -1;
    return system(cmd) == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text, mode_t mode)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

/* Loads text as a config file; returns the error message ("" if loaded). */
static const char *load_error(const char *text)
{
    static hy_err err;
    char *path = write_file("bad.ini", text, 0600);
    hy_config *cfg = NULL;
    int rc = config_load_file(path, &cfg, &err, NULL);
    if (rc == 0) {
        config_free(cfg);
        err.msg[0] = '\0';
    } else {
        assert_null(cfg);
        assert_int_equal(err.code, HY_ERR_CONFIG);
    }
    free(path);
    return err.msg;
}

static void good_file_sets_everything(void **s)
{
    (void)s;
    char *path = write_file("good.ini",
                            "; a comment\n"
                            "[database]\npath = /var/lib/hyopps/hyopps.db\n"
                            "[auth]\njwt_secret = 0123456789abcdef0123456789abcdef-x\nsession_hours = 4\n"
                            "lockout_attempts = 3\nlockout_minutes = 10\npassword_memlimit = 32M\npassword_opslimit = 3\n"
                            "[metabase]\nurl = https://metabase.example\napi_key = mb_secret\n"
                            "template_collection_id = 12\nparent_collection_id = 3\ndatabase_ids = 1, 2,5\n"
                            "deactivate_on_revoke = no\n"
                            "[azure]\ntenant_id = t\nclient_id = c\nclient_secret = s\n"
                            "[teams]\nteam_id = team-1\ndelete_guest_on_revoke = yes\n"
                            "[slack]\nmode = simulate\nbot_token = xoxb-1\n"
                            "[smtp]\nhost = smtp.example\nport = 465\ntls = implicit\nuser = u@example.com\n"
                            "password = p\nfrom = HyOpps@example.com\n"
                            "[http]\ntimeout_ms = 2500\nmax_attempts = 3\n"
                            "[ui]\nascii = yes\ncolor = off\n"
                            "[security]\nrestricted = true\nidle_minutes = 30\n"
                            "[notify]\nenabled = false\nadmin_emails = ops@example.com, Lead@Example.com\n"
                            "slack_channel = #hy-ops\nremind_after_hours = 4\nmax_reminders = 0\ndigest_hour = 7\n"
                            "input_delay_minutes = 0\n"
                            "[reconcile]\nevery_hours = 6\n",
                            0600);
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_string_equal(cfg->database.path, "/var/lib/hyopps/hyopps.db");
    assert_false(cfg->embedded_default);
    assert_int_equal(cfg->auth.session_hours, 4);
    assert_int_equal(cfg->auth.lockout_attempts, 3);
    assert_int_equal(cfg->auth.lockout_minutes, 10);
    assert_int_equal(cfg->auth.password_memlimit, 32u * 1024 * 1024);
    assert_int_equal(cfg->auth.password_opslimit, 3);
    assert_int_equal(cfg->metabase.mode, HY_MODE_LIVE);
    assert_string_equal(cfg->metabase.api_key, "mb_secret");
    assert_int_equal(cfg->metabase.template_collection_id, 12);
    assert_int_equal(cfg->metabase.ndatabase_ids, 3);
    assert_int_equal(cfg->metabase.database_ids[2], 5);
    assert_false(cfg->metabase.deactivate_on_revoke);
    assert_true(cfg->teams.delete_guest_on_revoke);
    assert_int_equal(cfg->teams.mode, HY_MODE_LIVE);
    assert_int_equal(cfg->slack.mode, HY_MODE_SIMULATE); /* explicit mode wins */
    assert_int_equal(cfg->smtp.mode, HY_MODE_LIVE);
    assert_int_equal(cfg->smtp.port, 465);
    assert_int_equal(cfg->smtp.tls, HY_TLS_IMPLICIT);
    assert_int_equal(cfg->http.timeout_ms, 2500);
    assert_true(cfg->ui.ascii);
    assert_false(cfg->ui.color);
    assert_true(cfg->security.restricted);
    assert_int_equal(cfg->security.idle_minutes, 30);
    assert_false(cfg->notify.enabled);
    assert_string_equal(cfg->notify.admin_emails, "ops@example.com, Lead@Example.com");
    assert_string_equal(cfg->notify.slack_channel, "#hy-ops");
    assert_int_equal(cfg->notify.remind_after_hours, 4);
    assert_int_equal(cfg->notify.max_reminders, 0);
    assert_int_equal(cfg->notify.digest_hour, 7);
    assert_int_equal(cfg->notify.input_delay_minutes, 0);
    assert_int_equal(cfg->reconcile.every_hours, 6);
    config_free(cfg);
    free(path);
}

static void defaults_and_off_without_credentials(void **s)
{
    (void)s;
    char *path = write_file("min.ini", "[database]\npath = x.db\n", 0600);
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_int_equal(cfg->auth.session_hours, 8);
    assert_int_equal(cfg->auth.lockout_attempts, 5);
    assert_int_equal(cfg->auth.lockout_minutes, 15);
    assert_int_equal(cfg->smtp.port, 587);
    assert_int_equal(cfg->smtp.tls, HY_TLS_STARTTLS);
    assert_int_equal(cfg->bulk.max_rows, 500);
    /* revocation: the emptied Metabase account is deactivated, the Teams guest kept */
    assert_true(cfg->metabase.deactivate_on_revoke);
    assert_false(cfg->teams.delete_guest_on_revoke);
    /* A config file without credentials: integrations are off, not simulated. */
    assert_int_equal(cfg->metabase.mode, HY_MODE_OFF);
    assert_int_equal(cfg->teams.mode, HY_MODE_OFF);
    assert_int_equal(cfg->slack.mode, HY_MODE_OFF);
    assert_int_equal(cfg->smtp.mode, HY_MODE_OFF);
    /* notifications: on, to every admin and support user, no Slack, no digest */
    assert_true(cfg->notify.enabled);
    assert_null(cfg->notify.admin_emails);
    assert_int_equal(cfg->reconcile.every_hours, 24);
    assert_null(cfg->notify.slack_channel);
    assert_int_equal(cfg->notify.remind_after_hours, 24);
    assert_int_equal(cfg->notify.max_reminders, 3);
    assert_int_equal(cfg->notify.digest_hour, -1);
    assert_int_equal(cfg->notify.input_delay_minutes, 2);
    config_free(cfg);
    free(path);
}

static void each_bad_value_names_file_line_and_fix(void **s)
{
    (void)s;
    const char *m;
    m = load_error("[database]\npath = a.db\n[wat]\nx = 1\n");
    assert_non_null(strstr(m, "bad.ini:3: unknown section [wat]"));
    assert_non_null(strstr(m, "allowed: database, auth"));
    m = load_error("[auth]\nsession_hour = 8\n");
    assert_non_null(strstr(m, "bad.ini:2: unknown key 'session_hour' in [auth]"));
    assert_non_null(strstr(m, "session_hours"));
    m = load_error("[smtp]\n\nport = 99999\n");
    assert_non_null(strstr(m, "bad.ini:3: [smtp] port must be a whole number from 1 to 65535, got '99999'"));
    m = load_error("[smtp]\ntls = ssl\n");
    assert_non_null(strstr(m, "bad.ini:2: [smtp] tls must be starttls or implicit, got 'ssl'"));
    m = load_error("[metabase]\nmode = maybe\n");
    assert_non_null(strstr(m, "bad.ini:2: [metabase] mode must be one of live, simulate, off; got 'maybe'"));
    m = load_error("[metabase]\nurl = http://metabase.example\n");
    assert_non_null(strstr(m, "must use https://"));
    m = load_error("[metabase]\nurl = not a url\n");
    assert_non_null(strstr(m, "must be an https:// URL"));
    m = load_error("[metabase]\ndatabase_ids = 1, two\n");
    assert_non_null(strstr(m, "bad.ini:2: [metabase] database_ids must be a comma-separated list"));
    m = load_error("[bulk]\nmax_rows = 0\n");
    assert_non_null(strstr(m, "bad.ini:2: [bulk] max_rows must be a whole number from 1 to 10000, got '0'"));
    m = load_error("[ui]\ncolor = purple\n");
    assert_non_null(strstr(m, "bad.ini:2: [ui] color must be true or false"));
    m = load_error("[auth]\npassword_memlimit = lots\n");
    assert_non_null(strstr(m, "password_memlimit must be a size"));
    m = load_error("[auth]\njwt_secret = hyopps-dev-secret-change-in-prod\n");
    assert_non_null(strstr(m, "bad.ini:2: [auth] jwt_secret is the original app's public default secret"));
    m = load_error("[auth]\njwt_secret = short\n");
    assert_non_null(strstr(m, "jwt_secret is too short"));
    m = load_error("[http]\nca_file = /nonexistent/ca.pem\n");
    assert_non_null(strstr(m, "bad.ini:2: [http] ca_file: cannot read /nonexistent/ca.pem"));
    m = load_error("this is not ini\n");
    assert_non_null(strstr(m, "bad.ini:1: syntax error"));
    m = load_error("[metabase]\nmode = live\n");
    assert_non_null(strstr(m, "[metabase] mode = live needs url and api_key"));
    m = load_error("[notify]\nadmin_emails = ops@example.com, not-an-address\n");
    assert_non_null(strstr(m, "bad.ini:2: [notify] admin_emails must be email addresses separated by commas, got "
                              "'not-an-address'"));
    m = load_error("[notify]\nslack_channel = #ops room\n");
    assert_non_null(strstr(m, "[notify] slack_channel must be a channel name (#ops) or id"));
    m = load_error("[notify]\ndigest_hour = 24\n");
    assert_non_null(strstr(m, "bad.ini:2: [notify] digest_hour must be an hour from 0 to 23 (or empty for none)"));
    m = load_error("[notify]\nremind_after_hours = 0\n");
    assert_non_null(strstr(m, "[notify] remind_after_hours must be a whole number from 1 to 720"));
    m = load_error("[reconcile]\nevery_hours = -1\n");
    assert_non_null(strstr(m, "[reconcile] every_hours must be a whole number from 0 to 8760"));
    m = load_error("[notify]\nenabled = perhaps\n");
    assert_non_null(strstr(m, "[notify] enabled must be true or false"));
    m = load_error("[nofity]\nenabled = true\n");
    assert_non_null(strstr(m, "http, engine, bulk, notify, reconcile, ui, security)"));
    /* Control characters in a value are refused, not stored. */
    m = load_error("[teams]\nteam_id = a\x1b[31mb\n");
    assert_non_null(strstr(m, "contains control characters"));
    /* And a good one loads. */
    assert_string_equal(load_error("[ui]\nascii = false\n"), "");
}

static void env_overrides_file(void **s)
{
    (void)s;
    char *path = write_file("env.ini", "[database]\npath = file.db\n[smtp]\nhost = file.example\nport = 25\n", 0600);
    setenv("HYOPPS_DB", "env.db", 1);
    setenv("SMTP_PORT", "2525", 1);
    setenv("METABASE_URL", "https://mb.example", 1);
    setenv("METABASE_API_KEY", "k", 1);
    setenv("EMAIL_FROM", "ops@example.com", 1);
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_string_equal(cfg->database.path, "env.db");
    assert_int_equal(cfg->smtp.port, 2525);
    assert_string_equal(cfg->smtp.host, "file.example");
    assert_string_equal(cfg->smtp.from, "ops@example.com");
    assert_int_equal(cfg->metabase.mode, HY_MODE_LIVE);
    config_free(cfg);
    setenv("SMTP_PORT", "nope", 1);
    assert_int_not_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_non_null(strstr(err.msg, "environment SMTP_PORT: [smtp] port must be a whole number"));
    setenv("JWT_SECRET", "hyopps-dev-secret-change-in-prod", 1);
    unsetenv("SMTP_PORT");
    assert_int_not_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_non_null(strstr(err.msg, "environment JWT_SECRET"));
    for (size_t i = 0; i < sizeof ENV_VARS / sizeof ENV_VARS[0]; i++) unsetenv(ENV_VARS[i]);
    free(path);
}

/* [smtp] from / EMAIL_FROM (issue 10, item 5): the original's documented
 * "HyOpps <noreply@example.com>" is accepted; a bad sender does not stop
 * loading (every command would die): it is kept for what sends mail. */
static void sender_forms_and_a_bad_one_stops_only_mail(void **s)
{
    (void)s;
    static const char *const good[] = {"noreply@example.com", "HyOpps <noreply@example.com>",
                                       "\"Acme, Inc.\" <ops@acme.example>", "Zo\xc3\xab M\xc3\xbcller <zoe@example.org>",
                                       "<bare@example.com>"};
    hy_config *cfg = NULL;
    hy_err err;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *text = xasprintf("[smtp]\nhost = mail.example\nfrom = %s\n", good[i]);
        char *path = write_file("from.ini", text, 0600);
        if (config_load_file(path, &cfg, &err, NULL) != 0) fail_msg("%s: %s", good[i], err.msg);
        assert_string_equal(cfg->smtp.from, good[i]);
        assert_null(cfg->smtp.from_error);
        config_free(cfg);
        setenv("EMAIL_FROM", good[i], 1);
        free(path);
        path = write_file("from.ini", "[smtp]\nhost = mail.example\n", 0600);
        assert_int_equal(config_load_file(path, &cfg, &err, NULL), 0);
        assert_string_equal(cfg->smtp.from, good[i]);
        assert_null(cfg->smtp.from_error);
        config_free(cfg);
        unsetenv("EMAIL_FROM");
        free(text);
        free(path);
    }
    static const char *const bad[] = {"not-an-address", "HyOpps", "HyOpps <noreply>", "A <b@example.com",
                                      "Evil\r\nBcc: x@example.com <a@example.com>", "\"Un\"quoted\" <a@example.com>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("EMAIL_FROM", bad[i], 1);
        /* live SMTP, no other sender: still loads */
        char *path = write_file("bad-from.ini", "[smtp]\nhost = mail.example\n", 0600);
        if (config_load_file(path, &cfg, &err, NULL) != 0) fail_msg("%s: %s", bad[i], err.msg);
        assert_int_equal(cfg->smtp.mode, HY_MODE_LIVE);
        assert_null(cfg->smtp.from);
        assert_non_null(cfg->smtp.from_error);
        assert_non_null(strstr(cfg->smtp.from_error, "environment EMAIL_FROM: [smtp] from must be an email address "
                                                     "or Display Name <address>"));
        config_free(cfg);
        free(path);
    }
    unsetenv("EMAIL_FROM");
    char *path = write_file("bad-from.ini", "[smtp]\nmode = simulate\n\nfrom = HyOpps\n", 0600);
    assert_int_equal(config_load_file(path, &cfg, &err, NULL), 0);
    assert_non_null(strstr(cfg->smtp.from_error, "bad-from.ini:4: [smtp] from must be"));
    config_free(cfg);
    free(path);
}

/* Lines longer than inih's 200 bytes (issue 10, item 7): a long value is
 * read whole, the lines after it keep their numbers, and a line over the
 * limit is refused with its number. */
static void long_lines(void **s)
{
    (void)s;
    char secret[1001], key[601];
    for (int i = 0; i < 1000; i++) secret[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
    secret[1000] = '\0';
    memset(key, 'k', 600);
    key[600] = '\0';
    hy_buf text = {0};
    hy_buf_printf(&text, "; %s\n[auth]\njwt_secret = %s\n[metabase]\nurl = https://mb.example\napi_key=%s ; a comment\n"
                         "[smtp]\nport = 2525\n", secret, secret, key);
    char *path = write_file("long.ini", text.s, 0600);
    hy_config *cfg = NULL;
    hy_err err;
    if (config_load_file(path, &cfg, &err, NULL) != 0) fail_msg("%s", err.msg);
    assert_int_equal(strlen(cfg->auth.jwt_secret), 1000);
    assert_string_equal(cfg->auth.jwt_secret, secret);
    assert_string_equal(cfg->metabase.api_key, key);
    assert_int_equal(cfg->metabase.mode, HY_MODE_LIVE);
    assert_int_equal(cfg->smtp.port, 2525);
    config_free(cfg);
    free(path);
    /* the line numbers after a long line are right */
    hy_buf_reset(&text);
    hy_buf_printf(&text, "[auth]\njwt_secret = %s\n[smtp]\nport = many\n", secret);
    assert_non_null(strstr(load_error(text.s), "bad.ini:4: [smtp] port must be a whole number"));
    /* a long line that is not key = value */
    hy_buf_reset(&text);
    hy_buf_printf(&text, "[auth]\n%s\n", secret);
    assert_non_null(strstr(load_error(text.s), "bad.ini:2: syntax error"));
    /* a long key is no setting */
    hy_buf_reset(&text);
    hy_buf_printf(&text, "[auth]\n%s = 1\n", secret);
    assert_non_null(strstr(load_error(text.s), "bad.ini:2: unknown key"));
    /* over the limit */
    hy_buf_reset(&text);
    hy_buf_put(&text, "[auth]\n\njwt_secret = ");
    for (int i = 0; i < 9; i++) hy_buf_put(&text, secret);
    hy_buf_put(&text, "\n");
    const char *m = load_error(text.s);
    assert_non_null(strstr(m, "bad.ini:3: line 3 is too long ("));
    assert_non_null(strstr(m, "at most 8192)"));
    hy_buf_free(&text);
}

static const char *loaded_from(const char *explicit_path)
{
    static char src[512];
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_equal(config_load(explicit_path, &cfg, &err, NULL), 0);
    hy_strlcpy(src, cfg->source ? cfg->source : "(embedded default)", sizeof src);
    config_free(cfg);
    return src;
}

static void lookup_order(void **s)
{
    (void)s;
    /* Nothing anywhere (/etc/hyopps is assumed absent on test machines). */
    char *xdg = xasprintf("%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    if (access("/etc/hyopps/config.ini", F_OK) != 0) {
        assert_string_equal(loaded_from(NULL), "(embedded default)");
        hy_config *cfg = NULL;
        hy_err err;
        assert_int_equal(config_load(NULL, &cfg, &err, NULL), 0);
        assert_true(cfg->embedded_default);
        assert_string_equal(cfg->database.path, "hyopps.db");
        assert_int_equal(cfg->metabase.mode, HY_MODE_SIMULATE);
        assert_int_equal(cfg->teams.mode, HY_MODE_SIMULATE);
        assert_int_equal(cfg->slack.mode, HY_MODE_SIMULATE);
        assert_int_equal(cfg->smtp.mode, HY_MODE_SIMULATE);
        config_free(cfg);
    }
    /* XDG */
    char *xdgdir = xasprintf("%s/hyopps", xdg);
    mkdir(xdg, 0700);
    mkdir(xdgdir, 0700);
    char *p_xdg = write_file("xdg/hyopps/config.ini", "[ui]\nascii = true\n", 0600);
    assert_string_equal(loaded_from(NULL), p_xdg);
    /* ./config.ini beats XDG */
    free(write_file("config.ini", "[ui]\nascii = true\n", 0600));
    assert_string_equal(loaded_from(NULL), "config.ini");
    /* $HYOPPS_CONFIG beats ./config.ini */
    char *p_env = write_file("env.ini", "[ui]\nascii = true\n", 0600);
    setenv("HYOPPS_CONFIG", p_env, 1);
    assert_string_equal(loaded_from(NULL), p_env);
    /* --config beats everything */
    char *p_cli = write_file("cli.ini", "[ui]\nascii = true\n", 0600);
    assert_string_equal(loaded_from(p_cli), p_cli);
    /* An explicit file that does not exist is an error, not a fallback. */
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_not_equal(config_load("/nonexistent/x.ini", &cfg, &err, NULL), 0);
    assert_non_null(strstr(err.msg, "/nonexistent/x.ini: cannot open"));
    unsetenv("HYOPPS_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
    free(xdg); free(xdgdir); free(p_xdg); free(p_env); free(p_cli);
}

static void readable_secret_file_warns(void **s)
{
    (void)s;
    char *path = write_file("open.ini", "[slack]\nbot_token = xoxb-secret\n", 0644);
    char buf[512] = "";
    FILE *warn = fmemopen(buf, sizeof buf, "w");
    hy_config *cfg = NULL;
    hy_err err;
    assert_int_equal(config_load_file(path, &cfg, &err, warn), 0);
    fclose(warn);
    assert_non_null(strstr(buf, "holds secrets and is readable by other users"));
    assert_non_null(strstr(buf, "chmod 600"));
    assert_null(strstr(buf, "xoxb-secret"));
    config_free(cfg);
    /* 0600: no warning */
    chmod(path, 0600);
    memset(buf, 0, sizeof buf);
    warn = fmemopen(buf, sizeof buf, "w");
    assert_int_equal(config_load_file(path, &cfg, &err, warn), 0);
    fclose(warn);
    assert_string_equal(buf, "");
    config_free(cfg);
    free(path);
}

/* config.example.ini documents every setting and loads as it is. */
static void example_config_is_complete_and_valid(void **s)
{
    (void)s;
    char *src = xasprintf("%s/config.example.ini", getenv("HYOPPS_ROOT") ? getenv("HYOPPS_ROOT") : ".");
    FILE *f = fopen(src, "r");
    assert_non_null(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    const char *section, *key;
    char current[64] = "";
    for (int i = 0; config_key_at(i, &section, &key); i++) {
        /* The key appears (set or commented out) inside its section. */
        char head[80], *sec, *next, pat1[96], pat2[96];
        snprintf(head, sizeof head, "[%s]", section);
        sec = strstr(text, head);
        if (!sec) fail_msg("config.example.ini has no %s section", head);
        next = strstr(sec + 1, "\n[");
        snprintf(pat1, sizeof pat1, "\n%s =", key);
        snprintf(pat2, sizeof pat2, "\n; %s =", key);
        char *at = strstr(sec, pat1), *at2 = strstr(sec, pat2);
        bool inside = (at && (!next || at < next)) || (at2 && (!next || at2 < next));
        if (!inside) fail_msg("config.example.ini does not document [%s] %s", section, key);
        hy_strlcpy(current, section, sizeof current);
    }
    char *copy = write_file("example.ini", text, 0600);
    hy_config *cfg = NULL;
    hy_err err;
    if (config_load_file(copy, &cfg, &err, NULL) != 0) fail_msg("config.example.ini does not load: %s", err.msg);
    assert_int_equal(cfg->auth.password_memlimit, 19u * 1024 * 1024);
    assert_int_equal(cfg->metabase.mode, HY_MODE_OFF);
    config_free(cfg);
    free(copy);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(good_file_sets_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(defaults_and_off_without_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(each_bad_value_names_file_line_and_fix, setup, teardown),
        cmocka_unit_test_setup_teardown(env_overrides_file, setup, teardown),
        cmocka_unit_test_setup_teardown(sender_forms_and_a_bad_one_stops_only_mail, setup, teardown),
        cmocka_unit_test_setup_teardown(long_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(lookup_order, setup, teardown),
        cmocka_unit_test_setup_teardown(readable_secret_file_warns, setup, teardown),
        cmocka_unit_test_setup_teardown(example_config_is_complete_and_valid, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
