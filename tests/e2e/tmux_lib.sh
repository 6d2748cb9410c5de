# End-to-end test helpers: the real binary in a private tmux server.
#   source "$(dirname "$0")/tmux_lib.sh"
#   new_env; e2e_config; app_start [ARGS...]
#   send_text 'admin@hyopps.local'; send_keys Tab; wait_text 'Home'
#   expect_screen "admin home shown" 'Executions'
# Every wait polls capture-pane every 50 ms up to a deadline (E2E_TIMEOUT
# seconds, default 10); nothing sleeps a fixed time. The tmux server is
# private (-L, unique per run) and always killed at exit.
# shellcheck shell=bash

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$E2E_DIR/../lib.sh"

E2E_BASE="hyopps-e2e-$$-${RANDOM}"
E2E_N=0
E2E_SOCK="$E2E_BASE-0" # a new server (socket) per app_start: no race with a dying one
E2E_SOCKS=""           # every server started (killed by e2e_cleanup)
E2E_TIMEOUT=${E2E_TIMEOUT:-10}
APP_W=${APP_W:-100}
APP_H=${APP_H:-30}

# The socket lives in the test's own directory (TMUX_TMPDIR): removed with it.
tmx() { TMUX_TMPDIR="${TEST_DIR:?call new_env first}" tmux -L "$E2E_SOCK" -f "$E2E_DIR/tmux.conf" "$@"; }

e2e_cleanup() {
    local s
    for s in $E2E_SOCKS; do E2E_SOCK=$s tmx kill-server >/dev/null 2>&1 || true; done
    E2E_SOCKS=""
}
CLEANUP_FUNCS="${CLEANUP_FUNCS:-} e2e_cleanup"
trap 'cleanup_env' EXIT # new_env sets it too; harmless twice

# Writes a fast config (cheap hashing) and points HYOPPS_CONFIG at it.
e2e_config() { # [extra ini text]
    write_fast_config "$TEST_DIR/config.ini" "${1:-}"
    export HYOPPS_CONFIG=$TEST_DIR/config.ini
}

