#!/usr/bin/env bash
# `hyopps integrations check` with the real binary and a config pointing at
# the fakes (tests/fakes/): a good set-up, a bad one, JSON, and who may run it.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes

stop_fakes() { for f in metabase graph slack smtp smtp-plain; do "$FAKES/fakectl.sh" stop "$TEST_DIR/$f"; done; }
CLEANUP_FUNCS="stop_fakes"

MB=$("$FAKES/fakectl.sh" start metabase "$TEST_DIR/metabase" --api-key mb-KEY-1) || exit 1
GR=$("$FAKES/fakectl.sh" start graph "$TEST_DIR/graph" --client-secret AZ-SECRET-1) || exit 1
SL=$("$FAKES/fakectl.sh" start slack "$TEST_DIR/slack" --token xoxb-SLACK-1) || exit 1
SM=$("$FAKES/fakectl.sh" start smtp "$TEST_DIR/smtp" --password SMTP-PW-1) || exit 1
SP=$("$FAKES/fakectl.sh" start smtp "$TEST_DIR/smtp-plain" --mode plain --password SMTP-PW-1) || exit 1

config() { # config MB_KEY AZ_SECRET SLACK_TOKEN SMTP_PORT SMTP_PW
    write_fast_config "$TEST_DIR/config.ini" "[metabase]
url = http://127.0.0.1:$MB
api_key = $1
[azure]
tenant_id = tenant-1
client_id = client-1
client_secret = $2
login_url = http://127.0.0.1:$GR
graph_url = http://127.0.0.1:$GR
[teams]
team_id = team-1
[slack]
bot_token = $3
api_url = http://127.0.0.1:$SL/api
[smtp]
host = 127.0.0.1
port = $4
user = mailer@example.com
password = $5
from = hyopps@example.com
ca_file = $TEST_DIR/smtp/cert.pem
[http]
timeout_ms = 3000"
}
export HYOPPS_CONFIG=$TEST_DIR/config.ini
config mb-KEY-1 AZ-SECRET-1 xoxb-SLACK-1 "$SM" SMTP-PW-1

out=$(hy integrations check 2>&1); rc=$?
expect_eq "not logged in: exit 3" 3 "$rc"
expect_contains "not logged in: says so" "not logged in" "$out"

check "admin logs in" admin_login

out=$(hy integrations check 2>&1); rc=$?
expect_eq "good set-up: exit 0" 0 "$rc"
expect_contains "metabase OK" "metabase  live      OK: Metabase answers; the API key acts as Ada Admin <admin@example.com>" "$out"
expect_contains "teams OK" "teams     live      OK: got a Microsoft Graph token for tenant tenant-1" "$out"
expect_contains "slack OK" "slack     live      OK: the bot token works (hyopps-bot@Fake Team)" "$out"
expect_contains "email OK" "email     live      OK: 127.0.0.1:$SM accepted STARTTLS and the login" "$out"
expect_contains "studio simulated" "studio    simulate  simulated: Studio has no public API" "$out"
expect_eq "one line per integration" 5 "$(printf '%s\n' "$out" | grep -c .)"
expect_eq "smtp: logged in once" 1 "$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auth_ok"])' "$TEST_DIR/smtp/state.json")"
expect_eq "smtp: nothing sent" 0 "$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["messages"]))' "$TEST_DIR/smtp/state.json")"
state=$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase")
expect_contains "metabase: only GET /api/user/current" '"requests": {"GET /api/user/current": 1}' "$state"

out=$(hy integrations check --json 2>&1); rc=$?
expect_eq "--json: exit 0" 0 "$rc"
parsed=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; a=json.load(sys.stdin); print(" ".join("%s:%s:%s" % (x["integration"], x["mode"], x["ok"]) for x in a))')
expect_eq "--json: every integration" "metabase:live:True teams:live:True slack:live:True email:live:True studio:simulate:True" "$parsed"

