#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "sanitize.h"
#include "validate.h"

/* The original app's public default secret: never accept it. */
#define ORIGINAL_DEFAULT_SECRET "hyopps-dev-secret-change-in-prod"

typedef enum {
    T_STR, T_SECRET, T_URL, T_INT, T_LONGID, T_SIZE, T_BOOL, T_MODE, T_TLS, T_IDLIST, T_PATH, T_EMAIL,
    T_EMAILS,   /* comma-separated addresses, kept as given */
    T_CHANNEL,  /* a Slack channel: #name or an id */
    T_HOUR,     /* 0-23, or empty: none (-1) */
} key_type;

/* Every setting, once: section, key, type, where it lives, bounds. */
typedef struct {
    const char *section;
    const char *key;
    key_type type;
    size_t offset;
    long min, max;
} key_def;

#define OFF(f) offsetof(hy_config, f)
static const key_def KEYS[] = {
    {"database", "path", T_PATH, OFF(database.path), 0, 0},
    {"auth", "jwt_secret", T_SECRET, OFF(auth.jwt_secret), 0, 0},
    {"auth", "session_hours", T_INT, OFF(auth.session_hours), 1, 720},
    {"auth", "lockout_attempts", T_INT, OFF(auth.lockout_attempts), 1, 100},
    {"auth", "lockout_minutes", T_INT, OFF(auth.lockout_minutes), 1, 1440},
    {"auth", "password_memlimit", T_SIZE, OFF(auth.password_memlimit), 8192, 0},
    {"auth", "password_opslimit", T_INT, OFF(auth.password_opslimit), 1, 20},
    {"metabase", "mode", T_MODE, OFF(metabase.mode), 0, 0},
    {"metabase", "url", T_URL, OFF(metabase.url), 0, 0},
    {"metabase", "api_key", T_SECRET, OFF(metabase.api_key), 0, 0},
    {"metabase", "template_collection_id", T_LONGID, OFF(metabase.template_collection_id), 1, 2147483647},
    {"metabase", "parent_collection_id", T_LONGID, OFF(metabase.parent_collection_id), 1, 2147483647},
    {"metabase", "database_ids", T_IDLIST, OFF(metabase.database_ids), 1, 2147483647},
    {"metabase", "revoke_view_data", T_STR, OFF(metabase.revoke_view_data), 0, 0},
    {"metabase", "deactivate_on_revoke", T_BOOL, OFF(metabase.deactivate_on_revoke), 0, 0},
    {"azure", "tenant_id", T_STR, OFF(azure.tenant_id), 0, 0},
    {"azure", "client_id", T_STR, OFF(azure.client_id), 0, 0},
    {"azure", "client_secret", T_SECRET, OFF(azure.client_secret), 0, 0},
    {"azure", "login_url", T_URL, OFF(azure.login_url), 0, 0},
    {"azure", "graph_url", T_URL, OFF(azure.graph_url), 0, 0},
    {"teams", "mode", T_MODE, OFF(teams.mode), 0, 0},
    {"teams", "team_id", T_STR, OFF(teams.team_id), 0, 0},
    {"teams", "delete_guest_on_revoke", T_BOOL, OFF(teams.delete_guest_on_revoke), 0, 0},
    {"slack", "mode", T_MODE, OFF(slack.mode), 0, 0},
    {"slack", "bot_token", T_SECRET, OFF(slack.bot_token), 0, 0},
    {"slack", "api_url", T_URL, OFF(slack.api_url), 0, 0},
    {"smtp", "mode", T_MODE, OFF(smtp.mode), 0, 0},
    {"smtp", "host", T_STR, OFF(smtp.host), 0, 0},
    {"smtp", "port", T_INT, OFF(smtp.port), 1, 65535},
    {"smtp", "tls", T_TLS, OFF(smtp.tls), 0, 0},
    {"smtp", "user", T_STR, OFF(smtp.user), 0, 0},
    {"smtp", "password", T_SECRET, OFF(smtp.password), 0, 0},
    {"smtp", "from", T_EMAIL, OFF(smtp.from), 0, 0},
    {"smtp", "ca_file", T_PATH, OFF(smtp.ca_file), 0, 0},
    {"http", "timeout_ms", T_INT, OFF(http.timeout_ms), 100, 600000},
    {"http", "max_attempts", T_INT, OFF(http.max_attempts), 1, 20},
    {"http", "ca_file", T_PATH, OFF(http.ca_file), 0, 0},
    {"engine", "inline_local_steps", T_BOOL, OFF(engine.inline_local_steps), 0, 0},
    {"engine", "worker_heartbeat_seconds", T_INT, OFF(engine.worker_heartbeat_seconds), 1, 3600},
    {"bulk", "max_rows", T_INT, OFF(bulk.max_rows), 1, 10000},
    {"notify", "enabled", T_BOOL, OFF(notify.enabled), 0, 0},
    {"notify", "admin_emails", T_EMAILS, OFF(notify.admin_emails), 0, 0},
    {"notify", "slack_channel", T_CHANNEL, OFF(notify.slack_channel), 0, 0},
    {"notify", "remind_after_hours", T_INT, OFF(notify.remind_after_hours), 1, 720},
    {"notify", "max_reminders", T_INT, OFF(notify.max_reminders), 0, 100},
    {"notify", "digest_hour", T_HOUR, OFF(notify.digest_hour), 0, 23},
    {"notify", "input_delay_minutes", T_INT, OFF(notify.input_delay_minutes), 0, 1440},
    {"reconcile", "every_hours", T_INT, OFF(reconcile.every_hours), 0, 8760},
    {"ui", "ascii", T_BOOL, OFF(ui.ascii), 0, 0},
    {"ui", "color", T_BOOL, OFF(ui.color), 0, 0},
    {"ui", "poll_ms", T_INT, OFF(ui.poll_ms), 0, 1000},
    {"security", "restricted", T_BOOL, OFF(security.restricted), 0, 0},
    {"security", "idle_minutes", T_INT, OFF(security.idle_minutes), 0, 1440},
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

/* Which integration modes were set explicitly (by key offset). */
typedef struct {
    hy_config *cfg;
    const char *file;
    int line;               /* line being parsed, counted by the reader */
    FILE *fp;
    hy_err *err;
    bool mode_set[4];       /* metabase, teams, slack, smtp */
    bool has_secret;
    char *buf;              /* the line being read (getline) */
    size_t bufcap;
    char *long_value;       /* the value of a line too long for inih, handed over by the reader */
} parse_state;

/* inih (Debian's shared library) reads at most 199 bytes a line and splits
 * longer ones; the reader hands it such a line as "key=" LONG_MARK and the
 * handler takes the value from long_value. */
#define MAX_CONFIG_LINE 8192
#define LONG_MARK "\x01"

static const char *mode_names[] = {"off", "simulate", "live"};

bool config_key_at(int i, const char **section, const char **key)
{
    if (i < 0 || (size_t)i >= NKEYS) return false;
    *section = KEYS[i].section;
    *key = KEYS[i].key;
    return true;
}

const char *config_mode_name(hy_mode m) { return m <= HY_MODE_LIVE ? mode_names[m] : "?"; }

static int mode_slot(size_t offset)
{
    if (offset == OFF(metabase.mode)) return 0;
    if (offset == OFF(teams.mode)) return 1;
    if (offset == OFF(slack.mode)) return 2;
    return 3;
}

static void set_string(hy_config *cfg, size_t off, const char *v)
{
    char **slot = (char **)((char *)cfg + off);
    free(*slot);
    *slot = xstrdup(v);
}

/* Parses a size with an optional K/M/G suffix (binary units). */
static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') return false;
    unsigned long long mult = 1;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mult = 1024ULL; break;
        case 'm': case 'M': mult = 1024ULL * 1024; break;
        case 'g': case 'G': mult = 1024ULL * 1024 * 1024; break;
        default: return false;
        }
        end++;
        if (*end == 'i' || *end == 'I') end++;
        if (*end == 'b' || *end == 'B') end++;
        if (*end) return false;
    }
    if (v > (4ULL << 30) / mult) return false;
    *out = (size_t)(v * mult);
    return true;
}

