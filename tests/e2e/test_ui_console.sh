#!/usr/bin/env bash
# The admin's execution console in the real terminal UI (tmux), with every
# integration simulated and the runner thread of the TUI doing the auto
# steps: new_partner entirely through its forms (live defaults, a field
# error beside its field with nothing lost, the Infrabot values, the LMS
# confirmation); new_partner_user for that organisation (the organisation
# picker, the Studio companies as checkboxes); a failing step whose error is
# shown, fixed in the UI meanwhile (the organisation's group ids) and
# retried; skip, re-run from a step, done by hand; the status filters and
# `/` (with the id-prefix note); the inbox; resize to 60x20 and back on the
# console; bytes per selection move; quitting leaves the terminal sane.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "[metabase]
mode = simulate
[teams]
mode = simulate
[slack]
mode = simulate
[smtp]
mode = simulate"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1
exec_status() { sql "SELECT status FROM workflow_executions WHERE id LIKE '$1%'"; }
newest_exec() { sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1"; }
steps_of() { sql "SELECT group_concat(status, ',') FROM (SELECT status FROM workflow_step_executions WHERE execution_id = '$1' ORDER BY step_order)"; }

admin_ui || { done_testing; exit 1; }

# ---- new_partner through its forms ----
open_menu "New request"
expect_screen "New request lists the workflows" "Which workflow do you want to start?"
expect_screen "with new_partner" "New partner user"
send_keys g Enter
expect_screen "starting it opens its first form at once" "step 1 of 8: Input Studio Companies"
NP=$(newest_exec)
expect_eq "the execution exists and waits for input" awaiting_input "$(exec_status "$NP")"
send_text "Acme Corp"
expect_screen "the TEST company name follows the organisation name as it is typed" "Acme Corp TEST"
expect_screen "so does the PROD one" "Acme Corp PROD"
send_keys Tab Tab
send_text "st-acme"
send_keys Tab Tab
send_text "st-acme"
send_keys Enter
expect_screen "the same Studio id twice is refused beside its field" "must differ from the TEST company's Studio id"
expect_contains "the error is by the PROD id's field" "must differ" "$(line_with "Studio PROD company id"; line_after "Studio PROD company id")"
expect_screen "nothing typed is lost" "Acme Corp PROD"
expect_eq "nothing was submitted" awaiting_input "$(exec_status "$NP")"
send_keys C-u
send_text "st-acme-p"
send_keys BTab BTab C-e
send_text "-t"
send_keys Enter
expect_screen "the next manual step's form replaces it" "step 2 of 8: Trigger Infrabot"
expect_screen "with the values to copy to Infrabot: the name" "Organisation name"
expect_contains "... the TEST id" "st-acme-t" "$(line_with "Studio TEST company id")"
expect_contains "... the PROD id" "st-acme-p" "$(line_with "Studio PROD company id")"
expect_screen "then the cluster choice" "‹ prod-eu ›"
send_keys Right
expect_screen "Right chooses the next cluster" "‹ prod-us ›"
send_keys Tab
send_text "read"
send_keys Tab Space Enter
expect_screen "after the input the execution shows its progress" "HyOpps │ Execution"
expect_screen "the runner ran the auto steps up to the LMS confirmation" "step 8/8: LMS Setup"
expect_screen "which waits for input" "● awaiting input"
expect_screen "done steps are marked" "✓  7 Create Slack Group"
expect_screen "the bottom bar offers to fill it in" "f Fill in"
send_keys f
expect_screen "f opens the LMS form" "step 8 of 8: LMS Setup"
send_keys Enter
expect_screen "the confirmation is required" "must be confirmed (yes) before you go on"
send_keys Space Enter
expect_screen "new_partner completes" "✓ completed"
expect_eq "the execution is completed" completed "$(exec_status "$NP")"
ACME=$(sql "SELECT id FROM organizations WHERE name = 'Acme Corp'")
expect_eq "the organisation and its Studio companies exist" "st-acme-p st-acme-t" \
    "$(sql "SELECT group_concat(studio_id, ' ') FROM (SELECT studio_id FROM studio_companies WHERE organization_id = '$ACME' ORDER BY studio_id)")"
expect_eq "the Keycloak cluster chosen is stored" prod-us \
    "$(sql "SELECT keycloak_cluster FROM organization_integrations WHERE organization_id = '$ACME'")"
send_keys k
expect_screen "a step's detail shows its output as key/value lines" "Output"
send_keys g
expect_screen "and a manual step's input, who gave it and when" "Input, given by admin@hyopps.local at"
expect_screen "as key/value lines" "organization_name: Acme Corp"
send_keys q

# ---- new_partner_user for that organisation ----
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second
expect_screen "new_partner_user opens with the organisation form" "step 1 of 9: Select Organization"
NU=$(newest_exec)
expect_screen "the organisation can be chosen from a list" "^O Choose from list"
send_keys C-o
expect_screen "^O lists the partner organisations" "Choose from the partner organisations:"
send_keys / C-u
send_text acme
send_keys Enter Enter
expect_line "the chosen organisation is in the field" "Organisation *" "Acme Corp"
send_keys Enter
expect_screen "the user details form opens at once" "step 2 of 9: Input User Details"
expect_screen "with the organisation's Studio companies as checkboxes" "[x] Acme Corp TEST (st-acme-t, test)"
expect_screen "every company ticked by default" "[x] Acme Corp PROD (st-acme-p, prod)"
send_text Jane; send_keys Tab; send_text Doe; send_keys Tab; send_text jane@acme.example; send_keys Tab
send_text "en, xx1"
send_keys Enter
expect_screen "a bad language is refused beside its field" "'xx1' is not an ISO 639-1 language code"
expect_screen "the names typed are kept" "jane@acme.example"
send_keys C-u
send_text "en, de"
send_keys Tab Tab Tab Down Space
expect_screen "Space unticks the PROD company" "[ ] Acme Corp PROD (st-acme-p, prod)"
send_keys Enter
expect_screen "new_partner_user runs to completion" "✓ completed"
expect_eq "the execution is completed" completed "$(exec_status "$NU")"
expect_eq "the user exists in Acme" "$ACME" "$(sql "SELECT organization_id FROM users WHERE email = 'jane@acme.example'")"
expect_eq "with access to the TEST company only" "st-acme-t" \
    "$(sql "SELECT group_concat(sc.studio_id) FROM user_studio_access a JOIN studio_companies sc ON sc.id = a.studio_company_id JOIN users u ON u.id = a.user_id WHERE u.email = 'jane@acme.example'")"
expect_screen "the header shows the user" "jane@acme.example"
send_keys q

# ---- a failing step, fixed meanwhile, retried ----
GLOBEX=$(make_org_sql "'Globex'")
sql "UPDATE organizations SET account_types = '[\"partner\"]' WHERE id = '$GLOBEX'"
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second
wait_text "step 1 of 9: Select Organization"
send_text Globex
send_keys Enter
wait_text "step 2 of 9: Input User Details"
expect_screen "an organisation without Studio companies says so" "There are no Studio companies of this organisation yet."
send_text Hank; send_keys Tab; send_text Scorpio; send_keys Tab; send_text hank@globex.example
send_keys Enter
expect_screen "a step fails" "✗ failed"
expect_screen "its error is shown" "Error: No Metabase group configured for this organization"
expect_screen "the failed step is marked" "✗  4 Add User to Metabase Group"
expect_screen "retry is offered" "t Retry"
GX=$(newest_exec)
expect_eq "the execution failed" failed "$(exec_status "$GX")"
# The cause is fixed in the UI meanwhile: Globex gets its group ids.
send_keys q
open_menu Organisations
send_keys / C-u
send_text Globex
send_keys Enter Enter
wait_text "HyOpps │ Organisation"
send_keys i
wait_text "Group ids of Globex"
send_text 7; send_keys Tab Tab; send_text '19:globex@thread.tacv2'; send_keys Tab Tab; send_text S0GLOBEX # (a name field beside each id)
send_keys Enter
expect_screen "the group ids are saved" "Group ids saved."
send_keys G
wait_text "new_partner_user  failed"
send_keys Enter
expect_screen "Enter on the organisation's execution opens it" "Error: No Metabase group configured for this organization"
send_keys t
expect_dialog "retry asks first" "Run step 4 (Add User to Metabase Group) again now?"
send_keys y
expect_screen "after the fix the retry succeeds" "✓ completed"
expect_eq "the execution completed" completed "$(exec_status "$GX")"
send_keys g
expect_screen "the first step still shows its input" "organization_id:"
send_keys q q q

# ---- skip, re-run from a step, done by hand ----
INITECH=$(make_org_sql "'Initech'")
sql "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id) VALUES
     ('$(cat /proc/sys/kernel/random/uuid)', '$INITECH', 'teams', 'ext-initech', '19:initech@thread.tacv2'),
     ('$(cat /proc/sys/kernel/random/uuid)', '$INITECH', 'slack', 'ext-initech', 'S0INITECH')"
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second
wait_text "step 1 of 9: Select Organization"
send_text Initech
send_keys Enter
wait_text "step 2 of 9: Input User Details"
send_text Peter; send_keys Tab; send_text Gibbons; send_keys Tab; send_text peter@initech.example
send_keys Enter
expect_screen "Initech's Metabase step fails" "Error: No Metabase group configured for this organization"
IN=$(newest_exec)
send_keys s
expect_screen "s asks for a reason" "Skip step 4: Add User to Metabase Group"
send_keys Enter
expect_screen "a reason is required" "is required"
send_text "Initech does not use Metabase"
send_keys Enter
expect_screen "skipping lets the rest run to completion" "✓ completed"
expect_screen "the skipped step is marked" "↷  4 Add User to Metabase Group"
expect_eq "steps: 4 skipped, the rest completed" "completed,completed,completed,skipped,completed,completed,completed,completed,completed" "$(steps_of "$IN")"
send_keys g j j j
expect_screen "the skipped step shows who skipped it and why" "Skipped by admin@hyopps.local: Initech does not use Metabase"
send_keys k
expect_screen "step 3 selected" "── 3 Add User to Org Studio Groups"
send_keys R
expect_dialog "re-run asks first, saying what it does" "Run again from step 3 (Add User to Org Studio Groups)?"
send_keys y
expect_screen "re-running from step 3 fails again at step 4" "Error: No Metabase group configured for this organization"
expect_eq "steps 1-2 kept, 3 done again, 4 failed, the rest pending" "completed,completed,completed,failed,pending,pending,pending,pending,pending" "$(steps_of "$IN")"
send_keys d
expect_screen "d asks for a note" "Mark step 4 done by hand: Add User to Metabase Group"
send_text "Added by hand in Metabase"
send_keys Enter
expect_screen "done by hand lets it complete" "✓ completed"
expect_screen "the step says it was done by hand" "done by hand"
expect_eq "the audit trail has the skip, the re-run and the done-by-hand" "exec.done_by_hand exec.rerun exec.skip" \
    "$(sql "SELECT group_concat(action, ' ') FROM (SELECT DISTINCT action FROM audit_log WHERE target_id = '$IN' AND action IN ('exec.skip','exec.rerun','exec.done_by_hand') ORDER BY action)")"
send_keys q

# ---- the executions list: status filters and / ----
# One more execution left failed, and one waiting for input.
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g j Enter # new_partner_user, the second
wait_text "step 1 of 9: Select Organization"
send_keys Escape
expect_screen "Esc leaves the form: the execution stays, waiting" "● awaiting input"
WAIT=$(newest_exec)
send_keys q
open_menu Executions
expect_screen "the executions list opens" "HyOpps │ Executions"
expect_screen "with the filter bar and the counts" "a All 5"
expect_screen "the awaiting count" "Awaiting input 1"
expect_screen "the completed count" "Completed 4"
expect_screen "the organisation column" "Acme Corp"
expect_screen "the status column" "awaiting input"
send_keys w
expect_screen "w shows only what awaits input" "${WAIT:0:8}"
expect_no_text "... and no completed one" "${NP:0:8}"
send_keys f
expect_screen "f: nothing failed now" "No execution is failed."
send_keys c
expect_screen "c: the completed ones" "${GX:0:8}"
send_keys a / C-u
send_text "${GX:0:2}"
expect_screen "two characters: the note says they match ids only" "1-2 characters match execution ids only"
expect_screen "and the id that starts with them is shown" "${GX:0:8}"
send_keys C-u
send_text "glob"
expect_screen "three characters search organisations" "${GX:0:8}"
expect_no_text "the note is gone" "1-2 characters"
expect_no_text "only Globex's executions" "${NP:0:8}"
send_keys C-u
send_text "jane@acme"
expect_screen "user emails are searched too" "${NU:0:8}"
expect_no_text "... only Jane's" "${GX:0:8}"
send_keys C-u
send_text "zzzz"
expect_screen "no match says so" "No execution matches 'zzzz'."
send_keys Escape
expect_screen "Esc clears the search" "${NP:0:8}"
bytes=$(bytes_written j wait_text "▶ ${IN:0:8}")
if [ "$bytes" -gt 0 ] && [ "$bytes" -le 150 ]; then ok "moving the selection one row writes $bytes bytes (<= 150)"
else not_ok "moving the selection one row writes $bytes bytes (<= 150)"; fi
send_keys q

# ---- the inbox ----
open_menu "Awaiting input"
expect_screen "the inbox lists the waiting step" "Select Organization"
expect_contains "with its age" "s " "$(line_with "${WAIT:0:8}")"
send_keys Enter
expect_screen "Enter opens its form" "step 1 of 9: Select Organization"
send_keys Escape
expect_screen "Esc goes back to the inbox" "HyOpps │ Awaiting input"

# ---- resize on the console ----
send_keys o
expect_screen "o opens the execution" "HyOpps │ Execution"
tmx resize-window -t app -x 60 -y 20
expect_screen "60x20 says the terminal is too small" "Terminal too small — 80×24 needed"
tmx resize-window -t app -x 100 -y 30
expect_screen "back to 100x30 the execution returns" "HyOpps │ Execution"
expect_screen "with its steps" "Steps (9)"
tmx resize-window -t app -x 130 -y 30
side_by_side() { line_with "Steps (9)" | grep -qF "── 1 Select Organization"; }
if _poll "$E2E_TIMEOUT" side_by_side; then ok "wide: the steps and the selected step side by side (one row holds both rules)"
else not_ok "wide: the steps and the selected step side by side (one row holds both rules)"; dump_screen; fi
tmx resize-window -t app -x 100 -y 30
[ -n "$(app_pid)" ] && ok "the app survived the resizes" || not_ok "the app survived the resizes"

# ---- quit ----
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits with status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after quitting"
expect_eq "no step is left running" 0 "$(sql "SELECT count(*) FROM workflow_step_executions WHERE status = 'running'")"
done_testing
