#!/usr/bin/env bash
# Both workflows in live mode through the real binary (hyopps exec start /
# input, hyopps worker --once) with a config pointing at the fakes: the
# services' state after each workflow, the calls shown by exec show (text
# and --json, no secrets), a transient fault retried, and the email that may
# have arrived: failed, not resent, then resent by an explicit retry; or
# marked done by hand, and then not sent again by a re-run unless its
# address or links changed.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
smtp_count() { /usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$TEST_DIR/smtp/state.json"; }
mail() { /usr/bin/python3 "$FAKES/mailcheck.py" "$TEST_DIR/smtp/mail-$1.eml"; }

stop_fakes() { for f in metabase graph slack smtp; do "$FAKES/fakectl.sh" stop "$TEST_DIR/$f"; done; }
CLEANUP_FUNCS="stop_fakes"
MB=$("$FAKES/fakectl.sh" start metabase "$TEST_DIR/metabase" --api-key mb-KEY-live) || exit 1
GR=$("$FAKES/fakectl.sh" start graph "$TEST_DIR/graph" --client-secret AZ-SECRET-live) || exit 1
SL=$("$FAKES/fakectl.sh" start slack "$TEST_DIR/slack" --token xoxb-SLACK-live) || exit 1
SM=$("$FAKES/fakectl.sh" start smtp "$TEST_DIR/smtp" --password SMTP-PW-live) || exit 1
ids=$("$FAKES/fakectl.sh" seed "$TEST_DIR/metabase" '{"collections": [{"name": "Partners"}, {"name": "Template"}]}')
parent=$(printf '%s' "$ids" | pyjson 'print(d["collections"][0])')
template=$(printf '%s' "$ids" | pyjson 'print(d["collections"][1])')
"$FAKES/fakectl.sh" seed "$TEST_DIR/metabase" "{\"dashboards\": [{\"name\": \"Usage\", \"collection_id\": $template}]}" >/dev/null
"$FAKES/fakectl.sh" seed "$TEST_DIR/slack" '{"users": [{"email": "jane@acme.test"}, {"email": "joe@acme.test"}, {"email": "max@acme.test"}, {"email": "ann@acme.test"}, {"email": "bo@acme.test"}]}' >/dev/null

write_fast_config "$TEST_DIR/config.ini" "[metabase]
url = http://127.0.0.1:$MB
api_key = mb-KEY-live
parent_collection_id = $parent
template_collection_id = $template
database_ids = 1, 2
[azure]
tenant_id = tenant-1
client_id = client-1
client_secret = AZ-SECRET-live
login_url = http://127.0.0.1:$GR
graph_url = http://127.0.0.1:$GR
[teams]
team_id = team-1
[slack]
bot_token = xoxb-SLACK-live
api_url = http://127.0.0.1:$SL/api
[smtp]
host = 127.0.0.1
port = $SM
user = mailer@example.com
password = SMTP-PW-live
from = hyopps@example.com
ca_file = $TEST_DIR/smtp/cert.pem
[http]
timeout_ms = 1500
[notify]
; this test counts the documentation emails (notifications: test_notify_live, test_support_unlock.sh)
enabled = false"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
admin_login || not_ok "admin login"
no_secrets() { # no_secrets "what" text
    local s
    for s in mb-KEY-live AZ-SECRET-live xoxb-SLACK-live SMTP-PW-live gtok- Bearer; do
        case "$2" in *"$s"*) not_ok "$1: no secret ($s)"; return ;; esac
    done
    ok "$1: no secret"
}