/* Applies one value; on error fills err with "what is wrong" (no location). */
static int apply_value(hy_config *cfg, const key_def *k, const char *value, hy_err *err,
                       const char *where)
{
    char *base = (char *)cfg;
    long n;
    switch (k->type) {
    case T_STR:
    case T_SECRET:
        if (!hy_text_is_clean(value, NULL))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s contains control characters", where,
                           k->section, k->key);
        if (k->type == T_SECRET && strcmp(k->key, "jwt_secret") == 0 && *value) {
            if (strcmp(value, ORIGINAL_DEFAULT_SECRET) == 0)
                return hy_fail(err, HY_ERR_CONFIG,
                               "%s[auth] jwt_secret is the original app's public default secret; "
                               "set a random value of at least 32 characters (e.g. `openssl rand -base64 48`) "
                               "or remove it to have one generated", where);
            if (strlen(value) < 32)
                return hy_fail(err, HY_ERR_CONFIG,
                               "%s[auth] jwt_secret is too short (%zu characters); use at least 32 "
                               "random characters (e.g. `openssl rand -base64 48`)", where, strlen(value));
        }
        set_string(cfg, k->offset, *value ? value : NULL);
        return 0;
    case T_PATH:
        if (!*value || !hy_text_is_clean(value, NULL))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s must be a file path", where, k->section, k->key);
        if (strcmp(k->key, "ca_file") == 0 && access(value, R_OK) != 0)
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] ca_file: cannot read %s: %s", where,
                           k->section, value, strerror(errno));
        set_string(cfg, k->offset, value);
        return 0;
    case T_URL:
        if (*value && !hy_valid_http_url(value))
            return hy_fail(err, HY_ERR_CONFIG,
                           "%s[%s] %s must be an https:// URL, got '%s'", where, k->section, k->key, value);
        if (*value && strncasecmp(value, "http://", 7) == 0 && !hy_url_is_loopback(value))
            return hy_fail(err, HY_ERR_CONFIG,
                           "%s[%s] %s must use https:// (plain http is allowed only to 127.0.0.1, ::1 or localhost)",
                           where, k->section, k->key);
        set_string(cfg, k->offset, *value ? value : NULL);
        return 0;
    case T_EMAILS: {
        char *copy = xstrdup(value), *save = NULL;
        int rc = 0, n = 0;
        for (char *tok = strtok_r(copy, ", ", &save); tok && rc == 0; tok = strtok_r(NULL, ", ", &save), n++)
            if (!hy_valid_email(tok))
                rc = hy_fail(err, HY_ERR_CONFIG,
                             "%s[%s] %s must be email addresses separated by commas, got '%s'", where, k->section,
                             k->key, tok);
        free(copy);
        if (rc == 0) set_string(cfg, k->offset, n ? value : NULL);
        return rc;
    }
    case T_CHANNEL: {
        bool ok = true;
        const char *v = value;
        if (*v == '#') v++;
        if (*value && (!*v || strlen(v) > 80)) ok = false;
        for (const char *q = v; *q && ok; q++)
            ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '-' ||
                 *q == '_' || *q == '.';
        if (!ok)
            return hy_fail(err, HY_ERR_CONFIG,
                           "%s[%s] %s must be a channel name (#ops) or id (C0123ABCD), got '%s'", where, k->section,
                           k->key, value);
        set_string(cfg, k->offset, *value ? value : NULL);
        return 0;
    }
    case T_HOUR:
        if (!*value) {
            *(int *)(base + k->offset) = -1;
            return 0;
        }
        if (!hy_parse_long(value, k->min, k->max, &n))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s must be an hour from 0 to 23 (or empty for none), got '%s'",
                           where, k->section, k->key, value);
        *(int *)(base + k->offset) = (int)n;
        return 0;
    case T_EMAIL:
        /* The sender: a bad one stops only what sends mail (the email step,
         * integrations check), not every command. */
        free(cfg->smtp.from_error);
        cfg->smtp.from_error = NULL;
        if (*value && !hy_parse_mailbox(value, NULL, NULL)) {
            cfg->smtp.from_error = xasprintf("%s[%s] %s must be an email address or Display Name <address> "
                                             "(e.g. HyOpps <noreply@example.com>), got '%s'",
                                             where, k->section, k->key, value);
            set_string(cfg, k->offset, NULL);
            return 0;
        }
        set_string(cfg, k->offset, *value ? value : NULL);
        return 0;
    case T_INT:
        if (!hy_parse_long(value, k->min, k->max, &n))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s must be a whole number from %ld to %ld, got '%s'",
                           where, k->section, k->key, k->min, k->max, value);
        if (k->offset == OFF(auth.password_opslimit))
            cfg->auth.password_opslimit = (unsigned long long)n;
        else
            *(int *)(base + k->offset) = (int)n;
        return 0;
    case T_LONGID:
        if (!*value) { *(long *)(base + k->offset) = 0; return 0; }
        if (!hy_parse_long(value, k->min, k->max, &n))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s must be a positive whole number (a Metabase id), got '%s'",
                           where, k->section, k->key, value);
        *(long *)(base + k->offset) = n;
        return 0;
    case T_SIZE: {
        size_t sz;
        if (!parse_size(value, &sz) || sz < (size_t)k->min)
            return hy_fail(err, HY_ERR_CONFIG,
                           "%s[%s] %s must be a size in bytes with an optional K, M or G suffix, "
                           "at least 8K and at most 4G (e.g. 19M), got '%s'", where, k->section, k->key, value);
        *(size_t *)(base + k->offset) = sz;
        return 0;
    }
    case T_BOOL: {
        bool b;
        if (!hy_parse_bool(value, &b))
            return hy_fail(err, HY_ERR_CONFIG, "%s[%s] %s must be true or false (also yes/no, on/off, 1/0), got '%s'",
                           where, k->section, k->key, value);
        *(bool *)(base + k->offset) = b;
        return 0;
    }
    case T_MODE:
        if (!*value) return 0; /* empty: decided by the credentials */
        for (int m = 0; m <= HY_MODE_LIVE; m++)
            if (strcasecmp(value, mode_names[m]) == 0) {
                *(hy_mode *)(base + k->offset) = (hy_mode)m;
                return 0;
            }
        return hy_fail(err, HY_ERR_CONFIG, "%s[%s] mode must be one of live, simulate, off; got '%s'",
                       where, k->section, value);
    case T_TLS:
        if (strcasecmp(value, "starttls") == 0) cfg->smtp.tls = HY_TLS_STARTTLS;
        else if (strcasecmp(value, "implicit") == 0) cfg->smtp.tls = HY_TLS_IMPLICIT;
        else
            return hy_fail(err, HY_ERR_CONFIG, "%s[smtp] tls must be starttls or implicit, got '%s'", where, value);
        return 0;
    case T_IDLIST: {
        cfg->metabase.ndatabase_ids = 0;
        char *copy = xstrdup(value), *save = NULL;
        int rc = 0;
        for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            if (cfg->metabase.ndatabase_ids >= HY_MAX_DB_IDS) {
                rc = hy_fail(err, HY_ERR_CONFIG, "%s[metabase] database_ids: at most %d ids", where, HY_MAX_DB_IDS);
                break;
            }
            if (!hy_parse_long(tok, 1, 2147483647, &n)) {
                rc = hy_fail(err, HY_ERR_CONFIG,
                             "%s[metabase] database_ids must be a comma-separated list of positive whole numbers, got '%s'",
                             where, tok);
                break;
            }
            cfg->metabase.database_ids[cfg->metabase.ndatabase_ids++] = n;
        }
        free(copy);
        return rc;
    }
    }
    return 0;
}

