#!/usr/bin/env bash
# A user's Metabase panel in the real terminal UI (tmux): live against the
# fake Metabase (the fake's own state proves the membership changed; a slow
# Metabase shows "Contacting Metabase…" and keys keep working), then
# simulate (memberships kept in HyOpps) and off (a clear error). Every
# change is in the audit trail.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
MBDIR=$TEST_DIR/metabase
stop_fake() { "$FAKES/fakectl.sh" stop "$MBDIR"; }
CLEANUP_FUNCS="${CLEANUP_FUNCS:-} stop_fake"
MB=$("$FAKES/fakectl.sh" start metabase "$MBDIR" --api-key mb-KEY-1) || { not_ok "the fake Metabase starts"; done_testing; exit 1; }

live_config() {
    e2e_config "[metabase]
url = http://127.0.0.1:$MB
api_key = mb-KEY-1
[http]
timeout_ms = 5000"
}
live_config
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1

ACME=$(make_org_sql "'Acme Corp'")
make_user jane@acme.example user "$ACME"
seed=$("$FAKES/fakectl.sh" seed "$MBDIR" \
    '{"users":[{"email":"jane@acme.example","first_name":"Jane"}],"groups":[{"name":"ext-acme-corp"},{"name":"ext-globex"}]}')
json() { /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
UID_MB=$(json "$seed" 'd["users"][0]')
G1=$(json "$seed" 'd["groups"][0]')
sql "UPDATE users SET metabase_user_id = $UID_MB WHERE email = 'jane@acme.example'"
member_of() { # GROUP_ID: is jane a member, by the fake's own state?
    "$FAKES/fakectl.sh" state "$MBDIR" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
print(any(m["user_id"] == int(sys.argv[1]) and m["group_id"] == int(sys.argv[2]) for m in s["memberships"]))' "$UID_MB" "$1"
}

# ---- live ----
admin_ui || { done_testing; exit 1; }
open_menu Users
wait_text "jane@acme.example"
send_keys / C-u
send_text jane
send_keys Enter
wait_text "1 matching"
send_keys m
expect_screen "m opens the Metabase panel" "HyOpps │ Metabase"
expect_screen "it shows the stored Metabase id" "Metabase id: $UID_MB"
expect_screen "and the mode" "Metabase: live http://127.0.0.1:$MB"
expect_screen "the live memberships (none yet)" "Not a member of any group"
send_keys a
expect_screen "a lists the live groups to choose from" "Add Test Person <jane@acme.example> to the Metabase group:"
expect_screen "the fake's groups are offered" "ext-globex"
expect_no_text "never Metabase's own groups" "Administrators"
send_keys / C-u
send_text acme
send_keys Enter Enter
expect_screen "the user is added" "Added to Metabase group $G1."
expect_screen "the panel shows the new membership" "ext-acme-corp"
expect_eq "the fake Metabase has the membership" True "$(member_of "$G1")"

# A slow Metabase: the panel says so, keys still work.
"$FAKES/fakectl.sh" fault "$MBDIR" "{\"method\":\"GET\",\"path\":\"/api/user/$UID_MB\",\"kind\":\"hang\",\"seconds\":3}" >/dev/null
send_keys C-r
expect_screen "a slow call shows that Metabase is being contacted" "Contacting Metabase…"
send_keys x
expect_screen "keys keep working meanwhile" "Still waiting for Metabase; Esc leaves without waiting."
expect_gone "the call ends (here: the fake hangs up)" "Contacting Metabase…"
expect_screen "and its error is shown" "cannot reach Metabase"
send_keys C-r
expect_screen "reloaded" "ext-acme-corp"
wait_gone "Contacting Metabase…"

send_keys x
expect_dialog "x asks to confirm the removal" "Remove Test Person <jane@acme.example> from the Metabase group ext-acme-corp ($G1)?"
send_keys n
expect_eq "No keeps the membership" True "$(member_of "$G1")"
send_keys x
wait_text "Remove from group"
send_keys y
expect_screen "Yes removes it" "Removed from Metabase group $G1."
expect_screen "the panel shows no membership" "Not a member of any group"
expect_eq "the fake Metabase no longer has it" False "$(member_of "$G1")"
expect_eq "both changes are audited, with the user as target" "metabase.add_membership metabase.remove_membership" \
    "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE action LIKE 'metabase.%'
            AND target_id = (SELECT id FROM users WHERE email = 'jane@acme.example') ORDER BY id)")"
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- simulate: memberships kept in HyOpps, the groups are the organisations' ----
e2e_config "[metabase]
mode = simulate"
sql "UPDATE users SET metabase_user_id = 42 WHERE email = 'jane@acme.example'"
sql "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id)
     VALUES('$(cat /proc/sys/kernel/random/uuid)', '$ACME', 'metabase', 'ext-acme-corp', '7')"
admin_ui || { done_testing; exit 1; }
open_menu Users
wait_text "jane@acme.example"
send_keys / C-u
send_text jane
send_keys Enter
wait_text "1 matching"
send_keys m
expect_screen "simulate: the panel says so" "Metabase: simulate (memberships kept in HyOpps, no calls)"
expect_screen "simulate: the stored id" "Metabase id: 42"
expect_screen "simulate: no membership yet" "Not a member of any group"
send_keys a
expect_screen "simulate: the organisation's Metabase group is offered" "ext-acme-corp"
send_keys Enter
expect_screen "simulate: added" "Added to Metabase group 7."
expect_screen "simulate: shown" "ext-acme-corp"
expect_eq "simulate: a member of the simulated Metabase's group" '42:7' \
    "$(sql "SELECT account_id || ':' || group_id FROM sim_members WHERE system = 'metabase'")"
send_keys x
wait_text "Remove from group"
send_keys y
expect_screen "simulate: removed" "Removed from Metabase group 7."
expect_eq "simulate: no longer a member" 0 \
    "$(sql "SELECT count(*) FROM sim_members WHERE system = 'metabase'")"
expect_eq "simulate: audited as simulated" 2 \
    "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'metabase.%' AND details LIKE '%\"simulated\":true%'")"
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- off: a clear error, no call ----
e2e_config "[metabase]
mode = off"
admin_ui || { done_testing; exit 1; }
open_menu Users
wait_text "jane@acme.example"
send_keys / C-u
send_text jane
send_keys Enter
wait_text "1 matching"
send_keys m
expect_screen "off: the panel says what to set" "Metabase is not configured (set [metabase] url and api_key)."
send_keys a
expect_screen "off: adding is refused with the same reason" "Metabase is not configured"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
