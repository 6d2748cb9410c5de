#!/usr/bin/env bash
# Several people at once in the real terminal UI (tmux). An admin: Import
# users on the organisation detail, a CSV file's path, the preview with the
# error beside its row, the row fixed in place, Enter starts, the progress
# updates by itself to completed, Enter opens a person's execution; a file
# with escape sequences in a name is shown escaped; under --restricted no
# file path is offered. A partner admin (restricted shell): Add several
# users with the paste area only, another organisation's address refused
# without naming it, the rows edited, started for their organisation only.
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/admin_lib.sh"
source "$(dirname "$0")/console_lib.sh"
acme_start
GLOBEX=$(cli_partner "Globex Hidden" st-glx) || { not_ok "Globex set up through the CLI"; done_testing; exit 1; }
cli_user "Globex Hidden" taken@globex.example >/dev/null || not_ok "a Globex user"
open_acme_import() { # from the admin's home: Acme's detail, then I
    open_menu Organisations
    send_keys / C-u
    send_text Acme
    send_keys Enter Enter
    wait_text "Account types"
    send_keys I
}
batch_execs() { sql "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL AND organization_id = '$1' AND status = '$2'"; }

printf 'firstname,lastname,email\nAnn,Lee,ann@acme.example\nBob,Lee,bob-at-acme\nCy,Lee,cy@acme.example\n' >"$TEST_DIR/team.csv"
printf 'firstname,lastname,email\n\x1b[31mRed,Lee,red@acme.example\n' >"$TEST_DIR/evil.csv"

# ---- an admin: a file, an error fixed in place, started, progress ----
admin_ui
open_acme_import
expect_screen "I opens Import users" "New users for Acme Corp"
expect_screen "a file path is offered" "CSV file"
expect_screen "and the paste area, with the header" "firstname,lastname,email"
send_keys Tab
send_text "$TEST_DIR/team.csv"
send_keys F2
expect_screen "F2 checks: the preview" "Acme Corp: 3 rows, 2 ready, 0 skipped, 1 with errors"
expect_line "the error beside its row" "bob-at-acme" "email: is not a valid email address"
expect_screen "says nothing starts" "Nothing starts while a row has an error"
send_keys Enter
expect_screen "Enter with an error refuses" "1 row still has errors"
expect_eq "nothing started" 0 "$(sql "SELECT count(*) FROM batches")"
send_keys Down
send_keys e
expect_screen "e opens the row" "HyOpps │ Fix a row"
send_keys Tab Tab C-u
send_text bob@acme.example
send_keys Enter
expect_screen "fixed in place: checked again" "Acme Corp: 3 rows, 3 ready, 0 skipped, 0 with errors"
send_keys Enter
expect_screen "Enter starts: the batch's progress" "HyOpps │ Batch"
expect_screen "it updates by itself to completed" "3/3 finished: 3 completed, 0 failed"
expect_eq "3 executions of Acme completed" 3 "$(batch_execs "$ACME" completed)"
expect_line "each person" "bob@acme.example" "completed"
send_keys Enter
expect_screen "Enter opens the person's execution" "HyOpps │ Execution"
send_keys Escape
expect_screen "Esc: back to the batch" "HyOpps │ Batch"
send_keys Escape
expect_screen "Esc: back to the organisation (the rows screen was replaced)" "HyOpps │ Organisation "

# escape sequences in a file: shown escaped
send_keys I
wait_text "CSV file"
send_keys Tab
send_text "$TEST_DIR/evil.csv"
send_keys F2
expect_screen "a name with an escape sequence: refused" "firstname: must be plain text"
expect_screen "... and shown escaped" '\x1b[31mRed L'
send_keys Escape Escape
app_stop

# --restricted: no file path
app_start --restricted --config "$HYOPPS_CONFIG"
ui_login admin@hyopps.local "$ADMIN_PW"
wait_text "Awaiting input"
open_acme_import
expect_screen "restricted: Import users opens" "New users for Acme Corp"
expect_no_text "restricted: no file path" "CSV file"
send_text "Ann,Lee,ann@acme.example"
send_keys Escape
expect_dialog "Esc with rows typed asks first (issue 17)" "Leave these rows? Nothing has been started."
send_keys n
expect_screen "n keeps what was typed" "Ann,Lee,ann@acme.example"
send_keys Escape
wait_text "Leave these rows?"
send_keys y
expect_screen "y leaves" "HyOpps │ Organisation "
app_stop

# ---- a partner admin: paste only, their organisation only ----
make_user pat@acme.example partner_admin "$ACME"
app_start --restricted --config "$HYOPPS_CONFIG"
ui_login pat@acme.example "$ADMIN_PW"
expect_screen "the partner console offers Add several users" "Add several users"
send_keys m
expect_screen "m opens the paste area for their organisation" "New users for Acme Corp"
expect_no_text "no file path for a partner admin" "CSV file"
send_text "Dan,Lee,dan@acme.example"
send_keys Enter
send_text "Gus,Glx,taken@globex.example"
send_keys F2
expect_screen "the preview" "Acme Corp: 2 rows, 1 ready, 0 skipped, 1 with errors"
expect_line "another organisation's address refused" "taken@globex.example" "email: this address cannot be added"
expect_no_text "without naming it" "Globex"
send_keys Escape
expect_screen "Esc: back to the rows, as typed" "Gus,Glx,taken@globex.example"
send_keys C-u F2
expect_screen "the line removed: ready (1 row, singular)" "Acme Corp: 1 row, 1 ready, 0 skipped, 0 with errors"
send_keys Enter
expect_screen "started: the progress" "1/1 finished: 1 completed"
expect_eq "Dan's execution belongs to Acme" 1 "$(sql "SELECT count(*) FROM workflow_executions e JOIN users u ON u.id = e.user_id WHERE u.email = 'dan@acme.example' AND e.organization_id = '$ACME' AND e.status = 'completed'")"
expect_eq "nothing for Globex" 0 "$(sql "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL AND organization_id = '$GLOBEX'")"
app_stop
done_testing
