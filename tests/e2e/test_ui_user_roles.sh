#!/usr/bin/env bash
# Issue 17, item 2: one arrow key does not make someone an admin. The
# permission field goes from least to most powerful, user -> partner_admin
# -> support -> admin, and says its choices; a raise (to partner admin,
# support or admin) asks first, saying what the role may do (n saves
# nothing); lowering does not ask; the free-text job roles and the
# permission field are labelled apart.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
e2e_config
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1
ACME=$(make_org_sql "'Acme Corp'")
make_user bob@acme.example user "$ACME"
role_of() { sql "SELECT app_role FROM users WHERE email = '$1'"; }

edit_user() { # EMAIL
    send_keys / C-u
    send_text "$1"
    wait_text "1 matching"
    send_keys Enter Enter
    wait_text "Edit Test Person <$1>"
}

admin_ui || { done_testing; exit 1; }
open_menu Users
wait_text "HyOpps │ Users"
edit_user bob@acme.example
expect_screen "the free-text roles say what they are" "Job roles (text)"
expect_screen "the permission field says it is one" "Permissions"
expect_screen "it shows the current permission" "‹ user ›"
expect_screen "and every choice" "one of: user, partner_admin, support, admin"
for _ in 1 2 3 4 5 6 7; do send_keys Tab; done # the permission field
send_keys Left
wait_text "‹ user ›"
expect_no_text "Left from user stays there (never round to admin)" "‹ admin ›"
send_keys Right
expect_screen "one Right from user is partner_admin, not admin" "‹ partner_admin ›"
send_keys Right
expect_screen "a second one is support" "‹ support ›"
send_keys Right
expect_screen "a third one is admin" "‹ admin ›"
send_keys Enter
expect_dialog "making someone an admin asks first" "Make bob@acme.example an admin?"
expect_dialog "and says what an admin may do" "An admin can do everything"
send_keys n
expect_screen "n saves nothing" "Nothing was saved"
expect_eq "bob is still a user" user "$(role_of bob@acme.example)"
send_keys Left # admin -> support
send_keys Enter
expect_dialog "making someone support asks first" "Make bob@acme.example support?"
expect_dialog "and says what support may do" "Support sees every organisation"
send_keys n
expect_eq "bob is still a user after the second no" user "$(role_of bob@acme.example)"
send_keys Left # support -> partner_admin
send_keys Enter
expect_dialog "a partner admin is a raise too" "Make bob@acme.example a partner admin?"
expect_dialog "with what a partner admin may do" "onboards new users"
send_keys y
expect_screen "yes saves" "User saved."
expect_eq "bob is a partner admin" partner_admin "$(role_of bob@acme.example)"
edit_user bob@acme.example
for _ in 1 2 3 4 5 6 7; do send_keys Tab; done
send_keys Left # partner_admin -> user: fewer permissions
send_keys Enter
expect_screen "lowering does not ask" "User saved."
expect_no_text "no dialog" "More permissions"
expect_eq "bob is a user again" user "$(role_of bob@acme.example)"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
