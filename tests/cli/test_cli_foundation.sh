#!/usr/bin/env bash
# The foundation's CLI, run as a user would: login/passwd/whoami/logout,
# orgs, users, audit, db migrate; exit codes, --help, --json, sanitizing.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
write_fast_config "$TEST_DIR/config.ini"
export HYOPPS_CONFIG=$TEST_DIR/config.ini

# --- help and version ------------------------------------------------------
out=$(hy --version); expect_contains "--version prints the version" "hyopps 0." "$out"
out=$(hy --help); rc=$?
expect_eq "--help exits 0" 0 "$rc"
for c in login logout whoami passwd orgs users audit db; do
    expect_contains "--help lists $c" "  $c " "$out"
    hy $c --help >/dev/null 2>&1; expect_eq "$c --help exits 0" 0 "$?"
done
hy frobnicate >/dev/null 2>&1; expect_eq "unknown command exits 2" 2 "$?"
hy --bogus >/dev/null 2>&1; expect_eq "unknown option exits 2" 2 "$?"
hy orgs >/dev/null 2>&1; expect_eq "orgs without subcommand exits 2" 2 "$?"

# --- not logged in ----------------------------------------------------------
out=$(hy orgs list 2>&1); rc=$?
expect_eq "orgs list without login exits 3" 3 "$rc"
expect_contains "says to log in" "run hyopps login" "$out"

# --- login, forced password change -----------------------------------------
out=$(echo wrong-password | hy login --email admin@hyopps.local --password-stdin 2>&1); rc=$?
expect_eq "wrong password exits 3" 3 "$rc"
expect_contains "generic message" "Wrong email or password." "$out"
out=$(echo wrong-password | hy login --email nobody@hyopps.local --password-stdin 2>&1)
expect_contains "unknown email: same message" "Wrong email or password." "$out"

out=$(echo admin123 | hy login --email admin@hyopps.local --password-stdin 2>&1); rc=$?
expect_eq "default admin logs in" 0 "$rc"
expect_contains "told to change the password" "run hyopps passwd" "$out"
tokfile=$XDG_STATE_HOME/hyopps/token
expect_eq "token file is 0600" 600 "$(stat -c %a "$tokfile")"
expect_eq "token dir is 0700" 700 "$(stat -c %a "$XDG_STATE_HOME/hyopps")"
out=$(hy orgs list 2>&1); rc=$?
expect_eq "orgs list before passwd exits 3" 3 "$rc"
expect_contains "password change required message" "password change required: run hyopps passwd" "$out"
out=$(hy whoami 2>&1); rc=$?
expect_eq "whoami allowed before passwd" 0 "$rc"
expect_contains "whoami shows the change requirement" "change required" "$out"
out=$(printf 'admin123\nadmin123\n' | hy passwd --password-stdin 2>&1); rc=$?
expect_eq "passwd refuses admin123 as the new password" 1 "$rc"
expect_contains "field error for the new password" "new_password: must not be the default password admin123" "$out"
out=$(printf 'admin123\nadmin-pass-1\n' | hy passwd --password-stdin 2>&1); rc=$?
expect_eq "passwd succeeds" 0 "$rc"
out=$(hy orgs list 2>&1); rc=$?
expect_eq "orgs list after passwd exits 0" 0 "$rc"
expect_contains "table header" "NAME" "$out"
json=$(hy whoami --json)
echo "$json" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["role"]=="admin" and d["must_change_password"] is False' \
    && ok "whoami --json is valid JSON with role and flag" || not_ok "whoami --json" "$json"

# --- organisations ----------------------------------------------------------
db=$HYOPPS_DB
sqlite3 "$db" "INSERT INTO organizations(id, name, created_at) VALUES
  ('11111111-1111-4111-8111-111111111111', 'Acme Corp', '2026-01-02T03:04:05.000Z'),
  ('22222222-2222-4222-8222-222222222222', 'Globex', '2026-01-02T03:04:05.000Z'),
  ('33333333-3333-4333-8333-333333333333', 'Evil'||char(27)||'[31mRed'||char(8238)||'txt', '2026-01-02T03:04:05.000Z');"
out=$(hy orgs list)
expect_contains "list shows Acme" "Acme Corp" "$out"
expect_contains "control characters are shown escaped" 'Evil\x1b[31mRed\u202etxt' "$out"
if printf '%s' "$out" | grep -q $'\x1b'; then not_ok "no raw ESC reaches the terminal"; else ok "no raw ESC reaches the terminal"; fi
out=$(hy orgs list --json)
if printf '%s' "$out" | grep -q $'\xe2\x80\xae'; then not_ok "JSON escapes the bidi override"; else ok "JSON escapes the bidi override"; fi
echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==3; assert any(o["name"].startswith("Evil\x1b") for o in d)' \
    && ok "orgs list --json decodes to the real names" || not_ok "orgs list --json" "$out"