static void list_keys(const char *section, char *out, size_t outsz)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(KEYS[i].section, section) != 0) continue;
        int w = snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", KEYS[i].key);
        if (w < 0 || (size_t)w >= outsz - used) break;
        used += (size_t)w;
    }
}

/* "database, auth, ..." in the order of KEYS. */
static void list_sections(char *out, size_t outsz)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NKEYS; i++) {
        if (i && strcmp(KEYS[i - 1].section, KEYS[i].section) == 0) continue;
        int w = snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", KEYS[i].section);
        if (w < 0 || (size_t)w >= outsz - used) break;
        used += (size_t)w;
    }
}

static bool known_section(const char *section)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0) return true;
    return false;
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    if (value && st->long_value && strcmp(value, LONG_MARK) == 0) value = st->long_value;
    char where[512];
    snprintf(where, sizeof where, "%s:%d: ", st->file, st->line);
    if (!known_section(section)) {
        char allowed[256];
        list_sections(allowed, sizeof allowed);
        hy_fail(st->err, HY_ERR_CONFIG, "%sunknown section [%s] (allowed: %s)", where, section, allowed);
        return 0;
    }
    if (!name) return 1; /* a section header on its own */
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &KEYS[i];
        if (strcmp(k->section, section) != 0 || strcmp(k->key, name) != 0) continue;
        if (apply_value(st->cfg, k, value, st->err, where) != 0) return 0;
        if (k->type == T_MODE && *value) st->mode_set[mode_slot(k->offset)] = true;
        if (k->type == T_SECRET && *value) st->has_secret = true;
        return 1;
    }
    char allowed[512];
    list_keys(section, allowed, sizeof allowed);
    hy_fail(st->err, HY_ERR_CONFIG, "%sunknown key '%s' in [%s] (allowed: %s)", where, name, section, allowed);
    return 0;
}

