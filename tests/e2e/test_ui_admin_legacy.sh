#!/usr/bin/env bash
# The original app's database (tests/fixtures/legacy-hyopps.db, copied)
# opened and browsed in the admin screens: its organisations, an
# organisation's Studio companies, system groups (the ids the original's
# stubs made up shown as placeholders) and links, its users.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
cp "$HYOPPS_ROOT/tests/fixtures/legacy-hyopps.db" "$HYOPPS_DB"
chmod 600 "$HYOPPS_DB"
e2e_config
admin_login >/dev/null || { not_ok "the legacy admin logs in (bcrypt) and sets a new password"; done_testing; exit 1; }
hy logout >/dev/null 2>&1

admin_ui || { done_testing; exit 1; }
open_menu Organisations
expect_screen "the legacy organisations are listed" "Acme Corp"
expect_screen "with their non-ASCII names intact" "Globex Ünïcode GmbH"
expect_contains "Acme's counts: 1 user, 3 executions" "1           3" "$(line_with "Acme Corp")"
send_keys Enter
expect_screen "Acme's detail opens" "HyOpps │ Organisation"
expect_screen "its TEST Studio company" "st-acme-t"
expect_screen "its PROD Studio company" "st-acme-p"
line=$(line_with "ext-acme-corp  (external id 7)")
expect_contains "its Metabase group: ext-acme-corp, external id 7" "metabase" "$line"
expect_screen "its Slack group: a placeholder the original app made" "ext-acme-corp  (external id slack-grp-hq7j8ek, a placeholder)"
expect_screen "its Teams channel too" "(external id teams-ch-09wzee2, a placeholder)"
expect_screen "with how to set the real ones" "the original app made them up: i sets the real ids"
expect_screen "its collection too" "collection mb-col-dh8oi5p  (placeholder from the original app)"
expect_screen "its Keycloak state" "confirmed (cluster prod-eu)"
expect_screen "its documentation link" "https://docs.example/internal"
send_keys G
expect_screen "its user" "jane.doe@acme.example"
expect_screen "its executions, by the workflow's name" "New partner user"
send_keys Enter
expect_screen "Enter on an execution opens it" "HyOpps │ Execution"
expect_screen "with its steps" "Steps ("
send_keys q q q
open_menu Users
expect_screen "the legacy users are listed" "jane.doe@acme.example"
expect_contains "jane is Acme's partner admin" "Acme Corp" "$(line_with "jane.doe@acme.example")"
expect_contains "... with her role" "partner_admin" "$(line_with "jane.doe@acme.example")"
expect_screen "the count" "2 users"

send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