out=$(hy orgs show 1111 2>&1); rc=$?
expect_eq "show by id prefix" 0 "$rc"
expect_contains "show prints the name" "Acme Corp" "$out"
hy orgs show "no such org" >/dev/null 2>&1; expect_eq "show unknown exits 4" 4 "$?"
out=$(hy orgs edit "Acme Corp" --docs-internal 'javascript:alert(1)' --metabase-group seven 2>&1); rc=$?
expect_eq "bad edit exits 1" 1 "$rc"
expect_contains "bad URL named" "internal: must be an http:// or https:// URL" "$out"
expect_contains "bad group id named (same run)" "metabase: must be a Metabase group id" "$out"
hy orgs edit "Acme Corp" --docs-internal https://docs.example/in --metabase-group 7 --account-types partner,client >/dev/null; rc=$?
expect_eq "good edit exits 0" 0 "$rc"
out=$(hy orgs show "Acme Corp" --json)
echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["documentation"]["internal"]=="https://docs.example/in"; assert d["system_groups"][0]["external_id"]=="7"; assert d["account_types"]==["partner","client"]' \
    && ok "edit is visible in show --json" || not_ok "edit visible" "$out"
hy orgs edit "Acme Corp" --metabase-group-name "Acme analysts" >/dev/null; rc=$?
expect_eq "a group's name is edited (exit 0)" 0 "$rc"
expect_contains "show lists the name beside the id" "metabase  Acme analysts  id 7" "$(hy orgs show "Acme Corp")"
out=$(hy orgs edit "Acme Corp" --slack-group-name acme 2>&1); rc=$?
expect_eq "naming a group that does not exist exits 1" 1 "$rc"
expect_contains "says what to give" "slack_name: this organisation has no Slack group to name: give its id too" "$out"
out=$(hy orgs delete Globex 2>&1 </dev/null); rc=$?
expect_eq "delete without --yes and no terminal exits 1" 1 "$rc"
expect_contains "delete explains what it removes" "removes 0 Studio companies" "$out"
expect_eq "nothing deleted without confirmation" 1 "$(sqlite3 "$db" "SELECT count(*) FROM organizations WHERE name='Globex'")"
hy orgs delete Globex --yes >/dev/null; expect_eq "delete --yes exits 0" 0 "$?"
expect_eq "Globex is gone" 0 "$(sqlite3 "$db" "SELECT count(*) FROM organizations WHERE name='Globex'")"

# --- users ------------------------------------------------------------------
sqlite3 "$db" "INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash) VALUES
  ('44444444-4444-4444-8444-444444444444', 'Pat', 'Partner', 'pat@acme.example', '11111111-1111-4111-8111-111111111111', 'user', '!');"
out=$(hy users list)
expect_contains "users list shows pat" "pat@acme.example" "$out"
out=$(hy users edit pat@acme.example --role partner_admin --languages en,zz 2>&1); rc=$?
expect_eq "bad language exits 1" 1 "$rc"
expect_contains "language error" "'zz' is not an ISO 639-1 language code" "$out"
hy users edit pat@acme.example --role partner_admin --languages en,de >/dev/null; expect_eq "edit role exits 0" 0 "$?"
printf 'pat-password-1\n' | hy users set-password pat@acme.example --password-stdin >/dev/null
expect_eq "set-password exits 0" 0 "$?"
out=$(hy users show pat@acme.example --json)
echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["role"]=="partner_admin"; assert d["languages"]==["en","de"]; assert d["can_log_in"] and d["must_change_password"]' \
    && ok "users show --json reflects the edits" || not_ok "users show --json" "$out"

# --- a partner admin's view (own token via HYOPPS_TOKEN) ---------------------
admin_token=$(cat "$tokfile")
(
    export XDG_STATE_HOME=$TEST_DIR/pat-state
    echo pat-password-1 | hy login --email pat@acme.example --password-stdin >/dev/null
    printf 'pat-password-1\npat-password-2\n' | hy passwd --password-stdin >/dev/null
    out=$(hy orgs list)
    expect_contains "partner admin sees own org" "Acme Corp" "$out"
    expect_not_contains "partner admin does not see other orgs" "Evil" "$out"
    hy orgs show 3333 >/dev/null 2>&1; expect_eq "other org by prefix: not found (4)" 4 "$?"
    hy orgs edit "Acme Corp" --name Hacked >/dev/null 2>&1; expect_eq "partner admin cannot edit (4)" 4 "$?"
    hy users edit pat@acme.example --role admin >/dev/null 2>&1; expect_eq "partner admin cannot promote (4)" 4 "$?"
    hy audit >/dev/null 2>&1; expect_eq "partner admin cannot read the audit trail (4)" 4 "$?"
    out=$(HYOPPS_TOKEN=$admin_token hy whoami)
    expect_contains "HYOPPS_TOKEN overrides the token file" "admin@hyopps.local" "$out"
) | tee "$TEST_DIR/sub.tap"
_tap_n=$((_tap_n + $(grep -c '^\(not \)\?ok ' "$TEST_DIR/sub.tap")))
_tap_failed=$((_tap_failed + $(grep -c '^not ok ' "$TEST_DIR/sub.tap")))