/* inih's rules for a line: a comment starts with ; or #, an inline comment
 * with ; after a space; "key = value" or "key: value". Used for the lines
 * too long for inih: splits one into *name and *value (in place). */
static bool split_long_line(char *line, char **name, char **value)
{
    char *p = line;
    while (isspace((unsigned char)*p)) p++;
    char *sep = p;
    while (*sep && *sep != '=' && *sep != ':' && !(*sep == ';' && sep > p && isspace((unsigned char)sep[-1]))) sep++;
    if (*sep != '=' && *sep != ':') return false;
    char *v = sep + 1;
    *sep = '\0';
    *name = hy_trim(p);
    while (isspace((unsigned char)*v)) v++;
    for (char *c = v; *c; c++)
        if (*c == ';' && c > v && isspace((unsigned char)c[-1])) {
            *c = '\0';
            break;
        }
    *value = hy_trim(v);
    return **name != '\0';
}

/* inih reader: reads whole lines (getline), counts them so that errors can
 * say FILE:LINE, and hands over the lines longer than inih's buffer. */
static char *counting_reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    if (st->err->code != HY_OK) return NULL;
    free(st->long_value);
    st->long_value = NULL;
    ssize_t got = getline(&st->buf, &st->bufcap, st->fp);
    if (got < 0) return NULL;
    st->line++;
    size_t n = strlen(st->buf);
    if (n > MAX_CONFIG_LINE) {
        hy_fail(st->err, HY_ERR_CONFIG, "%s:%d: line %d is too long (%zu bytes; at most %d)", st->file, st->line,
                st->line, n, MAX_CONFIG_LINE);
        return NULL;
    }
    /* inih reports a section only with its first key: check headers here so
     * an unknown (or empty) section is reported on its own line. */
    char copy[256];
    hy_strlcpy(copy, st->buf, sizeof copy);
    char *t = hy_trim(copy);
    size_t tn = strlen(t);
    if (tn >= 2 && t[0] == '[' && t[tn - 1] == ']') {
        t[tn - 1] = '\0';
        if (!known_section(t + 1)) {
            char allowed[256];
            list_sections(allowed, sizeof allowed);
            hy_fail(st->err, HY_ERR_CONFIG, "%s:%d: unknown section [%s] (allowed: %s)", st->file, st->line, t + 1,
                    allowed);
            return NULL;
        }
    }
    if (n + 1 <= (size_t)num) {
        memcpy(str, st->buf, n + 1);
        return str;
    }
    /* Too long for inih: a comment is dropped, "key = value" is handed
     * over as "key=" LONG_MARK with the value kept here. */
    char *p = st->buf;
    if (st->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (isspace((unsigned char)*p)) p++;
    if (*p == ';' || *p == '#') {
        hy_strlcpy(str, "\n", (size_t)num);
        return str;
    }
    char *name = NULL, *value = NULL;
    if (*p == '[' || !split_long_line(p, &name, &value)) {
        hy_fail(st->err, HY_ERR_CONFIG, "%s:%d: syntax error (expected [section] or key = value)", st->file, st->line);
        return NULL;
    }
    if (strlen(name) + sizeof LONG_MARK + 2 > (size_t)num) {
        hy_fail(st->err, HY_ERR_CONFIG, "%s:%d: unknown key '%.40s...' (a key this long is not a setting)", st->file,
                st->line, name);
        return NULL;
    }
    st->long_value = xstrdup(value);
    snprintf(str, (size_t)num, "%s=" LONG_MARK "\n", name);
    return str;
}