# app_start [ARGS...]: starts hyopps in the current directory, in a fresh tmux server (APP_W x APP_H,
# LANG=C.UTF-8, TZ=UTC; TERM from tmux.conf). E2E_ENV may add "VAR=value"
# words (e.g. NO_COLOR=1 or LANG=C). The apps started before are ended.
app_start() {
    [ -n "${E2E_KEEP:-}" ] || e2e_cleanup
    E2E_N=$((E2E_N + 1))
    E2E_SOCK="$E2E_BASE-$E2E_N"
    E2E_SOCKS="$E2E_SOCKS $E2E_SOCK"
    local envs=(-e "LANG=C.UTF-8" -e "LC_ALL=" -e "TZ=UTC" -e "HOME=$HOME" -e "XDG_STATE_HOME=$XDG_STATE_HOME"
        -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" -e "HYOPPS_CONFIG=${HYOPPS_CONFIG:-}" -e "HYOPPS_DB=${HYOPPS_DB:-}")
    local kv
    for kv in ${E2E_ENV:-}; do envs+=(-e "$kv"); done
    local cmd
    cmd=$(printf '%q ' "$E2E_DIR/run_app.sh" "$HYOPPS_BIN" "$@")
    tmx new-session -d -s app -x "$APP_W" -y "$APP_H" -c "$PWD" "${envs[@]}" "$cmd"
}

# app_also [ARGS...]: one more app, in a server of its own, next to the ones
# running. Every helper acts on the last one started; keep its E2E_SOCK to
# come back to it:  A=$E2E_SOCK; app_also; ...; E2E_SOCK=$A wait_text ...
app_also() { E2E_KEEP=1 app_start "$@"; }

pane_text() { tmx capture-pane -p -J -t app 2>/dev/null; }          # the pane as text
pane_ansi() { tmx capture-pane -p -e -J -t app 2>/dev/null; }  # with attributes

send_keys() { tmx send-keys -t app "$@"; }         # key names: Enter Tab BTab Up Escape C-l ...
send_text() { tmx send-keys -t app -l -- "$1"; }   # literal text

# _poll SECONDS command...: every 50 ms until the command succeeds.
_poll() {
    local secs=$1; shift
    local deadline=$(($(date +%s%N) / 1000000 + secs * 1000))
    until "$@"; do
        [ "$(($(date +%s%N) / 1000000))" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}
_has_text() { pane_text | grep -qF -- "$1"; }
_lacks_text() { ! pane_text | grep -qF -- "$1"; }

wait_text() { _poll "${2:-$E2E_TIMEOUT}" _has_text "$1"; }      # wait_text TEXT [SECONDS]
wait_gone() { _poll "${2:-$E2E_TIMEOUT}" _lacks_text "$1"; }    # wait_gone TEXT [SECONDS]

# The screen as TAP diagnostics (after a failure).
dump_screen() {
    echo "# --- screen (${APP_W}x${APP_H}) ---"
    pane_text | sed 's/^/# |/'
    echo "# ---"
}

# expect_screen "description" TEXT: waits for TEXT; on timeout, not ok + dump.
expect_screen() {
    if wait_text "$2"; then ok "$1"; else not_ok "$1" "never appeared: $2"; dump_screen; fi
}
expect_gone() {
    if wait_gone "$2"; then ok "$1"; else not_ok "$1" "still there: $2"; dump_screen; fi
}
# expect_no_text "description" TEXT: the current screen does not show TEXT.
expect_no_text() {
    if _lacks_text "$2"; then ok "$1"; else not_ok "$1" "shown but should not be: $2"; dump_screen; fi
}

# The process id of hyopps inside the pane (a descendant of the pane's shell).
app_pid() {
    local p i
    p=$(tmx display -p -t app '#{pane_pid}') || return 1
    for i in 1 2 3 4; do
        [ -n "$p" ] || return 1
        if [ "$(ps -o comm= -p "$p")" = hyopps ]; then echo "$p"; return 0; fi
        p=$(pgrep -P "$p" | head -1)
    done
    return 1
}

# Waits for the app to exit; prints its exit status.
app_exit_status() {
    wait_text "__END" "${1:-$E2E_TIMEOUT}" || return 1
    pane_text | sed -n 's/^__EXIT=\([0-9]*\).*/\1/p' | tail -1
}

# After the app exited: the terminal is back to normal (canonical mode,
# echo, out of the alternate screen, cursor visible).
expect_sane_terminal() { # "description"
    local d=$1 s stty alt cur problems=""
    if ! wait_text "__END"; then not_ok "$d" "the app did not exit"; dump_screen; return; fi
    s=$(pane_text)
    stty=$(printf '%s\n' "$s" | sed -n '/__EXIT=/,/__END/p' | tr '\n' ' ')
    for want in icanon echo icrnl opost isig; do
        printf '%s' " $stty " | grep -qE "[[:space:]]$want[[:space:]]" || problems="$problems $want-off"
    done
    alt=$(tmx display -p -t app '#{alternate_on}')
    cur=$(tmx display -p -t app '#{cursor_flag}')
    [ "$alt" = 0 ] || problems="$problems alternate-screen-still-on"
    [ "$cur" = 1 ] || problems="$problems cursor-hidden"
    if [ -z "$problems" ]; then ok "$d"; else not_ok "$d" "terminal not restored:$problems"; dump_screen; fi
}

# Bytes the app writes to the terminal while running a step:
#   n=$(bytes_written 'j' 'wait_text "▶ Awaiting"')  — send keys, wait for a
# condition, then until the output is quiet (3 polls in a row unchanged).
bytes_written() { # KEY CONDITION...
    local key=$1; shift
    local f="$TEST_DIR/pipe.$RANDOM"
    : >"$f"
    tmx pipe-pane -O -t app "cat >>'$f'"
    send_keys "$key"
    "$@" || { tmx pipe-pane -t app; echo -1; return 1; }
    local last=-1 same=0 n
    while [ "$same" -lt 3 ]; do
        sleep 0.05
        n=$(stat -c %s "$f")
        if [ "$n" = "$last" ] && [ "$n" -gt 0 ]; then same=$((same + 1)); else same=0; fi
        last=$n
    done
    tmx pipe-pane -t app
    echo "$last"
}

# SQL on the test database (setup only; what is tested goes through the app).
sql() { sqlite3 -batch "$HYOPPS_DB" "$@"; }

# Creates an organisation (name given as an SQL expression) and prints its id.
make_org_sql() { # SQL_NAME_EXPR
    local id
    id=$(cat /proc/sys/kernel/random/uuid)
    sql "INSERT INTO organizations(id, name) VALUES('$id', $1);" && echo "$id"
}
# Creates a user whose password is the admin's (admin-pass-1 after admin_login).
make_user() { # EMAIL ROLE [ORG_ID]
    local org=${3:-}
    sql "INSERT INTO users(id, firstname, lastname, email, app_role, organization_id, password_hash)
         SELECT '$(cat /proc/sys/kernel/random/uuid)', 'Test', 'Person', '$1', '$2', $([ -n "$org" ] && echo "'$org'" || echo NULL), password_hash
         FROM users WHERE email = 'admin@hyopps.local';"
}

# Logs in through the UI.
ui_login() { # EMAIL PASSWORD
    wait_text "Log in to HyOpps" || return 1
    send_text "$1"
    send_keys Tab
    send_text "$2"
    send_keys Enter
}
