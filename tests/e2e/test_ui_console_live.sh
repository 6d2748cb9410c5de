#!/usr/bin/env bash
# The execution console with Metabase live against the fake Metabase (the
# other integrations simulated): new_partner_user through the UI's forms;
# the fake refuses the group membership (fault injection: a 403), the step
# fails and the console shows Metabase's error and the call that failed;
# once Metabase accepts again, retry succeeds and the fake holds the
# membership; the running step is watched live (a slow Metabase: the
# spinner and the elapsed time while the runner thread waits on it).
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
MBDIR=$TEST_DIR/metabase
stop_fake() { "$FAKES/fakectl.sh" stop "$MBDIR"; }
CLEANUP_FUNCS="${CLEANUP_FUNCS:-} stop_fake"
MB=$("$FAKES/fakectl.sh" start metabase "$MBDIR" --api-key mb-KEY-1) || { not_ok "the fake Metabase starts"; done_testing; exit 1; }
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
ids=$("$FAKES/fakectl.sh" seed "$MBDIR" '{"collections": [{"name": "Partners"}, {"name": "Template"}]}')
parent=$(printf '%s' "$ids" | pyjson 'print(d["collections"][0])')
template=$(printf '%s' "$ids" | pyjson 'print(d["collections"][1])')
e2e_config "[metabase]
url = http://127.0.0.1:$MB
api_key = mb-KEY-1
parent_collection_id = $parent
template_collection_id = $template
database_ids = 1
[teams]
mode = simulate
[slack]
mode = simulate
[smtp]
mode = simulate
[http]
timeout_ms = 8000
max_attempts = 2"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up (live Metabase)"; done_testing; exit 1; }
hy logout >/dev/null 2>&1
GROUP=$(sql "SELECT external_id FROM system_groups WHERE organization_id = '$ACME' AND tool = 'metabase'")
[ -n "$GROUP" ] && ok "Acme's Metabase group was made in the fake ($GROUP)" || not_ok "Acme's Metabase group was made in the fake"
member() { # EMAIL: a member of Acme's group, by the fake's own state?
    "$FAKES/fakectl.sh" state "$MBDIR" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
uid = [u["id"] for u in s["users"] if u["email"] == sys.argv[1]]
print(bool(uid) and any(m["user_id"] == uid[0] and m["group_id"] == int(sys.argv[2]) for m in s["memberships"]))' "$1" "$GROUP"
}

# Metabase refuses the membership once.
"$FAKES/fakectl.sh" fault "$MBDIR" '{"method": "POST", "path": "^/api/permissions/membership", "kind": "status", "status": 403, "count": 1}' >/dev/null

admin_ui || { done_testing; exit 1; }
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second
wait_text "step 1 of 9: Select Organization"
send_text "Acme Corp"
send_keys Enter
wait_text "step 2 of 9: Input User Details"
send_text Jane; send_keys Tab; send_text Doe; send_keys Tab; send_text jane@acme.example
send_keys Enter
expect_screen "the refused step fails" "✗ failed"
expect_screen "the console shows Metabase's answer" "403"
send_keys Space
expect_screen "PgDn/Space scrolls the step's details to the calls it made" "POST /api/permissions/membership -> 403"
send_keys b
expect_screen "the failed step is marked" "✗  4 Add User to Metabase Group"
expect_eq "the fake has no membership yet" False "$(member jane@acme.example)"
EX=$(sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1")

# A slow Metabase for the retry: the running step is shown live.
"$FAKES/fakectl.sh" fault "$MBDIR" '{"method": "GET", "path": "^/api/user", "kind": "hang", "seconds": 3, "count": 1}' >/dev/null
send_keys t
wait_text "again now?"
send_keys y
expect_screen "while Metabase is slow the step shows it is running" "running"
line=$(line_with "4 Add User to Metabase Group")
case "$line" in *running*s*) ok "with its elapsed time ($line)" ;; *) not_ok "with its elapsed time" "$line" ;; esac
expect_screen "after the retry the request completes" "✓ completed"
expect_eq "the fake Metabase now has the membership" True "$(member jane@acme.example)"
expect_eq "the execution is completed" completed "$(sql "SELECT status FROM workflow_executions WHERE id = '$EX'")"
send_keys g j j j Space
expect_screen "the step's detail lists its calls" "POST /api/permissions/membership -> 200"
expect_no_text "no secret on screen" "mb-KEY-1"

send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits with status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after quitting"
done_testing