# --- new_partner, live --------------------------------------------------------
ORG='Ünïcode & <Söhne> Ltd'
np=$(hy exec start new_partner -q)
hy exec input "$np" 1 "organization_name=$ORG" studio_company_id_test=uc-t studio_company_id_prod=uc-p >/dev/null
hy exec input "$np" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
out=$(hy worker --once 2>&1); expect_eq "worker --once exits 0" 0 "$?"
expect_contains "worker says the modes" "metabase: live" "$out"
out=$(hy exec show "$np")
expect_contains "waits at lms_setup" "awaiting_input" "$out"
expect_contains "show: the collection call" "call metabase POST /api/collection -> 200" "$out"
expect_contains "show: the dashboard copy" "call metabase POST /api/dashboard/" "$out"
expect_contains "show: the token call" "call login POST /tenant-1/oauth2/v2.0/token -> 200" "$out"
expect_contains "show: the channel call" "call graph POST /v1.0/teams/team-1/channels -> 201" "$out"
expect_contains "show: the Slack call" "call slack POST /usergroups.create -> 200" "$out"
expect_contains "show: durations and new connections" "ms, new connection)" "$out"
no_secrets "exec show" "$out"
hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null
hy exec show "$np" --json | pyjson '
s = d["step_list"]
assert d["status"] == "completed", d["status"]
for st in s[2:7]:
    assert st["status"] == "completed" and "simulated" not in st["output"], st
    assert st["calls"] and all(set(("service", "method", "path", "status", "duration_ms")) <= set(c) for c in st["calls"]), st["calls"]
assert s[2]["output"]["dashboards_copied"] == 1
assert s[6]["output"]["slack_group_handle"].startswith("ext-")
' && ok "show --json: live outputs and calls" || not_ok "show --json of the live new_partner"
no_secrets "exec show --json" "$(hy exec show "$np" --json)"
no_secrets "the calls in the database" "$(sqlite3 "$db" "SELECT group_concat(calls) FROM workflow_step_executions")"
state=$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase")
expect_eq "one collection named after the organisation" 1 "$(printf '%s' "$state" | ORG="$ORG" pyjson 'import os; print(sum(c["name"] == os.environ["ORG"] for c in d["collections"]))')"
sg() { sqlite3 "$db" "SELECT external_id FROM system_groups WHERE tool = '$1'"; }
expect_eq "system group: the Metabase group" "$(sg metabase)" "$(printf '%s' "$state" | pyjson 'print([g["id"] for g in d["groups"] if g["name"].startswith("ext-")][0])')"
expect_eq "system group: the Teams channel" "$(sg teams)" "$("$FAKES/fakectl.sh" state "$TEST_DIR/graph" | pyjson 'print(d["channels"]["team-1"][-1]["id"])')"
expect_eq "system group: the Slack group" "$(sg slack)" "$("$FAKES/fakectl.sh" state "$TEST_DIR/slack" | pyjson 'print(d["usergroups"][0]["id"])')"
hy orgs edit "$ORG" --docs-internal 'https://docs.example.com/int?a=1&b=2' --docs-general https://docs.example.com/gen >/dev/null
expect_eq "documentation links set" 0 "$?"

# --- new_partner_user, live ---------------------------------------------------
mails=$(smtp_count)
u1=$(hy exec start new_partner_user --org "$ORG" -q)
hy exec input "$u1" input_user_details firstname=Jane lastname=Doe email=jane@acme.test >/dev/null
hy worker --once 2>/dev/null; expect_eq "worker --once exits 0 (user)" 0 "$?"
hy exec show "$u1" --json | pyjson '
s = d["step_list"]
assert d["status"] == "completed", (d["status"], [x.get("error") for x in s])
assert s[8]["output"]["sent_to"] == "jane@acme.test" and s[8]["output"]["message_id"].startswith("<")
assert s[8]["calls"][0]["service"] == "smtp" and s[8]["calls"][0]["status"] == 250
assert s[2]["output"]["simulated"] is True and s[6]["output"]["simulated"] is True
' && ok "user workflow completed live; Studio simulated" || not_ok "the live user workflow"
expect_eq "one email" $((mails + 1)) "$(smtp_count)"
mail $((mails + 1)) | ORG="$ORG" pyjson '
import os
org = os.environ["ORG"]
assert d["headers"]["Subject"].startswith("=?UTF-8?B?"), d["headers"]["Subject"]
assert d["subject"] == "Documentation for " + org, d["subject"]
text, html = d["alternative"][0]["text"], d["alternative"][1]["text"]
assert "Hello Jane," in text and "Internal Documentation: https://docs.example.com/int?a=1&b=2" in text
assert "&lt;Söhne&gt;" in html and "<Söhne>" not in html and "&amp;b=2" in html
' && ok "the email: encoded subject, links, escaped HTML" || not_ok "the email's content"
out=$(hy exec show "$u1")
expect_contains "show: the SMTP send" "call smtp SEND smtp://127.0.0.1:$SM -> 250" "$out"
expect_contains "show: Studio says it is simulated" "simulated" "$out"

