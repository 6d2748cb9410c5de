#!/usr/bin/env bash
# hyopps users revoke / orgs offboard / exec start --at / exec reschedule, run
# as a user would (simulated services): a partner admin revokes their own
# organisation's user and gets "not found" for another's; a revocation
# scheduled 2 seconds ahead starts by itself in a running worker, a cancelled
# one never runs, a rescheduled one moves; an offboarding with --wait.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
write_fast_config "$TEST_DIR/config.ini" "$SIMULATE_ALL"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
db=$HYOPPS_DB
q() { sqlite3 "$db" "$1"; }
status_of() { q "SELECT status FROM workflow_executions WHERE id = '$1'"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

# --- help and usage ---------------------------------------------------------
out=$(hy users revoke --help); expect_eq "users revoke --help exits 0" 0 "$?"
expect_contains "users revoke --help: usage" "hyopps users revoke USER --reason TEXT [--at WHEN] [--wait]" "$out"
out=$(hy orgs offboard --help); expect_eq "orgs offboard --help exits 0" 0 "$?"
expect_contains "orgs offboard --help: what it does" "the Slack user group" "$out"
hy exec reschedule --help >/dev/null; expect_eq "exec reschedule --help exits 0" 0 "$?"
expect_contains "exec --help names reschedule" "exec reschedule ID --at WHEN" "$(hy exec --help)"
expect_contains "users --help names revoke" "users revoke USER" "$(hy users --help)"
expect_contains "orgs --help names offboard" "orgs offboard ORG" "$(hy orgs --help)"
hy users revoke someone@x.test >/dev/null 2>&1; expect_eq "revoke without --reason exits 2" 2 "$?"
hy orgs offboard >/dev/null 2>&1; expect_eq "offboard without an organisation exits 2" 2 "$?"
admin_login || not_ok "admin login"

# --- two organisations, their users ------------------------------------------
mkorg() { # NAME PREFIX
    local np; np=$(hy exec start new_partner -q)
    hy exec input "$np" 1 "organization_name=$1" "studio_company_id_test=$2-t" "studio_company_id_prod=$2-p" >/dev/null &&
        hy exec input "$np" trigger_infrabot keycloak_cluster=prod-eu scopes=read keycloak_confirmed=yes >/dev/null &&
        hy exec wait "$np" >/dev/null && hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null &&
        hy exec wait "$np" >/dev/null || not_ok "new_partner $1"
}
onboard() { # EMAIL ORG
    local id; id=$(hy exec start new_partner_user --org "$2" -q)
    hy exec input "$id" 2 firstname=T lastname=U "email=$1" >/dev/null && hy exec wait "$id" >/dev/null &&
        is_status "$id" completed || not_ok "onboard $1" "$(hy exec show "$id")"
}
mkorg "Acme Corp" acme
mkorg "Beta Ltd" beta
for u in ann bob cy dee eve; do onboard "$u@acme.example" "Acme Corp"; done
for u in fay gus hal; do onboard "$u@beta.example" "Beta Ltd"; done
acme=$(q "SELECT id FROM organizations WHERE name = 'Acme Corp'")
grants() { q "SELECT count(*) FROM access_grants g JOIN users u ON u.id = g.user_id WHERE u.email = '$1' AND g.revoked_at IS NULL"; }
expect_eq "ann has four grants" 4 "$(grants ann@acme.example)"

# --- a partner admin ------------------------------------------------------------
cli_partner_admin pat@acme.example "$acme" "$TEST_DIR/pat" || not_ok "partner admin login"
(
    export XDG_STATE_HOME=$TEST_DIR/pat
    out=$(hy users revoke fay@beta.example --reason "not theirs" 2>&1); rc=$?
    expect_eq "partner admin: another organisation's user refused (exit 1)" 1 "$rc"
    expect_contains "...as not found" "no user of this organisation matches" "$out"
    expect_not_contains "...naming nothing of theirs" "Beta" "$out"
    out=$(hy users revoke admin@hyopps.local --reason x 2>&1)
    expect_contains "partner admin: an administrator is not found either" "no user of this organisation matches" "$out"
    out=$(hy users revoke pat@acme.example --reason x 2>&1)
    expect_contains "partner admin: never themselves" "you cannot revoke your own access" "$out"
    hy orgs offboard "Acme Corp" --reason x --yes >/dev/null 2>&1; expect_eq "partner admin cannot offboard (exit 4)" 4 "$?"
    out=$(hy users revoke ann@acme.example --reason "left us" --wait); rc=$?
    expect_eq "partner admin revokes their user (exit 0)" 0 "$rc"
    expect_contains "...up to the LMS confirmation" "awaiting_input at step 7 (lms_removal)" "$out"
    exit $_tap_failed
) >"$TEST_DIR/pat.tap"
relay_tap "$TEST_DIR/pat.tap"
expect_eq "ann's grants all ended" 0 "$(grants ann@acme.example)"
expect_eq "fay's untouched" 4 "$(grants fay@beta.example)"
ann_exec=$(q "SELECT e.id FROM workflow_executions e JOIN users u ON u.id = e.user_id WHERE u.email = 'ann@acme.example' AND e.workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'revoke_partner_user')")
hy exec input "$ann_exec" lms_removal lms_removed=yes >/dev/null; expect_eq "admin confirms the LMS" 0 "$?"
expect_eq "the revocation completed" completed "$(status_of "$ann_exec")"
expect_contains "users show: offboarded" "offboarded" "$(hy users show ann@acme.example)"
expect_contains "users list marks them" "user (offboarded)" "$(hy users list --filter ann)"
expect_eq "audit: who asked and why" 1 "$(q "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'exec.input' AND a.target_id = '$ann_exec' AND u.email = 'pat@acme.example'")"

# --- scheduled: starts by itself in a running worker; cancelled: never runs ---------
out=$(hy users revoke bob@acme.example --reason "contract ends" --at "+2s"); expect_eq "revoke --at exits 0" 0 "$?"
expect_contains "says it is scheduled" "Scheduled: it starts at" "$out"
bob_exec=$(printf '%s\n' "$out" | sed -n 's/^Started revoke_partner_user execution \([0-9a-f-]*\)$/\1/p')
cy_exec=$(hy users revoke cy@acme.example --reason "contract ends" --at "+1h" --quiet)
dee_exec=$(hy users revoke dee@acme.example --reason "contract ends" --at "+1h" --quiet)
out=$(hy exec list --status scheduled)
expect_contains "list --status scheduled: bob" "${bob_exec:0:8}" "$out"
expect_contains "list --status scheduled: cy" "${cy_exec:0:8}" "$out"
hy users revoke eve@acme.example --reason x --at "next tuesday" >/dev/null 2>&1
expect_eq "a bad --at exits 1" 1 "$?"
expect_contains "...and says how to write it" "is not a date/time" "$(hy users revoke eve@acme.example --reason x --at 'next tuesday' 2>&1)"
hy exec cancel "$cy_exec" >/dev/null; expect_eq "a scheduled revocation cancelled" 0 "$?"
"$HYOPPS_BIN" worker --poll-ms 50 2>"$TEST_DIR/worker.log" &
wpid=$!
stop_worker() { kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; }
CLEANUP_FUNCS="stop_worker"
expect_eq "bob's is still scheduled right after" scheduled "$(status_of "$bob_exec")"
wait_for 20 is_status "$bob_exec" awaiting_input && ok "the scheduled revocation started by itself in the worker" ||
    not_ok "scheduled start" "$(status_of "$bob_exec") $(cat "$TEST_DIR/worker.log")"
expect_eq "bob's grants ended" 0 "$(grants bob@acme.example)"
hy exec reschedule "$dee_exec" --at now >/dev/null; expect_eq "reschedule --at now exits 0" 0 "$?"
wait_for 20 is_status "$dee_exec" awaiting_input && ok "the rescheduled revocation ran" || not_ok "rescheduled run"
hy exec reschedule "$bob_exec" --at +1h >/dev/null 2>&1; expect_eq "reschedule of a started one refused (exit 1)" 1 "$?"
stop_worker
CLEANUP_FUNCS=""
expect_eq "the cancelled one never ran" cancelled "$(status_of "$cy_exec")"
expect_eq "cy keeps every grant" 4 "$(grants cy@acme.example)"
expect_eq "no step of it after the first ran" 0 "$(q "SELECT count(*) FROM workflow_step_executions WHERE execution_id = '$cy_exec' AND step_order > 1 AND status = 'completed'")"

# --- offboarding ----------------------------------------------------------------------
# it says what it takes away and asks; with no terminal to answer on, nothing starts without --yes
out=$(hy orgs offboard "Beta Ltd" --reason "partnership ended" --wait 2>&1 </dev/null); rc=$?
expect_eq "offboard unconfirmed exits 1" 1 "$rc"
expect_contains "...names the organisation and its users" "Offboarding organisation Beta Ltd revokes the access of 3 users (3 with access now)" "$out"
expect_contains "...and how to confirm" "not offboarded (confirm on a terminal, or pass --yes)" "$out"
expect_eq "...and started nothing" 0 "$(q "SELECT count(*) FROM workflow_executions WHERE workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'offboard_partner')")"
out=$(hy orgs offboard "Beta Ltd" --reason "partnership ended" --wait --yes); rc=$?
expect_eq "offboard --wait exits 0" 0 "$rc"
expect_contains "...up to the Keycloak confirmation" "awaiting_input at step 6 (keycloak_removal)" "$out"
off=$(q "SELECT id FROM workflow_executions WHERE workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'offboard_partner')")
out=$(hy exec show "$off")
expect_contains "show lists the children" "Started by its steps (3)" "$out"
expect_eq "three children, completed" 3 "$(q "SELECT count(*) FROM workflow_executions WHERE child_of = '$off' AND status = 'completed'")"
hy exec input "$off" keycloak_removal keycloak_removed=yes >/dev/null && hy exec input "$off" lms_removal lms_removed=yes >/dev/null
expect_eq "the offboarding completed" completed "$(status_of "$off")"
expect_contains "orgs show: offboarded" "offboarded" "$(hy orgs show "Beta Ltd")"
out=$(hy orgs edit "Beta Ltd" --name "Beta 2" 2>&1); rc=$?
expect_eq "an offboarded organisation is read-only (exit 1)" 1 "$rc"
expect_contains "...and says so" "offboarded" "$out"
out=$(hy exec start new_partner_user --org "Beta Ltd" 2>&1); rc=$?
expect_eq "no new request for an offboarded organisation" 1 "$rc"
expect_eq "Beta's grants all ended" 0 "$(q "SELECT count(*) FROM access_grants g JOIN users u ON u.id = g.user_id WHERE u.organization_id = (SELECT id FROM organizations WHERE name = 'Beta Ltd') AND g.revoked_at IS NULL")"
done_testing
