#!/usr/bin/env bash
# hyopps reconcile and hyopps access on the embedded default (no config
# file: every integration simulated, compared with its simulated state):
# usage errors (exit 2), a clean run (0), hand changes in the simulated
# services reported (1, text and --json), a person's access and an
# organisation's matrix, partner admins scoped to their organisation,
# running for admins and support, repairs for admins only (exit 4), a
# removal that asks first, and a repaired drift gone.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
admin_login || not_ok "admin login"

out=$(hy reconcile --help); expect_eq "reconcile --help exits 0" 0 "$?"
expect_contains "it explains the kinds" "revoked_present       revoked by HyOpps, still there" "$out"
expect_contains "and the exit status" "0 everything read and no drift; 1 drift found" "$out"
out=$(hy access --help); expect_contains "access --help: the matrix" "unexpected   there, not granted" "$out"
expect_contains "hyopps --help lists reconcile" "reconcile" "$(hy --help)"
for bad in "reconcile --system metabase,jira" "reconcile --kind missing" "reconcile --last --kind lost" "reconcile extra" \
           "reconcile repair" "reconcile repair twelve" "reconcile repair 1 --adopt --remove" "access" \
           "access a@b.test --org Acme"; do
    out=$(hy $bad 2>&1); rc=$?
    expect_eq "usage: hyopps $bad exits 2" 2 "$rc"
done
expect_contains "an unknown system is named" "'jira' is not a system" "$(hy reconcile --system metabase,jira 2>&1)"

# --- Acme with three people, Initech with one (simulated) ---------------------------
# (local steps run inline for at most 20 ms an action: on a slow machine the
# rest is left to a runner, which `exec wait` is)
partner() { # NAME PREFIX
    local np
    np=$(hy exec start new_partner -q)
    hy exec input "$np" 1 "organization_name=$1" studio_company_id_test=$2-t studio_company_id_prod=$2-p >/dev/null
    hy exec input "$np" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
    hy exec wait "$np" --timeout 60 >/dev/null
    hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null
    hy exec wait "$np" --timeout 60 >/dev/null
}
person() { # ORG EMAIL
    local x
    x=$(hy exec start new_partner_user --org "$1" -q)
    hy exec input "$x" input_user_details firstname=Pat lastname=Doe "email=$2" >/dev/null
    hy exec wait "$x" --timeout 60 >/dev/null
}
partner "Acme Corp" acme
partner Initech ini
for u in ann bob cy; do person "Acme Corp" $u@acme.test; done
person Initech pete@initech.test
expect_eq "four onboardings completed (simulated)" 4 \
    "$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions WHERE status = 'completed' AND organization_id IS NOT NULL AND user_id IS NOT NULL")"

out=$(hy reconcile); rc=$?
expect_eq "a clean run exits 0" 0 "$rc"
expect_contains "it says what it compared" "0 drifts in 2 organisations; compared: metabase, teams, slack; 0 service calls" "$out"

# --- by hand in the simulated services -------------------------------------------------
slack_id() { sqlite3 "$db" "SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id JOIN users u ON u.id = g.user_id WHERE r.name = 'Slack' AND u.email = '$1'"; }
sqlite3 "$db" "DELETE FROM sim_members WHERE system = 'slack' AND account_id = '$(slack_id bob@acme.test)';
  DELETE FROM sim_members WHERE system = 'slack' AND account_id = '$(slack_id pete@initech.test)';
  INSERT INTO sim_accounts(system, account_id, email, name, active, created_at) VALUES('metabase', '9001', 'stranger@else.test', 'Stran Ger', 1, 'x');
  INSERT INTO sim_members(system, group_id, account_id, membership_id, added_at)
    SELECT 'metabase', g.external_id, '9001', 'm', 'x' FROM system_groups g JOIN organizations o ON o.id = g.organization_id
    WHERE g.tool = 'metabase' AND o.name = 'Acme Corp'"
out=$(hy reconcile); rc=$?
expect_eq "drift: exit 1" 1 "$rc"
expect_contains "one line per drift: the missing one, with what granted it" "Acme Corp     slack     missing     bob@acme.test" "$out"
expect_contains "the stranger" "Acme Corp     metabase  unexpected  stranger@else.test" "$out"
expect_contains "the summary" "3 drifts: 2 missing, 1 unexpected (metabase 1, slack 2) in 2 organisations" "$out"
json=$(hy reconcile --org "Acme Corp" --json); rc=$?
expect_eq "--org --json: exit 1" 1 "$rc"
printf '%s' "$json" | pyjson '
f = d["findings"]
assert d["organizations"] == 1 and d["status"] == "completed", d
assert sorted((x["system"], x["kind"], x["email"]) for x in f) == [("metabase", "unexpected", "stranger@else.test"), ("slack", "missing", "bob@acme.test")], f
m = [x for x in f if x["kind"] == "missing"][0]
assert m["granted_by_execution"] and m["since"] and m["organization"] == "Acme Corp" and m["account_id"], m
' && ok "--json: exactly the two of Acme, with since, the granting execution and the account" || not_ok "--json findings" "$json"
missing=$(printf '%s' "$json" | pyjson 'print([x["id"] for x in d["findings"] if x["kind"] == "missing"][0])')
stranger=$(printf '%s' "$json" | pyjson 'print([x["id"] for x in d["findings"] if x["kind"] == "unexpected"][0])')
out=$(hy reconcile --last --kind unexpected); rc=$?
expect_eq "--last --kind: exit 1" 1 "$rc"
expect_contains "--last shows the stored drift" "stranger@else.test" "$out"
expect_not_contains "filtered by kind" "bob@acme.test" "$out"

