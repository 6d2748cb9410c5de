#!/usr/bin/env bash
# Refresh stays live (issue 16): two sessions in tmux, an admin watching the
# executions and a partner admin at work. What one session does (an input,
# a retry) and what a `hyopps worker` finishes appear in the other session,
# which shows it, within one second and without a key. While the worker
# runs, the sessions run no step; when it stops, they take over.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null # the first request fails at Metabase
make_user jane@acme.example partner_admin "$ACME"
newest_exec() { sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1"; }
exec_status() { sql "SELECT status FROM workflow_executions WHERE id = '$1'"; }
status_is() { [ "$(exec_status "$1")" = "$2" ]; }                            # ID STATUS
heartbeats_are() { [ "$(sql 'SELECT count(*) FROM worker_heartbeats')" = "$1" ]; }
# a_shows: session A's line holding LINE_TEXT also holds TEXT within SECONDS (1)
_a_line_has() { E2E_SOCK=$A _line_has "$1" "$2"; }
a_shows() { # description LINE_TEXT TEXT [SECONDS]
    if _poll "${4:-1}" _a_line_has "$2" "$3"; then ok "$1"
    else not_ok "$1" "the line with '$2' did not hold '$3' in time"; E2E_SOCK=$A dump_screen; fi
}

# ---- A: the admin's executions list; B: the partner admin ----
admin_ui
open_menu Executions
expect_screen "A: the admin's executions list" "HyOpps │ Executions"
A=$E2E_SOCK
app_also
ui_login jane@acme.example "$ADMIN_PW"
expect_screen "B: the partner admin's home" "Add user"
B=$E2E_SOCK

# ---- an input, a failure, a retry: B acts, A shows it without a key ----
N0=$(sql 'SELECT count(*) FROM workflow_executions')
send_keys a
expect_screen "B starts a request (nothing exists before its form is submitted)" "Input User Details"
[ "$(sql 'SELECT count(*) FROM workflow_executions')" = "$N0" ] && ok "B's open form created no execution" ||
    not_ok "B's open form created no execution"
send_text Bob; send_keys Tab; send_text Smith; send_keys Tab; send_text bob@acme.example
send_keys Enter
expect_screen "B: the request runs and fails at Metabase" "Error: No Metabase group configured"
P1=$(newest_exec)
a_shows "A lists the new request, failed, within a second" "${P1:0:8}" "failed"
hy orgs edit "Acme Corp" --metabase-group 7 >/dev/null
send_keys t
expect_dialog "B: retry asks first" "again now?"
send_keys y
expect_screen "B: the retried request completes" "✓ completed"
a_shows "A shows it completed within a second" "${P1:0:8}" "completed"

# ---- a worker finishing steps: A shows the execution meanwhile ----
write_fast_config "$TEST_DIR/config.ini" "$SIMULATE_ALL
[engine]
inline_local_steps = false"
E2E_SOCK=$B
send_keys q
P2=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
E2E_SOCK=$A
a_shows "A lists it" "${P2:0:8}" "awaiting input"
send_keys Home Enter # A opens it (the newest: the first row)
expect_screen "A: an execution waits for input" "● awaiting input"
expect_screen "A: ... the one just started" "${P2:0:8}"
"$HYOPPS_BIN" worker 2>"$TEST_DIR/worker.log" &
WPID=$!
CLEANUP_FUNCS="$CLEANUP_FUNCS stop_worker"
stop_worker() { kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; }
wait_for 10 heartbeats_are 1 && ok "the worker's heartbeat is there" ||
    not_ok "the worker's heartbeat is there"
hy exec input "$P2" input_user_details firstname=Wanda lastname=Worker email=wanda@acme.example >/dev/null
if wait_for 10 status_is "$P2" completed; then ok "the worker completes the request"
else not_ok "the worker completes the request" "$(cat "$TEST_DIR/worker.log")"; fi
if E2E_SOCK=$A wait_text "✓ completed" 1; then ok "A shows the worker's completion within a second, no key pressed"
else not_ok "A shows the worker's completion within a second, no key pressed"; E2E_SOCK=$A dump_screen; fi
runners=$(sql "SELECT group_concat(DISTINCT json_extract(a.value, '\$.runner')) FROM workflow_step_executions s,
               json_each(s.attempt_log) a WHERE s.execution_id = '$P2'")
expect_contains "the worker ran its steps" ":$WPID:" "$runners"
expect_not_contains "... and no session did" "," "$runners"

# ---- the worker stops: the sessions run the steps again ----
stop_worker
expect_eq "the stopped worker removed its heartbeat" 0 "$(sql 'SELECT count(*) FROM worker_heartbeats')"
P3=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy exec input "$P3" input_user_details firstname=Sam lastname=Session email=sam@acme.example >/dev/null
if wait_for 10 status_is "$P3" completed; then ok "with no worker, a session's runner completes the request"
else not_ok "with no worker, a session's runner completes the request"; fi
APID=$(E2E_SOCK=$A app_pid)
runners=$(sql "SELECT group_concat(DISTINCT json_extract(a.value, '\$.runner')) FROM workflow_step_executions s,
               json_each(s.attempt_log) a WHERE s.execution_id = '$P3'")
expect_contains "... the admin's session (A)" ":$APID:" "$runners"

done_testing
