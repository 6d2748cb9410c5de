# Helpers for the console tests (on top of tmux_lib.sh): set-up through the
# CLI as an admin (real workflow runs), so the UI under test finds real
# organisations, users and executions.
# shellcheck shell=bash

# A partner organisation made by a real new_partner run (the admin's CLI
# session must be open). Prints the organisation's id.
cli_partner() { # NAME STUDIO_PREFIX
    local id
    id=$(hy exec start new_partner --quiet) || return 1
    hy exec input "$id" 1 "organization_name=$1" "studio_company_id_test=$2-t" "studio_company_id_prod=$2-p" >/dev/null &&
        hy exec input "$id" 2 keycloak_cluster=prod-eu keycloak_confirmed=yes >/dev/null &&
        hy exec wait "$id" --timeout 20 >/dev/null 2>&1
    hy exec input "$id" 8 lms_confirmed=yes >/dev/null || return 1
    sql "SELECT id FROM organizations WHERE name = '$1'"
}

# The usual start of a console test: a fresh environment, simulated
# integrations, the admin's CLI session and Acme Corp (ACME: its id). A
# failure ends the test.
acme_start() {
    new_env
    e2e_config "$SIMULATE_ALL"
    admin_login >/dev/null || { not_ok "admin login through the CLI"; done_testing; exit 1; }
    ACME=$(cli_partner "Acme Corp" st-acme) || { not_ok "Acme set up through the CLI"; done_testing; exit 1; }
}

# A completed new_partner_user run for ORG. Prints the execution's id.
cli_user() { # ORG EMAIL
    local id
    id=$(hy exec start new_partner_user --org "$1" --quiet) || return 1
    hy exec input "$id" 2 firstname=Test lastname=User "email=$2" >/dev/null || return 1
    hy exec wait "$id" --timeout 20 >/dev/null 2>&1
    echo "$id"
}

# expect_line "description" LINE_TEXT WANTED: waits until the screen's line
# holding LINE_TEXT also holds WANTED.
_line_has() { line_with "$1" | grep -qF -- "$2"; }
expect_line() {
    if _poll "$E2E_TIMEOUT" _line_has "$2" "$3"; then ok "$1"
    else not_ok "$1" "the line with '$2' never held '$3'"; dump_screen; fi
}

# The fake Metabase for a live-Metabase console (the rest simulated):
# starts it (stopped at exit), seeds its collections and writes the config
# (e2e_config) with [http] max_attempts = MAX_ATTEMPTS. Sets MB, MBDIR, FAKES.
live_metabase_env() { # MAX_ATTEMPTS
    FAKES=$HYOPPS_ROOT/tests/fakes
    MBDIR=$TEST_DIR/metabase
    _stop_fake_mb() { "$FAKES/fakectl.sh" stop "$MBDIR"; }
    CLEANUP_FUNCS="${CLEANUP_FUNCS:-} _stop_fake_mb"
    MB=$("$FAKES/fakectl.sh" start metabase "$MBDIR" --api-key mb-KEY-1) || return 1
    local ids parent template
    ids=$("$FAKES/fakectl.sh" seed "$MBDIR" '{"collections": [{"name": "Partners"}, {"name": "Template"}]}')
    parent=$(printf '%s' "$ids" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["collections"][0])')
    template=$(printf '%s' "$ids" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["collections"][1])')
    e2e_config "[metabase]
url = http://127.0.0.1:$MB
api_key = mb-KEY-1
parent_collection_id = $parent
template_collection_id = $template
database_ids = 1
[teams]
mode = simulate
[slack]
mode = simulate
[smtp]
mode = simulate
[http]
timeout_ms = 8000
max_attempts = $1"
}

# From the admin's home: New request, new_partner_user, the organisation
# ORG chosen; waits for the user details form.
new_user_request() { # ORG
    open_menu "New request"
    wait_text "Which workflow do you want to start?" || return 1
    send_keys g j Enter # new_partner_user, the second of four
    wait_text "step 1 of 9: Select Organisation" || return 1
    send_text "$1"
    send_keys Enter
    wait_text "step 2 of 9: Input User Details"
}