out=$(hy access bob@acme.test)
expect_contains "access USER: Slack granted, not there" "not there (not a member of the user group)" "$(printf '%s\n' "$out" | grep '^Slack')"
expect_contains "access USER: Metabase present" "present" "$(printf '%s\n' "$out" | grep '^Metabase')"
hy access --org "Acme Corp" --json | pyjson '
u = {r["email"]: r for r in d["users"]}
assert u["bob@acme.test"]["slack"] == "missing" and u["bob@acme.test"]["metabase"] == "ok", u
assert u["stranger@else.test"]["metabase"] == "unexpected" and u["stranger@else.test"]["user_id"] is None, u
assert d["drift"] == 2 and d["checks"]["slack"]["status"] == "ok"
' && ok "access --org --json: the matrix" || not_ok "access --org matrix" "$(hy access --org "Acme Corp" --json)"

# --- partner admins: their organisation only; never a run or a repair ----------------------
acme=$(sqlite3 "$db" "SELECT id FROM organizations WHERE name = 'Acme Corp'")
ini=$(sqlite3 "$db" "SELECT id FROM organizations WHERE name = 'Initech'")
cli_partner_admin pa@acme.test "$acme" "$TEST_DIR/pa" || not_ok "Acme's partner admin"
cli_partner_admin pb@initech.test "$ini" "$TEST_DIR/pb" || not_ok "Initech's partner admin"
pa() { XDG_STATE_HOME=$TEST_DIR/pa hy "$@"; }
pb() { XDG_STATE_HOME=$TEST_DIR/pb hy "$@"; }
pa reconcile --last --json | pyjson '
assert {x["organization"] for x in d["findings"]} == {"Acme Corp"} and len(d["findings"]) == 2, d' \
    && ok "Acme's partner admin sees Acme's two findings" || not_ok "partner admin scope" "$(pa reconcile --last --json)"
pb reconcile --last --json | pyjson '
assert [x["email"] for x in d["findings"]] == ["pete@initech.test"], d' \
    && ok "Initech's partner admin sees Initech's one" || not_ok "the other partner admin" "$(pb reconcile --last --json)"
out=$(pa reconcile --last --org Initech 2>&1); expect_eq "another organisation: not found (4)" 4 "$?"
out=$(pa access pete@initech.test 2>&1); expect_eq "another organisation's user: 4" 4 "$?"
out=$(pa access --org "Acme Corp"); expect_eq "their own matrix" 0 "$?"
out=$(pa reconcile 2>&1); expect_eq "a partner admin may not run one (4)" 4 "$?"
expect_contains "and is told who may" "only administrators and support staff may run a reconciliation" "$out"
out=$(pa reconcile repair "$missing" --yes 2>&1); expect_eq "a partner admin may not repair (4)" 4 "$?"
expect_contains "repairs are for administrators" "only administrators may repair access" "$out"
hy users edit pa@acme.test --role support --org "" >/dev/null 2>&1 || not_ok "make a support user"
sqlite3 "$db" "UPDATE users SET app_role = 'support', organization_id = NULL WHERE email = 'pb@initech.test'"
echo partner-pass-2 | XDG_STATE_HOME=$TEST_DIR/pb hy login --email pb@initech.test --password-stdin >/dev/null
out=$(pb reconcile --system slack); rc=$?
expect_eq "support may run one (drift: 1)" 1 "$rc"
out=$(pb reconcile repair "$missing" --yes 2>&1); expect_eq "support may not repair (4)" 4 "$?"
expect_eq "nothing was repaired by refused callers" 0 "$(sqlite3 "$db" "SELECT count(*) FROM reconcile_findings WHERE repaired_at IS NOT NULL")"

# --- an administrator repairs ------------------------------------------------------------
json=$(hy reconcile --last --json)
missing=$(printf '%s' "$json" | pyjson 'print([x["id"] for x in d["findings"] if x["kind"] == "missing" and x["email"] == "bob@acme.test"][0])')
stranger=$(printf '%s' "$json" | pyjson 'print([x["id"] for x in d["findings"] if x["kind"] == "unexpected"][0])')
out=$(hy reconcile repair "$stranger" </dev/null 2>&1); rc=$?
expect_eq "a removal is not done without a confirmation (exit 1)" 1 "$rc"
expect_contains "the question names the exact account" "Remove Metabase account 9001 (stranger@else.test) from group" "$out"
expect_contains "and says how to confirm" "give --yes" "$out"
expect_eq "the stranger is still there" 1 "$(sqlite3 "$db" "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '9001'")"
out=$(hy reconcile repair "#$stranger" "$missing" --yes); rc=$?
expect_eq "repair: both done (0)" 0 "$rc"
expect_contains "the removal" "stranger@else.test removed" "$out"
expect_contains "the re-grant" "repair_access" "$out"
expect_eq "the stranger is gone" 0 "$(sqlite3 "$db" "SELECT count(*) FROM sim_members WHERE system = 'metabase' AND account_id = '9001'")"
out=$(hy reconcile repair "$missing" --yes); expect_eq "the same again: 1" 1 "$?"
expect_contains "already repaired" "already repaired (repair_access" "$out"
rx=$(sqlite3 "$db" "SELECT e.id FROM workflow_executions e JOIN workflow_definitions d ON d.id = e.workflow_definition_id WHERE d.name = 'repair_access'")
hy exec wait "$rx" --timeout 60 >/dev/null
expect_eq "the repair_access execution completed" completed "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$rx'")"
out=$(hy reconcile --org "Acme Corp"); rc=$?
expect_eq "Acme reconciled again: no drift (0)" 0 "$rc"
expect_contains "0 drifts" "0 drifts in 1 organisation" "$out"
expect_eq "the audit trail has both repairs" 2 "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action IN ('access.remove', 'access.repair')")"
done_testing
