#include "auth.h"

#include "authz.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <jwt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "store_users.h"
#include "util.h"

#define DEFAULT_ADMIN_EMAIL "admin@hyopps.local"
#define DEFAULT_ADMIN_PASSWORD "admin123"
#define KEY_SETTING "jwt_signing_key"

static void init_sodium(void)
{
    if (sodium_init() < 0) hy_fatal("libsodium failed to initialise");
}

/* ---- password rules and hashing ---- */

const char *auth_password_rules_text(void)
{
    return "At least 8 characters; not your email address; not admin123; not your current password.";
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

int auth_password_rules(const char *password, const char *email, const char *field, hy_err *err)
{
    int before = err->nfield;
    if (!password || utf8_chars(password) < 8)
        hy_field(err, field, "must be at least 8 characters");
    else if (strlen(password) > 1024)
        hy_field(err, field, "must be at most 1024 bytes");
    else if (strcmp(password, DEFAULT_ADMIN_PASSWORD) == 0)
        hy_field(err, field, "must not be the default password admin123");
    else if (email && strcasecmp(password, email) == 0)
        hy_field(err, field, "must not be your email address");
    return err->nfield > before ? HY_ERR_INVALID : 0;
}

int auth_hash_password(const hy_config *cfg, const char *password, char out[HY_HASH_LEN], hy_err *err)
{
    init_sodium();
    if (crypto_pwhash_str_alg(out, password, strlen(password), cfg->auth.password_opslimit,
                              cfg->auth.password_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return hy_fail(err, HY_ERR_INTERNAL, "password hashing ran out of memory (password_memlimit = %zu bytes)",
                       cfg->auth.password_memlimit);
    return 0;
}

static bool is_bcrypt(const char *hash)
{
    return strncmp(hash, "$2b$", 4) == 0 || strncmp(hash, "$2a$", 4) == 0 || strncmp(hash, "$2y$", 4) == 0;
}

bool auth_verify_password(const char *hash, const char *password)
{
    if (!hash || !password) return false;
    init_sodium();
    if (strncmp(hash, "$argon2id$", 10) == 0) {
        char buf[HY_HASH_LEN] = {0};
        hy_strlcpy(buf, hash, sizeof buf);
        return crypto_pwhash_str_verify(buf, password, strlen(password)) == 0;
    }
    if (is_bcrypt(hash)) {
        struct crypt_data *cd = xcalloc(1, sizeof *cd);
        const char *res = crypt_r(password, hash, cd);
        bool ok = res && res[0] != '*' && strlen(res) == strlen(hash) &&
                  sodium_memcmp(res, hash, strlen(hash)) == 0;
        sodium_memzero(cd, sizeof *cd);
        free(cd);
        return ok;
    }
    return false; /* "!" and anything unknown never match */
}

bool auth_needs_rehash(const hy_config *cfg, const char *hash)
{
    if (!hash || is_bcrypt(hash)) return true;
    if (strncmp(hash, "$argon2id$", 10) != 0) return false; /* unusable: leave it */
    char buf[HY_HASH_LEN] = {0};
    hy_strlcpy(buf, hash, sizeof buf);
    return crypto_pwhash_str_needs_rehash(buf, cfg->auth.password_opslimit, cfg->auth.password_memlimit) != 0;
}

/* A hash to verify against when the email is unknown, so both cases take the
 * same time. Made once per process with the configured cost. */
static void dummy_verify(const hy_config *cfg, const char *password)
{
    static char dummy[HY_HASH_LEN];
    if (!dummy[0]) {
        char random_pw[33];
        unsigned char r[16];
        init_sodium();
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(random_pw, sizeof random_pw, r, sizeof r);
        hy_err e;
        hy_err_clear(&e);
        if (auth_hash_password(cfg, random_pw, dummy, &e) != 0) return;
    }
    (void)auth_verify_password(dummy, password);
}

/* ---- signing key ---- */

/* The key: [auth] jwt_secret / JWT_SECRET, else 32 random bytes generated
 * once and kept in the settings table. Caller frees (and zeroes) *key. */
static int signing_key(hy_ctx *c, char **key, hy_err *err)
{
    *key = NULL;
    if (c->cfg->auth.jwt_secret && *c->cfg->auth.jwt_secret) {
        *key = xstrdup(c->cfg->auth.jwt_secret);
        return 0;
    }
    if (db_setting_get(c->db, KEY_SETTING, key, err) != 0) return err->code;
    if (*key && strlen(*key) >= 32) return 0;
    free(*key);
    *key = NULL;
    unsigned char raw[32];
    char b64[64];
    init_sodium();
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    bool own_tx = !db_in_tx(c->db);
    if (own_tx && db_begin(c->db, err) != 0) return err->code;
    /* Another process may have stored one meanwhile: keep the first. */
    int rc = db_exec(c->db, err, "INSERT OR IGNORE INTO settings(key, value, updated_at) VALUES(?, ?, ?)", "ttt",
                     KEY_SETTING, b64, "generated");
    sodium_memzero(b64, sizeof b64);
    if (rc == 0) rc = db_setting_get(c->db, KEY_SETTING, key, err);
    if (own_tx) {
        if (rc == 0) rc = db_commit(c->db, err);
        else db_rollback(c->db);
    }
    if (rc == 0 && (!*key || strlen(*key) < 32)) rc = hy_fail(err, HY_ERR_INTERNAL, "no session signing key");
    return rc;
}

static void free_key(char *key)
{
    if (!key) return;
    sodium_memzero(key, strlen(key));
    free(key);
}

/* ---- tokens ---- */

static int encode_token(hy_ctx *c, const hy_principal *p, char **token, hy_err *err)
{
    char *key = NULL;
    if (signing_key(c, &key, err) != 0) return err->code;
    jwt_t *jwt = NULL;
    int rc = jwt_new(&jwt);
    if (rc == 0) rc = jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, (int)strlen(key));
    if (rc == 0) rc = jwt_add_grant(jwt, "sub", p->user_id);
    if (rc == 0) rc = jwt_add_grant(jwt, "role", hy_role_name(p->role));
    if (rc == 0) rc = jwt_add_grant(jwt, "org", p->org_id);
    if (rc == 0) rc = jwt_add_grant(jwt, "jti", p->jti);
    if (rc == 0) rc = jwt_add_grant_int(jwt, "exp", (long)p->exp);
    if (rc == 0) rc = jwt_add_grant_int(jwt, "iat", (long)(hy_now_ms() / 1000));
    char *s = rc == 0 ? jwt_encode_str(jwt) : NULL;
    jwt_free(jwt);
    free_key(key);
    if (!s) return hy_fail(err, HY_ERR_INTERNAL, "cannot create a session token");
    *token = xstrdup(s);
    free(s);
    return 0;
}

/* Verifies signature, alg and expiry; copies sub and jti out. */
static int decode_token(hy_ctx *c, const char *token, char sub[HY_UUID_LEN], char jti[48], hy_err *err)
{
    if (!token || !*token || strlen(token) > HY_MAX_TOKEN_LEN)
        return hy_fail(err, HY_ERR_AUTH, "not logged in: run hyopps login");
    char *key = NULL;
    if (signing_key(c, &key, err) != 0) return err->code;
    jwt_t *jwt = NULL;
    /* The key is never empty here: libjwt would skip the signature check. */
    int rc = jwt_decode(&jwt, token, (const unsigned char *)key, (int)strlen(key));
    free_key(key);
    if (rc != 0 || !jwt) {
        jwt_free(jwt);
        return hy_fail(err, HY_ERR_AUTH, "session is not valid: log in again");
    }
    int result = 0;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        result = hy_fail(err, HY_ERR_AUTH, "session is not valid: log in again");
    } else {
        errno = 0;
        long exp = jwt_get_grant_int(jwt, "exp");
        if (errno != 0 || exp <= 0) result = hy_fail(err, HY_ERR_AUTH, "session is not valid: log in again");
        else if (hy_now_ms() / 1000 >= exp) result = hy_fail(err, HY_ERR_AUTH, "session expired: log in again");
    }
    const char *s = jwt_get_grant(jwt, "sub"), *j = jwt_get_grant(jwt, "jti");
    if (result == 0 && (!s || !j || !hy_is_uuid(s) || strlen(j) >= 48))
        result = hy_fail(err, HY_ERR_AUTH, "session is not valid: log in again");
    if (result == 0) {
        hy_strlcpy(sub, s, HY_UUID_LEN);
        hy_strlcpy(jti, j, 48);
    }
    jwt_free(jwt);
    return result;
}

/* ---- sessions ---- */

static int session_insert(hy_ctx *c, hy_principal *p, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    hy_uuid(p->jti);
    p->exp = hy_now_ms() / 1000 + (int64_t)c->cfg->auth.session_hours * 3600;
    return db_exec(c->db, err,
                   "INSERT INTO sessions(jti, user_id, created_at, expires_at, os_user, remote) VALUES(?,?,?,?,?,?)",
                   "ttt" "I" "tt", p->jti, p->user_id, now, p->exp, p->os_user, p->remote[0] ? p->remote : NULL);
}

int auth_issue_session(hy_ctx *c, hy_principal *p, char **token, hy_err *err)
{
    *token = NULL;
    /* Make sure the key exists before taking the write lock. */
    char *key = NULL;
    if (signing_key(c, &key, err) != 0) return err->code;
    free_key(key);
    if (db_begin(c->db, err) != 0) return err->code;
    if (session_insert(c, p, err) != 0) {
        db_rollback(c->db);
        return err->code;
    }
    if (db_commit(c->db, err) != 0) return err->code;
    return encode_token(c, p, token, err);
}

int auth_revoke_user_sessions(hy_ctx *c, const char *user_id, const char *why, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err, "UPDATE sessions SET revoked_at = ?, revoked_why = ? WHERE user_id = ? AND revoked_at IS NULL",
                   "ttt", now, why, user_id);
}

