#!/usr/bin/env bash
# hyopps exec and hyopps worker, run as a user would: both workflows, field
# errors, operator actions, id prefixes, partner-admin scoping, the worker
# process (SIGTERM, kill -9), exit codes, --json.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
SIM=$SIMULATE_ALL
write_fast_config "$TEST_DIR/config.ini" "$SIM"
write_fast_config "$TEST_DIR/mb-off.ini" "${SIM/mode = simulate/mode = off}"
# simulated steps left to a worker instead of run by the input itself
write_fast_config "$TEST_DIR/runner.ini" "$SIM
[engine]
inline_local_steps = false"
RUNNER=$TEST_DIR/runner.ini
export HYOPPS_CONFIG=$TEST_DIR/config.ini
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# --- help and usage ---------------------------------------------------------
out=$(hy exec --help); expect_eq "exec --help exits 0" 0 "$?"
expect_contains "exec --help lists the subcommands" "exec rerun ID --from STEP" "$out"
for s in list show start input retry skip done rerun cancel wait; do
    hy exec $s --help >/dev/null 2>&1; expect_eq "exec $s --help exits 0" 0 "$?"
done
hy worker --help >/dev/null; expect_eq "worker --help exits 0" 0 "$?"
hy exec >/dev/null 2>&1; expect_eq "exec without subcommand exits 2" 2 "$?"
hy exec frob >/dev/null 2>&1; expect_eq "unknown subcommand exits 2" 2 "$?"
hy exec show >/dev/null 2>&1; expect_eq "show without id exits 2" 2 "$?"
hy exec skip abcd 4 >/dev/null 2>&1; expect_eq "skip without --reason exits 2" 2 "$?"
hy exec list --limit 0 >/dev/null 2>&1; expect_eq "bad --limit exits 2" 2 "$?"
hy exec list >/dev/null 2>&1; expect_eq "exec list without login exits 3" 3 "$?"
admin_login || not_ok "admin login"

# --- new_partner ------------------------------------------------------------
np=$(hy exec start new_partner --quiet); expect_eq "start --quiet exits 0" 0 "$?"
expect_eq "start --quiet prints the id" 36 "${#np}"
out=$(hy exec show "${np:0:8}")
expect_contains "show lists the waiting step's fields" "organization_name*" "$out"
expect_contains "show gives the default template" "default: {organization_name} TEST" "$out"
out=$(hy exec input "${np:0:8}" input_studio_companies "organization_name=Acme Corp" 2>&1); rc=$?
expect_eq "missing fields exit 1" 1 "$rc"
expect_contains "one line per field (test id)" "  studio_company_id_test: is required" "$out"
expect_contains "one line per field (prod id)" "  studio_company_id_prod: is required" "$out"
out=$(hy exec input "${np:0:8}" 1 "organization_name=Acme Corp" studio_company_id_test=st-acme-t \
      studio_company_id_prod=st-acme-p 2>&1); rc=$?
