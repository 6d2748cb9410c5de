#!/usr/bin/env bash
# The login flow in the real terminal UI (tmux): forced password change,
# the generic error, lockout, roles, escaped organisation names, session
# revocation.
source "$(dirname "$0")/tmux_lib.sh"
new_env
e2e_config

# Text shown escaped (what hy_sanitize makes of ESC and U+202E).
EVIL_SHOWN='Evil\x1b[31mRed\u202egpj.exe'
RLO=$(printf '\xe2\x80\xae')

# ---- first login: the default admin must change its password ----
app_start
ui_login admin@hyopps.local admin123
expect_screen "first login asks for a new password" "A new password is required"
expect_screen "the password rules are shown, with the current password" "not admin123; not your current"
send_text 'short'; send_keys Tab; send_text 'short'; send_keys Enter
expect_screen "a too short new password is refused" "must be at least 8 characters"
line=$(pane_text | grep -F "New password" || true)
expect_contains "the error is beside the new password field" "must be at least 8 characters" "$line"
expect_no_text "still no admin home after the refusal" "Executions"
send_text 'new-pass-123'; send_keys Tab; send_text 'different-1'; send_keys Enter
expect_screen "a confirmation that differs is refused beside its field" "does not match the new password"
send_keys BTab C-u
send_text 'new-pass-123'; send_keys Tab; send_text 'new-pass-123'; send_keys Enter
expect_screen "a good new password reaches the admin home" "Awaiting input"
expect_screen "the header shows the user and role" "admin@hyopps.local │ admin"
expect_eq "the flag is cleared in the database" 0 \
    "$(sql "SELECT must_change_password FROM users WHERE email='admin@hyopps.local'")"
send_keys Q
expect_screen "Q asks before quitting" "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
expect_sane_terminal "the terminal is sane after quitting"

# Users for the rest (their password is the admin's: new-pass-123).
ORG=$(make_org_sql "'Evil' || char(27) || '[31mRed' || char(8238) || 'gpj.exe'")
make_user lock@example.com admin
make_user plain@example.com user
make_user partner@example.com partner_admin "$ORG"
make_user orphan@example.com partner_admin

# ---- wrong password, unknown email: the same generic error ----
app_start
ui_login admin@hyopps.local wrong-password
expect_screen "a wrong password shows the generic error" "Wrong email or password."
send_keys C-u BTab C-u
send_text 'nobody@example.com'; send_keys Tab; send_text 'whatever-1'; send_keys Enter
attempts_at_least() { # EMAIL N: evaluated again at every poll
    [ "$(sql "SELECT count(*) FROM login_attempts WHERE email='$1' AND success=0")" -ge "$2" ]
}
wait_for 5 attempts_at_least nobody@example.com 1
expect_screen "an unknown email shows the same generic error" "Wrong email or password."
expect_no_text "the error does not say which one was wrong" "unknown"

# ---- five wrong passwords lock the account, even for the right one ----
failures() { sql "SELECT count(*) FROM login_attempts WHERE email='lock@example.com' AND success=0"; }
send_keys BTab C-u
send_text 'lock@example.com'; send_keys Tab
for i in 1 2 3 4 5; do
    send_text "wrong-$i"; send_keys Enter
    wait_for 5 attempts_at_least lock@example.com "$i" || break
done
expect_eq "five failures were recorded" 5 "$(failures)"
expect_screen "the fifth failure shows the lockout" "Too many failed logins"
send_text 'new-pass-123'
wait_text '••••••••••••'
send_keys Enter
wait_gone '••••••••••••'
expect_screen "the right password is refused while locked" "Too many failed logins"
expect_no_text "no home screen while locked" "Awaiting input"

# ---- roles ----
send_keys BTab C-u
send_text 'plain@example.com'; send_keys Tab; send_text 'new-pass-123'; send_keys Enter
expect_screen "role user has no panel access" "This account has no panel access."
send_keys BTab C-u
send_text 'orphan@example.com'; send_keys Tab; send_text 'new-pass-123'; send_keys Enter
expect_screen "a partner admin without organisation is refused" "not linked to an organisation"

# ---- a partner admin; the organisation's name is shown escaped ----
send_keys BTab C-u
send_text 'partner@example.com'; send_keys Tab; send_text 'new-pass-123'; send_keys Enter
expect_screen "a partner admin reaches the partner home" "Add user"
expect_screen "the header shows the role" "partner admin"
header=$(pane_text | head -1)
expect_contains "the header shows the organisation escaped" "$EVIL_SHOWN" "$header"
wait_text "Account types"
expect_eq "the partner home shows the organisation escaped" "  $EVIL_SHOWN" "$(pane_text | sed -n 3p | sed 's/ *$//')"
expect_no_text "no raw right-to-left override reaches the terminal" "$RLO"
if pane_ansi | grep -qF $'\e[31mRed'; then
    not_ok "the name's escape sequence is not passed to the terminal"
else
    ok "the name's escape sequence is not passed to the terminal"
fi

# ---- revoking the session returns to the login screen with a message ----
sql "UPDATE sessions SET revoked_at = '2026-01-01T00:00:00Z', revoked_why = 'test'
     WHERE user_id = (SELECT id FROM users WHERE email = 'partner@example.com')"
send_keys j
expect_screen "a revoked session is noticed at the next key" "Log in to HyOpps"
expect_screen "the login screen says why" "Session ended"
send_keys Escape
expect_screen "Esc on the login screen asks before quitting" "Quit HyOpps now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"

done_testing