# A bad set-up: each integration says exactly what is wrong, and no secret.
config mb-WRONG-9 AZ-WRONG-9 xoxb-WRONG-9 "$SP" SMTP-WRONG-9
out=$(hy integrations check 2>&1); rc=$?
expect_eq "bad set-up: exit 1" 1 "$rc"
expect_contains "metabase: 401 and the key" "metabase  live      Metabase answered 401 (Unauthenticated): check [metabase] api_key" "$out"
expect_contains "teams: login refused" "teams     live      Microsoft login answered 401 (invalid_client: AADSTS7000215" "$out"
expect_contains "teams: which settings" "check [azure] tenant_id, client_id and client_secret" "$out"
expect_contains "slack: bad token" "slack     live      Slack refused the token (invalid_auth): check [slack] bot_token" "$out"
expect_contains "email: no STARTTLS" "email     live      the SMTP server 127.0.0.1:$SP does not offer STARTTLS" "$out"
expect_contains "summary" "4 live integrations failed the check." "$out"
expect_not_contains "no secret: metabase key" "mb-WRONG-9" "$out"
expect_not_contains "no secret: azure secret" "AZ-WRONG-9" "$out"
expect_not_contains "no secret: slack token" "xoxb-WRONG-9" "$out"
expect_not_contains "no secret: smtp password" "SMTP-WRONG-9" "$out"
expect_eq "plain smtp: no login attempted" 0 "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["auth_ok"]+d["auth_fail"])' "$TEST_DIR/smtp-plain/state.json")"

# Wrong SMTP password on the STARTTLS server; Metabase unreachable.
config mb-KEY-1 AZ-SECRET-1 xoxb-SLACK-1 "$SM" SMTP-WRONG-9
sed -i "s#^url = http://127.0.0.1:$MB#url = http://127.0.0.1:9#" "$TEST_DIR/config.ini"
out=$(hy integrations check 2>&1); rc=$?
expect_eq "unreachable + wrong password: exit 1" 1 "$rc"
expect_contains "metabase: cannot reach" "metabase  live      cannot reach Metabase (GET /api/user/current)" "$out"
expect_contains "email: login refused" "the SMTP server 127.0.0.1:$SM refused the login: check [smtp] user and password" "$out"
expect_contains "the others still OK" "slack     live      OK" "$out"

# The sender (issue 10, item 5): the original's documented form works; a bad
# one stops only what sends mail, naming the setting.
config mb-KEY-1 AZ-SECRET-1 xoxb-SLACK-1 "$SM" SMTP-PW-1
out=$(EMAIL_FROM='HyOpps <noreply@example.com>' hy integrations check 2>&1); rc=$?
expect_eq "EMAIL_FROM with a display name: exit 0" 0 "$rc"
expect_contains "email OK with it" "email     live      OK: 127.0.0.1:$SM accepted STARTTLS" "$out"
out=$(EMAIL_FROM='HyOpps' hy whoami 2>&1); rc=$?
expect_eq "a bad EMAIL_FROM does not stop whoami" 0 "$rc"
expect_contains "whoami still answers" "admin@hyopps.local" "$out"
out=$(EMAIL_FROM='HyOpps' hy integrations check 2>&1); rc=$?
expect_eq "a bad EMAIL_FROM fails the check: exit 1" 1 "$rc"
expect_contains "the email line names the setting" \
    "email     live      Email cannot be sent: environment EMAIL_FROM: [smtp] from must be an email address or Display Name <address>" "$out"
expect_contains "the others still OK" "slack     live      OK" "$out"

# Nothing configured: off, with what to set.
write_fast_config "$TEST_DIR/config.ini"
out=$(hy integrations check 2>&1); rc=$?
expect_eq "all off: exit 0" 0 "$rc"
expect_contains "metabase off" "metabase  off       off: Metabase is not configured (set [metabase] url and api_key)" "$out"
expect_contains "email off" "email     off       off: Email is not configured (set [smtp] host, user, password and from)" "$out"

out=$(hy integrations 2>&1); rc=$?
expect_eq "no subcommand: usage error" 2 "$rc"
out=$(hy integrations frob 2>&1); rc=$?
expect_eq "unknown subcommand: usage error" 2 "$rc"
expect_contains "unknown subcommand: says which" "unknown subcommand 'frob'" "$out"
out=$(hy integrations check --help 2>&1); rc=$?
expect_eq "--help: exit 0" 0 "$rc"
expect_contains "--help: explains" "Administrators only." "$out"

done_testing