/* Loads the user row into a principal. HY_ERR_NOT_FOUND if absent. */
static int load_user(hy_ctx *c, const char *by_id, const char *by_email, hy_principal *p, char **hash, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id, email, firstname, lastname, app_role, organization_id, password_hash, "
                           "must_change_password FROM users WHERE (?1 IS NOT NULL AND id = ?1) "
                           "OR (?1 IS NULL AND email = ?2)",
                           "tt", by_id, by_email);
    bool found = false;
    if (db_row(st)) {
        found = true;
        hy_strlcpy(p->user_id, db_text(st, 0), sizeof p->user_id);
        hy_strlcpy(p->email, db_text(st, 1), sizeof p->email);
        snprintf(p->display_name, sizeof p->display_name, "%s %s", db_text(st, 2) ? db_text(st, 2) : "",
                 db_text(st, 3) ? db_text(st, 3) : "");
        if (!hy_role_parse(db_text(st, 4), &p->role)) p->role = HY_ROLE_USER;
        hy_strlcpy(p->org_id, db_text(st, 5) ? db_text(st, 5) : "", sizeof p->org_id);
        if (hash) *hash = db_dup(st, 6);
        p->must_change_password = db_int(st, 7) != 0;
    }
    int rc = db_done(st);
    if (rc) return rc;
    return found ? 0 : HY_ERR_NOT_FOUND;
}

