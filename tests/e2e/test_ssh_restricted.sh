#!/usr/bin/env bash
# The restricted shell for real: Debian's sshd on a free 127.0.0.1 port with
# a test-only host key and `ForceCommand hyopps --config ... --restricted`;
# ssh with a test key from inside tmux. A partner admin logs in, sees only
# their organisation, adds a user (the workflow runs to completion,
# integrations simulated, on the session's runner thread); Ctrl-Z does not
# suspend; the ssh command line cannot run a command; an idle session is
# logged out after [security] idle_minutes = 1 (the real minute: measured
# while the rest of the test runs, see below); killing the ssh client and
# the tmux pane leaves no hyopps process, no open session and a consistent
# database.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
source "$(dirname "$0")/sshd_lib.sh"
new_env
E2E_TIMEOUT=${E2E_TIMEOUT:-15}
e2e_config "$SIMULATE_ALL
[security]
idle_minutes = 1"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up"; done_testing; exit 1; }
cli_partner "Globex" st-globex >/dev/null || { not_ok "Globex set up"; done_testing; exit 1; }
GX=$(cli_user Globex hank@globex.example) || { not_ok "a Globex user"; done_testing; exit 1; }
hy logout >/dev/null 2>&1
make_user jane@acme.example partner_admin "$ACME"
make_user pat@acme.example partner_admin "$ACME"
# (sshd gives the forced command a fresh environment: only what its line says.)

# The sanitizer build writes its reports to files (a terminal over ssh is
# no place for them); none may exist at the end.
FORCE="env LANG=C.UTF-8 TZ=UTC ASAN_OPTIONS=log_path=$TEST_DIR/asan:detect_leaks=1 $HYOPPS_BIN --config $TEST_DIR/config.ini --restricted"
sshd_start "$FORCE" || { not_ok "sshd starts"; done_testing; exit 1; }
ok "sshd listens on 127.0.0.1:$SSHD_PORT with ForceCommand hyopps --restricted"

