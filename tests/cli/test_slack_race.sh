#!/usr/bin/env bash
# Issue 10, item 1: concurrent runners must not drop people from a Slack
# group. usergroups.users.update replaces the whole member list, so each
# add is a read-modify-write. 60 new_partner_user executions are queued into
# one organisation (Slack live against the fake, which records every write
# and whom it dropped; the other integrations simulated), then three
# `hyopps worker` processes are started together: all 60 must end in the
# group, with the members it had before, and no write may drop anyone. Then
# the same with faults on the fake (429 + Retry-After, 503, dropped
# connections before and after a write took effect).
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
db=$HYOPPS_DB
N=60
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

WORKERS=()
stop_all() {
    local p
    for p in "${WORKERS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${WORKERS[@]}"; do wait "$p" 2>/dev/null; done
    WORKERS=()
    "$FAKES/fakectl.sh" stop "$TEST_DIR/slack"
}
CLEANUP_FUNCS="stop_all"
SL=$("$FAKES/fakectl.sh" start slack "$TEST_DIR/slack" --token xoxb-race) || exit 1

write_slack_config "$TEST_DIR/config.ini" "$SL" xoxb-race "[http]
timeout_ms = 2000
max_attempts = 10"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
admin_login || not_ok "admin login"

# seed PREFIX: N Slack accounts PREFIX1..PREFIXN@race.test and a group
# ext-<slug> holding three earlier members; prints the group id.
seed() {
    local org=$1 prefix=$2 handle=$3
    /usr/bin/python3 - "$prefix" "$N" >"$TEST_DIR/users.json" <<'PY'
import json, sys
p, n = sys.argv[1], int(sys.argv[2])
print(json.dumps({"users": [{"email": "%s%d@race.test" % (p, i)} for i in range(1, n + 1)] +
                           [{"email": "%s-old%d@race.test" % (p, i)} for i in range(1, 4)]}))
PY
    local ids old
    ids=$("$FAKES/fakectl.sh" seed "$TEST_DIR/slack" "$(cat "$TEST_DIR/users.json")")
    old=$(printf '%s' "$ids" | pyjson 'print(json.dumps(d["users"][-3:]))')
    "$FAKES/fakectl.sh" seed "$TEST_DIR/slack" "{\"usergroups\": [{\"handle\": \"$handle\", \"users\": $old}]}" |
        pyjson 'print(d["usergroups"][0])'
}

# org NAME: a partner organisation whose Slack group create_slack_group
# found (live) by its handle.
org() {
    local np
    np=$(hy exec start new_partner -q)
    hy exec input "$np" 1 "organization_name=$1" "studio_company_id_test=$2-t" "studio_company_id_prod=$2-p" >/dev/null
    hy exec input "$np" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
    hy exec wait "$np" --timeout 30 >/dev/null 2>&1
    hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null
}

# queue ORG PREFIX: N new_partner_user executions, each left at its Slack step.
queue() {
    local i id
    for i in $(seq 1 $N); do
        id=$(hy exec start new_partner_user --org "$1" -q) || return 1
        hy exec input "$id" input_user_details firstname=Race "lastname=No$i" "email=$2$i@race.test" >/dev/null || return 1
    done
}

finished() { # finished ORG: every user execution of ORG completed or failed
    [ "$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions e JOIN organizations o ON o.id = e.organization_id
        JOIN workflow_definitions w ON w.id = e.workflow_definition_id
        WHERE o.name = '$1' AND w.name = 'new_partner_user' AND e.status IN ('completed', 'failed')")" = "$N" ]
}

