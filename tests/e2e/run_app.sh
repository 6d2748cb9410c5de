#!/bin/sh
# Runs inside the test's tmux pane: the program, then what the test checks
# after it exits (its exit status and the terminal's modes). The pane then
# stays alive (tmux's state of a dead pane is not reliable) until the test
# kills its tmux server.
"$@"
rc=$?
printf '\n__EXIT=%s\n' "$rc"
stty -a | tr '\n' ' '
printf '\n__END\n'
exec cat >/dev/null
