#!/usr/bin/env bash
# The admin's organisation screens in the real terminal UI (tmux): the list
# and its filter, the detail, editing the name and account types, the
# documentation links (a bad URL is refused beside its field and changes
# nothing; a good one is saved and shown), the group ids, delete with its
# confirmation (No keeps, Yes deletes), and the audit screen showing all of
# it.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
e2e_config
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1

ACME=$(make_org_sql "'Acme Corp'")
GLOBEX=$(make_org_sql "'Globex'")
make_org_sql "'Evil' || char(27) || '[31mRed' || char(8238) || 'gpj'" >/dev/null
EVIL_SHOWN='Evil\x1b[31mRed\u202egpj'
RLO=$(printf '\xe2\x80\xae')
make_user jane@acme.example partner_admin "$ACME"
sql "INSERT INTO studio_companies(id, organization_id, studio_id, name, environment)
     VALUES('$(cat /proc/sys/kernel/random/uuid)', '$ACME', 'st-acme-t', 'Acme TEST', 'test')"
docs() { sql "SELECT coalesce(internal_docu, '') FROM organization_documentation WHERE organization_id = '$ACME'"; }

admin_ui || { done_testing; exit 1; }
open_menu Organisations
expect_screen "the organisations list opens" "HyOpps │ Organisations"
expect_screen "it shows the organisations" "Globex"
expect_screen "with their columns" "Account types"
line=$(line_with "Acme Corp")
expect_contains "Acme's row shows its account type" "partner" "$line"
expect_contains "Acme's row shows its user count" " 1 " "$line"
expect_screen "the count" "3 organisations"
expect_screen "a name with an escape sequence and a bidi override is shown escaped" "$EVIL_SHOWN"
expect_no_text "no raw right-to-left override reaches the terminal" "$RLO"
if pane_ansi | grep -qF $'\e[31mRed'; then not_ok "the name's escape sequence is not sent"; else ok "the name's escape sequence is not sent"; fi
send_keys /
send_text glo
expect_screen "/ filters as you type" "1 of 3"
expect_no_text "the filter hides the others" "Acme Corp"
send_keys Escape
expect_screen "Esc clears the filter" "Acme Corp"
send_keys / C-u
send_text Evil
send_keys Enter Enter
expect_screen "the detail of that organisation opens" "HyOpps │ Organisation "  # not "Organisations"
wait_text "Account types" # its lines are drawn
expect_eq "its title is escaped too" "  $EVIL_SHOWN" "$(pane_text | sed -n 2p | sed 's/ *$//')"
expect_no_text "still no raw override" "$RLO"
send_keys q

# ---- the detail ----
send_keys / C-u
send_text Acme
send_keys Enter Enter
expect_screen "Enter opens the detail" "HyOpps │ Organisation"
expect_screen "the detail shows the Studio companies" "st-acme-t"
expect_screen "the detail shows the documentation section" "Documentation links"
expect_screen "the detail lists the users" "jane@acme.example"
expect_screen "the bottom bar comes from the screen's actions" "l Links  i Group ids  I Import users  r Revoke  O Offboard  d Delete"

# ---- documentation links ----
send_keys l
expect_screen "l opens the documentation links form" "Documentation links of Acme Corp"
send_text 'ftp://files.example.com/acme'
send_keys Enter
expect_screen "a bad URL is refused" "must be an http:// or https:// URL"
err_line=$( { line_with "Internal docs"; line_after "Internal docs"; } | grep -F "must be an http" || true)
expect_contains "the error is beside the Internal docs field" "must be an http:// or https:// URL" "$err_line"
expect_eq "nothing was saved" "" "$(docs)"
send_keys C-u
send_text 'https://wiki.example.com/acme'
send_keys Enter
expect_screen "a good URL is saved" "Documentation links saved."
expect_screen "the detail shows the new link" "https://wiki.example.com/acme"
expect_eq "the link is in the database" "https://wiki.example.com/acme" "$(docs)"

# ---- group ids ----
send_keys i
expect_screen "i opens the group ids form" "Group ids of Acme Corp"
send_text 'seven'
send_keys Enter
expect_screen "a Metabase group id must be a number" "must be a Metabase group id: a positive whole number"
expect_eq "no group was saved" 0 "$(sql "SELECT count(*) FROM system_groups WHERE organization_id = '$ACME'")"
expect_screen "each id has a name field beside it" "Metabase group name"
send_keys C-u
send_text 7
send_keys Tab Tab
send_text '19:acme@thread.tacv2'
send_keys Tab Tab
send_text S0ACME
send_keys Enter
expect_screen "the group ids are saved" "Group ids saved."
line=$(line_with "(external id 7)")
expect_contains "the detail shows the Metabase group with its name" "metabase" "$line"
expect_contains "... named after the organisation" "ext-acme-corp" "$line"
expect_screen "the detail shows the Teams channel" "(external id 19:acme@thread.tacv2)"
expect_eq "three system groups stored" "metabase:7 slack:S0ACME teams:19:acme@thread.tacv2" \
    "$(sql "SELECT group_concat(tool || ':' || external_id, ' ') FROM (SELECT * FROM system_groups WHERE organization_id = '$ACME' ORDER BY tool)")"
