/* passwords, tokens (tampered, expired, alg none, HS512, revoked, wrong
 * key: all rejected), lockout, roles at login, password change. */
#include "testlib.h"

#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ops.h"
#include "util.h"

static char org_id[HY_UUID_LEN];

static t_env *world(void)
{
    t_env *e = t_env_new();
    char id[HY_UUID_LEN];
    t_org(e, "Acme Corp", org_id);
    t_user(e, "pa@acme.example", "partner_admin", org_id, "partner-pass-1", id);
    t_user(e, "lonely@nowhere.example", "partner_admin", NULL, "partner-pass-1", id);
    t_user(e, "plain@acme.example", "user", org_id, "user-pass-12", id);
    return e;
}

static void passwords_hash_verify_and_rehash(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    hy_err err;
    char h[HY_HASH_LEN];
    assert_int_equal(auth_hash_password(e->c->cfg, "correct horse", h, &err), 0);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_true(auth_verify_password(h, "correct horse"));
    assert_false(auth_verify_password(h, "correct horsE"));
    assert_false(auth_verify_password("!", "!"));
    assert_false(auth_verify_password("", ""));
    assert_false(auth_needs_rehash(e->c->cfg, h));
    /* A different cost asks for a rehash. */
    hy_config other = *e->c->cfg;
    other.auth.password_opslimit = 2;
    assert_true(auth_needs_rehash(&other, h));
    /* The original's bcrypt (from the legacy fixture: admin123). */
    const char *bcrypt = "$2b$12$XNeEyZK8WFsTqSr29wctOuD7.r.XTyYgcJHRfOaFvcJJ5WpNDUp5u";
    assert_true(auth_verify_password(bcrypt, "admin123"));
    assert_false(auth_verify_password(bcrypt, "admin124"));
    assert_true(auth_needs_rehash(e->c->cfg, bcrypt));
    /* Rules */
    hy_err_clear(&err);
    assert_int_not_equal(auth_password_rules("short", "a@b.example", "pw", &err), 0);
    assert_non_null(strstr(hy_field_msg(&err, "pw"), "at least 8"));
    hy_err_clear(&err);
    assert_int_not_equal(auth_password_rules("admin123", "a@b.example", "pw", &err), 0);
    hy_err_clear(&err);
    assert_int_not_equal(auth_password_rules("A@B.example", "a@b.example", "pw", &err), 0);
    assert_non_null(strstr(hy_field_msg(&err, "pw"), "email"));
    hy_err_clear(&err);
    assert_int_equal(auth_password_rules("long enough", "a@b.example", "pw", &err), 0);
    t_env_free(e);
}

/* Signs claims with the database's key (or another) and an algorithm. */
static char *forge(t_env *e, jwt_alg_t alg, const char *key_override, const char *sub, const char *jti, long exp,
                   bool string_exp)
{
    hy_err err;
    char *key = NULL;
    assert_int_equal(db_setting_get(e->c->db, "jwt_signing_key", &key, &err), 0);
    assert_non_null(key);
    const char *k = key_override ? key_override : key;
    jwt_t *j = NULL;
    assert_int_equal(jwt_new(&j), 0);
    if (alg != JWT_ALG_NONE) assert_int_equal(jwt_set_alg(j, alg, (const unsigned char *)k, (int)strlen(k)), 0);
    jwt_add_grant(j, "sub", sub);
    jwt_add_grant(j, "jti", jti);
    jwt_add_grant(j, "role", "admin");
    jwt_add_grant(j, "org", "");
    if (string_exp) jwt_add_grant(j, "exp", "9999999999");
    else if (exp) jwt_add_grant_int(j, "exp", exp);
    char *t = jwt_encode_str(j);
    jwt_free(j);
    free(key);
    char *copy = xstrdup(t);
    free(t);
    return copy;
}

static int verify(t_env *e, const char *token, hy_err *err)
{
    hy_principal p;
    hy_err_clear(err);
    return auth_session_from_token(e->c, token, &p, err);
}

