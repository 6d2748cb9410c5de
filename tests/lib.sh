# Shared helpers for shell tests: TAP output, a private HyOpps environment,
# and waiting for conditions (never fixed sleeps).
# Usage: source "$HYOPPS_ROOT/tests/lib.sh"

set -u
: "${HYOPPS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${HYOPPS_BIN:=$HYOPPS_ROOT/hyopps}"
export HYOPPS_ROOT HYOPPS_BIN

_tap_n=0
_tap_failed=0

ok() { # ok "description"
    _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"
}
not_ok() { # not_ok "description" [details]
    _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $1"
    [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
    return 0
}
check() { # check "description" command... : ok if the command succeeds
    local d=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
expect_eq() { # expect_eq "description" expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}
expect_contains() { # expect_contains "description" needle haystack
    case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1" "expected to contain: $2
actual: $3" ;; esac
}
expect_not_contains() {
    case "$3" in *"$2"*) not_ok "$1" "expected NOT to contain: $2
actual: $3" ;; *) ok "$1" ;; esac
}
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}

# wait_for SECONDS command... : polls every 50 ms until the command succeeds.
wait_for() {
    local secs=$1; shift
    local deadline=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
    while ! "$@" >/dev/null 2>&1; do
        [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
        sleep 0.05
    done
}

# A private directory with its own database, state and config lookup.
# Sets: TEST_DIR, and exports HYOPPS_DB, XDG_STATE_HOME, XDG_CONFIG_HOME, HOME.
new_env() {
    TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hyopps-test.XXXXXX")
    export HOME=$TEST_DIR/home XDG_STATE_HOME=$TEST_DIR/state XDG_CONFIG_HOME=$TEST_DIR/config
    mkdir -p "$HOME"
    export HYOPPS_DB=$TEST_DIR/hyopps.db
    cd "$TEST_DIR" || exit 1
    trap 'cleanup_env' EXIT
}
cleanup_env() {
    local f
    for f in ${CLEANUP_FUNCS:-}; do "$f" || true; done
    [ -n "${KEEP:-}" ] || rm -rf "$TEST_DIR"
}
# Config text with every integration simulated (for write_fast_config).
SIMULATE_ALL='[metabase]
mode = simulate
[teams]
mode = simulate
[slack]
mode = simulate
[smtp]
mode = simulate'
# A fast config for tests (cheap password hashing); extra lines appended.
write_fast_config() { # write_fast_config PATH [extra ini text]
    cat >"$1" <<INI
[database]
path = $HYOPPS_DB
[auth]
password_memlimit = 64K
password_opslimit = 1
${2:-}
INI
    chmod 600 "$1"
}

# A fast config with only Slack live (against the fake at PORT, bot token
# TOKEN) and the other integrations simulated; extra lines appended.
write_slack_config() { # write_slack_config PATH PORT TOKEN [extra ini text]
    write_fast_config "$1" "[metabase]
mode = simulate
[teams]
mode = simulate
[smtp]
mode = simulate
[slack]
bot_token = $3
api_url = http://127.0.0.1:$2/api
${4:-}"
}

hy() { "$HYOPPS_BIN" "$@"; }

# A partner admin of ORG_ID, logged in through the CLI with a state dir of
# its own (password changed to partner-pass-2). Run its commands with
# XDG_STATE_HOME=STATE_DIR.
cli_partner_admin() { # EMAIL ORG_ID STATE_DIR
    sqlite3 "$HYOPPS_DB" "INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash)
        VALUES('$(cat /proc/sys/kernel/random/uuid)', 'Part', 'Admin', '$1', '$2', 'partner_admin', '!')" &&
        echo partner-pass-1 | hy users set-password "$1" --password-stdin >/dev/null &&
        echo partner-pass-1 | XDG_STATE_HOME=$3 hy login --email "$1" --password-stdin >/dev/null &&
        printf 'partner-pass-1\npartner-pass-2\n' | XDG_STATE_HOME=$3 hy passwd --password-stdin >/dev/null
}
# Counts the TAP lines a subshell wrote to FILE as this test's own.
relay_tap() { # FILE
    local line
    while IFS= read -r line; do
        case "$line" in "ok "*) ok "${line#ok * - }" ;; "not ok "*) not_ok "${line#not ok * - }" ;; esac
    done <"$1"
}

# Logs in as the seeded admin and sets a new password (admin-pass-1).
admin_login() {
    echo admin123 | hy login --email admin@hyopps.local --password-stdin >/dev/null &&
        printf 'admin123\nadmin-pass-1\n' | hy passwd --password-stdin >/dev/null
}
