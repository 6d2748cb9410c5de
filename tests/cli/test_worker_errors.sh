#!/usr/bin/env bash
# hyopps worker on a database it cannot write (issue 10, item 4): --once
# reports the error and exits 1 instead of spinning; the long-running worker
# backs off and prints the error once, then counts its repeats. The database
# is opened read-only through an SQLite URI (file:...?mode=ro), which holds
# for root too (chmod does not).
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
write_fast_config "$TEST_DIR/config.ini" "$SIMULATE_ALL
[engine]
inline_local_steps = false"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
db=$HYOPPS_DB
admin_login || not_ok "admin login"

# auto steps queued for a worker
np=$(hy exec start new_partner --quiet)
hy exec input "$np" 1 "organization_name=Acme Corp" studio_company_id_test=a-t studio_company_id_prod=a-p >/dev/null
hy exec input "$np" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
expect_eq "steps are queued" pending "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$np'")"
RO="file:$db?mode=ro"

# --- --once -------------------------------------------------------------------
HYOPPS_DB=$RO timeout 20 "$HYOPPS_BIN" worker --once 2>"$TEST_DIR/once.err" >/dev/null; rc=$?
expect_eq "worker --once on a read-only database exits 1 (124 = still spinning at the timeout)" 1 "$rc"
err=$(cat "$TEST_DIR/once.err")
expect_contains "it names the error" "attempt to write a readonly database" "$err"
expect_contains "and says it stopped because of it" "stopped by the error above" "$err"
expect_eq "three lines: started, the error, the summary" 3 "$(wc -l <"$TEST_DIR/once.err")"
expect_eq "nothing ran" pending "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$np'")"

# --- the long-running worker ----------------------------------------------------
HYOPPS_DB=$RO "$HYOPPS_BIN" worker --poll-ms 10 2>"$TEST_DIR/worker.err" >/dev/null &
wpid=$!
stop_worker() { kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; }
CLEANUP_FUNCS="stop_worker"
has_error() { grep -q "readonly database" "$TEST_DIR/worker.err"; }
wait_for 20 has_error || not_ok "the worker meets the error" "$(cat "$TEST_DIR/worker.err")"
# An observation window, not a wait for a condition: tries at 0, 1, 3 s.
sleep 3.5
ticks() { awk '{print $14 + $15}' "/proc/$wpid/stat"; }
cpu=$(ticks)
kill -TERM "$wpid"; wait "$wpid"; rc=$?
CLEANUP_FUNCS=""
expect_eq "SIGTERM during the backoff exits 0" 0 "$rc"
out=$(cat "$TEST_DIR/worker.err")
expect_eq "the error printed once" 1 "$(grep -c "readonly database" "$TEST_DIR/worker.err")"
expect_contains "its repeats counted" "hyopps worker: (same error 2 more times in the last " "$out"
expect_eq "four lines in all" 4 "$(wc -l <"$TEST_DIR/worker.err")"
[ "$cpu" -lt 100 ] && ok "it did not spin (${cpu} CPU ticks in 3.5 s)" || not_ok "CPU ticks in 3.5 s: $cpu"

# --- exec wait: the same, within its timeout ---------------------------------------
HYOPPS_DB=$RO timeout 20 "$HYOPPS_BIN" exec wait "$np" --timeout 2 >"$TEST_DIR/wait.out" 2>"$TEST_DIR/wait.err"; rc=$?
expect_eq "exec wait on a read-only database exits 1 at its timeout" 1 "$rc"
expect_contains "says where the execution is" "still pending" "$(cat "$TEST_DIR/wait.out")"
expect_eq "exec wait prints the error once" 1 "$(grep -c "readonly database" "$TEST_DIR/wait.err")"
expect_contains "then counts it" "hyopps: (same error " "$(cat "$TEST_DIR/wait.err")"

# --- and once the database is writable, the same work runs ----------------------
hy worker --once 2>/dev/null; expect_eq "worker --once on the writable database exits 0" 0 "$?"
expect_eq "the queued steps ran" awaiting_input "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$np'")"

done_testing