static void set_defaults(hy_config *cfg)
{
    cfg->database.path = xstrdup("hyopps.db");
    cfg->auth.session_hours = 8;
    cfg->auth.lockout_attempts = 5;
    cfg->auth.lockout_minutes = 15;
    cfg->auth.password_memlimit = 19u * 1024 * 1024;
    cfg->auth.password_opslimit = 2;
    cfg->azure.login_url = xstrdup("https://login.microsoftonline.com");
    cfg->azure.graph_url = xstrdup("https://graph.microsoft.com");
    cfg->slack.api_url = xstrdup("https://slack.com/api");
    cfg->smtp.port = 587;
    cfg->smtp.tls = HY_TLS_STARTTLS;
    cfg->http.timeout_ms = 15000;
    cfg->http.max_attempts = 5;
    cfg->metabase.deactivate_on_revoke = true;
    cfg->engine.inline_local_steps = true;
    cfg->engine.worker_heartbeat_seconds = 60;
    cfg->bulk.max_rows = 500;
    cfg->notify.enabled = true;
    cfg->notify.remind_after_hours = 24;
    cfg->notify.max_reminders = 3;
    cfg->notify.digest_hour = -1;
    cfg->notify.input_delay_minutes = 2;
    cfg->reconcile.every_hours = 24;
    cfg->ui.color = true;
}

