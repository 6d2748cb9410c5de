#!/usr/bin/env bash
# Issue 17, item 7: no silent surprises. A configuration file that names
# only Metabase leaves Teams, Slack and email off: the admin's home says so,
# and a step that needs one fails saying how to go on (mode = simulate); a
# changed configuration file is noticed (restart to apply); an email that
# belongs to someone under other names is shown as that existing person,
# with the difference, before anything is submitted; a long message is
# wrapped, not cut.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "$SIMULATE_ALL"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up"; done_testing; exit 1; }
WAIT=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy logout >/dev/null 2>&1
make_user jd@acme.example user "$ACME" # "Test Person"
# The screen's lines joined: for text the screen wraps.
_joined_has() { pane_text | sed 's/ *$//' | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1"; }
expect_joined() {
    if _poll "$E2E_TIMEOUT" _joined_has "$2"; then ok "$1"; else not_ok "$1" "never appeared: $2"; dump_screen; fi
}
# From now on the file names only Metabase: the other integrations are off.
e2e_config "[metabase]
mode = simulate"

APP_W=80 APP_H=24 admin_ui || { done_testing; exit 1; }
expect_screen "the home says which integrations are off" "Off: Microsoft Teams, Slack, Email."
expect_screen "and how to go on without them" "mode = simulate"

# ---- an existing person under other names ----
new_user_request "Acme Corp"
N0=$(sql "SELECT count(*) FROM workflow_executions")
send_text Janet; send_keys Tab; send_text Doe; send_keys Tab; send_text jd@acme.example
send_keys Enter
expect_dialog "the email is shown as the existing person" "jd@acme.example is already Test Person, of Acme Corp"
expect_dialog "with the difference" "\"Janet Doe\" is not applied"
send_keys n
expect_screen "n submits nothing" "Nothing was submitted"
expect_eq "no request was created" "$N0" "$(sql "SELECT count(*) FROM workflow_executions")"
send_keys Enter
wait_text "is already Test Person"
send_keys y
expect_screen "y goes on with the existing person; Teams is off: the step fails" "✗ failed"
expect_joined "saying how to go on without it" "[teams] mode = simulate to go on without it"
expect_eq "the person keeps their names" "Test Person" "$(sql "SELECT firstname || ' ' || lastname FROM users WHERE email = 'jd@acme.example'")"
send_keys q

# ---- a long message is wrapped ----
open_menu Executions
wait_text "HyOpps │ Executions"
send_keys / C-u
send_text "${WAIT:0:8}"
wait_text "1 of"
send_keys Enter Enter
wait_text "HyOpps │ Execution"
send_keys g s
expect_joined "a long message is wrapped: its end is on screen" "(not before the current one)."
send_keys q q

# ---- a changed configuration file ----
printf '\n[slack]\nmode = simulate\n' >>"$HYOPPS_CONFIG"
touch -d '+1 minute' "$HYOPPS_CONFIG"
send_keys C-l
expect_joined "the home notices the change" "changed since HyOpps started"
expect_screen "and says how to apply it" "start HyOpps again"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits 0" 0 "$(app_exit_status)"
done_testing