int auth_session_from_token(hy_ctx *c, const char *token, hy_principal *out, hy_err *err)
{
    char sub[HY_UUID_LEN], jti[48];
    memset(out, 0, sizeof *out);
    if (decode_token(c, token, sub, jti, err) != 0) return err->code;
    hy_strlcpy(out->jti, jti, sizeof out->jti);
    int rc = load_user(c, sub, NULL, out, NULL, err);
    if (rc == HY_ERR_NOT_FOUND) return hy_fail(err, HY_ERR_AUTH, "session is no longer valid: log in again");
    if (rc) return rc;
    int64_t exp = 0;
    bool found = false;
    rc = db_get_int(c->db, err, &exp, &found,
                    "SELECT expires_at FROM sessions WHERE jti = ? AND user_id = ? AND revoked_at IS NULL", "tt", jti,
                    sub);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_AUTH, "session ended (logged out, password or role changed): log in again");
    out->exp = exp;
    principal_fill_origin(out);
    return auth_check_session(c, out, err);
}

int auth_check_session(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    if (p->system) return 0;
    if (!p->jti[0]) return hy_fail(err, HY_ERR_AUTH, "not logged in");
    int64_t exp = 0;
    bool found = false;
    int rc = db_get_int(c->db, err, &exp, &found,
                        "SELECT expires_at FROM sessions WHERE jti = ? AND user_id = ? AND revoked_at IS NULL", "tt",
                        p->jti, p->user_id);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_AUTH, "session ended (logged out, password or role changed): log in again");
    if (hy_now_ms() / 1000 >= exp) return hy_fail(err, HY_ERR_AUTH, "session expired: log in again");
    return 0;
}

