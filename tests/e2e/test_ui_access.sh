#!/usr/bin/env bash
# Who has access, really, in the real terminal UI (tmux), every integration
# simulated (compared with its simulated state): the admin's Access screen
# (a run from the screen, the drift one finding a row, filters by kind and
# by system, the organisation's users x systems matrix, a person's access),
# the repairs (a removal that names the exact account and asks, a person
# HyOpps knows: the choice of repairs then adopt, a marked missing one
# granted again by a repair_access execution), the drift gone after
# another run, the organisation's detail with its drift count and last
# check, support without repair keys, the partner admin's own matrix,
# read-only, a person revoked from the screen (revoke_partner_user, run
# to its step done by hand), and an unknown (placeholder) group repaired in the group id
# editor.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
INI=$(cli_partner "Initech" st-ini) || { not_ok "Initech set up through the CLI"; done_testing; exit 1; }
# expect_sq "description" LINE_TEXT WANTED: the line holding LINE_TEXT, runs of blanks squeezed, holds WANTED
_sq_has() { line_with "$1" | tr -s ' ' | grep -qF -- "$2"; }
expect_sq() {
    if _poll "$E2E_TIMEOUT" _sq_has "$2" "$3"; then ok "$1"; else not_ok "$1" "the line with '$2' never held '$3'"; dump_screen; fi
}
for u in ann bob; do cli_user "Acme Corp" $u@acme.example >/dev/null || not_ok "an Acme user ($u)"; done
cli_user Initech pete@initech.example >/dev/null || not_ok "an Initech user"
account() { # RESOURCE EMAIL
    sql "SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id JOIN users u ON u.id = g.user_id
         WHERE r.name = '$1' AND u.email = '$2' AND g.revoked_at IS NULL"
}
acme_group() { sql "SELECT external_id FROM system_groups WHERE tool = '$1' AND organization_id = '$ACME'"; }
BOB_SLACK=$(account Slack bob@acme.example)
PETE_MB=$(account Metabase pete@initech.example)
[ -n "$BOB_SLACK" ] && [ -n "$PETE_MB" ] || not_ok "the onboardings recorded their accounts"
make_user cy@acme.example user "$ACME"   # known to HyOpps, never onboarded
# by hand in the simulated services: bob out of Acme's Slack group, a stranger,
# Initech's pete and Acme's cy in Acme's Metabase group
sql "INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('metabase', '9003', 'Cy@Acme.example', 'Cy', 1, 'x');
  INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES('metabase', '$(acme_group metabase)', '9003', 'm0', 'x');
  DELETE FROM sim_members WHERE system = 'slack' AND account_id = '$BOB_SLACK';
  INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('metabase', '9001', 'stranger@else.example', 'Stran Ger', 1, 'x');
  INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES
    ('metabase', '$(acme_group metabase)', '9001', 'm1', 'x'), ('metabase', '$(acme_group metabase)', '$PETE_MB', 'm2', 'x');"
hy logout >/dev/null 2>&1

# ---- the Access screen: nothing before a run; R runs one --------------------------
admin_ui || { done_testing; exit 1; }
open_menu Access
expect_screen "the Access screen opens" "HyOpps │ Access"
expect_screen "before any run: how to get one" "No drift: the latest checks found what HyOpps granted (R runs one now)."
send_keys R
expect_screen "a run from the screen says what it found" "Reconciled 2 organisations: 4 drifts"
expect_screen "the header counts the drift" "Current drift: 4 findings   kind: all   system: all"
expect_sq "the missing one: organisation, system, kind, person" "bob@acme.example" "Acme Corp Slack missing"
expect_sq "the stranger" "stranger@else.example" "Acme Corp Metabase unexpected"
expect_sq "a person HyOpps knows, of another organisation" "pete@initech.example" "Acme Corp Metabase unexpected"
expect_eq "the run is stored, by the admin" "admin@hyopps.local completed" "$(sql "SELECT started_by_label || ' ' || status FROM reconcile_runs ORDER BY started_ms DESC LIMIT 1")"

