#!/usr/bin/env bash
# The requests list keeps the pages it read (ui/exec_pages.h): flipping
# between status filters shows a page read moments ago instead of reading
# it again. A kept page must never show what has changed since: another
# process's change (once the screen shows it, every filter shows it), and
# the session's own action on a screen above the list.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null # requests fail at Metabase
make_user jane@acme.example partner_admin "$ACME"
exec_status() { sql "SELECT status FROM workflow_executions WHERE id = '$1'"; }
status_is() { [ "$(exec_status "$1")" = "$2" ]; } # ID STATUS
failing_request() { # EMAIL: a request that fails at Metabase; prints its id
    local id
    id=$(hy exec start new_partner_user --org "Acme Corp" --quiet) || return 1
    hy exec input "$id" 2 firstname=Fay lastname=Failing "email=$1" >/dev/null
    hy exec wait "$id" --timeout 20 >/dev/null 2>&1
    echo "$id"
}
# Initech, for the end: 26 requests waiting for input, made now (their
# search index long written by then: nothing of theirs moves afterwards)
INI=$(cli_partner "Initech" st-ini) || { not_ok "Initech set up through the CLI"; done_testing; exit 1; }
make_user ian@initech.example partner_admin "$INI"
for i in $(seq 1 26); do hy exec start new_partner_user --org Initech --quiet >/dev/null; done
P1=$(failing_request fay@acme.example)
status_is "$P1" failed && ok "set-up: a request failed at Metabase" || not_ok "set-up: a request failed at Metabase"

app_start
ui_login jane@acme.example "$ADMIN_PW"
expect_screen "the partner admin's home" "Add user"
send_keys r
expect_screen "the requests list" "HyOpps │ Requests"
send_keys f
expect_line "f: the failed request" "${P1:0:8}" "failed"
send_keys a
expect_line "a: all of them" "${P1:0:8}" "failed"
send_keys f
expect_line "f again (a page kept)" "${P1:0:8}" "failed"

# ---- another process retries it: every filter shows it completed ----
hy orgs edit "Acme Corp" --metabase-group 7 >/dev/null
hy exec retry "$P1" >/dev/null 2>&1
hy exec wait "$P1" --timeout 20 >/dev/null 2>&1
status_is "$P1" completed && ok "the CLI's retry completed it" || not_ok "the CLI's retry completed it"
if wait_text "No request is failed" 2; then ok "f: the failed list empties without a key"
else not_ok "f: the failed list empties without a key"; dump_screen; fi
send_keys a
expect_line "a: the page kept before the change is not shown: completed" "${P1:0:8}" "completed"
send_keys f
expect_screen "f: still none failed" "No request is failed"
send_keys c
expect_line "c: it is among the completed" "${P1:0:8}" "completed"

# ---- the session's own action, on the request's screen above the list ----
hy orgs edit "Acme Corp" --metabase-group '' >/dev/null
P2=$(failing_request gus@acme.example)
send_keys a
expect_line "a: the second request, failed" "${P2:0:8}" "failed"
send_keys f
expect_line "f: the second request" "${P2:0:8}" "failed"
send_keys a
expect_line "a: again" "${P2:0:8}" "failed"
send_keys Home Enter
expect_screen "its screen" "✗ failed"
send_keys x
expect_dialog "cancel asks first" "Cancel"
send_keys y
wait_for 10 status_is "$P2" cancelled && ok "the partner admin cancelled it" || not_ok "the partner admin cancelled it"
send_keys q
expect_line "back on the list: cancelled" "${P2:0:8}" "cancelled"
send_keys f
expect_screen "f: the failed list does not show it (the page kept before the cancel is gone)" "No request is failed"
send_keys x
expect_line "x: it is among the cancelled" "${P2:0:8}" "cancelled"

# ---- a taller terminal: the rows that now fit are loaded without a key ----
app_also
ui_login ian@initech.example "$ADMIN_PW"
expect_screen "Initech's partner admin" "Add user"
send_keys r
expect_screen "Initech's requests" "HyOpps │ Requests"
send_keys w
expect_screen "w: a page of the 26 waiting" "of 26 requests"
shown() { pane_text | grep -c "awaiting input"; }
before=$(shown)
[ "$before" -lt 26 ] && ok "a 30-line terminal shows fewer than the 26 ($before)" ||
    not_ok "a 30-line terminal shows fewer than the 26" "$before shown"
tmx resize-window -t app -x 100 -y 50
all_shown() { [ "$(shown)" -ge 26 ]; }
if _poll 2 all_shown; then ok "taller: all 26 shown, no key pressed"
else not_ok "taller: all 26 shown, no key pressed" "$(shown) shown"; dump_screen; fi

done_testing
