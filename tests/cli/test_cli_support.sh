#!/usr/bin/env bash
# Issue 17 in the CLI (the same operations as the consoles): exec list
# searches a person's name, --longest and --stuck HOURS; exec retry --now
# when nothing waits says so; exec rerun of a cancelled execution is
# refused; audit names its targets and --about finds them by name.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
write_fast_config "$TEST_DIR/config.ini" "$SIMULATE_ALL"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
sql() { sqlite3 -batch "$HYOPPS_DB" "$@"; }
admin_login || { not_ok "admin login"; done_testing; exit 1; }
NP=$(hy exec start new_partner --quiet)
hy exec input "$NP" 1 "organization_name=Acme Corp" studio_company_id_test=st-a-t studio_company_id_prod=st-a-p >/dev/null
hy exec input "$NP" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
hy exec input "$NP" 8 lms_confirmed=yes >/dev/null
JD=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
hy exec input "$JD" 2 firstname=Jane lastname=Doe email=jd@acme.example >/dev/null
OLD=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
NEW=$(hy exec start new_partner_user --org "Acme Corp" --quiet)
sql "UPDATE workflow_executions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 days') WHERE id = '$OLD'"

out=$(hy exec list --search "jane doe")
expect_contains "a person's name finds her execution" "${JD:0:8}" "$out"
expect_not_contains "... only hers" "${NEW:0:8}" "$out"
out=$(hy exec list --stuck 24)
expect_contains "--stuck 24 lists the one waiting for two days" "${OLD:0:8}" "$out"
expect_not_contains "... not the fresh one" "${NEW:0:8}" "$out"
expect_contains "and says how many match" "1 shown of 1 matching" "$out"
out=$(hy exec list --status awaiting_input --longest --json)
first=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["executions"][0]["id"])')
expect_eq "--longest: the longest in its state first" "$OLD" "$first"
out=$(hy exec list --status completed --longest 2>&1); rc=$?
expect_eq "--longest on finished ones is refused" 1 "$rc"
expect_contains "saying why" "unfinished" "$out"
out=$(hy exec retry "$NEW" --now 2>&1); rc=$?
expect_eq "retry --now with nothing waiting is refused" 1 "$rc"
expect_contains "saying why" "not waiting between automatic attempts" "$out"
hy exec cancel "$NEW" >/dev/null
out=$(hy exec rerun "$NEW" --from 1 2>&1); rc=$?
expect_eq "a cancelled execution is not run again" 1 "$rc"
expect_contains "saying what to do" "start a new request instead" "$out"
out=$(hy audit --about "jane doe")
expect_contains "audit --about a name: her execution's entries, named" "New partner user ${JD:0:8}: Acme Corp, jd@acme.example" "$out"
expect_not_contains "... not the others'" "${NEW:0:8}" "$out"
out=$(hy audit --about "acme corp" --json | /usr/bin/python3 -c 'import json,sys; print(sorted({e.get("target", "") for e in json.load(sys.stdin)}))')
expect_contains "audit --about an organisation's name: its executions (JSON: target, in words)" "New partner ${NP:0:8}: Acme Corp" "$out"
done_testing