# ---- filters: by kind, by system ----------------------------------------------------
send_keys f
expect_screen "f: missing only" "kind: missing"
expect_gone "the unexpected ones are hidden" "stranger@else.example"
expect_screen "the missing one stays" "bob@acme.example"
send_keys f
expect_screen "f again: unexpected" "kind: unexpected"
expect_gone "the missing one is hidden" "bob@acme.example"
send_keys f f
expect_screen "unknown groups: none here" "No drift of this kind or system."
send_keys f
expect_screen "and back to every kind" "Current drift: 4 findings   kind: all"
send_keys s s s
expect_screen "s three times: Slack" "system: Slack"
expect_screen "Slack's finding" "bob@acme.example"
expect_gone "Metabase's are hidden" "stranger@else.example"
send_keys s
expect_screen "back to every system" "system: all"

# ---- the organisation's matrix and a person's access ---------------------------------
send_keys / C-u
send_text bob@acme
send_keys Enter Enter
expect_screen "Enter: the organisation's matrix" "HyOpps │ Access matrix"
expect_screen "its drift count" "Acme Corp: 4 drifts"
expect_screen "each system's last check" "Slack: "
expect_sq "bob: Metabase and Teams ok, Slack missing" "bob@acme.example" "ok ok missing"
expect_sq "ann: everywhere" "ann@acme.example" "ok ok ok"
expect_line "the stranger, unknown to HyOpps" "stranger@else.example (unknown)" "unexpected"
expect_line "pete, of another organisation" "pete@initech.example (other org)" "unexpected"
expect_line "cy, matched by email in any case" "cy@acme.example" "unexpected"
send_keys / C-u
send_text bob@acme
send_keys Enter Enter
expect_screen "Enter: the person's access" "HyOpps │ Access of a person"
expect_line "Slack granted, not there" "Slack" "not there"
expect_line "Metabase present" "Metabase" "present"
send_keys q
wait_text "HyOpps │ Access matrix" >/dev/null
send_keys q
expect_screen "back on Access" "Current drift: 4 findings"

# ---- repairs: a removal names the account and asks ----------------------------------
send_keys / C-u
send_text stranger
send_keys Enter x
expect_dialog "the removal names the exact account" "Remove Metabase account 9001 (stranger@else.example) from group"
send_keys n
expect_eq "n: the stranger is still there" 1 "$(sql "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '9001'")"
send_keys x
expect_dialog "asked again" "Remove Metabase account 9001"
send_keys y
expect_screen "y: repaired" "stranger@else.example removed"
expect_eq "the stranger is out of the group" 0 "$(sql "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '9001'")"
expect_eq "audited" 1 "$(sql "SELECT count(*) FROM audit_log WHERE action = 'access.remove'")"

# ---- a person HyOpps knows: which repair? -------------------------------------------
pick_repair() { # FILTER REPAIR
    send_keys / C-u
    send_text "$1"
    send_keys Enter x
    wait_text "How to repair #" >/dev/null
    send_keys / C-u
    send_text "$2"
    send_keys Enter Enter
}
send_keys / C-u
send_text pete
send_keys Enter x
expect_screen "a choice of repairs" "How to repair #"
expect_line "adopt is offered" "adopt" "Record pete@initech.example's Metabase access"
expect_line "so is revoke" "revoke" "Start revoke_partner_user for pete@initech.example"
expect_line "and remove, naming the account" "remove" "Remove Metabase account $PETE_MB (pete@initech.example)"
send_keys / C-u
send_text adopt
send_keys Enter Enter
expect_dialog "adopt asks too" "Record pete@initech.example's Metabase access in Acme Corp as a grant"
send_keys y
expect_screen "pete's access is Initech's: not moved by an adoption" "holds Metabase access through Initech already"
expect_eq "his grant stays Initech's" "$INI auto" "$(sql "SELECT g.organization_id || ' ' || g.granted_how FROM access_grants g JOIN users u ON u.id = g.user_id
    JOIN resources r ON r.id = g.resource_id WHERE u.email = 'pete@initech.example' AND r.name = 'Metabase'")"
pick_repair pete "account $PETE_MB"
expect_dialog "remove names his account" "Remove Metabase account $PETE_MB (pete@initech.example) from group"
send_keys y
expect_screen "removed from Acme's group" "pete@initech.example removed"
expect_eq "pete is out of Acme's group, still in Initech's" "0 1" "$(sql "SELECT
    (SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '$PETE_MB' AND group_id = '$(acme_group metabase)'),
    (SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '$PETE_MB')" | tr '|' ' ')"
