#!/usr/bin/env bash
# The terminal side of the UI (tmux): help generated from the actions, the
# list's filter, resize and "too small", bytes per selection move, quitting,
# signals, NO_COLOR, the ASCII fallback, the restricted mode, and the
# embedded default's "simulated" notice.
source "$(dirname "$0")/tmux_lib.sh"
new_env
e2e_config
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1 # no session open before the UI's
open_sessions() { sql "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"; }
PW=admin-pass-1

app_start
ui_login admin@hyopps.local "$PW"
expect_screen "the admin home opens" "Awaiting input"
expect_screen "the bottom bar is generated from the actions" "Enter Open  L Log out  / Filter  q Back  Q Quit  ? Help"

# ---- help ----
send_keys '?'
expect_screen "? opens the help" "HyOpps │ Help"
expect_screen "help lists the screen's actions" "Open the selected screen"
expect_screen "help lists the list's keys" "Filter the rows as you type"
expect_screen "help lists the global keys" "Quit HyOpps (asks first)"
expect_screen "help shows every key of an action" "q, Esc"
send_keys q
expect_screen "q closes the help" "HyOpps │ Home"

# ---- one row down: few bytes ----
bytes=$(bytes_written j wait_text "▶ Awaiting input")
if [ "$bytes" -gt 0 ] && [ "$bytes" -le 150 ]; then
    ok "moving the selection one row writes $bytes bytes (<= 150)"
else
    not_ok "moving the selection one row writes $bytes bytes (<= 150)"
fi
bytes=$(bytes_written k wait_text "▶ Executions")
if [ "$bytes" -gt 0 ] && [ "$bytes" -le 150 ]; then ok "and back up: $bytes bytes"; else not_ok "and back up: $bytes bytes"; fi

# ---- a screen update goes out in one write ----
# ncurses 6.4 flushed after every cursor move until the screen once came back
# from endwin: a full redraw went out in dozens of writes, each waking sshd.
# traced_writes KEYS TEXT: KEYS sent with the app's writes traced until TEXT
# shows; prints the trace's file name.
traced_writes() {
    local trace="$TEST_DIR/writes.$RANDOM" err="$TEST_DIR/strace.$RANDOM" tracer
    strace -s 100000 -e trace=write -e signal=none -o "$trace" -p "$(app_pid)" 2>"$err" &
    tracer=$!
    wait_for 10 grep -q attached "$err" || echo "strace did not attach: $(cat "$err")" >&2
    send_keys "$1"
    wait_text "$2"
    kill -INT "$tracer"
    wait "$tracer" 2>/dev/null
    echo "$trace"
}
trace=$(traced_writes '?' "Quit HyOpps (asks first)")
together=$(grep '^write(1,' "$trace" | grep 'Open the selected screen' | grep -c 'Quit HyOpps (asks first)')
pieces=$(grep -c '^write(1,' "$trace")
if [ "$together" = 1 ] && [ "$pieces" -le 2 ]; then
    ok "the help's first and last lines went out in one write ($pieces writes in all)"
else
    not_ok "the help's first and last lines went out in one write ($pieces writes in all, $together with both)"
fi
send_keys q
expect_screen "q closes the help (after the trace)" "HyOpps │ Home"
# Keys that arrive together (a paste, a held key) are all taken, then drawn once.
trace=$(traced_writes jjjj "▶ Users")
pieces=$(grep -c '^write(1,' "$trace")
if [ "$pieces" = 1 ]; then ok "four keys that came together: one draw"; else not_ok "four keys that came together: one draw ($pieces writes)"; fi
send_keys g
expect_screen "g goes back to the first row" "▶ Executions"

# ---- filter ----
send_keys /
send_text aud
expect_screen "the filter counts matches" "1 of 10"
expect_no_text "rows that do not match are hidden" "Organisations"
send_keys Enter
expect_screen "Enter keeps the filter" "Filter: aud"
send_keys Escape
expect_screen "Esc clears the filter" "10 screens"
expect_screen "every row is back" "Organisations"
send_keys g j j
expect_screen "the selection moves to New request" "▶ New request"

# ---- resize ----
tmx resize-window -t app -x 60 -y 20
expect_screen "60x20 says the terminal is too small" "Terminal too small — 80×24 needed"
send_keys j
tmx resize-window -t app -x 1 -y 1
tmx resize-window -t app -x 100 -y 30
expect_screen "back to 100x30 the home returns" "HyOpps │ Home"
expect_screen "with the selection where it was" "▶ New request"
expect_screen "and the bottom bar" "? Help"
[ -n "$(app_pid)" ] && ok "the app survived 60x20 and 1x1" || not_ok "the app survived 60x20 and 1x1"
send_keys C-l
expect_screen "Ctrl-L repaints the same screen" "▶ New request"

