#!/usr/bin/env bash
# The support role and account unlock, run as people would: an admin makes
# someone support; support reads everything, fills in a waiting step,
# retries a failed one, and every other change answers exit 4 and changes
# nothing; an email locked by failed logins shows until when, and an admin
# unlocks it (audited).
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
write_fast_config "$TEST_DIR/config.ini" '[metabase]
mode = simulate
[teams]
mode = simulate
[slack]
mode = simulate
[smtp]
mode = simulate
[notify]
input_delay_minutes = 0'
export HYOPPS_CONFIG=$TEST_DIR/config.ini
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

out=$(hy users --help); expect_contains "users --help lists unlock" "users unlock USER" "$out"
expect_contains "users --help explains support" "support (sees everything" "$out"
admin_login || not_ok "admin login"

# --- an admin makes someone support ------------------------------------------
sqlite3 "$db" "INSERT INTO organizations(id, name, created_at) VALUES
  ('11111111-1111-4111-8111-111111111111', 'Acme Corp', '2026-01-02T03:04:05.000Z');
INSERT INTO users(id, firstname, lastname, email, app_role, password_hash) VALUES
  ('55555555-5555-4555-8555-555555555555', 'Sue', 'Port', 'sue@hyopps.local', 'user', '!');"
out=$(hy users edit sue@hyopps.local --role helpdesk 2>&1); rc=$?
expect_eq "an unknown role exits 1" 1 "$rc"
expect_contains "and names the roles" "role: must be admin, support, partner_admin or user" "$out"
hy users edit sue@hyopps.local --role support >/dev/null; expect_eq "users edit --role support exits 0" 0 "$?"
printf 'sue-password-1\n' | hy users set-password sue@hyopps.local --password-stdin >/dev/null
expect_eq "users show says support" support "$(hy users show sue@hyopps.local --json | pyjson 'print(d["role"])')"
# a new_partner_user waiting for its details, one failing at Metabase (no group id)
npu=$(hy exec start new_partner_user --org "Acme Corp" --quiet); expect_eq "admin starts a request" 0 "$?"
np=$(hy exec start new_partner --quiet)
admin_token=$(cat "$XDG_STATE_HOME/hyopps/token")

# --- support's session ---------------------------------------------------------
export XDG_STATE_HOME=$TEST_DIR/sue-state
echo sue-password-1 | hy login --email sue@hyopps.local --password-stdin >/dev/null
printf 'sue-password-1\nsue-password-2\n' | hy passwd --password-stdin >/dev/null
expect_eq "support logs in" support "$(hy whoami --json | pyjson 'print(d["role"])')"
out=$(hy orgs list); expect_contains "reads organisations" "Acme Corp" "$out"
out=$(hy users list); expect_contains "reads users" "admin@hyopps.local" "$out"
hy audit --since 1h >/dev/null; expect_eq "reads the audit trail" 0 "$?"
hy integrations check >/dev/null; expect_eq "runs the integrations check" 0 "$?"
out=$(hy exec list); expect_contains "sees every execution" "${npu:0:8}" "$out"
hy exec show "$np" >/dev/null; expect_eq "shows any execution" 0 "$?"
snapshot() { sqlite3 "$db" "SELECT (SELECT group_concat(name || account_types) FROM organizations),
  (SELECT group_concat(email || app_role || password_hash) FROM users),
  (SELECT group_concat(id || status || current_step_order) FROM workflow_executions),
  (SELECT count(*) FROM audit_log)"; }
before=$(snapshot)
refused() { # refused "what" command...
    local what=$1; shift
    out=$("$@" 2>&1 </dev/null); expect_eq "support may not $what (exit 4)" 4 "$?"
}
refused "edit an organisation" hy orgs edit "Acme Corp" --name Hacked
refused "delete an organisation" hy orgs delete "Acme Corp" --yes
refused "edit a user" hy users edit sue@hyopps.local --role admin
refused "set a password" sh -c 'printf "x-password-9\n" | "$HYOPPS_BIN" users set-password admin@hyopps.local --password-stdin'
refused "delete a user" hy users delete admin@hyopps.local --yes
refused "unlock" hy users unlock admin@hyopps.local
refused "start a workflow" hy exec start new_partner
refused "cancel" hy exec cancel "$npu"
refused "skip" hy exec skip "$npu" 2 --reason x
refused "mark done by hand" hy exec done "$npu" 2 --note x
refused "re-run" hy exec rerun "$npu" --from 1
expect_eq "the refusals changed nothing" "$before" "$(snapshot)"
expect_contains "a refusal says why" "your role may not cancel executions" "$(hy exec cancel "$npu" 2>&1)"
# what support may do: fill in the waiting step, retry the failed one
hy exec input "$npu" input_user_details firstname=Fay lastname=Lure email=fay@acme.example >/dev/null
expect_eq "support fills in a waiting step" 0 "$?"
expect_eq "which fails at Metabase (no group)" failed "$(hy exec show "$npu" --json | pyjson 'print(d["status"])')"
sqlite3 "$db" "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id) VALUES
  ('g1', '11111111-1111-4111-8111-111111111111', 'metabase', 'ext-acme-corp', '42')"
hy exec retry "$npu" >/dev/null; expect_eq "support retries it" 0 "$?"
hy exec show "$npu" --json | pyjson 'assert d["step_list"][3]["status"] == "completed", d["step_list"][3]' \
    && ok "the Metabase step completes" || not_ok "the retried step completes"
expect_eq "both in the trail, by support" 2 "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE actor_email = 'sue@hyopps.local' AND action IN ('exec.input', 'exec.retry')")"

