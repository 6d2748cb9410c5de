#!/usr/bin/env bash
# Issue 10, item 6: `hyopps users metabase USER [list|add GROUP|remove GROUP]
# [--json]`, live against the fake Metabase and simulated: a user without a
# stored Metabase id is found by email (a deactivated account reactivated)
# or created, its id stored, then added; who may use it; exit codes.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
stop_fake() { "$FAKES/fakectl.sh" stop "$TEST_DIR/metabase"; }
CLEANUP_FUNCS="stop_fake"
MB=$("$FAKES/fakectl.sh" start metabase "$TEST_DIR/metabase" --api-key mb-KEY-cli) || exit 1
live() {
    write_fast_config "$TEST_DIR/config.ini" "[metabase]
url = http://127.0.0.1:$MB
api_key = mb-KEY-cli
[http]
timeout_ms = 3000"
}
live
export HYOPPS_CONFIG=$TEST_DIR/config.ini
out=$(hy users metabase jane@acme.example 2>&1); expect_eq "not logged in: exit 3" 3 "$?"
admin_login || not_ok "admin login"

ORG=11111111-1111-4111-8111-111111111111
sqlite3 "$db" "INSERT INTO organizations(id, name, account_types) VALUES('$ORG', 'Acme Corp', '[\"partner\"]');
INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash) VALUES
  ('22222222-2222-4222-8222-222222222222', 'Jane', 'Doe', 'jane@acme.example', '$ORG', 'user', '!'),
  ('33333333-3333-4333-8333-333333333333', 'Gus', 'Gone', 'gus@acme.example', '$ORG', 'user', '!'),
  ('44444444-4444-4444-8444-444444444444', 'Fay', 'Fresh', 'fay@acme.example', '$ORG', 'user', '!');"
seed=$("$FAKES/fakectl.sh" seed "$TEST_DIR/metabase" \
    '{"users": [{"email": "jane@acme.example"}, {"email": "gus@acme.example", "is_active": false}],
      "groups": [{"name": "ext-acme-corp"}, {"name": "ext-globex"}]}')
JANE_MB=$(printf '%s' "$seed" | pyjson 'print(d["users"][0])')
GUS_MB=$(printf '%s' "$seed" | pyjson 'print(d["users"][1])')
G1=$(printf '%s' "$seed" | pyjson 'print(d["groups"][0])')
G2=$(printf '%s' "$seed" | pyjson 'print(d["groups"][1])')
stored() { sqlite3 "$db" "SELECT coalesce(metabase_user_id, 'none') FROM users WHERE email = '$1'"; }
member() { # member MB_USER GROUP: True/False by the fake's own state
    "$FAKES/fakectl.sh" state "$TEST_DIR/metabase" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
print(any(m["user_id"] == int(sys.argv[1]) and m["group_id"] == int(sys.argv[2]) for m in s["memberships"]))' "$1" "$2"
}

# --- list: nothing stored, found by email, nothing stored by looking ----------------
out=$(hy users metabase jane@acme.example); expect_eq "list exits 0" 0 "$?"
expect_contains "list: found by email" "none stored (Metabase has $JANE_MB for this email)" "$out"
expect_contains "list: no groups yet" "Not a member of any group" "$out"
expect_eq "list stores nothing" none "$(stored jane@acme.example)"

# --- add by id: the existing account is stored, then added ----------------------------
out=$(hy users metabase jane@acme.example add "$G1"); expect_eq "add exits 0" 0 "$?"
expect_contains "add: says the account was stored" "Metabase account $JANE_MB (existed) stored for this user." "$out"
expect_contains "add: says it added" "Added to Metabase group $G1." "$out"
expect_eq "add: the id is stored" "$JANE_MB" "$(stored jane@acme.example)"
expect_eq "add: the fake has the membership" True "$(member "$JANE_MB" "$G1")"
out=$(hy users metabase jane@acme.example add "$G1"); expect_contains "add again: already" "Already in Metabase group $G1." "$out"
# --- add by name, --json ---------------------------------------------------------------
hy users metabase jane@acme.example add EXT-GLOBEX --json | G="$G2" M="$JANE_MB" pyjson '
import os
assert d == {"group_id": int(os.environ["G"]), "changed": True, "metabase_user_id": int(os.environ["M"]), "linked": False}, d
' && ok "add by name, --json" || not_ok "add by name, --json"
hy users metabase jane@acme.example --json | G1="$G1" G2="$G2" M="$JANE_MB" pyjson '
import os
assert d["stored"] is True and d["metabase_user_id"] == int(os.environ["M"]) and d["mode"] == "live", d
assert sorted(g["id"] for g in d["groups"]) == sorted([int(os.environ["G1"]), int(os.environ["G2"])]), d
' && ok "list --json: the stored id and both groups" || not_ok "list --json"
out=$(hy users metabase jane@acme.example)
expect_contains "list: the stored id" "$JANE_MB" "$out"
expect_contains "list: the groups by name" "ext-globex" "$out"