/* The original app's environment variables override the file. */
static int apply_env(hy_config *cfg, hy_err *err)
{
    static const struct { const char *env, *section, *key; } ENV[] = {
        {"JWT_SECRET", "auth", "jwt_secret"},
        {"METABASE_URL", "metabase", "url"},
        {"METABASE_API_KEY", "metabase", "api_key"},
        {"AZURE_TENANT_ID", "azure", "tenant_id"},
        {"AZURE_CLIENT_ID", "azure", "client_id"},
        {"AZURE_CLIENT_SECRET", "azure", "client_secret"},
        {"TEAMS_TEAM_ID", "teams", "team_id"},
        {"SMTP_HOST", "smtp", "host"},
        {"SMTP_PORT", "smtp", "port"},
        {"SMTP_USER", "smtp", "user"},
        {"SMTP_PASSWORD", "smtp", "password"},
        {"EMAIL_FROM", "smtp", "from"},
        {"SLACK_BOT_TOKEN", "slack", "bot_token"},
        {"HYOPPS_DB", "database", "path"},
    };
    for (size_t e = 0; e < sizeof ENV / sizeof ENV[0]; e++) {
        const char *v = getenv(ENV[e].env);
        if (!v || !*v) continue;
        char where[64];
        snprintf(where, sizeof where, "environment %s: ", ENV[e].env);
        for (size_t i = 0; i < NKEYS; i++)
            if (strcmp(KEYS[i].section, ENV[e].section) == 0 && strcmp(KEYS[i].key, ENV[e].key) == 0)
                if (apply_value(cfg, &KEYS[i], v, err, where) != 0) return err->code;
    }
    return 0;
}

