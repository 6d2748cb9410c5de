#!/usr/bin/env bash
# Issue 17, item 3: statuses that do not contradict themselves. A step
# waiting between automatic attempts (the fake Metabase answers 503 with
# Retry-After: 60) says "retrying in ... (attempt 2 of 5)" and `t` runs it
# now; a cancelled execution is never run again (no Re-run, R says why); a
# completed execution with a skipped step says so in the list; every status
# has a key and a count (queued p, cancelled x) and the counts add up to All.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
live_metabase_env 5 || { not_ok "the fake Metabase starts"; done_testing; exit 1; }
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up (live Metabase)"; done_testing; exit 1; }
# A completed request whose documentation step was skipped.
SK=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy exec skip "$SK" share_documentation --reason "sent by hand" >/dev/null
hy exec input "$SK" 2 firstname=Sam lastname=Skip email=sam@acme.example >/dev/null
hy exec wait "$SK" --timeout 20 >/dev/null 2>&1
hy logout >/dev/null 2>&1
expect_eq "the skipped one completed" completed "$(sql "SELECT status FROM workflow_executions WHERE id = '$SK'")"

# Metabase is busy once: 503, come back in a minute.
"$FAKES/fakectl.sh" fault "$MBDIR" '{"method": "POST", "path": "^/api/permissions/membership", "kind": "status", "status": 503, "headers": {"Retry-After": "60"}, "count": 1}' >/dev/null

admin_ui || { done_testing; exit 1; }
new_user_request "Acme Corp"
send_text Rita; send_keys Tab; send_text Retry; send_keys Tab; send_text rita@acme.example
send_keys Enter
expect_screen "the step waiting for its next attempt says so" "retrying in"
expect_screen "with which attempt comes next, of how many" "(attempt 2 of 5)"
expect_line "the step's row says it too" "4 Add User to Metabase Group" "retry 2/5 in"
expect_not_contains "not a bare 'pending'" "pending" "$(line_with "4 Add User to Metabase Group")"
expect_screen "t runs it now" "t Retry now"
send_keys t
expect_dialog "retry now asks first" "Run step 4 (Add User to Metabase Group) now instead of waiting"
send_keys y
expect_screen "run at once, the request completes" "✓ completed"
RT=$(sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1")
expect_eq "retry now is audited" 1 "$(sql "SELECT count(*) FROM audit_log WHERE action = 'exec.retry_now' AND target_id = '$RT'")"
send_keys q

# ---- cancelled means cancelled ----
new_user_request "Acme Corp"
# Metabase refuses for good this time: the request fails, then is cancelled.
"$FAKES/fakectl.sh" fault "$MBDIR" '{"method": "POST", "path": "^/api/permissions/membership", "kind": "status", "status": 403, "count": 1}' >/dev/null
send_text Carl; send_keys Tab; send_text Cancel; send_keys Tab; send_text carl@acme.example
send_keys Enter
expect_screen "the request fails" "✗ failed"
send_keys x
expect_dialog "cancel says it is for good" "a cancelled execution is never run again"
send_keys y
expect_screen "cancelled" "⊘ cancelled"
expect_no_text "no re-run is offered" "R Re-run"
send_keys R
expect_screen "R says why not" "a cancelled execution cannot be run again"
CX=$(sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1")
expect_eq "it stays cancelled" cancelled "$(sql "SELECT status FROM workflow_executions WHERE id = '$CX'")"
send_keys q

# ---- the list: every status has a key and a count; they add up ----
open_menu Executions
wait_text "HyOpps │ Executions"
bar=$(line_with "a All")
expect_contains "queued has a key" "p Queued 0" "$bar"
expect_contains "cancelled has a key and its count" "x Cancelled 1" "$bar"
sum_ok() {
    local b all rest
    b=$(line_with "a All")
    all=$(printf '%s' "$b" | sed -n 's/.*a All \([0-9]*\).*/\1/p')
    rest=$(printf '%s' "$b" | sed 's/.*a All [0-9]*//' | grep -o '[0-9][0-9]*' | awk '{s += $1} END {print s}')
    [ -n "$all" ] && [ "$all" = "$rest" ]
}
if sum_ok; then ok "the per-status counts add up to All ($bar)"; else not_ok "the per-status counts add up to All" "$bar"; fi
expect_line "a completed request with a skipped step says so" "${SK:0:8}" "completed, 1 skipped"
send_keys x
expect_screen "x lists the cancelled ones" "${CX:0:8}"
expect_no_text "only them" "${SK:0:8}"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits with status 0" 0 "$(app_exit_status)"
done_testing
