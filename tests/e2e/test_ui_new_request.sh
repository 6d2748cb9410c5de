#!/usr/bin/env bash
# Issue 17, item 1: no abandoned requests. Opening New request (admin) or
# Add user (partner admin) creates nothing: the execution starts when the
# first form is submitted (start and input in one transaction); an admin's
# organisation form only chooses (the user's details follow, still nothing
# created); Esc with something typed asks "Discard ...?" first, in the
# request forms and in the other forms (user edit, organisation forms).
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
hy logout >/dev/null 2>&1
make_user jane@acme.example partner_admin "$ACME"
executions() { sql "SELECT count(*) FROM workflow_executions"; }
N0=$(executions)

admin_ui || { done_testing; exit 1; }

# ---- New request: the form opens, nothing exists ----
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g Enter
expect_screen "New partner's first form opens" "New partner (new request)"
expect_screen "at step 1" "step 1 of 8: Input Studio Companies"
expect_eq "opening the form created no execution" "$N0" "$(executions)"
send_keys Escape
expect_screen "Esc with nothing typed leaves at once" "Nothing was started."
expect_eq "still no execution" "$N0" "$(executions)"

open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g Enter
wait_text "step 1 of 8: Input Studio Companies"
send_text "Zeta Industries"
send_keys Escape
expect_dialog "Esc with text typed asks first" "Discard this request? Nothing has been created yet."
send_keys n
expect_gone "n keeps the form" "Discard this request?"
expect_screen "with what was typed" "Zeta Industries"
send_keys Escape
wait_text "Discard this request?"
send_keys y
expect_gone "y throws it away" "step 1 of 8"
expect_eq "no execution, no organisation" "$N0 0" "$(executions) $(sql "SELECT count(*) FROM organizations WHERE name = 'Zeta Industries'")"

# ---- New partner user: the organisation form only chooses ----
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second of four
expect_screen "New partner user asks for the organisation" "step 1 of 9: Select Organisation"
send_text "acm"
send_keys Enter
expect_screen "the start of its name is enough: the user's details follow" "step 2 of 9: Input User Details"
expect_screen "for that organisation" "[x] Acme Corp TEST (st-acme-t, test)"
expect_eq "choosing the organisation created nothing" "$N0" "$(executions)"
send_text Bob; send_keys Tab; send_text Smith; send_keys Tab; send_text "not-an-email"
send_keys Enter
expect_screen "a bad email is refused beside its field" "not-an-email"
expect_eq "a refused first form leaves nothing" "$N0" "$(executions)"
send_keys C-u
send_text bob@acme.example
send_keys Enter
expect_screen "submitting starts it and runs it" "✓ completed"
expect_eq "exactly one execution was created" "$((N0 + 1))" "$(executions)"
expect_eq "bob is a user of Acme" "$ACME" "$(sql "SELECT organization_id FROM users WHERE email = 'bob@acme.example'")"
send_keys q

# ---- other forms ask too: the user edit ----
open_menu Users
wait_text "HyOpps │ Users"
send_keys / C-u
send_text jane
wait_text "1 matching"
send_keys Enter Enter
wait_text "Edit Test Person <jane@acme.example>"
send_keys Escape
expect_gone "an untouched edit form leaves at once" "Edit Test Person"
send_keys Enter
wait_text "Edit Test Person <jane@acme.example>"
send_text "X"
send_keys Escape
expect_dialog "an edited one asks first" "Discard your changes?"
send_keys y
expect_gone "y leaves it" "Edit Test Person"
expect_eq "nothing was saved" "Test" "$(sql "SELECT firstname FROM users WHERE email = 'jane@acme.example'")"
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- the partner admin's Add user ----
app_start
ui_login jane@acme.example "$ADMIN_PW"
wait_text "Add user"
N1=$(executions)
for _ in 1 2 3; do
    send_keys a
    wait_text "step 2 of 9: Input User Details" || break
    send_keys Escape
    wait_gone "step 2 of 9" || break
done
expect_screen "Esc goes back to the dashboard" "Add user"
expect_eq "Add user then Esc, three times: no request was created" "$N1" "$(executions)"
send_keys a
wait_text "step 2 of 9: Input User Details"
send_text Carol
send_keys Escape
expect_dialog "with a name typed, Esc asks first" "Discard this request?"
send_keys y
expect_gone "and y leaves" "step 2 of 9"
expect_eq "still none" "$N1" "$(executions)"
send_keys a
wait_text "step 2 of 9: Input User Details"
send_text Carol; send_keys Tab; send_text Jones; send_keys Tab; send_text carol@acme.example
send_keys Enter
expect_screen "submitting the form starts the request" "✓ completed"
expect_eq "one request" "$((N1 + 1))" "$(executions)"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits 0" 0 "$(app_exit_status)"
done_testing