/* An integration without an explicit mode: simulated under the embedded
 * default; with a config file, live when its credentials are set, else off. */
static void resolve_modes(hy_config *cfg, const bool mode_set[4])
{
    bool sim = cfg->embedded_default;
    bool mb = cfg->metabase.url && cfg->metabase.api_key;
    bool teams = cfg->azure.tenant_id && cfg->azure.client_id && cfg->azure.client_secret && cfg->teams.team_id;
    bool slack = cfg->slack.bot_token != NULL;
    bool smtp = cfg->smtp.host != NULL;
    if (!mode_set[0]) cfg->metabase.mode = mb ? HY_MODE_LIVE : sim ? HY_MODE_SIMULATE : HY_MODE_OFF;
    if (!mode_set[1]) cfg->teams.mode = teams ? HY_MODE_LIVE : sim ? HY_MODE_SIMULATE : HY_MODE_OFF;
    if (!mode_set[2]) cfg->slack.mode = slack ? HY_MODE_LIVE : sim ? HY_MODE_SIMULATE : HY_MODE_OFF;
    if (!mode_set[3]) cfg->smtp.mode = smtp ? HY_MODE_LIVE : sim ? HY_MODE_SIMULATE : HY_MODE_OFF;
}

/* Live mode needs its settings: say which are missing. */
static int check_live(const hy_config *cfg, const char *src, hy_err *err)
{
    if (cfg->metabase.mode == HY_MODE_LIVE && !(cfg->metabase.url && cfg->metabase.api_key))
        return hy_fail(err, HY_ERR_CONFIG, "%s: [metabase] mode = live needs url and api_key", src);
    if (cfg->teams.mode == HY_MODE_LIVE &&
        !(cfg->azure.tenant_id && cfg->azure.client_id && cfg->azure.client_secret && cfg->teams.team_id))
        return hy_fail(err, HY_ERR_CONFIG,
                       "%s: [teams] mode = live needs [azure] tenant_id, client_id, client_secret and [teams] team_id", src);
    if (cfg->slack.mode == HY_MODE_LIVE && !cfg->slack.bot_token)
        return hy_fail(err, HY_ERR_CONFIG, "%s: [slack] mode = live needs bot_token", src);
    if (cfg->smtp.mode == HY_MODE_LIVE && !cfg->smtp.host)
        return hy_fail(err, HY_ERR_CONFIG, "%s: [smtp] mode = live needs host", src);
    if (cfg->smtp.mode == HY_MODE_LIVE && !cfg->smtp.from && !cfg->smtp.from_error &&
        !(cfg->smtp.user && hy_valid_email(cfg->smtp.user)))
        return hy_fail(err, HY_ERR_CONFIG,
                       "%s: [smtp] mode = live needs a sender: set from (or a user that is an email address)", src);
    return 0;
}

hy_config *config_default(void)
{
    hy_config *cfg = xcalloc(1, sizeof *cfg);
    set_defaults(cfg);
    cfg->embedded_default = true;
    bool none[4] = {false, false, false, false};
    resolve_modes(cfg, none); /* no credentials yet: everything simulated */
    return cfg;
}

