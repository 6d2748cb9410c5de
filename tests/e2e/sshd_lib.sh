# A private OpenSSH server for tests: Debian's sshd on a free 127.0.0.1 port,
# a test-only host key, one test client key, and a ForceCommand — the way
# partner admins reach HyOpps in production (README "Deployment over SSH").
# Usage (after new_env from tests/lib.sh):
#   sshd_start 'HYOPPS_CONFIG=/x/config.ini /path/to/hyopps --restricted'
#   ssh_cmd            # prints the ssh command line to run (e.g. inside tmux)
#   sshd_stop          # also registered for cleanup
set -u

SSHD_DIR=
SSHD_PORT=
SSHD_PID=

_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sshd_start() { # sshd_start FORCE_COMMAND
    local force=$1
    SSHD_DIR=$TEST_DIR/sshd
    mkdir -p "$SSHD_DIR"
    chmod 700 "$SSHD_DIR"
    ssh-keygen -q -t ed25519 -N '' -C hyopps-test-host -f "$SSHD_DIR/host_key" || return 1
    ssh-keygen -q -t ed25519 -N '' -C hyopps-test-client -f "$SSHD_DIR/client_key" || return 1
    cp "$SSHD_DIR/client_key.pub" "$SSHD_DIR/authorized_keys"
    chmod 600 "$SSHD_DIR/authorized_keys"
    mkdir -p /run/sshd
    local tries
    for tries in 1 2 3; do
        SSHD_PORT=$(_free_port)
        cat >"$SSHD_DIR/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PermitUserEnvironment no
AllowTcpForwarding no
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PermitTTY yes
ClientAliveInterval 2
ClientAliveCountMax 2
ForceCommand $force
CONF
        /usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" -D &
        SSHD_PID=$!
        CLEANUP_FUNCS="${CLEANUP_FUNCS:-} sshd_stop"
        # Ready when the port accepts connections (or give up if sshd died).
        if wait_for 10 _sshd_ready; then return 0; fi
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
    done
    echo "sshd did not start; log:" >&2
    cat "$SSHD_DIR/sshd.log" >&2
    return 1
}

_sshd_ready() {
    kill -0 "$SSHD_PID" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null
}

# The client command line (a terminal is forced with -tt).
ssh_cmd() {
    echo "ssh -F /dev/null -tt -i $SSHD_DIR/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -p $SSHD_PORT $(id -un)@127.0.0.1"
}

sshd_stop() {
    [ -n "${SSHD_PID:-}" ] || return 0
    kill "$SSHD_PID" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null
    SSHD_PID=
}