int auth_logout(hy_ctx *c, const hy_principal *p, hy_err *err)
{
    if (db_begin(c->db, err) != 0) return err->code;
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err, "UPDATE sessions SET revoked_at = ?, revoked_why = 'logout' WHERE jti = ? AND revoked_at IS NULL",
                     "tt", now, p->jti);
    if (rc == 0) rc = audit_write(c, p, "auth.logout", "user", p->user_id, NULL, err);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

/* ---- login ---- */

static void normalize_email(const char *in, char out[256])
{
    char tmp[256];
    hy_strlcpy(tmp, in ? in : "", sizeof tmp);
    char *t = hy_trim(tmp);
    size_t i = 0;
    for (; t[i] && i < 255; i++) out[i] = (char)tolower((unsigned char)t[i]);
    out[i] = '\0';
}

int auth_lock_state(hy_ctx *c, const char *email, int64_t now_ms, int64_t *until_ms, int *failures, hy_err *err)
{
    *until_ms = 0;
    *failures = 0;
    int n = c->cfg->auth.lockout_attempts;
    int64_t window = (int64_t)c->cfg->auth.lockout_minutes * 60000;
    int64_t last_ok = 0, count = 0;
    bool found;
    if (db_get_int(c->db, err, &last_ok, &found,
                   "SELECT max(at_ms) FROM login_attempts WHERE email = ? AND success = 1", "t", email) != 0)
        return err->code;
    if (db_get_int(c->db, err, &count, NULL,
                   "SELECT count(*) FROM login_attempts WHERE email = ? AND success = 0 AND at_ms > ?", "tI", email,
                   last_ok) != 0)
        return err->code;
    *failures = (int)count;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT at_ms FROM login_attempts WHERE email = ? AND success = 0 AND at_ms > ? "
                           "ORDER BY at_ms DESC LIMIT ?",
                           "tIi", email, last_ok, n);
    int64_t newest = 0, oldest = 0;
    int k = 0;
    while (db_row(st)) {
        int64_t at = db_int(st, 0);
        if (k == 0) newest = at;
        oldest = at;
        k++;
    }
    if (db_done(st) != 0) return err->code;
    if (k < n || newest - oldest > window) return 0;
    if (now_ms < newest + window) *until_ms = newest + window;
    return 0;
}

/* If locked, returns the minutes left (>= 1), else 0; -1 on error. */
static int lock_minutes_left(hy_ctx *c, const char *email, int64_t now_ms, hy_err *err)
{
    int64_t until;
    int failures;
    if (auth_lock_state(c, email, now_ms, &until, &failures, err) != 0) return -1;
    if (until <= now_ms) return 0;
    return (int)((until - now_ms + 59999) / 60000);
}