pick_repair cy@acme adopt
expect_dialog "cy: adopt asks" "Record cy@acme.example's Metabase access in Acme Corp as a grant"
send_keys y
expect_screen "adopted" "adopted"
expect_eq "a grant recorded as adopted, in Acme, with the account" "1" "$(sql "SELECT count(*) FROM access_grants g JOIN users u ON u.id = g.user_id
    WHERE u.email = 'cy@acme.example' AND g.granted_how = 'adopted' AND g.organization_id = '$ACME' AND g.account_id = '9003'
    AND g.revoked_at IS NULL AND g.note LIKE 'was given by hand, accepted by admin@hyopps.local%'")"

# ---- a marked missing one: granted again ---------------------------------------------
send_keys / C-u
send_text bob@acme
send_keys Enter Space
expect_screen "Space marks it" "1 marked"
send_keys x
expect_dialog "the marked ones, each as its kind says" "Repair the 1 marked findings"
send_keys y
expect_screen "repaired by a repair_access execution" "repaired: Slack: repair_access"
REPAIR=$(sql "SELECT id FROM workflow_executions WHERE workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'repair_access')")
[ -n "$REPAIR" ] && ok "a repair_access execution was started" || not_ok "a repair_access execution was started"
_repair_done() { [ "$(sql "SELECT status FROM workflow_executions WHERE id = '$REPAIR'")" = completed ]; }
if _poll 30 _repair_done; then ok "the session's runner completes it"; else not_ok "repair_access completes" "$(sql "SELECT status FROM workflow_executions WHERE id = '$REPAIR'")"; fi
expect_eq "bob is back in Acme's Slack group" 1 "$(sql "SELECT count(*) FROM sim_members WHERE system = 'slack' AND account_id = '$BOB_SLACK'")"

# ---- reconciled again: nothing left -----------------------------------------------------
send_keys / C-u Enter R
expect_screen "the next run finds nothing" "Reconciled 2 organisations: 0 drifts"
expect_screen "and the list says so" "No drift: the latest checks found what HyOpps granted"
send_keys q
open_menu Organisations
send_keys / C-u
send_text "Acme Corp"
send_keys Enter Enter
expect_screen "the organisation's detail" "Account types"
send_keys / C-u
send_text "last check"
send_keys Enter
expect_line "its drift count and last check" "Drift" "0 findings  (last check "
send_keys A
expect_screen "A: its matrix" "Acme Corp: 0 drifts"
for screen in "Access matrix" Organisation Organisations; do
    wait_text "HyOpps │ $screen" >/dev/null
    send_keys q
done
wait_text "HyOpps │ Home" >/dev/null
send_keys L
wait_text "Log in to HyOpps" >/dev/null

# ---- support: may run, may not repair ---------------------------------------------
make_user sam@hyopps.example support
ui_login sam@hyopps.example "$ADMIN_PW"
open_menu Access
expect_screen "support opens Access" "Current drift: 0 findings"
send_keys '?'
expect_screen "the help lists reconcile" "Read Metabase, Teams and Slack now"
expect_no_text "and no repair" "Repair the marked findings"
send_keys q
wait_text "Current drift" >/dev/null
send_keys q
wait_text "HyOpps │ Home" >/dev/null
send_keys L
wait_text "Log in to HyOpps" >/dev/null

# ---- the partner admin: their organisation's matrix, read-only --------------------------
sqlite3 -batch "$HYOPPS_DB" "INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('metabase', '9002', 'other@else.example', 'O T', 1, 'x');
  INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES ('metabase', (SELECT external_id FROM system_groups WHERE tool = 'metabase' AND organization_id = '$INI'), '9002', 'm3', 'x');"
echo "$ADMIN_PW" | hy login --email admin@hyopps.local --password-stdin >/dev/null && hy reconcile >/dev/null
hy logout >/dev/null 2>&1
make_user jane@acme.example partner_admin "$ACME"
ui_login jane@acme.example "$ADMIN_PW"
wait_text "Add user" >/dev/null
send_keys / C-u
send_text "drifts (checked"
send_keys Enter
expect_line "the partner's home offers Access with the drift" "Access" "0 drifts (checked "
send_keys / C-u Enter
send_keys A
expect_screen "their organisation's matrix" "Acme Corp: 0 drifts"
expect_line "their users" "ann@acme.example" "ok"
expect_no_text "nothing of Initech's drift" "other@else.example"
send_keys '?'
expect_no_text "read-only: no reconcile" "Read Metabase, Teams and Slack now"
expect_no_text "read-only: no repair" "Repair the marked"
send_keys q
wait_text "Acme Corp: 0 drifts" >/dev/null
send_keys q
wait_text "Add user" >/dev/null
send_keys L
wait_text "Log in to HyOpps" >/dev/null

