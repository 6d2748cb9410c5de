#!/usr/bin/env bash
# The partner console in the real terminal UI (tmux): a partner admin's
# whole path — the dashboard of their organisation (read-only), Add user
# (the user details form at once, the organisation filled in), a request
# that fails, is fixed meanwhile by an admin and retried, one that is
# cancelled, the Requests list and detail with only fill in, retry and
# cancel — and every input that takes an id or a name tried with another
# organisation's: nothing of it is ever shown.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
GLOBEX=$(cli_partner "Globex" st-globex) || { not_ok "Globex set up through the CLI"; done_testing; exit 1; }
GX=$(cli_user Globex hank@globex.example) || { not_ok "a Globex user through the CLI"; done_testing; exit 1; }
hy orgs edit "Acme Corp" --docs-internal https://wiki.example/acme >/dev/null
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null # Acme's first request will fail at Metabase
make_user jane@acme.example partner_admin "$ACME"
exec_status() { sql "SELECT status FROM workflow_executions WHERE id = '$1'"; }
newest_exec() { sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1"; }
expect_count() { # description expected SQL
    expect_eq "$1" "$2" "$(sql "$3")"
}

app_start
ui_login jane@acme.example "$ADMIN_PW"
expect_screen "the partner admin reaches the dashboard" "Add user"
expect_screen "of their organisation" "Acme Corp"
expect_screen "the header says partner admin" "partner admin"
expect_screen "with the integration state" "confirmed (cluster prod-eu)"
expect_screen "the documentation links" "https://wiki.example/acme"
expect_screen "and the users" "jane@acme.example"
expect_no_text "nothing of Globex" "Globex"
expect_no_text "no admin screen is offered" "Organisations"
expect_no_text "... nor the audit trail" "Audit"

# ---- Add user: the form at once; another organisation's user is refused ----
send_keys a
expect_screen "Add user opens the user details form at once" "step 2 of 9: Input User Details"
expect_screen "with the organisation filled in" "Organisation"
expect_contains "... their own" "Acme Corp" "$(line_with "Organisation ")"
expect_screen "the organisation's Studio companies as checkboxes" "[x] Acme Corp TEST (st-acme-t, test)"
expect_no_text "no organisation to choose: the key is not offered" "Choose from list"
send_text Bob; send_keys Tab; send_text Smith; send_keys Tab; send_text hank@globex.example
send_keys Enter
expect_screen "another organisation's user cannot be added" "cannot be used for a user of this organisation; ask a HyOpps administrator"
expect_no_text "... and the refusal does not say where the address is used" "another organisation"
expect_count "Globex's user is untouched" "$GLOBEX" "SELECT organization_id FROM users WHERE email = 'hank@globex.example'"
send_keys C-u
send_text bob@acme.example
send_keys Enter
expect_screen "the request runs and fails at Metabase" "Error: No Metabase group configured for this organisation"
P1=$(newest_exec)
expect_screen "retry and cancel are offered" "t Retry"
expect_no_text "skip is not offered" "s Skip"
expect_no_text "nor done by hand" "Done by hand"
expect_no_text "nor re-run" "Re-run"
send_keys s d R
expect_no_text "s, d and R do nothing for a partner admin" "Skip step"
expect_no_text "... no dialog at all" "Re-run from here"
send_keys '?'
expect_screen "the help lists retry" "Run the failed step again"
expect_no_text "the help has no skip" "Skip the selected step"
expect_no_text "the help has no re-run" "Run the workflow again from the selected step"
send_keys q
# An admin fixes the cause meanwhile (CLI); the partner admin retries.
hy orgs edit "Acme Corp" --metabase-group 7 >/dev/null
send_keys t
expect_dialog "retry asks first" "Run step 4 (Add User to Metabase Group) again now?"
send_keys y
expect_screen "the retried request completes" "✓ completed"
expect_eq "the request is completed" completed "$(exec_status "$P1")"
expect_count "bob is a user of Acme" "$ACME" "SELECT organization_id FROM users WHERE email = 'bob@acme.example'"
send_keys q
expect_screen "the dashboard lists the new user" "bob@acme.example"
send_keys End
expect_screen "with what the user has access to, per system" "access: Metabase, Teams, Slack, Studio"
send_keys Home

# ---- a request cancelled ----
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null # fails at Metabase again
send_keys a
wait_text "step 2 of 9: Input User Details"
send_text Dave; send_keys Tab; send_text Jones; send_keys Tab; send_text dave@acme.example
send_keys Enter
expect_screen "the second request stops at Metabase" "t Retry"
P2=$(newest_exec)
send_keys x
expect_dialog "cancel asks first" "Cancel this execution?"
send_keys y
expect_screen "the request is cancelled" "cancelled"
expect_eq "cancelled in the database" cancelled "$(exec_status "$P2")"
send_keys q

# ---- Requests: only their organisation's ----
send_keys r
expect_screen "Requests lists the organisation's requests" "HyOpps │ Requests"
expect_screen "with the counts" "a All 2"
expect_screen "the completed one" "${P1:0:8}"
expect_no_text "not Globex's" "${GX:0:8}"
expect_no_text "not the organisation's own new_partner run" "New partner "
expect_screen "the bottom bar offers Add user" "n Add user"

# ---- every input that takes an id or a name, with Globex's ----
send_keys /
send_text "${GX:0:8}"
expect_screen "Globex's execution id in the search box finds nothing" "No request matches '${GX:0:8}'."
send_keys C-u
send_text "globex"
expect_screen "Globex's name finds nothing" "No request matches 'globex'."
send_keys C-u
send_text "hank@globex"
expect_screen "Globex's user's email finds nothing" "No request matches 'hank@globex'."
send_keys C-u
send_text "${GX:0:2}"
if [ "${GX:0:2}" = "${P1:0:2}" ] || [ "${GX:0:2}" = "${P2:0:2}" ]; then
    ok "two characters of Globex's id (skipped: Acme's share them)"
else
    expect_screen "two characters of Globex's id find nothing" "No request id starts with '${GX:0:2}'."
fi
send_keys Escape
wait_text "${P1:0:8}"
send_keys q

# ---- Remove user: asks first, saying what will be removed ----
send_keys / C-u          # (the dashboard's last row is Access: bob's row found by the filter)
send_text "bob@acme.example"
send_keys Enter
send_keys x
wait_text "Revoke the access of"
if pane_text | grep -qF "<jane@acme.example>"; then # the last row was their own: the one above it
    send_keys n; wait_text "Nothing was started"; send_keys k x; wait_text "Revoke the access of"
fi
expect_screen "Remove user asks about bob" "<bob@acme.example>"
expect_screen "... saying what will be removed" "Removed:"
send_keys y
expect_screen "then asks why" "Reason"
send_text "left the company"; send_keys Enter
expect_screen "then when" "Effective"
send_keys Enter
expect_screen "the revocation starts and opens" "Revoke partner user"
expect_count "a revocation of bob requested by jane" 1 \
    "SELECT count(*) FROM workflow_executions e JOIN users u ON u.id = e.user_id JOIN users r ON r.id = e.requested_by WHERE u.email = 'bob@acme.example' AND r.email = 'jane@acme.example' AND e.workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'revoke_partner_user')"
send_keys q
wait_text "Add user"

# The session's ops refuse Globex's execution however it is named (the CLI
# with the same session file is the same door the screens use).
expect_eq "ops says not found for Globex's execution" 4 "$(as_other "$TEST_DIR/state-jane" sh -c "
    printf '%s\n' '$ADMIN_PW' | '$HYOPPS_BIN' login --email jane@acme.example --password-stdin >/dev/null;
    '$HYOPPS_BIN' exec show '$GX' >/dev/null 2>&1; echo \$?")"

send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits with status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after quitting"
expect_count "the partner admin started exactly three requests" 3 \
    "SELECT count(*) FROM workflow_executions e JOIN users u ON u.id = e.requested_by WHERE u.email = 'jane@acme.example'"
done_testing