# --- notifications (simulated: recorded, nothing sent) ---------------------------
hy worker --once >/dev/null 2>&1
out=$(hy notify list); expect_eq "support reads the outbox" 0 "$?"
expect_contains "the failure was notified" "failed" "$out"
expect_contains "to support too (every admin and support user)" "email sue@hyopps.local  simulated" "$out"
hy notify list --pending --json | pyjson 'assert d["notifications"] == [], d' \
    && ok "notify list --pending --json: nothing waits" || not_ok "notify list --pending --json"
out=$(hy exec show "$npu"); expect_contains "exec show lists its notifications" "Notifications:" "$out"
out=$(hy notify off); expect_contains "notify off" "Notifications off for sue@hyopps.local" "$out"
expect_contains "notify says so" "are off" "$(hy notify)"
hy notify on >/dev/null
expect_eq "both audited" 2 "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'user.notifications' AND actor_email = 'sue@hyopps.local'")"
out=$(hy notify frob 2>&1); expect_eq "an unknown subcommand exits 2" 2 "$?"

# --- lockout and unlock ----------------------------------------------------------
for i in 1 2 3 4 5; do echo wrong-password | hy login --email sue@hyopps.local --password-stdin >/dev/null 2>&1; done
out=$(echo sue-password-2 | hy login --email sue@hyopps.local --password-stdin 2>&1); rc=$?
expect_eq "locked: even the right password is refused" 1 "$rc"
expect_contains "the message says who can help" "ask an administrator to unlock it" "$out"
export XDG_STATE_HOME=$TEST_DIR/state
HYOPPS_TOKEN=$admin_token hy users show sue@hyopps.local --json | pyjson '
assert d["locked"] is True and d["failed_logins"] == 5, d
assert d["locked_until"] > d["created_at"]' && ok "users show --json: locked, until when, 5 failures" || not_ok "users show --json lock"
out=$(HYOPPS_TOKEN=$admin_token hy users show sue@hyopps.local)
expect_contains "users show: locked until" "locked                until " "$out"
expect_contains "and how to unlock" "hyopps users unlock clears them" "$out"
out=$(HYOPPS_TOKEN=$admin_token hy users unlock sue@hyopps.local); expect_eq "admin unlocks" 0 "$?"
expect_contains "says what it cleared" "Unlocked: 5 failed logins cleared" "$out"
out=$(HYOPPS_TOKEN=$admin_token hy users unlock sue@hyopps.local 2>&1); rc=$?
expect_eq "nothing left to unlock exits 1" 1 "$rc"
expect_contains "and says so" "is not locked" "$out"
echo sue-password-2 | XDG_STATE_HOME=$TEST_DIR/sue-state hy login --email sue@hyopps.local --password-stdin >/dev/null
expect_eq "the right password works again" 0 "$?"
expect_eq "the unlock is audited" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'user.unlock' AND actor_email = 'admin@hyopps.local' AND json_extract(details, '$.failed_logins_cleared') = 5")"

done_testing