expect_eq "step 1 input exits 0" 0 "$rc"
expect_contains "says what comes next" "step 2 (trigger_infrabot)" "$out"
out=$(hy exec show "$np")
expect_contains "infrabot info lines shown" "Studio TEST company id: st-acme-t" "$out"
echo '{"keycloak_cluster": "prod-eu", "scopes": "read", "keycloak_confirmed": true}' >"$TEST_DIR/kc.json"
hy exec input "$np" trigger_infrabot --json-file "$TEST_DIR/kc.json" >/dev/null; expect_eq "--json-file input exits 0" 0 "$?"
echo '[1,2]' | hy exec input "$np" 8 --json-file - >/dev/null 2>&1; expect_eq "non-object JSON exits 1" 1 "$?"
out=$(hy exec wait "$np" --timeout 30); rc=$?
expect_eq "wait exits 0 when input is needed" 0 "$rc"
expect_contains "wait says where it stopped" "awaiting_input at step 8 (lms_setup)" "$out"
out=$(hy exec input "$np" lms_setup lms_confirmed=no 2>&1); rc=$?
expect_eq "unconfirmed lms_setup exits 1" 1 "$rc"
expect_contains "confirmation field error" "lms_confirmed: must be confirmed" "$out"
hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null; expect_eq "lms_setup confirmed" 0 "$?"
hy exec show "$np" --json | pyjson '
s = d["step_list"]
assert d["status"] == "completed", d["status"]
assert len(s) == 8
assert s[2]["output"]["simulated"] is True and isinstance(s[2]["output"]["metabase_collection_id"], int)
assert s[0]["input_by"] == "admin@hyopps.local" and s[0]["input"]["studio_company_name_test"] == "Acme Corp TEST"
' && ok "show --json: completed, outputs simulated, inputs with who" || not_ok "show --json of new_partner"
expect_eq "system groups written" 3 "$(sqlite3 "$db" "SELECT count(*) FROM system_groups")"