# ---- a person HyOpps knows, revoked from the Access screen ---------------------------
# pete back in Acme's Metabase group by hand: one of his repairs revokes him
sql "INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at) VALUES('metabase', '$(acme_group metabase)', '$PETE_MB', 'm9', 'x');"
pete_grants() { sql "SELECT count(*) FROM access_grants g JOIN users u ON u.id = g.user_id WHERE u.email = 'pete@initech.example' AND g.revoked_at IS NULL"; }
[ "$(pete_grants)" -gt 0 ] || not_ok "pete holds grants before the revocation"
ui_login admin@hyopps.local "$ADMIN_PW"
open_menu Access
send_keys R
expect_sq "pete is in Acme's group again" "pete@initech.example" "Acme Corp Metabase unexpected"
pick_repair pete revoke
expect_dialog "revoke says what it does" "Start revoke_partner_user for pete@initech.example"
expect_dialog "and how far it goes" "it removes all of their access"
send_keys y
expect_screen "y: the revocation is started" "revoke_partner_user"
REVOKE=$(sql "SELECT e.id FROM workflow_executions e JOIN workflow_definitions d ON d.id = e.workflow_definition_id
    JOIN users u ON u.id = e.user_id WHERE d.name = 'revoke_partner_user' AND u.email = 'pete@initech.example'")
[ -n "$REVOKE" ] && ok "a revoke_partner_user execution for pete" || not_ok "a revoke_partner_user execution for pete"
expect_eq "requested by the admin" "admin@hyopps.local" "$(sql "SELECT u.email FROM workflow_executions e JOIN users u ON u.id = e.requested_by WHERE e.id = '$REVOKE'")"
# the session's runner takes it to its first step done by hand (the LMS has no API)
revoke_at() { sql "SELECT e.status || ' ' || d.name FROM workflow_executions e JOIN workflow_step_executions s
    ON s.execution_id = e.id AND s.step_order = e.current_step_order JOIN workflow_step_definitions d ON d.id = s.step_definition_id
    WHERE e.id = '$REVOKE'"; }
_revoke_waits() { [ "$(revoke_at)" = "awaiting_input lms_removal" ]; }
if _poll 30 _revoke_waits; then ok "the session's runner runs it to the LMS step, by hand"; else not_ok "the revocation waits at the LMS step" "$(revoke_at)"; fi
expect_eq "its Metabase removal completed" completed "$(sql "SELECT s.status FROM workflow_step_executions s JOIN workflow_step_definitions d
    ON d.id = s.step_definition_id WHERE s.execution_id = '$REVOKE' AND d.name = 'remove_from_metabase_group'")"
expect_eq "every grant of pete's is revoked" 0 "$(pete_grants)"
expect_eq "the finding names the revocation, repaired by the admin" "revoke_partner_user $REVOKE admin@hyopps.local" "$(sql "SELECT f.repair || ' ' || u.email
    FROM reconcile_findings f JOIN users u ON u.id = f.repaired_by WHERE f.repair LIKE 'revoke_partner_user %'")"
send_keys q
wait_text "HyOpps │ Home" >/dev/null
send_keys L
wait_text "Log in to HyOpps" >/dev/null

# ---- an unknown group: its repair is the organisation's group id editor ---------------
sql "UPDATE system_groups SET external_id = 'slack-grp-legacy', placeholder = 1 WHERE tool = 'slack' AND organization_id = '$INI'"
ui_login admin@hyopps.local "$ADMIN_PW"
open_menu Access
send_keys R
expect_screen "the placeholder is found" "unknown group"
expect_sq "Initech's Slack group, without a call" "unknown group" "Initech Slack unknown group"
send_keys / C-u
send_text "unknown group"
send_keys Enter x
expect_screen "x opens the organisation's group ids" "HyOpps │ Group ids"
expect_screen "of Initech" "Initech"
send_keys Escape
done_testing
