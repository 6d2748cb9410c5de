# Helpers for the admin screens' end-to-end tests (on top of tmux_lib.sh).
# shellcheck shell=bash

ADMIN_PW=admin-pass-1

# Starts the UI and logs in as the seeded admin (admin_login must have run:
# the password is admin-pass-1). Waits for the admin home.
admin_ui() { # [app args...]
    app_start "$@"
    ui_login admin@hyopps.local "$ADMIN_PW"
    wait_text "Awaiting input" || { not_ok "the admin home opens"; dump_screen; return 1; }
}

# Opens a screen of the home menu by name, through the menu's filter (the
# menu's order does not matter). From the home screen.
open_menu() { # NAME
    wait_text "HyOpps │ Home" || return 1
    send_keys / C-u
    send_text "$1"
    send_keys Enter Enter
}

# The pane's line that contains TEXT (the first), or nothing.
line_with() { pane_text | grep -F -- "$1" | head -1; }

# The line just after the one that contains TEXT.
line_after() { pane_text | grep -F -A1 -- "$1" | sed -n 2p; }

# A CLI environment of its own (another person's session file).
as_other() { # STATE_DIR command...
    local dir=$1; shift
    XDG_STATE_HOME=$dir "$@"
}

# The text inside a dialog's frame as one line (what is beside the frame
# is dropped; runs of blanks squeezed): for text a dialog wraps.
dialog_text() { pane_text | grep '│.*│' | sed 's/^[^│]*│//; s/│[^│]*$//' | tr '\n' ' ' | tr -s ' '; }
_dialog_has() { dialog_text | grep -qF -- "$1"; }
# expect_dialog "description" TEXT: waits until the dialog says TEXT.
expect_dialog() {
    if _poll "$E2E_TIMEOUT" _dialog_has "$2"; then ok "$1"; else not_ok "$1" "never appeared: $2"; dump_screen; fi
}