# hyopps processes started by this sshd (its descendants).
hyopps_pids() {
    ps -eo pid=,ppid=,comm= | awk -v root="$SSHD_PID" '
        { parent[$1] = $2; name[$1] = $3 }
        END { for (p in name) { if (name[p] != "hyopps") continue;
                  for (q = parent[p]; q > 1; q = parent[q]) if (q == root) { print p; break } } }'
}
no_hyopps() { [ -z "$(hyopps_pids)" ]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A second, independent ssh session for the idle logout (its own tmux server).
IDLE_SOCK="$E2E_BASE-idle"
tmi() { TMUX_TMPDIR="$TEST_DIR" tmux -L "$IDLE_SOCK" -f "$E2E_DIR/tmux.conf" "$@"; }
idle_cleanup() { tmi kill-server >/dev/null 2>&1 || true; }
CLEANUP_FUNCS="$CLEANUP_FUNCS idle_cleanup"
tmi new-session -d -s idle -x 100 -y 30 "$(ssh_cmd)"
idle_has() { tmi capture-pane -p -J -t idle 2>/dev/null | grep -qF -- "$1"; }
_poll 15 idle_has "Log in to HyOpps" && ok "a second ssh session reaches the login screen" || not_ok "a second ssh session reaches the login screen"
tmi send-keys -t idle -l pat@acme.example; tmi send-keys -t idle Tab; tmi send-keys -t idle -l "$ADMIN_PW"; tmi send-keys -t idle Enter
_poll 15 idle_has "Add user" && ok "pat is logged in over ssh" || not_ok "pat is logged in over ssh"
IDLE_T0=$(now_ms) # the last key of that session
IDLE_HY=$(hyopps_pids)

# ---- the partner admin's session ----
app_start_ssh() {
    e2e_cleanup
    E2E_N=$((E2E_N + 1))
    E2E_SOCK="$E2E_BASE-$E2E_N"
    E2E_SOCKS="$E2E_SOCKS $E2E_SOCK" # killed by e2e_cleanup at exit
    # shellcheck disable=SC2046
    tmx new-session -d -s app -x "$APP_W" -y "$APP_H" "$(printf '%q ' "$E2E_DIR/run_app.sh") $(ssh_cmd) $*"
}
app_start_ssh
expect_screen "over ssh the login screen says it is a restricted shell" "Restricted shell."
ui_login jane@acme.example "$ADMIN_PW"
expect_screen "the partner admin sees their dashboard" "Add user"
expect_screen "the header says partner admin" "partner admin"
expect_screen "their organisation" "Acme Corp"
expect_no_text "nothing of Globex" "Globex"
HY=$(hyopps_pids | grep -vxF "$IDLE_HY")
[ -n "$HY" ] && [ "$(echo "$HY" | wc -l)" = 1 ] && ok "hyopps runs under sshd (pid $HY)" || not_ok "hyopps runs under sshd" "$HY"

# Ctrl-Z: no suspend; the session keeps answering.
send_keys C-z
send_keys j
expect_screen "Ctrl-Z does not suspend: the next key still moves the selection" "▶ Add several users"
for p in $HY; do
    st=$(ps -o stat= -p "$p" | cut -c1)
    [ "$st" != T ] && ok "the process is not stopped ($st)" || not_ok "the process is stopped"
done
send_keys 'C-\'
send_keys k
expect_screen "Ctrl-\\ does nothing either" "▶ Add user"

# Add a user: the workflow runs to completion on the session's runner.
send_keys a
expect_screen "Add user opens the user details form" "step 2 of 9: Input User Details"
send_text Bob; send_keys Tab; send_text Smith; send_keys Tab; send_text bob@acme.example
send_keys Enter
expect_screen "the request runs to completion" "✓ completed"
expect_eq "bob is a user of Acme" "$ACME" "$(sql "SELECT organization_id FROM users WHERE email = 'bob@acme.example'")"
send_keys q r
expect_screen "Requests lists theirs" "HyOpps │ Requests"
send_keys /
send_text "${GX:0:8}"
expect_screen "Globex's execution id finds nothing" "No request matches '${GX:0:8}'."
send_keys Escape q

# A second request, left half-typed when the connection drops.
send_keys a
wait_text "step 2 of 9: Input User Details"
HALF=$(sql "SELECT id FROM workflow_executions ORDER BY rowid DESC LIMIT 1")
send_text "Half"; send_keys Tab; send_text "Typed"

# ---- the ssh command line runs no command: the forced command runs instead ----
out=$(timeout 20 $(ssh_cmd | sed 's/ -tt / -T /') 'cat /etc/passwd; id' </dev/null 2>&1)
expect_not_contains "a command given to ssh is not run" "root:x:0:0" "$out"
expect_contains "hyopps says it needs a terminal instead" "needs a terminal" "$out"

# ---- disconnect: kill the ssh client ----
# the ssh client: a descendant of the pane's shell
ssh_pid=$(ps -eo pid=,ppid=,comm= | awk -v root="$(tmx display -p -t app '#{pane_pid}')" '
    { parent[$1] = $2; name[$1] = $3 }
    END { for (p in name) { if (name[p] != "ssh") continue;
              for (q = p; q > 1; q = parent[q]) if (q == root) { print p; break } } }')
if [ -n "$ssh_pid" ]; then
    kill -9 "$ssh_pid"
    ok "the ssh client is killed (pid $ssh_pid)"
else
    not_ok "the ssh client is found"
fi
gone() { for p in $HY; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
if _poll 20 gone; then ok "the disconnected session's hyopps exits"; else not_ok "the disconnected session's hyopps exits" "$(ps -o pid,stat,cmd -p "$HY")"; fi
expect_eq "the half-typed request still waits, nothing half-done" awaiting_input \
    "$(sql "SELECT status FROM workflow_executions WHERE id = '$HALF'")"
expect_eq "its step got no input" "" "$(sql "SELECT coalesce(manual_input, '') FROM workflow_step_executions WHERE execution_id = '$HALF' AND step_order = 2")"
expect_eq "jane's session was ended on the way out" 0 \
    "$(sql "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'jane@acme.example' AND s.revoked_at IS NULL")"

# ---- idle logout: [security] idle_minutes = 1 ----
# The real binary and the real minute (no test-only switch exists in the
# program): pat's session has had no key since IDLE_T0, while everything
# above ran, so this waits only for the rest of the minute.
if _poll 90 idle_has "Logged out after 1 minute without a key press."; then
    waited=$(( $(now_ms) - IDLE_T0 ))
    if [ "$waited" -ge 59000 ] && [ "$waited" -le 75000 ]; then ok "the idle session is logged out after $waited ms (1 minute)"
    else not_ok "the idle session is logged out after $waited ms (expected about 60000)"; fi
else
    not_ok "the idle session is logged out"; tmi capture-pane -p -t idle | sed 's/^/# |/'
fi
_poll 15 idle_has "Log in to HyOpps" && ok "it is back at the login screen" || not_ok "it is back at the login screen"
expect_eq "pat's session is ended" 0 \
    "$(sql "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'pat@acme.example' AND s.revoked_at IS NULL")"

# ---- disconnect: kill the tmux pane of the other session ----
tmi kill-server
if _poll 20 no_hyopps; then ok "killing the tmux pane leaves no hyopps process"; else not_ok "killing the tmux pane leaves no hyopps process" "$(hyopps_pids)"; fi

# ---- the database is consistent ----
expect_eq "PRAGMA integrity_check" ok "$(sql "PRAGMA integrity_check")"
expect_eq "no step is left running with a live lease" 0 \
    "$(sql "SELECT count(*) FROM workflow_step_executions WHERE status = 'running' AND lease_expires_at > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")"
expect_eq "no step is left running at all" 0 "$(sql "SELECT count(*) FROM workflow_step_executions WHERE status = 'running'")"
expect_eq "the exec counts agree with the rows" "" "$(sql "
    SELECT c.status FROM exec_counts c LEFT JOIN (SELECT organization_id, workflow_definition_id, status, count(*) n
      FROM workflow_executions GROUP BY 1, 2, 3) r USING (organization_id, workflow_definition_id, status)
    WHERE c.n != coalesce(r.n, 0)")"
asan=$(ls "$TEST_DIR"/asan.* 2>/dev/null)
expect_eq "no sanitizer report from any ssh session" "" "$asan"
[ -n "$asan" ] && head -40 $asan | sed 's/^/# /'
sshd_stop
done_testing
