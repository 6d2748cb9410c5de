#!/usr/bin/env bash
# The Integrations screen in the real terminal UI (tmux), against the fake
# services: each integration's mode and where it points (never a secret);
# the check with a good set-up, a slow one (progress, keys keep working)
# and a bad one, with the result per line.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
new_env
FAKES=$HYOPPS_ROOT/tests/fakes
stop_fakes() { for f in metabase graph slack; do "$FAKES/fakectl.sh" stop "$TEST_DIR/$f"; done; }
CLEANUP_FUNCS="${CLEANUP_FUNCS:-} stop_fakes"
MB=$("$FAKES/fakectl.sh" start metabase "$TEST_DIR/metabase" --api-key mb-KEY-1) || exit 1
GR=$("$FAKES/fakectl.sh" start graph "$TEST_DIR/graph" --client-secret AZ-SECRET-1) || exit 1
SL=$("$FAKES/fakectl.sh" start slack "$TEST_DIR/slack" --token xoxb-SLACK-1) || exit 1

config() { # MB_KEY AZ_SECRET SLACK_TOKEN
    e2e_config "[metabase]
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
[http]
timeout_ms = 4000"
}
config mb-KEY-1 AZ-SECRET-1 xoxb-SLACK-1
admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
hy logout >/dev/null 2>&1

# ---- a good set-up ----
admin_ui || { done_testing; exit 1; }
open_menu Integrations
expect_screen "the integrations screen opens" "HyOpps │ Integrations"
expect_contains "metabase: live, and where" "live      http://127.0.0.1:$MB" "$(line_with metabase)"
expect_contains "teams: live, its team" "live      team team-1 (tenant set)" "$(line_with teams)"
expect_contains "email: off" "off" "$(line_with email)"
expect_contains "studio: simulated" "simulate  no public API" "$(line_with studio)"
expect_screen "nothing is checked before asking" "not checked yet: press c"
send_keys c
expect_screen "the check ends" "every live integration answered."
expect_contains "metabase OK, on its line" "OK: Metabase answers" "$(line_with "▶ metabase")"
expect_screen "the selected line's result in full" "OK: Metabase answers; the API key acts as Ada Admin <admin@example.com>"
expect_contains "teams OK" "OK: got a Microsoft Graph token" "$(line_with "  teams")"
expect_contains "slack OK" "OK: the bot token works" "$(line_with "  slack")"
expect_contains "email off: what to set" "off: Email is not configured" "$(line_with "  email")"
for secret in mb-KEY-1 AZ-SECRET-1 xoxb-SLACK-1; do expect_no_text "no secret on screen ($secret)" "$secret"; done

# ---- a slow service: progress, and keys keep working ----
"$FAKES/fakectl.sh" fault "$TEST_DIR/metabase" '{"method":"GET","path":"/api/user/current","kind":"hang","seconds":2}' >/dev/null
send_keys c
expect_screen "the check shows its progress" "Checking the live integrations…"
expect_screen "each live line says it is being checked" "checking..."
send_keys c
expect_screen "keys keep working meanwhile" "Still checking; Esc leaves without waiting."
send_keys j
expect_screen "the selection moves meanwhile" "▶ teams"
expect_screen "the slow check ends with Metabase's failure" "1 live integration failed."
send_keys k
expect_screen "the hang-up is reported on its line" "cannot reach Metabase"
send_keys Q
wait_text "Quit now?"
send_keys y
app_exit_status >/dev/null

# ---- a bad set-up: each line says what is wrong, and no secret ----
config mb-WRONG-9 AZ-WRONG-9 xoxb-WRONG-9
admin_ui || { done_testing; exit 1; }
open_menu Integrations
send_keys c
expect_screen "the bad check ends" "3 live integrations failed."
expect_screen "metabase: the key is refused" "Metabase answered 401 (Unauthenticated): check [metabase] api_key"
send_keys j
expect_screen "teams: the login is refused" "Microsoft login answered 401 (invalid_client"
send_keys j
expect_screen "slack: the token is refused" "Slack refused the token (invalid_auth): check [slack] bot_token"
for secret in mb-WRONG-9 AZ-WRONG-9 xoxb-WRONG-9; do expect_no_text "no secret on screen ($secret)" "$secret"; done
expect_eq "the check changed nothing in Metabase" 0 \
    "$("$FAKES/fakectl.sh" state "$TEST_DIR/metabase" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(sum(v for k,v in r.items() if not k.startswith("GET")))')"
send_keys Q
wait_text "Quit now?"
send_keys y
expect_eq "the app exits with status 0" 0 "$(app_exit_status)"
done_testing