# --- a transient fault: retried with backoff --------------------------------------
"$FAKES/fakectl.sh" fault "$TEST_DIR/metabase" '{"method": "POST", "path": "^/api/user$", "kind": "status", "status": 503}' >/dev/null
u2=$(hy exec start new_partner_user --org "$ORG" -q)
hy exec input "$u2" input_user_details firstname=Joe lastname=Doe email=joe@acme.test >/dev/null
hy worker --once 2>/dev/null
out=$(hy exec show "$u2")
expect_contains "503: the step waits for its retry" "Metabase answered 503 to POST /api/user" "$out"
expect_eq "503: still running" running "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$u2'")"
out=$(hy exec wait "$u2" --timeout 30 2>&1); expect_eq "exec wait runs the retry" 0 "$?"
expect_eq "then completed" completed "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$u2'")"
expect_eq "two attempts on the step" 2 "$(sqlite3 "$db" "SELECT attempts FROM workflow_step_executions WHERE execution_id = '$u2' AND step_order = 4")"

# --- the email that may have arrived ----------------------------------------------
mails=$(smtp_count)
"$FAKES/fakectl.sh" fault "$TEST_DIR/smtp" '[{"kind": "drop_after_data"}]'
u3=$(hy exec start new_partner_user --org "$ORG" -q)
hy exec input "$u3" input_user_details firstname=Max lastname=Doe email=max@acme.test >/dev/null
hy worker --once 2>/dev/null
out=$(hy exec show "$u3")
expect_contains "failed: may have been delivered" "it may have been delivered" "$out"
expect_contains "failed: tells the operator what to do" "mark this step done by hand, otherwise retry it" "$out"
expect_eq "the execution failed at once" failed "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$u3'")"
expect_eq "one attempt" 1 "$(sqlite3 "$db" "SELECT attempts FROM workflow_step_executions WHERE execution_id = '$u3' AND step_order = 9")"
hy worker --once 2>/dev/null
expect_eq "a worker does not send it again" $((mails + 1)) "$(smtp_count)"
first_id=$(mail $((mails + 1)) | pyjson 'print(d["headers"]["Message-ID"])')
expect_contains "the Message-ID to look for" "$first_id" "$out"
hy exec retry "$u3" >/dev/null; expect_eq "retry exits 0" 0 "$?"
hy worker --once 2>/dev/null
expect_eq "retried: completed" completed "$(sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$u3'")"
expect_eq "retried: sent again" $((mails + 2)) "$(smtp_count)"
expect_eq "retried: the same Message-ID" "$first_id" "$(mail $((mails + 2)) | pyjson 'print(d["headers"]["Message-ID"])')"
hy exec rerun "$u3" --from 9 >/dev/null; expect_eq "rerun exits 0" 0 "$?"
hy worker --once 2>/dev/null
expect_eq "re-run: the same email is not sent twice" $((mails + 2)) "$(smtp_count)"

