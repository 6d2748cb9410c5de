#!/usr/bin/env bash
# hyopps exec import and hyopps batch, as an admin and a partner admin would
# use them: the issue's 50-row file (a bad email on line 7, a duplicate on
# line 31) checked and refused, then fixed and run to completion, then
# imported again ("already has access"); hostile files (unbalanced quotes,
# NUL bytes, invalid UTF-8, 10,000 columns, a 1 MiB field, escape
# sequences) refused with errors naming the line, and escaped output; a
# partner admin kept to their organisation; --json; exec list --batch.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
SIM=$SIMULATE_ALL
write_fast_config "$TEST_DIR/config.ini" "$SIM"
export HYOPPS_CONFIG=$TEST_DIR/config.ini
db=$HYOPPS_DB
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
execs() { sqlite3 "$db" "SELECT count(*) FROM workflow_executions WHERE workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = 'new_partner_user')"; }

# --- help ----------------------------------------------------------------------
out=$(hy exec import --help); expect_eq "exec import --help exits 0" 0 "$?"
expect_contains "import help names the columns" "firstname, lastname, email (required)" "$out"
out=$(hy exec --help); expect_contains "exec --help lists import" "exec import new_partner_user" "$out"
hy batch --help >/dev/null; expect_eq "batch --help exits 0" 0 "$?"
hy batch show --help >/dev/null; expect_eq "batch show --help exits 0" 0 "$?"
out=$(hy --help); expect_contains "hyopps --help lists batch" "batch" "$out"
hy exec import new_partner_user >/dev/null 2>&1; expect_eq "import without a file exits 2" 2 "$?"
hy exec import new_partner_user x.csv --dry-run --wait >/dev/null 2>&1; expect_eq "--dry-run with --wait exits 2" 2 "$?"

admin_login || not_ok "admin login"
partner() { # partner NAME PREFIX: a completed new_partner
    local np
    np=$(hy exec start new_partner -q)
    hy exec input "$np" 1 "organization_name=$1" "studio_company_id_test=$2-t" "studio_company_id_prod=$2-p" >/dev/null
    hy exec input "$np" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null
    hy exec input "$np" lms_setup lms_confirmed=yes >/dev/null
}
partner Acme acme
partner 'Globex Hidden Ltd' glx
globex=$(sqlite3 "$db" "SELECT id FROM organizations WHERE name = 'Globex Hidden Ltd'")
sqlite3 "$db" "INSERT INTO users(id, firstname, lastname, email, organization_id, app_role, password_hash)
               VALUES('bbbbbbbb-0000-4000-8000-000000000002', 'Gus', 'Glx', 'gus@globex.test', '$globex', 'user', '!')"

# The issue's file: header on line 1, person i on line i+1.
fifty() { # fifty bad|good
    echo "email,firstname,lastname,languages"
    for i in $(seq 1 50); do
        line=$((i + 1))
        if [ "$1" = bad ] && [ $line = 7 ]; then echo "p$i-at-acme.test,F$i,L$i,en"
        elif [ "$1" = bad ] && [ $line = 31 ]; then echo "p4@acme.test,F$i,L$i,en"
        else echo "p$i@acme.test,F$i,L$i,\"en,de\""; fi
    done
}
fifty bad >bad.csv
fifty good >good.csv

# --- the 50-row file with two bad rows -------------------------------------------
out=$(hy exec import new_partner_user --org Acme bad.csv --dry-run 2>&1); expect_eq "dry run with errors exits 1" 1 "$?"
expect_eq "exactly two rows are errors" "7 31" "$(printf '%s\n' "$out" | awk '$3 == "error" {print $1}' | xargs)"
expect_contains "line 7: the bad email" "p6-at-acme.test  error   email: is not a valid email address" "$out"
expect_contains "line 31: the duplicate, naming line 5" "email: is already on line 5 of this file" "$out"
expect_eq "48 rows ready" 48 "$(printf '%s\n' "$out" | awk '$3 == "ready"' | wc -l)"
expect_contains "the summary" "50 rows for Acme: 48 ready, 0 skipped, 2 with errors." "$out"
expect_contains "says nothing started" "Nothing was started" "$out"
expect_eq "dry run created nothing" 0 "$(execs)"
hy exec import new_partner_user --org Acme bad.csv >/dev/null 2>&1; expect_eq "the real import with errors exits 1" 1 "$?"
expect_eq "...and created nothing" "0 0" "$(execs) $(sqlite3 "$db" 'SELECT count(*) FROM batches')"
expect_eq "...no user either" 0 "$(sqlite3 "$db" "SELECT count(*) FROM users WHERE email LIKE 'p%@acme.test'")"