# --- a user-role account -------------------------------------------------------
hy users edit pat@acme.example --role user >/dev/null
out=$(echo pat-password-2 | XDG_STATE_HOME=$TEST_DIR/u hy login --email pat@acme.example --password-stdin 2>&1); rc=$?
expect_eq "user role login exits 4" 4 "$rc"
expect_contains "no panel access" "This account has no panel access." "$out"

# --- audit ------------------------------------------------------------------
out=$(hy audit --since 1h)
expect_contains "audit shows the org edit" "org.update" "$out"
expect_contains "audit shows the delete" "org.delete" "$out"
expect_contains "audit shows the OS user" "$(id -un)" "$out"
expect_not_contains "audit never shows a password" "pat-password" "$out"
out=$(hy audit --action user. --json)
echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d and all(e["action"].startswith("user.") for e in d)' \
    && ok "audit --action filters" || not_ok "audit --action" "$out"
hy audit --since yesterday-ish >/dev/null 2>&1; expect_eq "bad --since exits 2" 2 "$?"
# --target: a whole id (any case) and a prefix find exactly that target's rows
pat_id=$(hy users show pat@acme.example --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
want=$(sqlite3 "$HYOPPS_DB" "SELECT group_concat(id) FROM (SELECT id FROM audit_log WHERE target_id = '$pat_id' ORDER BY id DESC)")
check "the trail has several rows about pat" test "$(echo "$want" | tr ',' '\n' | wc -l)" -ge 3
ids_of() { /usr/bin/python3 -c 'import json,sys; print(",".join(str(e["id"]) for e in json.load(sys.stdin)))'; }
expect_eq "audit --target ID: that target's rows, newest first" "$want" "$(hy audit --target "$pat_id" --json | ids_of)"
expect_eq "audit --target ID in capitals: the same" "$want" \
    "$(hy audit --target "$(echo "$pat_id" | tr a-f A-F)" --json | ids_of)"
expect_eq "audit --target PREFIX: the same" "$want" "$(hy audit --target "${pat_id:0:8}" --json | ids_of)"
want=$(sqlite3 "$HYOPPS_DB" "SELECT group_concat(id) FROM (SELECT id FROM audit_log WHERE target_id = '$pat_id' AND action LIKE 'user.%' ORDER BY id DESC)")
expect_eq "audit --target ID --action user.: both apply" "$want" "$(hy audit --target "$pat_id" --action user. --json | ids_of)"
SSH_CONNECTION="203.0.113.9 50022 10.0.0.1 22" hy orgs edit "Acme Corp" --docs-general https://docs.example/g >/dev/null
out=$(hy audit --action org.set_docs --json)
echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["remote"]=="203.0.113.9", d[0]' \
    && ok "audit records the SSH client address" || not_ok "audit records the SSH client address" "$out"

# --- logout -----------------------------------------------------------------
hy logout >/dev/null; expect_eq "logout exits 0" 0 "$?"
[ -e "$tokfile" ] && not_ok "logout removes the token file" || ok "logout removes the token file"
HYOPPS_TOKEN=$admin_token hy orgs list >/dev/null 2>&1; expect_eq "the logged-out token is revoked (3)" 3 "$?"

# --- config errors and db migrate -------------------------------------------
printf '[smtp]\nport = many\n' >"$TEST_DIR/bad.ini"
out=$(hy --config "$TEST_DIR/bad.ini" orgs list 2>&1); rc=$?
expect_eq "bad config exits 1" 1 "$rc"
expect_contains "FILE:LINE message" "$TEST_DIR/bad.ini:2: [smtp] port must be a whole number from 1 to 65535, got 'many'" "$out"
out=$(HYOPPS_DB=$TEST_DIR/no-such-dir/hyopps.db hy orgs list 2>&1); rc=$?
expect_eq "a database in a missing directory exits 1" 1 "$rc"
expect_contains "says which directory is missing and what to set" \
    "(the directory $TEST_DIR/no-such-dir does not exist: create it, or set [database] path or HYOPPS_DB)" "$out"
check "and creates nothing" test ! -e "$TEST_DIR/no-such-dir"
cp "$HYOPPS_ROOT/tests/fixtures/legacy-hyopps.db" "$TEST_DIR/legacy.db"
out=$(HYOPPS_DB=$TEST_DIR/legacy.db hy db migrate); rc=$?
expect_eq "db migrate exits 0" 0 "$rc"
expect_contains "db migrate reports versions" "schema version 0 ->" "$out"
out=$(HYOPPS_DB=$TEST_DIR/legacy.db hy db migrate)
expect_contains "second migrate applies nothing" "(0 migrations applied)" "$out"
expect_eq "legacy rows kept" 34 "$(sqlite3 "$TEST_DIR/legacy.db" 'SELECT count(*) FROM workflow_step_executions')"

done_testing
