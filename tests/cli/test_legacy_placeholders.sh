#!/usr/bin/env bash
# Issue 10, item 7: the original app's database carries group ids its stubs
# made up (teams-ch-..., slack-grp-..., mb-col-...). Upgraded, they are
# marked as placeholders, shown as such by `orgs show`, and a live step
# refuses one at once (no call to the service) with the command that sets
# the real id; setting it clears the mark and the retried step works. An
# organisation without a group gets a message naming it, the missing group
# and both ways out.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
stop_fake() { "$FAKES/fakectl.sh" stop "$TEST_DIR/slack"; }
CLEANUP_FUNCS="stop_fake"
SL=$("$FAKES/fakectl.sh" start slack "$TEST_DIR/slack" --token xoxb-legacy) || exit 1
cp "$HYOPPS_ROOT/tests/fixtures/legacy-hyopps.db" "$db"
chmod 600 "$db"
write_slack_config "$TEST_DIR/config.ini" "$SL" xoxb-legacy "[http]
timeout_ms = 2000"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
admin_login || not_ok "the legacy admin logs in"
slack_calls() { "$FAKES/fakectl.sh" state "$TEST_DIR/slack" | pyjson 'print(d["total_requests"])'; }

# --- shown as placeholders ----------------------------------------------------------
out=$(hy orgs show "Acme Corp")
expect_contains "orgs show: the Slack placeholder and the command" \
    'slack-grp-hq7j8ek  (placeholder from the original app, not a real id: set it with hyopps orgs edit "Acme Corp" --slack-group ID)' "$out"
expect_contains "orgs show: the Teams placeholder" 'teams-ch-09wzee2  (placeholder from the original app' "$out"
expect_contains "orgs show: the collection placeholder" 'mb-col-dh8oi5p  (placeholder from the original app' "$out"
expect_not_contains "orgs show: the real Metabase group is not one" 'id 7  (placeholder' "$out"
hy orgs show "Acme Corp" --json | pyjson '
g = {x["tool"]: x["placeholder"] for x in d["system_groups"]}
assert g == {"metabase": False, "teams": True, "slack": True}, g
assert d["integrations"]["metabase_collection_placeholder"] is True
' && ok "orgs show --json: placeholder per group" || not_ok "orgs show --json: placeholder per group"

# --- a live step refuses a placeholder at once -----------------------------------------
"$FAKES/fakectl.sh" seed "$TEST_DIR/slack" '{"users": [{"email": "lee@acme.example"}]}' >/dev/null
u=$(hy exec start new_partner_user --org "Acme Corp" -q)
hy exec input "$u" input_user_details firstname=Lee lastname=Legacy email=lee@acme.example >/dev/null
calls=$(slack_calls)
hy exec wait "$u" --timeout 30 >/dev/null 2>&1
expect_eq "the Slack step failed" failed "$(sqlite3 "$db" "SELECT status FROM workflow_step_executions WHERE execution_id = '$u' AND step_order = 6")"
expect_eq "at once: one attempt" 1 "$(sqlite3 "$db" "SELECT attempts FROM workflow_step_executions WHERE execution_id = '$u' AND step_order = 6")"
expect_eq "Slack was not called" "$calls" "$(slack_calls)"
np=$(sqlite3 "$db" "SELECT e.id FROM workflow_executions e JOIN workflow_definitions w ON w.id = e.workflow_definition_id
    WHERE w.name = 'new_partner' AND e.status = 'completed' AND e.organization_id = (SELECT id FROM organizations WHERE name = 'Acme Corp')")
out=$(hy exec show "$u")
expect_contains "the error names the placeholder" \
    'The Slack group of organisation "Acme Corp" is slack-grp-hq7j8ek, a placeholder the original HyOpps app made, not a real id (HyOpps did not call the service)' "$out"
expect_contains "... and the command that sets the real id" 'hyopps orgs edit "Acme Corp" --slack-group ID' "$out"
expect_contains "... and the step that creates it" "hyopps exec rerun $np --from create_slack_group" "$out"

# --- the real id clears the mark; the retry works ------------------------------------------
gid=$("$FAKES/fakectl.sh" seed "$TEST_DIR/slack" '{"usergroups": [{"handle": "ext-acme-corp"}]}' | pyjson 'print(d["usergroups"][0])')
hy orgs edit "Acme Corp" --slack-group "$gid" >/dev/null; expect_eq "orgs edit exits 0" 0 "$?"
expect_eq "the mark is gone" "$gid 0" "$(sqlite3 "$db" "SELECT external_id || ' ' || placeholder FROM system_groups g
    JOIN organizations o ON o.id = g.organization_id WHERE o.name = 'Acme Corp' AND tool = 'slack'")"
expect_not_contains "orgs show: no Slack placeholder" "--slack-group ID" "$(hy orgs show "Acme Corp")"
expect_eq "the Teams mark stays" 1 "$(sqlite3 "$db" "SELECT placeholder FROM system_groups WHERE tool = 'teams'")"
hy exec retry "$u" >/dev/null
hy exec wait "$u" --timeout 30 >/dev/null 2>&1; expect_eq "retried: exec wait exits 0" 0 "$?"
expect_eq "retried: completed" completed "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$u'")"
expect_eq "retried: the person is in the real group" 1 "$("$FAKES/fakectl.sh" state "$TEST_DIR/slack" |
    G="$gid" pyjson 'import os; print(len([g for g in d["usergroups"] if g["id"] == os.environ["G"]][0]["users"]))')"
# the same value typed again keeps a mark (only a real id clears it)
hy orgs edit "Acme Corp" --teams-group teams-ch-09wzee2 >/dev/null
expect_eq "the same placeholder typed again stays marked" 1 "$(sqlite3 "$db" "SELECT placeholder FROM system_groups WHERE tool = 'teams'")"

# --- no group at all: the organisation, the group, both ways out -------------------------------
hy orgs edit "Acme Corp" --slack-group "" >/dev/null
u2=$(hy exec start new_partner_user --org "Acme Corp" -q)
hy exec input "$u2" input_user_details firstname=Lee lastname=Legacy email=lee@acme.example >/dev/null
hy exec wait "$u2" --timeout 30 >/dev/null 2>&1
out=$(hy exec show "$u2")
expect_contains "no group: names the organisation and the group" 'No Slack group configured for this organisation ("Acme Corp")' "$out"
expect_contains "no group: orgs edit" 'Set its id with `hyopps orgs edit "Acme Corp" --slack-group ID`' "$out"
expect_contains "no group: or the step that creates it" "or create it by re-running its new_partner execution from create_slack_group: \`hyopps exec rerun $np --from create_slack_group\`" "$out"

# --- a Metabase placeholder is refused in any mode (it is no integer) ---------------------------
sqlite3 "$db" "UPDATE system_groups SET external_id = 'mb-grp-x1y2z3a', placeholder = 1 WHERE tool = 'metabase'"
u3=$(hy exec start new_partner_user --org "Acme Corp" -q)
hy exec input "$u3" input_user_details firstname=Max lastname=Legacy email=max@acme.example >/dev/null
expect_eq "Metabase placeholder: the (simulated) step failed" failed \
    "$(sqlite3 "$db" "SELECT status FROM workflow_step_executions WHERE execution_id = '$u3' AND step_order = 4")"
out=$(hy exec show "$u3")
expect_contains "Metabase placeholder: says so, with the command" \
    'The Metabase group of organisation "Acme Corp" is mb-grp-x1y2z3a, a placeholder the original HyOpps app made' "$out"
expect_contains "Metabase placeholder: the option" '--metabase-group ID' "$out"
done_testing
