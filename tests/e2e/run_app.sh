#!/bin/sh
# Runs inside the test's tmux pane: the program, then what the test checks
# after it exits (its exit status and the terminal's modes). The pane then
# stays alive (tmux's state of a dead pane is not reliable) until the test
# kills its tmux server.
trap ':' INT # Ctrl-C reaches the whole foreground group: only the app should act on it
"$@"
rc=$?
printf '\n__EXIT=%s\n' "$rc"
stty -a | tr '\n' ' '
printf '\n__END\n'
# Safety net if the test itself dies: the server goes away after 10 minutes.
timeout 600 cat >/dev/null
tmux kill-server