# --- new_partner_user with a worker process ----------------------------------
"$HYOPPS_BIN" worker --poll-ms 50 2>"$TEST_DIR/worker.log" &
wpid=$!
stop_worker() { kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; }
CLEANUP_FUNCS="stop_worker"
u1=$(hy exec start new_partner_user --org "acme corp" -q)
out=$(hy exec show "$u1")
expect_contains "--org filled in step 1" "Organisation: Acme Corp" "$out"
expect_contains "studio companies offered" "st-acme-t" "$out"
HYOPPS_CONFIG=$RUNNER hy exec input "$u1" input_user_details firstname=Jane lastname=Doe email=Jane.Doe@Acme.Example languages=en,de >/dev/null
expect_eq "user details accepted" 0 "$?"
done_status() { [ "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$1'")" = "$2" ]; }
wait_for 20 done_status "$u1" completed && ok "the worker completed new_partner_user" || not_ok "worker completion" "$(cat "$TEST_DIR/worker.log")"
expect_eq "email stored lower-cased, unusable password" "jane.doe@acme.example|!|user" \
    "$(sqlite3 "$db" "SELECT email || '|' || password_hash || '|' || app_role FROM users WHERE email LIKE 'jane%'")"
expect_eq "four grants, one per granting step" 4 "$(sqlite3 "$db" "SELECT count(*) FROM access_grants WHERE execution_id = '$u1' AND granted_how = 'auto'")"
out=$(hy users access jane.doe@acme.example)
expect_contains "users access: Metabase granted automatically by its step" "add_user_to_metabase_group" "$out"
expect_eq "users access: one active line per system" 4 "$(printf '%s\n' "$out" | grep -c ' active ')"
hy users access jane.doe@acme.example --json | pyjson '
g = {x["system"]: x for x in d["grants"]}
assert set(g) == {"Studio", "Metabase", "Microsoft Teams", "Slack"}, g.keys()
assert all(x["active"] and x["granted_how"] == "auto" for x in g.values())
assert g["Slack"]["account_id"].startswith("U") and g["Slack"]["step"] == "add_user_to_slack_group"
' && ok "users access --json: a grant per system, with the step and the account" || not_ok "users access --json"
expect_contains "users show lists the access too" "Microsoft Teams" "$(hy users show jane.doe@acme.example)"
expect_contains "users list has an access column" "Metabase,Microsoft Teams,Slack,Studio" "$(hy users list --filter jane)"
kill -TERM "$wpid"; wait "$wpid"; rc=$?
CLEANUP_FUNCS=""
expect_eq "worker exits 0 on SIGTERM" 0 "$rc"
expect_contains "worker reports what it did" "7 steps completed" "$(cat "$TEST_DIR/worker.log")"

# --- failures and operator actions --------------------------------------------
start_user() { # start_user EMAIL -> id, with details given, its steps left to a worker
    local id; id=$(hy exec start new_partner_user --org "Acme Corp" -q)
    HYOPPS_CONFIG=$RUNNER hy exec input "$id" 2 firstname=T lastname=U "email=$1" >/dev/null
    echo "$id"
}
f1=$(start_user f1@acme.example)
out=$(HYOPPS_CONFIG=$TEST_DIR/mb-off.ini hy exec wait "$f1"); rc=$?
expect_eq "wait exits 1 on a failed execution" 1 "$rc"
expect_contains "the failure says what to set" "failed at step 4 (add_user_to_metabase_group): Metabase is not configured (set [metabase] url and api_key, or [metabase] mode = simulate" "$out"
hy exec retry "${f1:0:10}" >/dev/null; expect_eq "retry exits 0" 0 "$?"
out=$(hy exec retry "$f1" 2>&1); expect_eq "second retry exits 1 (nothing failed)" 1 "$?"
expect_contains "says why" "only a failed execution can be retried" "$out"
hy exec wait "$f1" >/dev/null; expect_eq "retried execution completes" 0 "$?"

f2=$(start_user f2@acme.example)
HYOPPS_CONFIG=$TEST_DIR/mb-off.ini hy exec wait "$f2" >/dev/null
out=$(hy exec skip "$f2" 4 --reason "   " 2>&1); expect_eq "blank reason exits 1" 1 "$?"
expect_contains "reason field error" "reason: is required" "$out"
hy exec skip "$f2" add_user_to_metabase_group --reason "no Metabase for this partner" >/dev/null
expect_eq "skip exits 0" 0 "$?"
hy exec wait "$f2" >/dev/null; expect_eq "skipped execution completes" 0 "$?"
out=$(hy exec show "$f2")
expect_contains "show: skipped by whom" "skipped by admin@hyopps.local" "$out"
expect_contains "show: the reason" "note: no Metabase for this partner" "$out"

f3=$(start_user f3@acme.example)
HYOPPS_CONFIG=$TEST_DIR/mb-off.ini hy exec wait "$f3" >/dev/null
out=$(hy exec done "$f3" 5 --note x 2>&1); expect_eq "done on a step that did not fail exits 1" 1 "$?"
hy exec done "$f3" 4 --note "added in the Metabase UI" >/dev/null; expect_eq "done exits 0" 0 "$?"
hy exec wait "$f3" >/dev/null
out=$(hy exec show "$f3")
expect_contains "show: completed by hand" "completed by hand by admin@hyopps.local" "$out"
out=$(hy exec rerun "$f3" --from 3); expect_eq "rerun exits 0" 0 "$?"
hy exec wait "$f3" >/dev/null; expect_eq "re-run completes" 0 "$?"
expect_eq "re-run created no second Studio company" 1 \
    "$(sqlite3 "$db" "SELECT count(*) FROM user_studio_companies c JOIN users u ON u.id = c.user_id WHERE u.email = 'f3@acme.example'")"
hy exec rerun "$f3" --from 12 >/dev/null 2>&1; expect_eq "rerun from a missing step exits 1" 1 "$?"

c1=$(hy exec start new_partner_user --org "Acme Corp" -q)
hy exec cancel "$c1" >/dev/null; expect_eq "cancel exits 0" 0 "$?"
hy exec cancel "$c1" >/dev/null 2>&1; expect_eq "cancel twice exits 1" 1 "$?"
hy exec input "$c1" 2 firstname=A >/dev/null 2>&1; expect_eq "input after cancel exits 1" 1 "$?"
out=$(hy exec show "$c1"); expect_contains "show: cancelled by" "Cancelled:" "$out"

# --- lists and ids --------------------------------------------------------------
out=$(hy exec list --status completed); expect_eq "list --status exits 0" 0 "$?"
expect_contains "list shows counts" "completed 5" "$out"
out=$(hy exec list --status bogus 2>&1); expect_eq "bad status exits 1" 1 "$?"
expect_contains "status field error" "status: must be one of" "$out"
hy exec list --json | pyjson 'assert d["total"] == 6 and d["counts"]["cancelled"] == 1 and d["counts_exact"]' \
    && ok "list --json counts" || not_ok "list --json counts"
out=$(hy exec list --limit 2); expect_contains "a page says how to get the next" "--before" "$out"
cursor=$(hy exec list --limit 2 --json | pyjson 'print(d["next_before"])')
hy exec list --limit 10 --before "$cursor" --json | pyjson 'assert len(d["executions"]) == 4' \
    && ok "--before gives the next page" || not_ok "--before paging"
hy exec list --search "f2@acme" --json | pyjson 'assert [e["user_email"] for e in d["executions"]] == ["f2@acme.example"]' \
    && ok "--search by user email" || not_ok "--search by email"
out=$(hy exec show abc 2>&1); expect_eq "3-character prefix exits 1" 1 "$?"
expect_contains "says how long" "at least 4 characters" "$out"
hy exec show ffffffff >/dev/null 2>&1; expect_eq "unknown id exits 4" 4 "$?"
twin="${u1:0:8}-ffff-4fff-bfff-ffffffffffff"
sqlite3 "$db" "INSERT INTO workflow_executions(id, workflow_definition_id, status, created_at)
               SELECT '$twin', workflow_definition_id, 'cancelled', created_at FROM workflow_executions WHERE id = '$u1'"
out=$(hy exec show "${u1:0:8}" 2>&1); expect_eq "ambiguous prefix exits 1" 1 "$?"
expect_contains "ambiguous prefix lists candidates" "${twin:0:13}" "$out"
expect_contains "...both of them" "${u1:0:13}" "$out"

# --- a partner admin ----------------------------------------------------------------
org=$(sqlite3 "$db" "SELECT id FROM organizations WHERE name = 'Acme Corp'")
sqlite3 "$db" "INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash)
               VALUES('aaaaaaaa-0000-4000-8000-000000000001', 'Pat', 'Admin', 'pat@acme.example', '$org', 'partner_admin', '!')"
echo partner-pass-1 | hy users set-password pat@acme.example --password-stdin >/dev/null || not_ok "set partner password"
(
    export XDG_STATE_HOME=$TEST_DIR/pat-state
    echo partner-pass-1 | hy login --email pat@acme.example --password-stdin >/dev/null
    printf 'partner-pass-1\npartner-pass-2\n' | hy passwd --password-stdin >/dev/null
    hy exec list --json | pyjson 'assert d["total"] == 5 and all(e["workflow"] == "new_partner_user" for e in d["executions"])' \
        && ok "partner admin lists their organisation's user runs" || not_ok "partner admin list"
    hy exec show "$np" >/dev/null 2>&1; expect_eq "partner admin: new_partner is not found" 4 "$?"
    hy exec start new_partner >/dev/null 2>&1; expect_eq "partner admin cannot start new_partner" 4 "$?"
    id=$(hy exec start new_partner_user -q); expect_eq "partner admin starts new_partner_user" 0 "$?"
    out=$(hy exec show "$id"); expect_contains "their organisation filled in" "Organisation: Acme Corp" "$out"
    hy exec skip "$id" 9 --reason x >/dev/null 2>&1; expect_eq "partner admin cannot skip (exit 4)" 4 "$?"
    hy exec cancel "$id" >/dev/null; expect_eq "partner admin cancels their run" 0 "$?"
    exit $_tap_failed
) > "$TEST_DIR/pat.tap"
while IFS= read -r line; do
    case "$line" in "ok "*) ok "${line#ok * - }" ;; "not ok "*) not_ok "${line#not ok * - }" ;; esac