# a group's display name (issue 10, item 7): edited beside its id
send_keys i
expect_screen "the form again" "Group ids of Acme Corp"
expect_contains "the name is filled in" "ext-acme-corp" "$(line_with "Slack group name")"
send_keys Tab Tab Tab Tab Tab C-u
send_text 'Acme partners'
send_keys Enter
expect_screen "the name is saved" "Group ids saved."
expect_screen "the detail shows the new name" "Acme partners  (external id S0ACME)"
expect_eq "stored with the id unchanged" "S0ACME|Acme partners" \
    "$(sql "SELECT external_id || '|' || external_name FROM system_groups WHERE organization_id = '$ACME' AND tool = 'slack'")"

# ---- name and account types ----
send_keys e
expect_screen "e opens the edit form" "Edit Acme Corp"
send_keys C-u
send_text 'Acme Corporation'
send_keys Tab Down Space # tick "client"
send_keys Enter
expect_screen "the organisation is saved" "Organisation saved."
expect_screen "the detail shows the new name" "Acme Corporation"
expect_eq "the account types are stored" '["partner","client"]' \
    "$(sql "SELECT account_types FROM organizations WHERE id = '$ACME'")"

# ---- delete: the confirmation says what goes; No keeps, Yes deletes ----
send_keys d
expect_screen "d asks to confirm" "Delete the organisation Acme Corporation?"
expect_dialog "it names what is deleted" "This also deletes its 1 Studio company, its 3 system groups and its documentation links."
expect_dialog "and what is kept" "Its 1 user is kept, detached from it; the users' sessions end."
send_keys n
expect_screen "No deletes nothing" "Nothing was deleted."
expect_eq "the organisation is still there" 1 "$(sql "SELECT count(*) FROM organizations WHERE id = '$ACME'")"
send_keys d
wait_text "Delete the organisation Acme Corporation?"
send_keys y
expect_screen "Yes deletes it" "Organisation Acme Corporation deleted."
expect_screen "and goes back to the list" "HyOpps │ Organisations"
expect_screen "the list (still filtered on Acme) no longer has it" "0 of 2"
send_keys Escape
expect_screen "without the filter: the other one" "Globex"
expect_screen "and the count" "2 organisations"
expect_eq "gone from the database" 0 "$(sql "SELECT count(*) FROM organizations WHERE id = '$ACME'")"
expect_eq "its user is kept, detached" "" "$(sql "SELECT coalesce(organization_id, '') FROM users WHERE email = 'jane@acme.example'")"

# ---- the audit trail shows what the test just did ----
send_keys q
open_menu Audit
expect_screen "the audit screen opens" "HyOpps │ Audit"
expect_screen "the delete is there, newest first" "▶ "
first=$(pane_text | grep -F "▶" | head -1)
expect_contains "the newest entry is the delete" "org.delete" "$first"
expect_contains "by the admin" "admin@hyopps.local" "$first"
expect_screen "the renaming is there" "org.update"
expect_screen "the links are there" "org.set_docs"
expect_screen "the group ids are there" "org.set_groups"
expect_screen "the selected entry's details are shown" "name: Acme Corporation; users_detached: 1"
send_keys f
expect_screen "f opens the filter form" "Filter the audit trail"
send_keys Tab
send_text org.set
send_keys Enter
expect_screen "the filter is applied through ops" 'action starts with "org.set"'
expect_screen "three entries match" "3 entries"
expect_no_text "the delete is filtered out" "org.delete"
first=$(pane_text | grep -F "▶" | head -1)
expect_contains "newest first: the group's name" "org.set_groups" "$first"
expect_screen "its details" "slack_name: Acme partners"
send_keys j
expect_screen "then the group ids" "metabase: 7; teams: 19:acme@thread.tacv2; slack: S0ACME"
send_keys j
expect_screen "moving shows the other entry's details" "internal: https://wiki.example.com/acme"
send_keys c
expect_screen "c shows everything again" "org.delete"

send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