# --- fixed: 50 executions, one batch, run to completion ---------------------------
out=$(hy exec import new_partner_user --org Acme good.csv --wait 2>progress.txt); expect_eq "import --wait exits 0" 0 "$?"
expect_eq "50 executions" 50 "$(execs)"
expect_eq "all completed" 50 "$(sqlite3 "$db" "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL AND status = 'completed'")"
batch=$(sqlite3 "$db" "SELECT id FROM batches")
expect_contains "started message" "Started batch $batch: 50 executions" "$out"
expect_contains "the per-person report" "p17@acme.test  completed" "$out"
expect_contains "the counts" "50 started, 0 skipped: 50 completed" "$out"
expect_contains "progress as lines when not a terminal" "batch ${batch:0:8}: 50/50 finished: 50 completed, 0 failed" "$(cat progress.txt)"
expect_not_contains "no bar when not a terminal" "[#" "$(cat progress.txt)"
out=$(hy batch list); expect_contains "batch list" "${batch:0:8}  Acme          admin@hyopps.local  50       0        50/0" "$out"
hy batch show "${batch:0:8}" --json | pyjson '
assert d["rows"] == 50 and d["started"] == 50 and d["counts"]["completed"] == 50 and d["settled"], d
p = d["people"]
assert [x["line"] for x in p] == list(range(2, 52))
assert p[16]["email"] == "p17@acme.test" and p[16]["status"] == "completed" and len(p[16]["execution_id"]) == 36
' && ok "batch show --json: each person" || not_ok "batch show --json"
hy exec list --batch "${batch:0:8}" --json | pyjson 'assert d["total"] == 50 and d["counts"]["completed"] == 50 and d["counts_exact"]' \
    && ok "exec list --batch" || not_ok "exec list --batch"
hy exec list --batch ffffffff >/dev/null 2>&1; expect_eq "exec list --batch unknown exits 4" 4 "$?"

# --- again: everyone already has access ------------------------------------------
out=$(hy exec import new_partner_user --org Acme good.csv 2>&1); expect_eq "importing again exits 0" 0 "$?"
expect_eq "50 already have access" 50 "$(printf '%s\n' "$out" | grep -c 'skipped  already has access')"
expect_contains "nothing to start" "Nothing to start." "$out"
expect_eq "no new execution" 50 "$(execs)"
hy exec import new_partner_user --org Acme good.csv --dry-run --include-existing --json | pyjson '
assert d["ready"] == 50 and d["skipped"] == 0 and d["batch_id"] is None, d' \
    && ok "--include-existing makes them ready (--json)" || not_ok "--include-existing"

# --- standard input, semicolons, BOM, CRLF, quoted fields ---------------------------
printf '\xef\xbb\xbfLast Name;First Name;Email;Studio Companies\r\n"O""Neil";"Ann; Jr";ann@acme.test;"Acme TEST"\r\n' |
    hy exec import new_partner_user --org Acme - --json --wait | pyjson '
l = d["lines"][0]
assert l["line"] == 2 and l["status"] == "ready" and d["batch"]["counts"]["completed"] == 1, d' \
    && ok "stdin, BOM, semicolons, CRLF, a quoted name, a Studio company by name" || not_ok "stdin import"
expect_eq "the quoted names kept" "Ann; Jr|O\"Neil" "$(sqlite3 "$db" "SELECT firstname || '|' || lastname FROM users WHERE email = 'ann@acme.test'")"
expect_eq "only that Studio company" "acme-t" "$(sqlite3 "$db" "SELECT sc.studio_id FROM user_studio_access a JOIN studio_companies sc ON sc.id = a.studio_company_id JOIN users u ON u.id = a.user_id WHERE u.email = 'ann@acme.test'")"

