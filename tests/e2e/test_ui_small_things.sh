#!/usr/bin/env bash
# Issue 17, item 8: the smaller things. In a form the bar offers F1 for
# help (? is typed) and the help says when a key does nothing there; the
# LMS form opens by itself when it becomes due; new_partner's end says the
# organisation is onboarded; the organisation page's cursor skips headings;
# refresh is Ctrl-R everywhere; a form's errors come in one round;
# --restricted without a configuration says how to try it locally.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
new_env
# every auto step left to the session's runner: the execution is live for a while
e2e_config "$SIMULATE_ALL
[engine]
inline_local_steps = false"
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
ACME=$(make_org_sql "'Acme Corp'")
sql "UPDATE organizations SET account_types = '[\"partner\"]' WHERE id = '$ACME'"
hy logout >/dev/null 2>&1

admin_ui || { done_testing; exit 1; }
open_menu "New request"
wait_text "Which workflow do you want to start?"
send_keys g Enter
wait_text "step 1 of 8: Input Studio Companies"
expect_line "in a form the bar offers F1 for help" "Enter Submit" "F1 Help"
expect_not_contains "not ?, which is typed" "? Help" "$(line_with "Enter Submit")"
send_keys F1
expect_screen "F1 shows the form's keys" "HyOpps │ Help"
expect_line "a key that does nothing in this form says so" "value from a list" "(not now)"
send_keys q
wait_text "step 1 of 8: Input Studio Companies"
send_text "Zeta"; send_keys Tab Tab; send_text st-z-t; send_keys Tab Tab; send_text st-z-p
send_keys Enter
wait_text "step 2 of 8: Trigger Infrabot"
send_keys Tab Tab Space Enter
expect_screen "when the LMS step becomes due, its form opens by itself" "step 8 of 8: LMS Setup"
expect_screen "and says so" "waits for you: its form is open"
send_keys Space Enter
expect_screen "the end says the organisation is onboarded" "Done: Zeta is onboarded (New partner completed)."
send_keys q

# ---- the organisation page: the cursor rests on rows, not on headings ----
open_menu Organisations
wait_text "HyOpps │ Organisations"
expect_screen "refresh is Ctrl-R here too" "^R Refresh"
send_keys / C-u
send_text Zeta
send_keys Enter Enter
wait_text "HyOpps │ Organisation"
expect_line "the first row it rests on is a field, not the heading" "▶" "Name"
send_keys j j j
expect_not_contains "moving down skips the 'Studio companies' heading" "Studio companies (" "$(line_with "▶")"
send_keys q q

# ---- one round of errors ----
new_user_request "Acme Corp"
send_keys Tab; send_text Doe; send_keys Tab; send_text rd@acme.example; send_keys Tab; send_text "xx1"
send_keys Enter
expect_screen "the empty first name is refused" "is required"
expect_screen "and, at the same time, the bad language" "'xx1' is not an ISO 639-1 language code"
send_keys Escape
wait_text "Discard" && send_keys y
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- --restricted without a configuration ----
app_start --restricted
expect_eq "restricted without a trusted configuration exits 1" 1 "$(app_exit_status)"
expect_screen "and says how to try it locally" "To try it locally: hyopps --restricted --config ./config.ini"
done_testing