int64_t config_file_mtime_ns(const char *path)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0) return -1;
    return (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

int config_load_file(const char *path, hy_config **out, hy_err *err, FILE *warn)
{
    *out = NULL;
    hy_config *cfg = xcalloc(1, sizeof *cfg);
    set_defaults(cfg);
    cfg->source = xstrdup(path);
    parse_state st = {.cfg = cfg, .file = path, .err = err};
    hy_err_clear(err);
    st.fp = fopen(path, "r");
    if (!st.fp) {
        hy_fail(err, HY_ERR_CONFIG, "%s: cannot open: %s", path, strerror(errno));
        config_free(cfg);
        return err->code;
    }
    int rc = ini_parse_stream(counting_reader, &st, config_ini_handler, &st);
    free(st.buf);
    free(st.long_value);
    struct stat sb;
    bool world_readable = fstat(fileno(st.fp), &sb) == 0 && (sb.st_mode & (S_IRGRP | S_IROTH));
    cfg->source_mtime_ns = config_file_mtime_ns(path);
    fclose(st.fp);
    if (rc != 0 && err->code == HY_OK)
        hy_fail(err, HY_ERR_CONFIG, "%s:%d: syntax error (expected [section] or key = value)", path, rc);
    if (err->code == HY_OK) apply_env(cfg, err);
    if (err->code == HY_OK) {
        resolve_modes(cfg, st.mode_set);
        check_live(cfg, path, err);
    }
    if (err->code != HY_OK) {
        config_free(cfg);
        return err->code;
    }
    if (st.has_secret && world_readable && warn)
        fprintf(warn, "hyopps: warning: %s holds secrets and is readable by other users; run: chmod 600 %s\n",
                path, path);
    *out = cfg;
    return 0;
}

static bool readable(const char *p) { return p && access(p, F_OK) == 0; }

int config_load(const char *explicit_path, hy_config **out, hy_err *err, FILE *warn)
{
    hy_err_clear(err);
    if (explicit_path) return config_load_file(explicit_path, out, err, warn);
    const char *env = getenv("HYOPPS_CONFIG");
    if (env && *env) return config_load_file(env, out, err, warn);
    if (readable("config.ini")) return config_load_file("config.ini", out, err, warn);
    char path[4096];
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg) snprintf(path, sizeof path, "%s/hyopps/config.ini", xdg);
    else if (home && *home) snprintf(path, sizeof path, "%s/.config/hyopps/config.ini", home);
    else path[0] = '\0';
    if (path[0] && readable(path)) return config_load_file(path, out, err, warn);
    if (readable("/etc/hyopps/config.ini")) return config_load_file("/etc/hyopps/config.ini", out, err, warn);

    hy_config *cfg = config_default();
    if (apply_env(cfg, err) != 0) {
        config_free(cfg);
        return err->code;
    }
    bool none[4] = {false, false, false, false};
    resolve_modes(cfg, none);
    *out = cfg;
    return 0;
}

void config_free(hy_config *cfg)
{
    if (!cfg) return;
    for (size_t i = 0; i < NKEYS; i++) {
        key_type t = KEYS[i].type;
        if (t == T_STR || t == T_SECRET || t == T_URL || t == T_PATH || t == T_EMAIL || t == T_EMAILS || t == T_CHANNEL) {
            char **slot = (char **)((char *)cfg + KEYS[i].offset);
            if (t == T_SECRET && *slot) explicit_bzero(*slot, strlen(*slot));
            free(*slot);
        }
    }
    free(cfg->smtp.from_error);
    free(cfg->source);
    free(cfg);
}

void config_describe_modes(const hy_config *cfg, char *out, size_t outsz)
{
    snprintf(out, outsz,
             "metabase: %s%s%s\nteams: %s\nslack: %s\nemail: %s%s%s\nstudio: simulate (no public API)\n",
             config_mode_name(cfg->metabase.mode), cfg->metabase.mode == HY_MODE_LIVE ? " " : "",
             cfg->metabase.mode == HY_MODE_LIVE ? cfg->metabase.url : "", config_mode_name(cfg->teams.mode),
             config_mode_name(cfg->slack.mode), config_mode_name(cfg->smtp.mode),
             cfg->smtp.mode == HY_MODE_LIVE ? " " : "", cfg->smtp.mode == HY_MODE_LIVE ? cfg->smtp.host : "");
}