# --- hostile files ------------------------------------------------------------------
before=$(execs)
hostile() { # hostile "what" "expected message" FILE
    local out rc
    out=$(hy exec import new_partner_user --org Acme "$3" 2>&1); rc=$?
    expect_eq "$1: exits 1" 1 "$rc"
    expect_contains "$1: says so" "$2" "$out"
}
printf 'firstname,lastname,email\nA,B,a1@acme.test\n"C,D,c@acme.test\nE,F,e@acme.test\n' >unbalanced.csv
hostile "unbalanced quotes" "unbalanced.csv: line 3: a quoted field starts there and is never closed" unbalanced.csv
printf 'firstname,lastname,email\nA,B,a1@acme.test\nC,D\0E,c@acme.test\n' >nul.csv
hostile "NUL bytes" "nul.csv: line 3 contains a NUL byte" nul.csv
printf 'firstname,lastname,email\nJ\xfcrgen,B,a1@acme.test\n' >latin1.csv
hostile "invalid UTF-8" "latin1.csv: line 2 is not valid UTF-8" latin1.csv
/usr/bin/python3 -c 'print(",".join("c%d" % i for i in range(10000))); print("x")' >wide.csv
hostile "10,000 columns" "has 10000 columns; at most 64" wide.csv
/usr/bin/python3 -c 'import sys; sys.stdout.write("firstname,lastname,email\nA,B," + "x" * (1 << 20) + "\n")' >big.csv
hostile "a 1 MiB field" "big.csv has 1048606 bytes; at most 1 MiB" big.csv
/usr/bin/python3 -c 'import sys; sys.stdout.write("firstname,lastname,email\nA,B," + "x" * 1000000 + "@acme.test\n")' >long.csv
out=$(hy exec import new_partner_user --org Acme long.csv 2>&1); expect_eq "a field of almost 1 MiB: exits 1" 1 "$?"
expect_contains "...the form's rule" "email: is not a valid email address" "$out"
expect_eq "...in one short line" 1 "$(printf '%s\n' "$out" | awk 'length > 300' | wc -l | awk '{print ($1 == 0)}')"
printf 'firstname,lastname,email,\x1b]0;owned\x07\nA,B,a1@acme.test,x\n' >esc-header.csv
hostile "escape sequences in the header" 'unknown column '"'"'\x1b]0;owned\x07'"'" esc-header.csv
printf 'firstname,lastname,email\n\x1b[2J\x1b[31mEvil,\xe2\x80\xaeRLO,evil@acme.test\n' >esc.csv
out=$(hy exec import new_partner_user --org Acme esc.csv 2>&1); expect_eq "escape sequences in names: exits 1" 1 "$?"
expect_contains "...the name refused by the form's rule" "firstname: must be plain text" "$out"
expect_not_contains "...no raw ESC reaches the terminal" $'\x1b' "$out"
expect_not_contains "...no raw RLO either" $'\xe2\x80\xae' "$out"
hy exec import new_partner_user --org Acme esc.csv --json 2>/dev/null | grep -q $'\x1b'; expect_eq "--json has no raw ESC" 1 "$?"
printf '' >empty.csv
hostile "an empty file" "empty.csv: the file is empty" empty.csv
hostile "a missing file" "cannot read nope.csv" nope.csv
write_fast_config "$TEST_DIR/small.ini" "$SIM
[bulk]
max_rows = 10"
out=$(HYOPPS_CONFIG=$TEST_DIR/small.ini hy exec import new_partner_user --org Acme good.csv 2>&1)
expect_contains "[bulk] max_rows" "the file has 50 rows; at most 10 are imported at once ([bulk] max_rows)" "$out"
expect_eq "hostile files created nothing" "$before" "$(execs)"

# --- a partner admin ----------------------------------------------------------------
acme=$(sqlite3 "$db" "SELECT id FROM organizations WHERE name = 'Acme'")
cli_partner_admin pat@acme.test "$acme" "$TEST_DIR/pat-state" || not_ok "a partner admin of Acme"
(
    export XDG_STATE_HOME=$TEST_DIR/pat-state
    printf 'firstname,lastname,email\nNew,Person,new@acme.test\n' >pat.csv
    out=$(hy exec import new_partner_user --org 'Globex Hidden Ltd' pat.csv 2>&1); expect_eq "partner admin: another organisation exits 4" 4 "$?"
    expect_contains "...as not found" "no organisation matches" "$out"
    hy exec import new_partner_user --org "$globex" pat.csv >/dev/null 2>&1; expect_eq "...by id too" 4 "$?"
    printf 'firstname,lastname,email\nGus,Glx,gus@globex.test\n' >gus.csv
    out=$(hy exec import new_partner_user gus.csv --dry-run 2>&1); expect_eq "partner admin: another organisation's address exits 1" 1 "$?"
    expect_contains "...refused" "this address cannot be added to your organisation" "$out"
    expect_not_contains "...without saying where" "Globex" "$out"
    out=$(hy exec import new_partner_user pat.csv --wait 2>/dev/null); expect_eq "partner admin imports into their own (no --org)" 0 "$?"
    expect_contains "...completed" "new@acme.test  completed" "$out"
    hy batch list --json | pyjson 'assert len(d) == 3 and {b["organization_name"] for b in d} == {"Acme"} and d[0]["requested_by_email"] == "pat@acme.test"' \
        && ok "partner admin: batch list shows the batches of their organisation, newest first" || not_ok "partner batch list"
    hy batch show "${batch:0:8}" >/dev/null 2>&1; expect_eq "partner admin: the admin's Acme batch is theirs to see" 0 "$?"
    exit $_tap_failed
) >"$TEST_DIR/pat.tap"
relay_tap "$TEST_DIR/pat.tap"
# a partner admin of another organisation
cli_partner_admin gia@globex.test "$globex" "$TEST_DIR/gia-state" || not_ok "a partner admin of Globex"
(
    export XDG_STATE_HOME=$TEST_DIR/gia-state
    hy batch show "${batch:0:8}" >/dev/null 2>&1; expect_eq "another partner admin: the batch is not found" 4 "$?"
    hy exec list --batch "${batch:0:8}" >/dev/null 2>&1; expect_eq "...nor its executions" 4 "$?"
    expect_eq "...and no batch listed" "[]" "$(hy batch list --json | tr -d ' \n')"
    exit $_tap_failed
) >"$TEST_DIR/gia.tap"
relay_tap "$TEST_DIR/gia.tap"

done_testing
