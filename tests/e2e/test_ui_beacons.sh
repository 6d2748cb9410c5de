#!/usr/bin/env bash
# Beacons (issue 16): while a `hyopps worker` runs the steps, a partner
# admin's session watches its organisation's beacon and the one for all,
# not the database's log: every watcher of a file costs every write to it,
# and the worker writes the log many times per commit. The worker completing
# another organisation's requests wakes it for nothing (it reads nothing);
# a change of its own organisation appears within a second; when the
# worker stops, the session watches the log again (its runner needs to hear
# of every commit).
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
# (no reconciliation by the worker: its checks of Acme would change Acme's
# home screen, and so wake the session, during the window traced below)
e2e_config "$SIMULATE_ALL
[engine]
inline_local_steps = false
[reconcile]
every_hours = 0"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up through the CLI"; done_testing; exit 1; }
cli_partner "Beta Ltd" st-beta >/dev/null || { not_ok "Beta set up through the CLI"; done_testing; exit 1; }
make_user jane@acme.example partner_admin "$ACME"

# The bucket of an organisation's beacon (src/beacon.c: FNV-1a, 1024 buckets).
bucket() {
    local s=$1 h=2166136261 i c
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
    done
    printf '%04d' $((h % 1024))
}
hex_inode() { printf '%x' "$(stat -c %i "$1")"; }
# The inodes the process's inotify instances watch, sorted, on one line.
watched() { sed -n 's/^inotify wd:[0-9a-f]* ino:\([0-9a-f]*\).*/\1/p' /proc/"$1"/fdinfo/* 2>/dev/null | sort | tr '\n' ' '; }
watches_exactly() { [ "$(watched "$1")" = "$2" ]; } # PID "INODES "
heartbeats_are() { [ "$(sql 'SELECT count(*) FROM worker_heartbeats')" = "$1" ]; }
all_completed() { [ "$(sql "SELECT count(*) FROM workflow_executions WHERE status <> 'completed'")" = 0 ]; }

app_start
ui_login jane@acme.example "$ADMIN_PW"
expect_screen "the partner admin's home" "Add user"
PID=$(app_pid)
WAL_INODE=$(hex_inode "$HYOPPS_DB-wal")
if wait_for 5 watches_exactly "$PID" "$WAL_INODE "; then ok "no worker: the session watches the database's log"
else not_ok "no worker: the session watches the database's log" "watched: $(watched "$PID"), log: $WAL_INODE"; fi

"$HYOPPS_BIN" worker 2>"$TEST_DIR/worker.log" &
WPID=$!
stop_worker() { kill -CONT "$WPID" 2>/dev/null; kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; }
CLEANUP_FUNCS="$CLEANUP_FUNCS stop_worker"
wait_for 10 heartbeats_are 1 && ok "the worker's heartbeat is there" || not_ok "the worker's heartbeat is there"
BEACONS="$HYOPPS_DB-beacons"
MINE=$(hex_inode "$BEACONS/$(bucket "$ACME")" 2>/dev/null) ALL=$(hex_inode "$BEACONS/all" 2>/dev/null)
expected=$(printf '%s\n%s\n' "$MINE" "$ALL" | sort | tr '\n' ' ')
if [ -n "$MINE" ] && [ -n "$ALL" ] && wait_for 5 watches_exactly "$PID" "$expected"; then
    ok "a worker runs the steps: the session watches Acme's beacon and the one for all, not the log"
else
    not_ok "a worker runs the steps: the session watches Acme's beacon and the one for all, not the log" \
        "watched: $(watched "$PID"), expected: $expected (log: $WAL_INODE)"
fi

# Beta's requests, given their input while the worker is held: then the
# session is traced while the worker alone runs them.
kill -STOP "$WPID"
for who in one two three; do
    id=$(hy exec start new_partner_user --org "Beta Ltd" --quiet)
    hy exec input "$id" input_user_details firstname=B lastname="$who" email="$who@beta.example" >/dev/null
done
trace="$TEST_DIR/reads.trace"
strace -f -e trace=pread64 -e signal=none -o "$trace" -p "$PID" 2>"$TEST_DIR/strace.err" &
TRACER=$!
wait_for 10 grep -q attached "$TEST_DIR/strace.err" || echo "strace did not attach: $(cat "$TEST_DIR/strace.err")" >&2
kill -CONT "$WPID"
if wait_for 20 all_completed; then ok "the worker completes Beta's three requests"
else not_ok "the worker completes Beta's three requests" "$(cat "$TEST_DIR/worker.log")"; fi
# The observation window: a look comes within a second of the commit that
# woke the session (UI_REFRESH_MS + spread + settle); none may come.
sleep 1
kill -INT "$TRACER"
wait "$TRACER" 2>/dev/null
reads=$(grep -c 'pread64(' "$trace")
expect_eq "... and the partner's session read nothing meanwhile (no look: not woken)" 0 "$reads"

# One of Acme's: shown within a second, no key pressed.
P=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
if wait_text "1 waiting for input" 1; then ok "Acme's new request appears in the partner's session within a second"
else not_ok "Acme's new request appears in the partner's session within a second"; dump_screen; fi

# The worker stops: the session's runner takes over, and watches the log.
stop_worker
if wait_for 5 watches_exactly "$PID" "$(hex_inode "$HYOPPS_DB-wal") "; then ok "the worker gone: the session watches the log again"
else not_ok "the worker gone: the session watches the log again" "watched: $(watched "$PID")"; fi

# The beacons refused (their directory's path taken by a file): a worker
# says so; a partner's session tries them once when it sees the worker,
# then keeps the log (no retry at every turn of its loop) and still shows
# its organisation's changes within a second.
rm -rf "$BEACONS"
: >"$BEACONS"
trace="$TEST_DIR/mkdir.trace"
strace -f -e trace=mkdir,mkdirat -e signal=none -o "$trace" -p "$PID" 2>"$TEST_DIR/strace2.err" &
TRACER=$!
wait_for 10 grep -q attached "$TEST_DIR/strace2.err" || echo "strace did not attach: $(cat "$TEST_DIR/strace2.err")" >&2
"$HYOPPS_BIN" worker 2>"$TEST_DIR/worker2.log" &
WPID=$!
wait_for 10 heartbeats_are 1 && ok "a second worker's heartbeat is there" || not_ok "a second worker's heartbeat is there"
if wait_for 5 grep -q "cannot make the beacons in $BEACONS/ (Not a directory)" "$TEST_DIR/worker2.log"; then
    ok "the worker says it cannot make the beacons, and why"
else not_ok "the worker says it cannot make the beacons, and why" "$(cat "$TEST_DIR/worker2.log")"; fi
tried() { grep -q -- "-beacons\"" "$trace"; }
wait_for 5 tried && ok "the session, seeing the worker, tries the beacons" \
    || not_ok "the session, seeing the worker, tries the beacons" "$(cat "$trace")"
# The window: a session retrying would try again at every turn of its loop.
sleep 1
kill -INT "$TRACER"
wait "$TRACER" 2>/dev/null
expect_eq "... once: refused, they are not tried again" 1 "$(grep -c -- '-beacons"' "$trace")"
if watches_exactly "$PID" "$(hex_inode "$HYOPPS_DB-wal") "; then ok "... and the session watches the log"
else not_ok "... and the session watches the log" "watched: $(watched "$PID")"; fi
hy exec start new_partner_user --org "Acme Corp" --quiet >/dev/null
if wait_text "2 waiting for input" 1; then ok "Acme's next request appears within a second (the log watched)"
else not_ok "Acme's next request appears within a second (the log watched)"; dump_screen; fi

done_testing