static void tokens_are_verified_strictly(void **s)
{
    (void)s;
    t_env *e = world();
    hy_err err;
    hy_principal p;
    char *token = NULL;
    assert_int_equal(auth_login(e->c, "pa@acme.example", "partner-pass-1", &p, &token, &err), 0);
    assert_int_equal(verify(e, token, &err), 0);
    long future = (long)(hy_now_ms() / 1000) + 3600;

    /* Correctly signed with our key and claims: accepted (control). */
    char *good = forge(e, JWT_ALG_HS256, NULL, p.user_id, p.jti, future, false);
    assert_int_equal(verify(e, good, &err), 0);
    free(good);
    /* Tampered: one character of the payload changed. */
    char *tampered = xstrdup(token);
    char *dot = strchr(tampered, '.');
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    assert_int_equal(verify(e, tampered, &err), HY_ERR_AUTH);
    free(tampered);
    /* Expired. */
    char *expired = forge(e, JWT_ALG_HS256, NULL, p.user_id, p.jti, (long)(hy_now_ms() / 1000) - 5, false);
    assert_int_equal(verify(e, expired, &err), HY_ERR_AUTH);
    assert_non_null(strstr(err.msg, "expired"));
    free(expired);
    /* No exp, or exp as a string. */
    char *noexp = forge(e, JWT_ALG_HS256, NULL, p.user_id, p.jti, 0, false);
    assert_int_equal(verify(e, noexp, &err), HY_ERR_AUTH);
    free(noexp);
    char *strexp = forge(e, JWT_ALG_HS256, NULL, p.user_id, p.jti, 0, true);
    assert_int_equal(verify(e, strexp, &err), HY_ERR_AUTH);
    free(strexp);
    /* alg none. */
    char *none = forge(e, JWT_ALG_NONE, NULL, p.user_id, p.jti, future, false);
    assert_int_equal(verify(e, none, &err), HY_ERR_AUTH);
    free(none);
    /* HS512 with the same key (libjwt would accept it: we pin HS256). */
    char *hs512 = forge(e, JWT_ALG_HS512, NULL, p.user_id, p.jti, future, false);
    assert_int_equal(verify(e, hs512, &err), HY_ERR_AUTH);
    free(hs512);
    /* Wrong key. */
    char *wrong = forge(e, JWT_ALG_HS256, "another-key-of-at-least-32-bytes-long!!", p.user_id, p.jti, future, false);
    assert_int_equal(verify(e, wrong, &err), HY_ERR_AUTH);
    free(wrong);
    /* A jti that is not a session of ours. */
    char *nosession = forge(e, JWT_ALG_HS256, NULL, p.user_id, "00000000-0000-4000-8000-000000000000", future, false);
    assert_int_equal(verify(e, nosession, &err), HY_ERR_AUTH);
    free(nosession);
    /* Garbage and overlong input. */
    assert_int_equal(verify(e, "not.a.token", &err), HY_ERR_AUTH);
    assert_int_equal(verify(e, "", &err), HY_ERR_AUTH);
    char *huge = xmalloc(HY_MAX_TOKEN_LEN + 10);
    memset(huge, 'a', HY_MAX_TOKEN_LEN + 9);
    huge[HY_MAX_TOKEN_LEN + 9] = '\0';
    assert_int_equal(verify(e, huge, &err), HY_ERR_AUTH);
    free(huge);
    /* Revoked by logout. */
    assert_int_equal(auth_logout(e->c, &p, &err), 0);
    assert_int_equal(verify(e, token, &err), HY_ERR_AUTH);
    assert_int_equal(auth_check_session(e->c, &p, &err), HY_ERR_AUTH);
    free(token);
    t_env_free(e);
}

static void sessions_expire_after_the_configured_hours(void **s)
{
    (void)s;
    t_env *e = world();
    hy_err err;
    hy_principal p;
    char *token = NULL;
    assert_int_equal(auth_login(e->c, "pa@acme.example", "partner-pass-1", &p, &token, &err), 0);
    assert_int_equal(p.exp - hy_now_ms() / 1000 > 8 * 3600 - 60, 1);
    hy_clock_set_offset_ms((int64_t)8 * 3600 * 1000 + 1000);
    assert_int_equal(verify(e, token, &err), HY_ERR_AUTH);
    assert_int_equal(auth_check_session(e->c, &p, &err), HY_ERR_AUTH);
    hy_org_list l;
    assert_int_equal(ops_org_list(e->c, &p, NULL, &l, &err), HY_ERR_AUTH);
    hy_clock_set_offset_ms(0);
    assert_int_equal(verify(e, token, &err), 0);
    free(token);
    t_env_free(e);
}

static void wrong_credentials_get_one_generic_message(void **s)
{
    (void)s;
    t_env *e = world();
    hy_err a, b;
    hy_principal p;
    char *token = NULL;
    hy_err_clear(&a);
    hy_err_clear(&b);
    assert_int_equal(auth_login(e->c, "pa@acme.example", "wrong-password", &p, &token, &a), HY_ERR_AUTH);
    assert_int_equal(auth_login(e->c, "nobody@acme.example", "wrong-password", &p, &token, &b), HY_ERR_AUTH);
    assert_string_equal(a.msg, "Wrong email or password.");
    assert_string_equal(a.msg, b.msg);
    assert_null(token);
    /* Email is matched case-insensitively. */
    assert_int_equal(auth_login(e->c, "  PA@Acme.Example ", "partner-pass-1", &p, &token, &a), 0);
    free(token);
    t_env_free(e);
}

