#!/usr/bin/env bash
# The admin's user screens in the real terminal UI (tmux): the paged list
# and its filter through ops, editing a user's role and password (then the
# password works and the user's sessions have ended), the organisation
# picker and the role picker, field errors beside their fields, and delete
# with its confirmation (No keeps, Yes deletes).
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
e2e_config
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1

ACME=$(make_org_sql "'Acme Corp'")
GLOBEX=$(make_org_sql "'Globex'")
make_user jane@acme.example partner_admin "$ACME" # password: admin-pass-1
make_user bob@example.com user
# 450 more users: the list loads them a page (200) at a time.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450)
     INSERT INTO users(id, firstname, lastname, email, app_role, password_hash)
     SELECT lower(hex(randomblob(16))), 'Filler', printf('Zz%03d', i), printf('filler%03d@example.com', i), 'user', '!' FROM n"
TOTAL=$(sql "SELECT count(*) FROM users")

# Jane has a session of her own (another CLI state directory).
JANE_STATE=$TEST_DIR/jane-state
mkdir -p "$JANE_STATE"
echo "$ADMIN_PW" | as_other "$JANE_STATE" hy login --email jane@acme.example --password-stdin >/dev/null
jane_sessions() { sql "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE email = 'jane@acme.example')"; }
expect_eq "jane has a session" 1 "$(jane_sessions)"

admin_ui || { done_testing; exit 1; }
open_menu Users
expect_screen "the users list opens" "HyOpps │ Users"
expect_screen "it shows the columns" "Organisation  "
expect_screen "one page is loaded, of all of them" "200 of $TOTAL users"
line=$(line_with "jane@acme.example")
expect_contains "jane's row shows her organisation" "Acme Corp" "$line"
expect_contains "and her role" "partner_admin" "$line"
send_keys End
expect_screen "the last row loads the next page" "400 of $TOTAL users"
send_keys End
send_keys End
expect_screen "and the rest" "$TOTAL users"
send_keys /
send_text filler44
expect_screen "/ filters through ops as you type" "10 matching"
send_keys C-u
send_text jane
expect_screen "jane is found" "1 matching"
send_keys Enter

# ---- role and password ----
send_keys Enter
expect_screen "Enter opens the edit form" "Edit Test Person <jane@acme.example>"
expect_screen "the form has the organisation" "Acme Corp"
expect_screen "and the role picker" "‹ partner_admin ›"
for _ in 1 2 3; do send_keys Tab; done # languages
send_text 'english'
send_keys Enter
expect_screen "a bad language is refused" "'english' is not an ISO 639-1 language code"
line=$( { line_with "Languages"; line_after "Languages"; } | grep -F "ISO 639-1" || true)
expect_contains "beside the Languages field" "not an ISO 639-1 language code" "$line"
send_keys C-u
send_text 'en, de'
for _ in 1 2 3 4; do send_keys Tab; done # role
send_keys Right # partner_admin -> support
expect_screen "the role picker offers support" "‹ support ›"
send_keys Right # -> admin
expect_screen "the role picker moves" "‹ admin ›"
send_keys Tab
send_text 'jane-new-pass-1'
send_keys Tab
send_text 'jane-new-pass-2'
send_keys Enter
expect_screen "a confirmation that differs is refused" "does not match the new password"
expect_eq "nothing changed yet" partner_admin "$(sql "SELECT app_role FROM users WHERE email = 'jane@acme.example'")"
send_text 'jane-new-pass-1'
send_keys Tab
send_text 'jane-new-pass-1'
send_keys Enter
expect_dialog "making her an admin asks first" "Make jane@acme.example an admin?"
send_keys y
expect_screen "the user is saved" "User saved. Their sessions were ended."
expect_eq "her role is admin" admin "$(sql "SELECT app_role FROM users WHERE email = 'jane@acme.example'")"
expect_eq "her languages" '["en","de"]' "$(sql "SELECT languages FROM users WHERE email = 'jane@acme.example'")"
expect_eq "her sessions ended" 0 "$(jane_sessions)"
out=$(as_other "$JANE_STATE" hy whoami 2>&1); rc=$?
expect_eq "her old session no longer works" 3 "$rc"
out=$(echo "$ADMIN_PW" | as_other "$JANE_STATE" hy login --email jane@acme.example --password-stdin 2>&1); rc=$?
expect_eq "her old password no longer works" 3 "$rc"
out=$(echo jane-new-pass-1 | as_other "$JANE_STATE" hy login --email jane@acme.example --password-stdin 2>&1); rc=$?
expect_eq "the new password works" 0 "$rc"
expect_contains "... and must be changed by her (an admin set it)" "You must choose a new password" "$out"
line=$(line_with "jane@acme.example")
expect_contains "the list shows her new role" "admin" "$line"

# ---- organisation and role pickers; a partner admin needs an organisation ----
send_keys / C-u
send_text bob@
expect_screen "bob is found" "1 matching"
send_keys Enter Enter
expect_screen "bob's form" "Edit Test Person <bob@example.com>"
for _ in 1 2 3 4 5 6 7; do send_keys Tab; done # role
send_keys Right # user -> partner_admin
send_keys Enter
expect_dialog "a partner admin is a raise: it asks first" "Make bob@example.com a partner admin?"
send_keys y
expect_screen "a partner admin without organisation is refused beside the field" "a partner admin needs an organisation"
expect_eq "bob is unchanged" user "$(sql "SELECT app_role FROM users WHERE email = 'bob@example.com'")"
send_keys C-o
expect_screen "Ctrl-O opens the organisation picker" "Choose the organisation of bob@example.com"
send_keys /
send_text glo
expect_screen "the picker filters" "1 of 2"
send_keys Enter Enter
expect_screen "the chosen organisation fills the field" "Globex"
send_keys Enter
expect_screen "bob is saved" "User saved."
expect_eq "bob is a partner admin of Globex" "partner_admin $GLOBEX" \
    "$(sql "SELECT app_role || ' ' || organization_id FROM users WHERE email = 'bob@example.com'")"

# ---- delete ----
send_keys d
expect_screen "d asks to confirm" "Delete the user bob@example.com?"
expect_dialog "it says what goes with the user" "Delete the user bob@example.com? This also deletes their sessions."
send_keys n
expect_screen "No deletes nothing" "Nothing was deleted."
expect_eq "bob is still there" 1 "$(sql "SELECT count(*) FROM users WHERE email = 'bob@example.com'")"
send_keys d
wait_text "Delete the user bob@example.com?"
send_keys y
expect_screen "Yes deletes bob" "User bob@example.com deleted."
expect_screen "the list no longer has him" "0 matching"
expect_eq "gone from the database" 0 "$(sql "SELECT count(*) FROM users WHERE email = 'bob@example.com'")"
expect_eq "both changes and the delete are audited" "user.delete user.update user.update" \
    "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE action IN ('user.update', 'user.delete') ORDER BY id DESC)")"

send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
