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