# --- the email that may have arrived, marked done by hand (issue 10, item 2) -----------
status() { sqlite3 "$db" "SELECT status FROM workflow_executions WHERE id = '$1'"; }
mails=$(smtp_count)
"$FAKES/fakectl.sh" fault "$TEST_DIR/smtp" '[{"kind": "drop_after_data"}]'
u4=$(hy exec start new_partner_user --org "$ORG" -q)
hy exec input "$u4" input_user_details firstname=Ann lastname=Doe email=ann@acme.test >/dev/null
hy worker --once 2>/dev/null
expect_eq "uncertain: failed" failed "$(status "$u4")"
expect_eq "uncertain: the server kept one message" $((mails + 1)) "$(smtp_count)"
sent_id=$(mail $((mails + 1)) | pyjson 'print(d["headers"]["Message-ID"])')
hy exec done "$u4" share_documentation --note arrived >/dev/null; expect_eq "done by hand exits 0" 0 "$?"
expect_eq "done by hand: completed" completed "$(status "$u4")"
hy exec rerun "$u4" --from share_documentation >/dev/null; expect_eq "rerun after done exits 0" 0 "$?"
hy worker --once 2>/dev/null
expect_eq "re-run after done by hand: completed" completed "$(status "$u4")"
expect_eq "re-run after done by hand: not sent again" $((mails + 1)) "$(smtp_count)"
hy exec show "$u4" --json | SENT="$sent_id" pyjson '
import os
o = d["step_list"][8]["output"]
assert o["resumed"] is True and o["done_by_hand"] is True, o
assert o["message_id"] == os.environ["SENT"] and o["sent_to"] == "ann@acme.test", o
' && ok "re-run: resumed the email done by hand (its Message-ID)" || not_ok "the re-run's output after done by hand"
hy orgs edit "$ORG" --docs-additional https://docs.example.com/add >/dev/null
hy exec rerun "$u4" --from share_documentation >/dev/null
hy worker --once 2>/dev/null
expect_eq "changed links: a new email" $((mails + 2)) "$(smtp_count)"
new_id=$(mail $((mails + 2)) | pyjson 'print(d["headers"]["Message-ID"])')
[ "$new_id" != "$sent_id" ] && ok "changed links: a new Message-ID" || not_ok "changed links: a new Message-ID" "$new_id"
mail $((mails + 2)) | pyjson 'assert "https://docs.example.com/add" in d["alternative"][0]["text"]' &&
    ok "changed links: the new link is in it" || not_ok "changed links: the new link is in it"
# refused by the server (nothing sent), then sent by other means and marked done: not sent by a re-run
mails=$(smtp_count)
"$FAKES/fakectl.sh" fault "$TEST_DIR/smtp" '[{"kind": "reject_after_data", "reply": "554 5.7.1 Refused"}]'
u5=$(hy exec start new_partner_user --org "$ORG" -q)
hy exec input "$u5" input_user_details firstname=Bo lastname=Doe email=bo@acme.test >/dev/null
hy worker --once 2>/dev/null
expect_eq "refused: failed, nothing kept" "failed $mails" "$(status "$u5") $(smtp_count)"
"$FAKES/fakectl.sh" fault "$TEST_DIR/smtp" '[]'
hy exec done "$u5" share_documentation --note "sent it from my own mailbox" >/dev/null
hy exec rerun "$u5" --from share_documentation >/dev/null
hy worker --once 2>/dev/null
expect_eq "refused, then done by hand: a re-run sends nothing" "completed $mails" "$(status "$u5") $(smtp_count)"

# --- a batch of 50 (hyopps exec import), live ----------------------------------------
mails=$(smtp_count)
"$FAKES/fakectl.sh" seed "$TEST_DIR/slack" "$(/usr/bin/python3 -c 'import json; print(json.dumps({"users": [{"email": "b%d@acme.test" % i} for i in range(1, 51)]}))')" >/dev/null
{ echo "firstname,lastname,email"; for i in $(seq 1 50); do echo "B$i,Batch,b$i@acme.test"; done; } >"$TEST_DIR/batch.csv"
out=$(hy exec import new_partner_user --org "$ORG" "$TEST_DIR/batch.csv" --wait --timeout 120 2>/dev/null)
expect_eq "import --wait, live: exits 0" 0 "$?"
expect_contains "import --wait, live: 50 completed" "50 started, 0 skipped: 50 completed" "$out"
expect_eq "import, live: 50 emails" $((mails + 50)) "$(smtp_count)"
expect_eq "import, live: 50 Metabase users in the group" 50 "$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" | pyjson '
import re
ids = {u["id"] for u in d["users"] if re.fullmatch(r"b[0-9]+@acme\.test", u["email"])}
print(len({m["user_id"] for m in d["memberships"] if m["user_id"] in ids}))')"
expect_eq "import, live: 50 Slack members added" 50 "$("$FAKES/fakectl.sh" state "$TEST_DIR/slack" | pyjson '
import re
uid = {u["id"] for u in d["users"] if re.fullmatch(r"b[0-9]+@acme\.test", u["profile"]["email"])}
print(len(uid & set(d["usergroups"][0]["users"])))')"
no_secrets "import --wait output" "$out"
done_testing
