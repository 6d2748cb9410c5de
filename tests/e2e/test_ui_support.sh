#!/usr/bin/env bash
# The support role in the real terminal UI (tmux): the staff home without
# New request, the late mark and count; an execution offers only fill in
# and retry (the other keys are in neither the bar nor the help, and do
# nothing); organisations and users without their edit keys; the
# Notifications screen. Then an admin unlocks a locked account from the user
# editor.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "$SIMULATE_ALL
[notify]
input_delay_minutes = 0"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up through the CLI"; done_testing; exit 1; }
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null # the next request fails at Metabase
FAILED=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy exec input "$FAILED" 2 firstname=Fay lastname=Lure email=fay@acme.example >/dev/null 2>&1
WAITING=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
# it has waited two days
sql "UPDATE workflow_step_executions SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 days') WHERE execution_id = '$WAITING' AND step_order = 2"
make_user sue@hyopps.local support
hy worker --once >/dev/null 2>&1 # delivers (simulated) the notifications due
expect_eq "the failure is failed" failed "$(sql "SELECT status FROM workflow_executions WHERE id = '$FAILED'")"

app_start
ui_login sue@hyopps.local "$ADMIN_PW"
expect_screen "support reaches the staff home" "Awaiting input"
expect_screen "the header says support" "support"
expect_screen "with the screens to look at" "Notifications"
expect_screen "organisations" "Organisations"
expect_no_text "New request is not offered" "New request"
expect_screen "the home counts the late step" "! 1 step waiting for input longer than 24 h"

# ---- the failed execution: retry only ----
open_menu Executions
expect_screen "every execution" "HyOpps │ Executions"
expect_no_text "no n New request in the bar" "New request"
send_keys '?'
expect_screen "help lists the filters" "Show the failed executions"
expect_no_text "help has no new request" "Start a workflow"
send_keys q
expect_line "the late execution is marked (no colour needed)" "${WAITING:0:8}" "! awaiting input"
send_keys f
expect_screen "the failed filter" "${FAILED:0:8}"
send_keys Enter
expect_screen "the execution opens" "Error: No Metabase group configured for this organization"
expect_screen "retry is offered" "t Retry"
expect_no_text "skip is not" "Skip"
expect_no_text "nor done by hand" "Done by hand"
expect_no_text "nor re-run" "Re-run"
expect_no_text "nor cancel" "Cancel"
send_keys '?'
expect_screen "the help lists retry" "Run the failed step again"
expect_no_text "the help has no skip" "Skip the selected step"
expect_no_text "nor done by hand" "Mark the failed step done by hand"
expect_no_text "nor re-run" "Run the workflow again from the selected step"
expect_no_text "nor cancel" "Cancel the execution"
send_keys q
send_keys s d R x
expect_no_text "s, d, R and x open nothing" "Skip step"
expect_no_text "... no re-run dialog" "Re-run from here"
expect_no_text "... no cancel dialog" "Cancel execution"
expect_eq "and change nothing" failed "$(sql "SELECT status FROM workflow_executions WHERE id = '$FAILED'")"
hy orgs edit "Acme Corp" --metabase-group 7 >/dev/null # an admin fixes the cause
send_keys t
expect_dialog "retry asks first" "Run step 4 (Add User to Metabase Group) again now?"
send_keys y
expect_screen "the retried execution completes" "✓ completed"
expect_eq "completed, retried by support" 1 \
    "$(sql "SELECT count(*) FROM audit_log WHERE action = 'exec.retry' AND actor_email = 'sue@hyopps.local' AND target_id = '$FAILED'")"
send_keys NPage
expect_screen "its notifications are shown under the step" "Notifications"
send_keys q q

# ---- the inbox: the late step, filled in by support ----
send_keys Escape
open_menu "Awaiting input"
expect_line "the inbox marks the late step" "${WAITING:0:8}" "! 2d"
send_keys Enter
expect_screen "support fills it in" "Input User Details"
send_text Sam; send_keys Tab; send_text Port; send_keys Tab; send_text sam@acme.example
send_keys Enter
wait_gone "${WAITING:0:8}" || true
expect_eq "the input is support's" sue@hyopps.local \
    "$(sql "SELECT u.email FROM workflow_step_executions s JOIN users u ON u.id = s.input_by WHERE s.execution_id = '$WAITING' AND s.step_order = 2")"
send_keys q

# ---- organisations and users: read only ----
send_keys Escape
open_menu Organisations
expect_screen "organisations are listed" "Acme Corp"
expect_no_text "no Edit key" "e Edit"
expect_no_text "no Delete key" "Delete"
send_keys e
expect_no_text "e opens nothing" "Edit Acme Corp"
send_keys Enter
expect_screen "an organisation opens" "Studio"
expect_no_text "no Links key" "Links"
expect_no_text "no Group ids key" "Group ids"
send_keys q q
open_menu Users
expect_screen "users are listed" "admin@hyopps.local"
expect_no_text "no Edit key" "Edit"
expect_no_text "no Delete key" "Delete"
send_keys Enter
expect_no_text "Enter edits nothing" "Edit Test Person"
send_keys q

# ---- notifications: the outbox ----
open_menu Notifications
expect_screen "the outbox opens" "HyOpps │ Notifications"
expect_screen "the failure's notification" "failed"
expect_screen "simulated (no mail server set)" "simulated"
send_keys q
send_keys Q y

# ---- an admin unlocks a locked account ----
for _ in 1 2 3 4 5; do echo wrong-password | hy login --email sue@hyopps.local --password-stdin >/dev/null 2>&1; done
admin_ui
open_menu Users
wait_text "sue@hyopps.local"
send_keys /
send_text sue
send_keys Enter Enter
expect_screen "the editor says the account is locked" "Locked until"
expect_screen "with its failed logins" "(5 failed logins): Ctrl-X unlocks"
expect_screen "the bar offers unlock" "Unlock"
send_keys C-x
expect_dialog "unlock asks first" "Clear the 5 failed logins of sue@hyopps.local?"
send_keys y
expect_screen "unlocked" "Unlocked: 5 failed logins cleared."
expect_gone "no longer locked" "Locked until"
expect_eq "audited" 1 "$(sql "SELECT count(*) FROM audit_log WHERE action = 'user.unlock'")"
out=$(echo "$ADMIN_PW" | XDG_STATE_HOME=$TEST_DIR/sue hy login --email sue@hyopps.local --password-stdin 2>&1)
expect_eq "she logs in again" 0 "$?"

done_testing
