#!/usr/bin/env bash
# make install puts the binary, the man page and the example config in place.
source "$HYOPPS_ROOT/tests/lib.sh"
new_env
dest=$TEST_DIR/dest
make -s -C "$HYOPPS_ROOT" install PREFIX=/usr/local DESTDIR="$dest" >/dev/null 2>&1
expect_eq "make install exits 0" 0 "$?"
check "binary installed and executable" test -x "$dest/usr/local/bin/hyopps"
out=$("$dest/usr/local/bin/hyopps" --version)
expect_contains "installed binary runs" "hyopps" "$out"
check "man page installed" test -s "$dest/usr/local/share/man/man1/hyopps.1"
check "example config installed" cmp "$HYOPPS_ROOT/config.example.ini" "$dest/usr/local/share/doc/hyopps/config.example.ini"
unit=$dest/usr/local/share/doc/hyopps/hyopps-worker.service
check "the worker's systemd unit installed" test -s "$unit"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
expect_eq "it runs the installed binary's worker" "/usr/local/bin/hyopps --config /etc/hyopps/config.ini worker" "$exec_start"
out=$("$dest${exec_start%% *}" ${exec_start#* } --help 2>&1)
expect_contains "... a command that exists (its --help)" "usage: hyopps worker" "$out"
make -s -C "$HYOPPS_ROOT" install PREFIX=/opt/hy DESTDIR="$dest" >/dev/null 2>&1
expect_eq "with another PREFIX, the unit names that binary" "/opt/hy/bin/hyopps --config /etc/hyopps/config.ini worker" \
    "$(sed -n 's/^ExecStart=//p' "$dest/opt/hy/share/doc/hyopps/hyopps-worker.service")"
# The man page and --help name the same commands.
for c in $("$HYOPPS_BIN" --help | awk '/^Commands:/{f=1;next} f && /^  [a-z]/{print $1}'); do
    if grep -q "^\.B $c" "$HYOPPS_ROOT/doc/hyopps.1"; then ok "man page documents $c"; else not_ok "man page documents $c"; fi
done
done_testing