done < "$TEST_DIR/pat.tap"

# --- kill -9 of a worker never leaves work stuck ---------------------------------------
ids=()
for i in $(seq 1 40); do ids+=("$(start_user "k$i@acme.example")"); done
"$HYOPPS_BIN" worker --poll-ms 10 2>/dev/null &
kpid=$!
some_done() { [ "$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions WHERE status = 'completed' AND user_id IN (SELECT id FROM users WHERE email LIKE 'k%@acme.example')")" -ge 3 ]; }
wait_for 20 some_done
kill -9 "$kpid"; wait "$kpid" 2>/dev/null
hy worker --once 2>/dev/null; expect_eq "worker --once exits 0" 0 "$?"
left=$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions e JOIN users u ON u.id = e.user_id WHERE u.email LIKE 'k%@acme.example' AND e.status != 'completed'")
expect_eq "after kill -9 and worker --once, all 40 completed" 0 "$left"
twice=$(sqlite3 "$db" "SELECT count(*) FROM workflow_step_executions s JOIN workflow_step_definitions d ON d.id = s.step_definition_id WHERE d.type = 'auto' AND s.attempts > 1")
expect_eq "no step ran twice" 0 "$twice"

# --- simulated steps run by the input itself (the default) --------------------
i1=$(hy exec start new_partner_user --org "Acme Corp" -q)
hy exec input "$i1" 2 firstname=In lastname=Line email=inline@acme.example >/dev/null
expect_eq "input runs the simulated steps at once" completed \
    "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$i1'")"