static void lockout_after_failures_even_with_right_password(void **s)
{
    (void)s;
    t_env *e = world();
    hy_err err;
    hy_principal p;
    char *token = NULL;
    for (int i = 0; i < 4; i++) {
        hy_err_clear(&err);
        assert_int_equal(auth_login(e->c, "pa@acme.example", "bad", &p, &token, &err), HY_ERR_AUTH);
    }
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "pa@acme.example", "bad", &p, &token, &err), HY_ERR_LOCKED);
    assert_non_null(strstr(err.msg, "locked for 15 more minutes"));
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "pa@acme.example", "partner-pass-1", &p, &token, &err), HY_ERR_LOCKED);
    assert_null(token);
    /* An unknown email locks the same way: the message does not tell. */
    hy_err unknown;
    for (int i = 0; i < 5; i++) {
        hy_err_clear(&unknown);
        auth_login(e->c, "ghost@acme.example", "bad", &p, &token, &unknown);
    }
    hy_err_clear(&unknown);
    assert_int_equal(auth_login(e->c, "ghost@acme.example", "bad", &p, &token, &unknown), HY_ERR_LOCKED);
    assert_string_equal(unknown.msg, err.msg);
    /* Other accounts are not affected. */
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "admin@hyopps.local", "admin123", &p, &token, &err), 0);
    free(token);
    /* After the lockout window the right password works again. */
    hy_clock_set_offset_ms(15 * 60 * 1000 + 1000);
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "pa@acme.example", "partner-pass-1", &p, &token, &err), 0);
    free(token);
    hy_clock_set_offset_ms(0);
    /* Failures and the lockout are in the audit trail. */
    assert_true(t_count(e, "SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'", "") >= 10);
    t_env_free(e);
}

static void roles_at_login(void **s)
{
    (void)s;
    t_env *e = world();
    hy_err err;
    hy_principal p;
    char *token = NULL;
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "plain@acme.example", "user-pass-12", &p, &token, &err), HY_ERR_FORBIDDEN);
    assert_string_equal(err.msg, "This account has no panel access.");
    assert_null(token);
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "lonely@nowhere.example", "partner-pass-1", &p, &token, &err), HY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.msg, "not linked to an organisation"));
    assert_null(token);
    /* A user created by a workflow (unusable password) cannot log in at all. */
    char id[HY_UUID_LEN];
    t_user(e, "nopw@acme.example", "partner_admin", org_id, NULL, id);
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "nopw@acme.example", "!", &p, &token, &err), HY_ERR_AUTH);
    t_env_free(e);
}

static void default_admin_must_change_password_first(void **s)
{
    (void)s;
    t_env *e = t_env_new();
    hy_err err;
    hy_principal p;
    char *token = NULL;
    assert_int_equal(auth_login(e->c, "admin@hyopps.local", "admin123", &p, &token, &err), 0);
    assert_true(p.must_change_password);
    free(token);
    /* Nothing else until the password is changed. */
    hy_org_list l;
    assert_int_equal(ops_org_list(e->c, &p, NULL, &l, &err), HY_ERR_PASSWORD_CHANGE);
    hy_principal old = p;
    /* Wrong current password, weak new one: field errors, nothing changed. */
    hy_err_clear(&err);
    assert_int_equal(auth_change_password(e->c, &p, "nope", "admin123", &token, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "current_password"));
    assert_non_null(hy_field_msg(&err, "new_password"));
    assert_null(token);
    hy_err_clear(&err);
    assert_int_equal(auth_change_password(e->c, &p, "admin123", "a much better one", &token, &err), 0);
    assert_non_null(token);
    assert_false(p.must_change_password);
    /* The old session ended; the new one works. */
    assert_int_equal(auth_check_session(e->c, &old, &err), HY_ERR_AUTH);
    assert_int_equal(verify(e, token, &err), 0);
    assert_int_equal(ops_org_list(e->c, &p, NULL, &l, &err), 0);
    hy_org_list_free(&l);
    free(token);
    /* The old password no longer works; the new one does, without a forced change. */
    hy_err_clear(&err);
    assert_int_equal(auth_login(e->c, "admin@hyopps.local", "admin123", &p, &token, &err), HY_ERR_AUTH);
    assert_int_equal(auth_login(e->c, "admin@hyopps.local", "a much better one", &p, &token, &err), 0);
    assert_false(p.must_change_password);
    free(token);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passwords_hash_verify_and_rehash),
        cmocka_unit_test(tokens_are_verified_strictly),
        cmocka_unit_test(sessions_expire_after_the_configured_hours),
        cmocka_unit_test(wrong_credentials_get_one_generic_message),
        cmocka_unit_test(lockout_after_failures_even_with_right_password),
        cmocka_unit_test(roles_at_login),
        cmocka_unit_test(default_admin_must_change_password_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