# race ORG PREFIX GROUP: three workers at once until every execution ended.
race() {
    local org=$1 prefix=$2 group=$3 w
    expect_eq "$org: $N executions wait at the Slack step" "$N" \
        "$(sqlite3 "$db" "SELECT count(*) FROM workflow_step_executions s JOIN workflow_executions e ON e.id = s.execution_id
            JOIN organizations o ON o.id = e.organization_id WHERE o.name = '$org' AND s.step_order = 6 AND s.status = 'pending'")"
    for w in 1 2 3; do
        "$HYOPPS_BIN" worker --poll-ms 20 >"$TEST_DIR/worker-$prefix-$w.log" 2>&1 &
        WORKERS+=($!)
    done
    if wait_for 180 finished "$org"; then ok "$org: every execution ended"; else not_ok "$org: every execution ended"; fi
    for w in "${WORKERS[@]}"; do kill "$w" 2>/dev/null; done
    for w in "${WORKERS[@]}"; do wait "$w"; done
    WORKERS=()
    expect_eq "$org: $N of $N completed" "$N" \
        "$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions e JOIN organizations o ON o.id = e.organization_id
            WHERE o.name = '$org' AND e.status = 'completed' AND e.user_id IS NOT NULL")"
    echo "# $org: $(sqlite3 "$db" "SELECT count(*) || ' steps waited for the group''s lease, at most ' ||
        coalesce(max(json_extract(s.output, '\$.list_lock_wait_ms')), 0) || ' ms'
        FROM workflow_step_executions s JOIN workflow_executions e ON e.id = s.execution_id
        JOIN organizations o ON o.id = e.organization_id WHERE o.name = '$org' AND s.step_order = 6
        AND json_extract(s.output, '\$.list_lock_wait_ms') > 0")"
    local state
    state=$("$FAKES/fakectl.sh" state "$TEST_DIR/slack")
    # everyone in the group: the 60 and the three who were there before
    expect_eq "$org: $N of $N in the Slack group, and the 3 earlier members" "$((N + 3)) of $((N + 3))" \
        "$(printf '%s' "$state" | G="$group" P="$prefix" pyjson '
import os
g = [x for x in d["usergroups"] if x["id"] == os.environ["G"]][0]
want = {u["id"] for u in d["users"] if u["profile"]["email"].startswith(os.environ["P"])}
print("%d of %d" % (len(want & set(g["users"])), len(want)))')"
    expect_eq "$org: no write dropped anyone" "0" \
        "$(printf '%s' "$state" | G="$group" pyjson '
import os
print(sum(len(w["dropped"]) for w in d["writes"] if w["usergroup"] == os.environ["G"]))')"
    # one write that changed the list per person (libcurl resends a request
    # whose reused connection closed without an answer: the same list again)
    expect_eq "$org: one write per person" "$N" \
        "$(printf '%s' "$state" | G="$group" pyjson '
import os
print(sum(1 for w in d["writes"] if w["usergroup"] == os.environ["G"] and w["by"] == "client"
          and w["before"] != w["after"]))')"
}

# --- three workers, no faults ----------------------------------------------------
g1=$(seed "Race Co" race ext-race-co)
org "Race Co" rc
expect_eq "Race Co uses the seeded Slack group" "$g1" \
    "$(sqlite3 "$db" "SELECT external_id FROM system_groups g JOIN organizations o ON o.id = g.organization_id WHERE o.name = 'Race Co' AND tool = 'slack'")"
queue "Race Co" race || not_ok "queueing the executions"
race "Race Co" race "$g1"
# what each step recorded agrees with the service (with faults, a write whose
# answer was lost is found done by the retry: "added" false there)
expect_eq "Race Co: every step says it added its person" "$N" \
    "$(sqlite3 "$db" "SELECT count(*) FROM workflow_step_executions s JOIN workflow_executions e ON e.id = s.execution_id
        JOIN organizations o ON o.id = e.organization_id WHERE o.name = 'Race Co' AND s.step_order = 6
        AND json_extract(s.output, '\$.added') = 1")"

# --- three workers, faults on the Slack fake ----------------------------------------
g2=$(seed "Fault Co" fault ext-fault-co)
org "Fault Co" fc
queue "Fault Co" fault || not_ok "queueing the executions (faults)"
"$FAKES/fakectl.sh" fault "$TEST_DIR/slack" '[
  {"path": "usergroups\\.users\\.update", "kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "count": 4},
  {"path": "usergroups\\.users\\.list", "kind": "status", "status": 503, "count": 4},
  {"path": "usergroups\\.users\\.update", "kind": "close", "count": 3},
  {"path": "usergroups\\.users\\.update", "kind": "close_after", "count": 3},
  {"path": "users\\.lookupByEmail", "kind": "close", "count": 3}]' >/dev/null
race "Fault Co" fault "$g2"
expect_eq "Fault Co: every fault was met" 0 "$("$FAKES/fakectl.sh" state "$TEST_DIR/slack" | pyjson 'print(d["faults_left"])')"
retried=$(sqlite3 "$db" "SELECT count(*) FROM workflow_step_executions s JOIN workflow_executions e ON e.id = s.execution_id
    JOIN organizations o ON o.id = e.organization_id WHERE o.name = 'Fault Co' AND s.step_order = 6 AND s.attempts > 1")
[ "$retried" -ge 5 ] && ok "Fault Co: the faults were retried ($retried steps took more than one attempt)" ||
    not_ok "Fault Co: the faults were retried" "$retried steps retried"
done_testing