# --- a deactivated account is reactivated; none at all is created ------------------------
hy users metabase gus@acme.example add "$G1" --json | pyjson 'assert d["linked"] and d["account"] == "reactivated", d' &&
    ok "a deactivated account: reactivated and stored" || not_ok "a deactivated account: reactivated"
expect_eq "gus: the id is stored" "$GUS_MB" "$(stored gus@acme.example)"
expect_eq "gus: active again in Metabase" True "$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" |
    M="$GUS_MB" pyjson 'import os; print([u["is_active"] for u in d["users"] if u["id"] == int(os.environ["M"])][0])')"
out=$(hy users metabase fay@acme.example add "$G1"); expect_eq "no account: add exits 0" 0 "$?"
expect_contains "no account: created" "(created) stored for this user." "$out"
FAY_MB=$(stored fay@acme.example)
expect_eq "no account: one Metabase user made for the email" 1 "$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" |
    pyjson 'print(sum(u["email"] == "fay@acme.example" for u in d["users"]))')"
expect_eq "no account: added" True "$(member "$FAY_MB" "$G1")"
expect_eq "every account stored is in the audit trail" 3 \
    "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'metabase.link_user'")"

# --- remove ------------------------------------------------------------------------------
out=$(hy users metabase jane@acme.example remove ext-acme-corp); expect_eq "remove by name exits 0" 0 "$?"
expect_contains "remove: says so" "Removed from Metabase group $G1." "$out"
expect_eq "remove: gone from the fake" False "$(member "$JANE_MB" "$G1")"
out=$(hy users metabase jane@acme.example remove "$G1"); expect_contains "remove again: nothing" "Not in Metabase group $G1" "$out"

# --- errors and exit codes ---------------------------------------------------------------
hy users metabase jane@acme.example frob >/dev/null 2>&1; expect_eq "unknown action: exit 2" 2 "$?"
hy users metabase jane@acme.example add >/dev/null 2>&1; expect_eq "add without GROUP: exit 2" 2 "$?"
out=$(hy users metabase jane@acme.example add 1 2>&1); expect_eq "All Users: exit 1" 1 "$?"
expect_contains "All Users: refused with the reason" "Metabase's own" "$out"
out=$(hy users metabase jane@acme.example add no-such-group 2>&1); expect_eq "unknown group name: exit 1" 1 "$?"
expect_contains "unknown group name: says so" "no Metabase group named 'no-such-group'" "$out"
hy users metabase nobody@acme.example >/dev/null 2>&1; expect_eq "unknown user: exit 4" 4 "$?"
sqlite3 "$db" "UPDATE users SET app_role = 'partner_admin' WHERE email = 'jane@acme.example'"
printf 'jane-pass-123\n' | hy users set-password jane@acme.example --password-stdin >/dev/null
( export XDG_STATE_HOME=$TEST_DIR/pa-state
  echo jane-pass-123 | hy login --email jane@acme.example --password-stdin >/dev/null 2>&1
  printf 'jane-pass-123\njane-pass-456\n' | hy passwd --password-stdin >/dev/null 2>&1
  hy users metabase jane@acme.example >/dev/null 2>&1; echo "rc=$?"
  hy users metabase fay@acme.example add "$G2" >/dev/null 2>&1; echo "rc=$?" ) >"$TEST_DIR/pa.out"
expect_eq "a partner admin is refused (exit 4), list and add" "rc=4 rc=4" "$(tr '\n' ' ' <"$TEST_DIR/pa.out" | sed 's/ $//')"
expect_eq "the refused add changed nothing" False "$(member "$FAY_MB" "$G2")"

# --- simulate: consistent, no calls --------------------------------------------------------
write_fast_config "$TEST_DIR/config.ini" "[metabase]
mode = simulate"
calls=$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" | pyjson 'print(d["total_requests"])')
sqlite3 "$db" "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id)
               VALUES('55555555-5555-4555-8555-555555555555', '$ORG', 'metabase', 'ext-acme-corp', '7');
               INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash) VALUES
               ('66666666-6666-4666-8666-666666666666', 'Sim', 'Son', 'sim@acme.example', '$ORG', 'user', '!')"
out=$(hy users metabase sim@acme.example); expect_contains "simulate: none stored" "none stored" "$out"
hy users metabase sim@acme.example add 7 --json | pyjson 'assert d["changed"] and d["linked"] and d["account"] == "created", d' &&
    ok "simulate: add makes and stores an account" || not_ok "simulate: add makes and stores an account"
SIM_MB=$(stored sim@acme.example)
[ "$SIM_MB" != none ] && ok "simulate: the id is stored ($SIM_MB)" || not_ok "simulate: the id is stored"
hy users metabase sim@acme.example --json | M="$SIM_MB" pyjson '
import os
assert d["mode"] == "simulate" and d["stored"] and d["metabase_user_id"] == int(os.environ["M"]), d
assert d["groups"] == [{"id": 7, "name": "ext-acme-corp"}], d
' && ok "simulate: the panel's view agrees" || not_ok "simulate: list --json"
expect_eq "simulate: no call to Metabase" "$calls" \
    "$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" | pyjson 'print(d["total_requests"])')"
done_testing