int auth_unlock(hy_ctx *c, const char *email, int *cleared, hy_err *err)
{
    *cleared = 0;
    if (db_exec(c->db, err, "DELETE FROM login_attempts WHERE email = ? AND success = 0", "t", email) != 0)
        return err->code;
    *cleared = (int)db_changes(c->db);
    return 0;
}

static int record_failure(hy_ctx *c, const char *email, const hy_principal *origin, const char *why, hy_err *err)
{
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = db_exec(c->db, err, "INSERT INTO login_attempts(email, at_ms, success, remote) VALUES(?, ?, 0, ?)", "tIt",
                     email, hy_now_ms(), origin->remote[0] ? origin->remote : NULL);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "email", email);
    cJSON_AddStringToObject(d, "reason", why);
    hy_principal anon = *origin;
    anon.user_id[0] = '\0';
    hy_strlcpy(anon.email, email, sizeof anon.email);
    if (rc == 0) rc = audit_write(c, &anon, "auth.login_failed", "user", NULL, d, err);
    cJSON_Delete(d);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

static int locked_error(hy_err *err, int minutes)
{
    return hy_fail(err, HY_ERR_LOCKED,
                   "Too many failed logins: this account is locked for %d more minute%s. Try again later "
                   "or ask an administrator to unlock it.",
                   minutes, minutes == 1 ? "" : "s");
}

int auth_login(hy_ctx *c, const char *email_in, const char *password, hy_principal *out, char **token,
               hy_err *err)
{
    static const char *generic = "Wrong email or password.";
    *token = NULL;
    memset(out, 0, sizeof *out);
    hy_err_clear(err);
    principal_fill_origin(out);
    char email[256];
    normalize_email(email_in, email);
    if (!password) password = "";

    int64_t now = hy_now_ms();
    int left = lock_minutes_left(c, email, now, err);
    if (left < 0) return err->code;
    if (left > 0) return locked_error(err, left);

    char *hash = NULL;
    hy_principal p = *out;
    int rc = email[0] ? load_user(c, NULL, email, &p, &hash, err) : HY_ERR_NOT_FOUND;
    if (rc != 0 && rc != HY_ERR_NOT_FOUND) return rc;
    bool ok;
    if (rc == HY_ERR_NOT_FOUND) {
        dummy_verify(c->cfg, password);
        ok = false;
    } else {
        ok = auth_verify_password(hash, password);
    }
    hy_err_clear(err);
    if (!ok) {
        free(hash);
        if (record_failure(c, email, out, rc == HY_ERR_NOT_FOUND ? "unknown email" : "wrong password", err) != 0)
            return err->code;
        left = lock_minutes_left(c, email, hy_now_ms(), err);
        if (left > 0) return locked_error(err, left);
        return hy_fail(err, HY_ERR_AUTH, "%s", generic);
    }

    /* Right password. */
    if (!authz_can(&p, HY_CAP_PANEL)) {
        free(hash);
        return hy_fail(err, HY_ERR_FORBIDDEN, "This account has no panel access.");
    }
    const char *scope = authz_org_scope(&p);
    if (scope && !scope[0]) { /* limited to an organisation it does not have */
        free(hash);
        return hy_fail(err, HY_ERR_FORBIDDEN,
                       "This partner admin account is not linked to an organisation; ask an administrator to set one.");
    }
    char newhash[HY_HASH_LEN] = {0};
    bool rehash = auth_needs_rehash(c->cfg, hash);
    free(hash);
    if (rehash && auth_hash_password(c->cfg, password, newhash, err) != 0) return err->code;
    hy_err rules;
    hy_err_clear(&rules);
    bool weak = auth_password_rules(password, email, "password", &rules) != 0;
    if (weak) p.must_change_password = true;

    char *key = NULL; /* make sure the signing key exists before the write lock */
    if (signing_key(c, &key, err) != 0) return err->code;
    free_key(key);

    if (db_begin(c->db, err) != 0) return err->code;
    rc = session_insert(c, &p, err);
    if (rc == 0)
        rc = db_exec(c->db, err, "INSERT INTO login_attempts(email, at_ms, success, remote) VALUES(?, ?, 1, ?)",
                     "tIt", email, hy_now_ms(), p.remote[0] ? p.remote : NULL);
    if (rc == 0 && rehash)
        rc = user_rehash_password(c, p.user_id, newhash, err);
    if (rc == 0 && weak)
        rc = user_require_password_change(c, p.user_id, err);
    cJSON *d = cJSON_CreateObject();
    if (rehash) cJSON_AddBoolToObject(d, "password_rehashed", 1);
    if (p.must_change_password) cJSON_AddBoolToObject(d, "must_change_password", 1);
    if (rc == 0) rc = audit_write(c, &p, "auth.login", "user", p.user_id, d, err);
    cJSON_Delete(d);
    sodium_memzero(newhash, sizeof newhash);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db, err) != 0) return err->code;
    if (encode_token(c, &p, token, err) != 0) return err->code;
    *out = p;
    return 0;
}

