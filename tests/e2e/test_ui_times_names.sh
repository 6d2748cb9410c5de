#!/usr/bin/env bash
# Issue 17, item 5: times and names. Times are local (TZ), the zone said
# (column titles, the detail's times, the notification outbox), with ages ("3d 0h ago"); one name per
# workflow everywhere (lists, forms, the organisation page); one spelling of
# organisation; partner-facing wording; "1 organisation"; at 200 columns the
# step names are not cut.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "$SIMULATE_ALL"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up"; done_testing; exit 1; }
EX=$(cli_user "Acme Corp" jd@acme.example)
hy logout >/dev/null 2>&1
make_user pa@acme.example partner_admin "$ACME"
# Created at a known time, whose local form (UTC+3) the test computes.
sql "UPDATE workflow_executions SET created_at = '2026-01-10T08:05:00.000Z' WHERE id = '$EX'"
ZONE="XYZ-3" # a POSIX zone: UTC+3, called XYZ (no time zone database needed)
LOCAL=$(TZ=$ZONE date -d '2026-01-10T08:05:00Z' '+%Y-%m-%d %H:%M')

E2E_ENV="TZ=$ZONE" APP_W=200 APP_H=50 admin_ui || { done_testing; exit 1; }
open_menu Executions
wait_text "HyOpps │ Executions"
expect_screen "the list's time column says the zone" "Created (XYZ)"
expect_line "the time is local" "${EX:0:8}" "$LOCAL"
expect_line "one name per workflow: the list" "${EX:0:8}" "New partner user"
expect_not_contains "not a second name" "New user " "$(line_with "${EX:0:8}" | sed 's/New partner user//')"
send_keys / C-u
send_text "${EX:0:8}"
wait_text "1 of"
send_keys Enter Enter
wait_text "HyOpps │ Execution"
expect_screen "the detail: local time, the zone and the age" "Created $LOCAL XYZ ("
expect_screen "the age" "ago)"
expect_screen "one spelling: organisation" "Select Organisation"
expect_no_text "never organization" "Organization"
expect_screen "200 columns: the step names are whole" "Create User-Specific Studio Company"
send_keys q q
open_menu Organisations
wait_text "HyOpps │ Organisations"
expect_screen "one organisation: singular" "1 organisation"
expect_no_text "not '1 organisations'" "1 organisations"
expect_screen "its column says the zone" "Created (XYZ)"
send_keys Enter
wait_text "HyOpps │ Organisation"
send_keys G
expect_screen "the organisation page names the workflow as everywhere else" "New partner user"
expect_no_text "not by its internal name" "new_partner_user"
send_keys q q
open_menu Notifications
wait_text "HyOpps │ Notifications"
expect_screen "the outbox's time column says the zone too" "When (XYZ)"
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- the partner admin's form speaks to them ----
app_start
ui_login pa@acme.example "$ADMIN_PW"
wait_text "Add user"
send_keys a
wait_text "step 2 of 9: Input User Details"
expect_screen "the form is named as the workflow" "New partner user (new request)"
expect_no_text "no 'Admin inputs' for a partner admin" "Admin inputs"
expect_screen "it says what the form is" "The user's details"
send_keys Escape
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits 0" 0 "$(app_exit_status)"
done_testing
