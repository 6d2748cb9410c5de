#!/usr/bin/env bash
# Issue 17, item 4: no dead ends. A terminal that cannot show the UI
# (TERM=dumb, an unknown TERM) gets a clear error saying what to do; a
# too-small terminal still quits (q, Esc, Ctrl-C ask on the same screen,
# also under --restricted); Enter in the login's email field moves to the
# password; a step that later steps need, once skipped, ends in a message
# that says how to go on (re-run from it).
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
e2e_config "$SIMULATE_ALL"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }

# ---- terminals that cannot show it ----
E2E_WRAP="env TERM=dumb" app_start
expect_eq "TERM=dumb: it exits with status 1" 1 "$(app_exit_status)"
expect_screen "TERM=dumb: it says why" "TERM=dumb cannot move the cursor"
expect_screen "... and what to do" "Set TERM to the terminal you use"
E2E_WRAP="env TERM=no-such-term" app_start
expect_eq "an unknown TERM: status 1" 1 "$(app_exit_status)"
expect_screen "an unknown TERM: it says so and what to do" "is unknown here"

# ---- too small: still a way out ----
APP_W=60 APP_H=20 app_start
expect_screen "60x20 says the terminal is too small" "Terminal too small"
expect_screen "and how to quit" "q quits (it asks first)"
send_keys q
expect_screen "q asks on the same screen" "Quit HyOpps? y quits"
send_keys n
expect_screen "another key goes on" "q quits (it asks first)"
send_keys Escape
expect_screen "Esc asks too" "Quit HyOpps? y quits"
send_keys y
expect_eq "y quits, status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after quitting a too-small screen"
APP_W=60 APP_H=20 app_start
wait_text "Terminal too small"
send_keys C-c
expect_screen "Ctrl-C asks too" "Quit HyOpps? y quits"
send_keys y
expect_eq "and y quits" 0 "$(app_exit_status)"
APP_W=60 APP_H=20 app_start --config "$HYOPPS_CONFIG" --restricted
wait_text "Terminal too small"
send_keys C-c
expect_screen "restricted: Ctrl-C asks" "Quit HyOpps? y quits"
send_keys y
expect_eq "restricted: y quits" 0 "$(app_exit_status)"

# ---- Enter in the login's email field: on to the password ----
app_start
wait_text "Log in to HyOpps"
send_text admin@hyopps.local
wait_text admin@hyopps.local
pw_row=$(($(pane_text | grep -n "Password \*" | cut -d: -f1) - 1))
cursor_on_password() { [ "$(tmx display -p -t app '#{cursor_y}')" = "$pw_row" ]; }
send_keys Enter
_poll "$E2E_TIMEOUT" cursor_on_password && ok "Enter moves the cursor to the password" || not_ok "Enter moves the cursor to the password"
expect_no_text "no 'required' error for the password not typed yet" "is required"
send_text "$ADMIN_PW"
send_keys Enter
expect_screen "the password typed after Enter logs in" "Awaiting input"

# ---- a skipped step that later steps need: the message says how to go on ----
ID=$(hy exec start new_partner --quiet)
hy exec skip "$ID" 1 --reason "testing" >/dev/null
UID2=$(hy exec start new_partner_user --org "$(cli_partner "Acme Corp" st-acme >/dev/null; echo "Acme Corp")" --quiet)
hy exec skip "$UID2" 2 --reason "testing" >/dev/null
hy exec wait "$UID2" --timeout 10 >/dev/null 2>&1
open_menu Executions
wait_text "HyOpps │ Executions"
send_keys / C-u
send_text "${ID:0:8}"
wait_text "1 of"
send_keys Enter Enter
wait_text "HyOpps │ Execution"
send_keys f
wait_text "step 2 of 8: Trigger Infrabot"
send_keys Space Tab Tab Space Enter
expect_screen "the refusal says what to do" "re-run from step 1"
send_keys Escape
wait_text "Discard" 2 && send_keys y
send_keys q
send_keys / C-u
send_text "${UID2:0:8}"
wait_text "1 of"
send_keys Enter Enter
expect_screen "a step that needs the skipped one fails" "✗ failed"
expect_screen "and its error says how to go on" "re-run from step 2"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "quitting exits 0" 0 "$(app_exit_status)"
done_testing