# ---- quitting ----
send_keys Q
expect_screen "Q asks first" "Quit now?"
send_keys n
expect_gone "n keeps the program running" "Quit now?"
expect_screen "the home is still there" "▶ New request"
send_keys Q
expect_screen "Q asks again" "Quit now?"
send_keys y
expect_eq "quitting exits with status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after Q"
expect_eq "quitting ended the session" 0 "$(open_sessions)"

# ---- signals ----
app_start
ui_login admin@hyopps.local "$PW"
expect_screen "logged in again" "Awaiting input"
send_keys C-c
expect_screen "Ctrl-C (SIGINT) asks to quit" "Quit now?"
send_keys n
expect_gone "and n goes on" "Quit now?"
kill -HUP "$(app_pid)"
expect_eq "SIGHUP (a disconnect) exits with 129" 129 "$(app_exit_status)"
expect_sane_terminal "the terminal is restored after SIGHUP"
expect_eq "no session is left open after SIGHUP" 0 "$(open_sessions)"

app_start
wait_text "Log in to HyOpps"
kill -TERM "$(app_pid)"
expect_eq "SIGTERM exits with 143" 143 "$(app_exit_status)"
expect_sane_terminal "the terminal is restored after SIGTERM"

# ---- colours ----
app_start
wait_text "Log in to HyOpps"
if pane_ansi | grep -q $'\e\\[44m'; then ok "colours are used by default"; else not_ok "colours are used by default"; fi
E2E_ENV="NO_COLOR=1" app_start
wait_text "Log in to HyOpps"
if pane_ansi | grep -qE $'\e\\[(3[0-7]|4[0-7]|38;|48;)'; then
    not_ok "NO_COLOR: no colours at all"; pane_ansi | cat -v | sed 's/^/# /' | head -5
else
    ok "NO_COLOR: no colours at all"
fi
if pane_ansi | grep -q $'\e\\[7m'; then ok "NO_COLOR: reverse video instead"; else not_ok "NO_COLOR: reverse video instead"; fi
send_keys Escape
send_keys y
app_exit_status >/dev/null

# ---- ASCII fallback ----
E2E_ENV="LANG=C" app_start
ui_login admin@hyopps.local "$PW"
expect_screen "a non-UTF-8 locale gets ASCII separators" "HyOpps | Home"
expect_screen "and an ASCII selection mark" "> Executions"
if pane_text | LC_ALL=C grep -q $'[\x80-\xff]'; then not_ok "nothing but ASCII on screen"; dump_screen; else ok "nothing but ASCII on screen"; fi
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- restricted mode ----
# The configuration comes only from --config (the ForceCommand) or
# /etc/hyopps/config.ini: HYOPPS_CONFIG from the environment is ignored.
app_start --restricted
expect_screen "restricted: the environment's HYOPPS_CONFIG is not used" "reads its configuration only from --config PATH"
expect_eq "restricted: it refuses to start without a trusted configuration" 1 "$(app_exit_status)"
app_start --config "$HYOPPS_CONFIG" --restricted
ui_login admin@hyopps.local "$PW"
expect_screen "restricted: logged in" "Awaiting input"
pid=$(app_pid)
send_keys C-z
send_keys j
expect_screen "restricted: Ctrl-Z does not suspend" "▶ Awaiting input"
state=$(ps -o stat= -p "$pid" | cut -c1)
[ "$state" != T ] && ok "restricted: the process is not stopped ($state)" || not_ok "restricted: the process is stopped"
send_keys 'C-\'
send_keys C-c
expect_screen "restricted: Ctrl-C asks to quit" "Quit now?"
send_keys y
expect_eq "restricted: Ctrl-\\ did not kill it; quitting exits 0" 0 "$(app_exit_status)"
expect_sane_terminal "restricted: the terminal is sane after quitting"

# ---- no configuration file: everything simulated, and it says so ----
unset HYOPPS_CONFIG
mkdir -p "$TEST_DIR/noconf"
cd "$TEST_DIR/noconf" || exit 1
HYOPPS_DB=$TEST_DIR/noconf/hyopps.db app_start
expect_screen "the login says integrations are simulated" "every integration is simulated"
expect_screen "the header carries a SIMULATED badge" "SIMULATED"

done_testing
