#!/usr/bin/env bash
# Starts and stops the fake services of tests/fakes/ for tests and by hand.
#   tests/fakes/fakectl.sh start NAME DIR [ARGS...]
#       NAME: metabase | graph | slack | smtp. Starts fake_NAME.py in the
#       background (log in DIR/log), waits until it listens (it writes
#       DIR/port once bound; polled, no fixed sleep) and prints the port.
#       For smtp, DIR also receives the messages and state.json, and a
#       certificate is made in DIR unless --cert is given.
#   tests/fakes/fakectl.sh stop DIR      stops it (SIGTERM, then waits)
#   tests/fakes/fakectl.sh url DIR       prints http://127.0.0.1:PORT
#   tests/fakes/fakectl.sh state DIR     prints the fake's /_fake/state (JSON)
#   tests/fakes/fakectl.sh fault DIR JSON   adds a fault (see fakelib.py; for smtp
#       the JSON replaces DIR/faults.json, see fake_smtp.py)
#   tests/fakes/fakectl.sh reset DIR     back to the initial state
#   tests/fakes/fakectl.sh seed DIR JSON    adds objects (per fake); prints their ids
#   tests/fakes/fakectl.sh control DIR NAME [JSON]   POST /_fake/NAME: what a person does
#       by hand in the service (metabase: remove; graph: team_remove; slack: members)
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}; shift || true
case "$cmd" in
start)
    name=$1 dir=$2; shift 2
    mkdir -p "$dir"
    rm -f "$dir/port"
    extra=()
    if [ "$name" = smtp ]; then
        case " $* " in *" --cert "*) ;; *)
            "$here/make_cert.sh" "$dir" cert || { echo "fakectl: cannot make a certificate" >&2; exit 1; }
            extra=(--cert "$dir/cert.pem" --key "$dir/cert.key") ;;
        esac
        extra+=(--dir "$dir")
    fi
    /usr/bin/python3 "$here/fake_$name.py" --port-file "$dir/port" "${extra[@]}" "$@" >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    deadline=$(( $(date +%s) + 15 ))
    while [ ! -s "$dir/port" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "fakectl: $name exited early:" >&2; cat "$dir/log" >&2; exit 1
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "fakectl: $name did not start within 15 s" >&2; kill "$pid"; exit 1
        fi
        sleep 0.02
    done
    cat "$dir/port"
    ;;
stop)
    dir=$1
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 250); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$dir/pid"
    ;;
url)
    echo "http://127.0.0.1:$(cat "$1/port")"
    ;;
fault)
    dir=$1
    if [ -f "$dir/state.json" ]; then # the SMTP fake reads its faults from a file
        printf '%s\n' "$2" >"$dir/faults.json.tmp" && mv "$dir/faults.json.tmp" "$dir/faults.json"
        exit
    fi
    exec "$0" http-fault "$dir" "$2"
    ;;
state|http-fault|reset|seed)
    dir=$1
    /usr/bin/python3 - "$cmd" "http://127.0.0.1:$(cat "$dir/port")" "${2:-}" <<'PY'
import sys, urllib.request
what, base, body = sys.argv[1], sys.argv[2], sys.argv[3]
if what == "state":
    req = urllib.request.Request(base + "/_fake/state")
else:
    req = urllib.request.Request(base + "/_fake/" + {"http-fault": "faults", "reset": "reset", "seed": "seed"}[what],
                                 data=(body or "{}").encode(), headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req, timeout=10).read().decode())
PY
    ;;
control)
    dir=$1 name=$2
    /usr/bin/python3 - "http://127.0.0.1:$(cat "$dir/port")/_fake/$name" "${3:-}" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=(sys.argv[2] or "{}").encode(),
                             headers={"Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(req, timeout=10).read().decode())
except urllib.error.HTTPError as e:
    sys.exit("fakectl: %s answered %d: %s" % (sys.argv[1], e.code, e.read().decode()))
PY
    ;;
*)
    sed -n '2,18p' "$0" >&2
    exit 2
    ;;
esac
