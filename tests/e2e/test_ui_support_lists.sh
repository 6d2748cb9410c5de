#!/usr/bin/env bash
# Issue 17, item 6: lists that answer support's questions. The executions
# list searches a person's name, shows the current step, who requested it
# and how long it has been in its state; `o` sorts the waiting ones by
# that, `s` shows the stuck ones (no change for more than N hours). The
# audit trail says what each entry is about in words, searches by a
# person's email or name or an organisation's name, opens the organisation,
# user or execution with Enter; an execution's `h` shows its own history.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "$SIMULATE_ALL"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up"; done_testing; exit 1; }
JD=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy exec input "$JD" 2 firstname=Jane lastname=Doe email=jd@acme.example >/dev/null
hy exec wait "$JD" --timeout 20 >/dev/null 2>&1
OLD=$(hy exec start new_partner_user --org "Acme Corp" --quiet)  # waits at step 2 ...
NEW=$(hy exec start new_partner_user --org "Acme Corp" --quiet)  # ... and so does this one
hy logout >/dev/null 2>&1
# OLD has waited three days (set-up only).
sql "UPDATE workflow_executions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days') WHERE id = '$OLD'"

APP_W=200 APP_H=50 admin_ui || { done_testing; exit 1; }
open_menu Executions
wait_text "HyOpps │ Executions"
expect_screen "the list has who requested it" "Requested by"
expect_screen "how long it has been in its state" "In state"
expect_screen "and its creation time says the zone" "Created (UTC)"
expect_line "the current step, by name" "${NEW:0:8}" "2/9 Input User Details"
expect_line "the requester" "${NEW:0:8}" "admin@hyopps.local"
expect_line "the user by name and email" "${JD:0:8}" "Jane Doe <jd@acme.example>"
expect_line "three days in its state" "${OLD:0:8}" "3d 0h"
send_keys /
send_text "jane doe"
expect_screen "a person's name is searched" "${JD:0:8}"
expect_no_text "only hers" "${NEW:0:8}"
send_keys Escape
wait_text "${NEW:0:8}"
send_keys w o
expect_screen "o: longest in their state first" "Longest in their state first"
first_row() { pane_text | grep -E "▶|^ +[0-9a-f]{8} " | head -1; }
first_is_old() { first_row | grep -qF "${OLD:0:8}"; }
if _poll "$E2E_TIMEOUT" first_is_old; then ok "the one waiting for three days comes first"
else not_ok "the one waiting for three days comes first"; dump_screen; fi
send_keys c o
expect_screen "finished ones cannot be sorted so: it says what to do" "press p, r, w or f first"
send_keys a s
expect_screen "s asks for how many hours" "Stuck: no change for more than N hours"
send_keys Enter
expect_screen "the stuck view says what it shows" "Stuck: unfinished, no change for more than 24 h"
expect_screen "the one stuck for days" "${OLD:0:8}"
expect_no_text "not the fresh one" "${NEW:0:8}"
expect_no_text "nor a completed one" "${JD:0:8}"
send_keys s
expect_screen "s again: every execution" "${NEW:0:8}"
send_keys q

# ---- the audit trail in words ----
open_menu Audit
wait_text "HyOpps │ Audit"
expect_screen "the About column" "About"
expect_screen "an execution is named by its workflow, organisation and user" "New partner user ${JD:0:8}: Acme Corp, jd@acme.example"
expect_no_text "no bare execution id" "execution $JD"
send_keys f
wait_text "Filter the audit trail"
send_keys Tab Tab Tab
send_text "jane doe"
send_keys Enter
expect_screen "about a person's name: her execution's entries" "New partner user ${JD:0:8}"
expect_no_text "not the others'" "${NEW:0:8}"
send_keys g Enter
expect_screen "Enter opens the execution it is about" "HyOpps │ Execution"
expect_screen "hers" "jd@acme.example"
send_keys h
expect_screen "h: its own history" "HyOpps │ Audit"
expect_screen "filtered by its id" "target starts with \"$JD\""
expect_screen "with its start" "exec.start"
expect_no_text "and nothing else's" "${NEW:0:8}"
send_keys q q c
send_keys f
wait_text "Filter the audit trail"
send_keys Tab Tab Tab
send_text "acme corp"
send_keys Enter
expect_screen "about an organisation's name" "Acme Corp"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits 0" 0 "$(app_exit_status)"
done_testing