int auth_change_password(hy_ctx *c, hy_principal *p, const char *current, const char *new_password,
                         char **token, hy_err *err)
{
    *token = NULL;
    if (auth_check_session(c, p, err) != 0) return err->code;
    char *hash = NULL;
    hy_principal fresh = *p;
    int rc = load_user(c, p->user_id, NULL, &fresh, &hash, err);
    if (rc == HY_ERR_NOT_FOUND) return hy_fail(err, HY_ERR_AUTH, "session is no longer valid: log in again");
    if (rc) return rc;
    bool ok = auth_verify_password(hash, current ? current : "");
    free(hash);
    if (!ok) hy_field(err, "current_password", "is not your current password");
    auth_password_rules(new_password, p->email, "new_password", err);
    if (ok && new_password && current && strcmp(current, new_password) == 0)
        hy_field(err, "new_password", "must differ from the current password");
    if (err->nfield) return err->code;

    char newhash[HY_HASH_LEN];
    if (auth_hash_password(c->cfg, new_password, newhash, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    rc = user_set_password(c, p->user_id, newhash, false, err);
    if (rc == 0) rc = auth_revoke_user_sessions(c, p->user_id, "password changed", err);
    if (rc == 0) rc = audit_write(c, p, "auth.password_change", "user", p->user_id, NULL, err);
    sodium_memzero(newhash, sizeof newhash);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db, err) != 0) return err->code;
    fresh.must_change_password = false;
    if (auth_issue_session(c, &fresh, token, err) != 0) return err->code;
    *p = fresh;
    return 0;
}

int auth_seed_admin(hy_ctx *c, hy_err *err)
{
    int64_t n = 0;
    if (db_get_int(c->db, err, &n, NULL, "SELECT count(*) FROM users WHERE app_role = 'admin'", "") != 0)
        return err->code;
    if (n > 0) return 0;
    char hash[HY_HASH_LEN], id[HY_UUID_LEN] = "";
    if (auth_hash_password(c->cfg, DEFAULT_ADMIN_PASSWORD, hash, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    /* Re-check under the write lock: another process may be seeding too. */
    int rc = db_get_int(c->db, err, &n, NULL, "SELECT count(*) FROM users WHERE app_role = 'admin'", "");
    if (rc == 0 && n == 0) rc = user_seed_admin(c, DEFAULT_ADMIN_EMAIL, hash, id, err);
    if (rc == 0 && n == 0) {
        hy_principal sys;
        principal_system(&sys);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "email", DEFAULT_ADMIN_EMAIL);
        rc = audit_write(c, &sys, "user.seed_admin", "user", id, d, err);
        cJSON_Delete(d);
    }
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}