expect_eq "each step recorded as a runner records it" 7 \
    "$(sqlite3 "$db" "SELECT count(*) FROM workflow_step_executions WHERE execution_id = '$i1' AND step_order >= 3
                      AND status = 'completed' AND attempts = 1 AND json_array_length(attempt_log) = 1
                      AND started_at IS NOT NULL AND completed_at IS NOT NULL")"
expect_eq "and audited" 7 "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE target_id = '$i1' AND action = 'exec.step.complete'")"
i2=$(hy exec start new_partner_user --org "Acme Corp" -q)
out=$(HYOPPS_CONFIG=$TEST_DIR/mb-off.ini hy exec input "$i2" 2 firstname=In lastname=Line2 email=inline2@acme.example)
expect_contains "input says which step failed and why" "Step 4 (add_user_to_metabase_group) failed: Metabase is not configured" "$out"
expect_eq "a step that cannot run fails at once, as on a runner" "failed|4" \
    "$(sqlite3 "$db" "SELECT status || '|' || current_step_order FROM workflow_executions WHERE id = '$i2'")"
hy exec retry "$i2" >/dev/null; expect_eq "retry runs the rest at once" completed \
    "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$i2'")"

# --- JSON input: a \u0000 and a key given twice are refused (issue 10, item 7) --
j1=$(hy exec start new_partner_user --org "Acme Corp" -q)
printf '{"firstname": "F\\u0000X", "lastname": "L", "email": "nul@acme.example"}' >"$TEST_DIR/nul.json"
out=$(hy exec input "$j1" 2 --json-file "$TEST_DIR/nul.json" 2>&1); rc=$?
expect_eq "a \\u0000 in a JSON value exits 1" 1 "$rc"
expect_contains "the field error names the field" "  firstname: contains a NUL character (\\u0000), which is not allowed" "$out"
printf '{"firstname": "F", "lastname": "L", "email": "dup1@acme.example", "email": "dup2@acme.example"}' \
    | hy exec input "$j1" 2 --json-file - >"$TEST_DIR/dup.out" 2>&1; rc=$?
expect_eq "a key given twice exits 1" 1 "$rc"
expect_contains "the field error says so" "  email: is given twice" "$(cat "$TEST_DIR/dup.out")"
expect_eq "nothing was stored" 0 \
    "$(sqlite3 "$db" "SELECT count(*) FROM users WHERE email IN ('nul@acme.example', 'dup1@acme.example', 'dup2@acme.example')")"
expect_eq "the step still waits" awaiting_input "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$j1'")"

done_testing
