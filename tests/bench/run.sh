#!/usr/bin/env bash
# make bench: the engine's throughput and latencies (empty database and one
# holding 100,000 finished executions; 1, 2 and 4 workers) and the execution
# list on 200,000 executions. Writes BENCHMARKS.md (tables from this run,
# then tests/bench/notes.md).
#   BENCH_EXECUTIONS=N   executions per engine run (default 5000)
#   BENCH_HISTORY=N      finished executions already there (default 100000)
#   BENCH_LIST=N         executions for the list benchmark (default 200000)
#   BENCH_ONLY=engine    only the first part (engine, list, live, notifications,
#                        notes.md): the sections from ui:begin on are kept as they are
#   BENCH_ONLY=live      only the live-mode section (tests/bench/live.sh),
#                        replaced in the existing BENCHMARKS.md
#   BENCH_ONLY=ui        only the terminal UI's benchmark: replaces its section
#                        (between the ui:begin/ui:end markers) in BENCHMARKS.md
#   BENCH_ONLY=bulk      only the import benchmark (bench_bulk): replaces its
#                        section (bulk:begin/bulk:end) in BENCHMARKS.md
#   BENCH_ONLY=bastion   only the bastion (bastion:begin/bastion:end): hundreds
#                        of sessions on pseudo-terminals next to a worker
#   BENCH_BASTION_IDLE=N, BENCH_BASTION_ACTIVE=N (200, 50 sessions),
#   BENCH_BASTION_SECONDS=S (60: each idle measurement),
#   BENCH_BASTION_PRODUCE=K (10000: the backlog a worker drains per run),
#   BENCH_BASTION_SLICES=1 the worker and the sessions in two cpu cgroups, as
#                        systemd's system.slice and user.slice (root)
#   BENCH_BASTION_NICE=N (-10: the worker's niceness, Nice= of doc/hyopps-worker.service)
#   BENCH_ONLY=notify    only the notifications benchmark (tests/bench/bench_notify.c),
#                        replaced between the notify:begin/notify:end markers
#   BENCH_NOTIFY=N       executions per notifications run (default 2000)
#   BENCH_ONLY=reconcile only the reconciliation benchmark (bench_reconcile):
#                        replaces its section (reconcile:begin/end) in BENCHMARKS.md
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}/bench
M=${BENCH_EXECUTIONS:-5000}
H=${BENCH_HISTORY:-100000}
L=${BENCH_LIST:-200000}
out=BENCHMARKS.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.err" "$tmp.rows" "$tmp.ui" "$tmp.bulk" "$tmp.notify" "$tmp.reconcile" "$tmp.bastion"' EXIT
BI=${BENCH_BASTION_IDLE:-200}
BA=${BENCH_BASTION_ACTIVE:-50}
BS=${BENCH_BASTION_SECONDS:-60}
BP=${BENCH_BASTION_PRODUCE:-10000}
BN=${BENCH_BASTION_NICE:--10}

# The terminal UI (bench_ui): its section of BENCHMARKS.md, between markers.
ui_section() {
    echo "bench: the terminal UI on $L executions, 20000 organisations, 100000 users" >&2
    env ${cache:+BENCH_CACHE_DB=$cache/ui-$L.db} \
        "$B/bench_ui" --binary "${BUILD:-build}/hyopps" --executions "$L" --orgs 20000 --users 100000 >"$tmp.ui" 2>"$tmp.err"
    local data
    data=$(sed -n 's/^<!-- data \(.*\) -->$/\1/p' "$tmp.ui")
    echo "<!-- ui:begin -->"
    echo "## The terminal UI on $L executions"
    echo
    echo "Produced by \`make bench\` (tests/bench/bench_ui.c) on $(date -u +%Y-%m-%d):"
    echo "$(sed -n 's/^<!-- machine \(.*\) -->$/\1/p' "$tmp.ui"). Release build,"
    echo "integrations simulated. The database: $data (the engine benchmark's"
    echo "generator, with shared users and cloned organisations). Times in ms unless said."
    echo
    grep '^|' "$tmp.ui"
    echo
    cat tests/bench/notes_ui.md
    echo "<!-- ui:end -->"
}

# The bastion (bench_bastion): its section of BENCHMARKS.md, between markers.
bastion_section() {
    echo "bench: the bastion: $BI idle + $BA active sessions and a worker, on $L executions (several minutes)" >&2
    env ${cache:+BENCH_CACHE_DB=$cache/ui-$L.db} \
        "$B/bench_bastion" --binary "${BUILD:-build}/hyopps" --executions "$L" --orgs 20000 --users 100000 \
        --idle "$BI" --active "$BA" --seconds "$BS" --produce "$BP" --runs "${BENCH_REPEAT:-3}" --worker-nice "$BN" \
        ${BENCH_BASTION_SLICES:+--slices} \
        >"$tmp.bastion" 2>"$tmp.err" || { cat "$tmp.err" >&2; exit 1; }
    echo "<!-- bastion:begin -->"
    echo "## The bastion: $BI idle and $BA active sessions next to a worker"
    echo
    echo "Produced by \`make bench\` (tests/bench/bench_bastion.c) on $(date -u +%Y-%m-%d):"
    echo "$(sed -n 's/^<!-- machine \(.*\) -->$/\1/p' "$tmp.bastion"). Release build,"
    echo "integrations simulated, the terminal UI's database ($L executions, 20,000"
    echo "organisations, 100,000 users). Partner admins logged in on pseudo-terminals"
    echo "(80×24); the machine is shared with other work (the load averages are given)."
    echo
    grep '^|' "$tmp.bastion"
    echo
    echo "### Against the targets (the bastion)"
    echo
    /usr/bin/python3 - "$tmp.bastion" <<'PY'
import re, sys
d, mem = {}, []
for line in open(sys.argv[1]):
    m = re.match(r"<!-- (\S+) (.*) -->", line)
    if not m: continue
    kv = dict(x.split("=", 1) for x in m.group(2).split() if "=" in x)
    if m.group(1) == "memory": mem.append(int(kv["private_kb"]))
    elif m.group(1) == "idle": d["idle " + m.group(2).split()[0]] = kv
    else: d[m.group(1)] = kv
def verdict(ok): return "met" if ok else "not met"
w, nw = d.get("idle worker", {}), d.get("idle noworker", {})
if w and nw:
    a, b = float(w["per"]), float(nw["per"])
    print("- **Idle: <= 0.05 ms of CPU per second per session: %s** with a worker alive (%.4f)"
          % (verdict(a <= 0.05), a))
    print("  and %s without one (%.4f)." % (verdict(b <= 0.05), b))
if mem:
    print("- **Private memory per idle session <= 2.5 MB: %s** (%s MB)."
          % (verdict(max(mem) <= 2560), " and ".join("%.2f" % (m / 1024) for m in mem)))
t = d.get("throughput")
if t:
    c = float(t.get("pair_median_pct", t["change_pct"]))
    print("- **One worker's executions/s within 5%% of the same runs with the sessions stopped: %s** (%+.1f%%, the median of the pairs of runs side by side; %+.1f%% median against median)." % (verdict(c >= -5), c, float(t["change_pct"])))
    c1, c2 = d.get("control1"), d.get("control2")
    if c1 and c2:
        print("  The controls, the sessions stopped (the median pairs): the same CPU spent by plain processes %+.1f%%;"
              " programs on pseudo-terminals typed to as the sessions are, spending a session's CPU and writing its"
              " bytes per key, %+.1f%%: what that much CPU, and that much terminal traffic, cost the worker on this"
              " machine, whoever causes them." % (float(c1["pair_median_pct"]), float(c2["pair_median_pct"])))
k = d.get("keys")
if k:
    print("- **Key to screen p99 <= 30 ms: %s** (%.1f ms)." % (verdict(float(k["p99"]) <= 30), float(k["p99"])))
r = d.get("refresh")
if r:
    worst = max(float(r["quiet_max"]), float(r["busy_max"]))
    print("- **A change shows in another session within 1 s: %s** (at most %.0f ms)." % (verdict(worst <= 1000), worst))
PY
    echo
    cat tests/bench/notes_bastion.md
    echo "<!-- bastion:end -->"
}

# Importing many people (bench_bulk): its section of BENCHMARKS.md, between markers.
bulk_section() {
    echo "bench: importing 500 people (check, start, one worker)" >&2
    "$B/bench_bulk" --rows 500 --repeat "${BENCH_REPEAT:-3}" >"$tmp.bulk" 2>"$tmp.err" || { cat "$tmp.err" >&2; exit 1; }
    echo "<!-- bulk:begin -->"
    echo "## Importing many people (\`hyopps exec import\`)"
    echo
    echo "Produced by \`make bench\` (tests/bench/bench_bulk.c) on $(date -u +%Y-%m-%d):"
    echo "$(grep -v '^|' "$tmp.bulk" | head -1). Release build, integrations simulated, the"
    echo "median of ${BENCH_REPEAT:-3} runs. A 500-row CSV file: parsed (libcsv) and checked row by row"
    echo "with the form's rules (dry run); then checked again under the write lock and"
    echo "started: the batch, its rows and 500 executions in one transaction, every auto"
    echo "step left to the runners. Then one worker alone (the WAL copied back first)"
    echo "works through those 500, and through 500 started one by one"
    echo "(\`ops_exec_start\` + \`ops_exec_submit\`, \`inline_local_steps = false\`)."
    echo
    echo "| what | time or rate |"
    echo "|---|---|"
    grep '^|' "$tmp.bulk"
    echo
    echo "Targets: checking and starting 500 rows <= 500 ms; the batch's executions/s"
    echo "with one worker within 10% of one-by-one starts. The import also indexes the"
    echo "500 for the search in its own transaction, which the worker does for"
    echo "executions started one by one; runs on this shared machine vary by 10-20%."
    echo "<!-- bulk:end -->"
}

# Notifications never slow a step (bench_notify): its section, between markers.
notify_section() {
    local n=${BENCH_NOTIFY:-2000}
    echo "bench: notifications off / on with a slow SMTP server / on with a dead one ($n executions, median of 3)" >&2
    "$B/bench_notify" --executions "$n" --repeat 3 >"$tmp.notify" 2>"$tmp.err" || { cat "$tmp.err" >&2; exit 1; }
    echo "<!-- notify:begin -->"
    echo "## Notifications do not slow the workflows"
    echo
    echo "Produced by \`make bench\` (tests/bench/bench_notify.c) on $(date -u +%Y-%m-%d):"
    echo "$(sed -n 's/^<!-- machine \(.*\) -->$/\1/p' "$tmp.notify"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "when it ran. new_partner_user started with its organisation and given its"
    echo "input through ops ($n executions, the simulated steps run by the input),"
    echo "each variant on a fresh database, the run with the median executions/s of 3."
    echo "With notifications on, every execution writes three events in the"
    echo "transactions of its changes (input needed at steps 1 and 2, completed); a"
    echo "notifier thread with its own connection and configuration (as in a \`hyopps"
    echo "worker\` process) addresses and delivers them live to the SMTP fake (STARTTLS,"
    echo "AUTH) answering each message after 200 ms, or to a port where nothing listens."
    echo "Input ms: the ops call, median / p99. Left to a runner: executions whose input"
    echo "ran its local steps for longer than 20 ms and left the rest queued. The last"
    echo "columns: at the end of the timed run, events written, events addressed, emails"
    echo "delivered, and what still waited (it is delivered afterwards: a slow server"
    echo "makes a backlog of notifications, never of steps)."
    echo
    echo "| notifications | executions | executions/s | input ms | left to a runner | events | addressed | delivered | waiting |"
    echo "|---|---|---|---|---|---|---|---|---|"
    grep '^|' "$tmp.notify"
    echo "<!-- notify:end -->"
}

# Reconciliation (bench_reconcile): 100 organisations x 50 users on the fakes.
reconcile_section() {
    echo "bench: reconciling 100 organisations x 50 users on the fakes" >&2
    export HYOPPS_ROOT=$PWD
    "$B/bench_reconcile" --orgs 100 --users 50 >"$tmp.reconcile" 2>"$tmp.err" || { cat "$tmp.err" "$tmp.reconcile" >&2; exit 1; }
    echo "<!-- reconcile:begin -->"
    echo "## Reconciliation (\`hyopps reconcile\`)"
    echo
    echo "Produced by \`make bench\` (tests/bench/bench_reconcile.c) on $(date -u +%Y-%m-%d):"
    echo "$(grep -v '^|' "$tmp.reconcile" | head -1). Every organisation's Metabase group,"
    echo "Slack user group and Teams channel hold exactly its users' grants (seeded"
    echo "straight into the fakes and the database); one run over every organisation."
    echo
    echo "| what | value |"
    echo "|---|---|"
    grep '^|' "$tmp.reconcile"
    echo
    echo "Targets: <= 3 calls per organisation per system, <= 5 s on loopback (the"
    echo "benchmark exits 1 when one is missed). Metabase and Slack: one list of the"
    echo "groups, then one member list per group; Teams: a token, the channels, then"
    echo "the shared team's members once, 100 a page (50 pages for 5,000 people)."
    echo "<!-- reconcile:end -->"
}

replace_section() { # NAME FILE: puts FILE between NAME's markers in $out (appends when missing)
    if [ -f "$out" ] && grep -q "<!-- $1:begin -->" "$out"; then
        awk -v f="$2" -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" \
            '$0 == b { while ((getline l < f) > 0) print l; skip = 1; next } $0 == e { skip = 0; next } !skip' "$out" >"$tmp"
        cp "$tmp" "$out"
    else
        { [ -f "$out" ] && cat "$out" && echo; cat "$2"; } >"$tmp"
        cp "$tmp" "$out"
    fi
}

if [ "${BENCH_ONLY:-}" = bastion ]; then
    bastion_section >"$tmp.new"
    replace_section bastion "$tmp.new"
    rm -f "$tmp.new" "$tmp.bastion"
    echo "bench: wrote the bastion section of $out" >&2
    exit 0
fi

if [ "${BENCH_ONLY:-}" = bulk ]; then
    bulk_section >"$tmp.new"
    replace_section bulk "$tmp.new"
    rm -f "$tmp.new" "$tmp.bulk"
    echo "bench: wrote the import section of $out" >&2
    exit 0
elif [ "${BENCH_ONLY:-}" = reconcile ]; then
    reconcile_section >"$tmp.new"
    replace_section reconcile "$tmp.new"
    rm -f "$tmp.new"
    echo "bench: wrote the reconciliation section of $out" >&2
    exit 0
elif [ "${BENCH_ONLY:-}" = notify ]; then
    export HYOPPS_ROOT=$PWD
    notify_section >"$tmp.new"
    replace_section notify "$tmp.new"
    rm -f "$tmp.new"
    echo "bench: wrote the notifications section of $out" >&2
    exit 0
fi

if [ "${BENCH_ONLY:-}" = ui ]; then
    ui_section >"$tmp.new"
    if [ -f "$out" ] && grep -q '<!-- ui:begin -->' "$out"; then
        awk -v f="$tmp.new" '/<!-- ui:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
                             /<!-- ui:end -->/ { skip = 0; next } !skip' "$out" >"$tmp"
        cp "$tmp" "$out"
    else
        { [ -f "$out" ] && cat "$out" && echo; cat "$tmp.new"; } >"$tmp"
        cp "$tmp" "$out"
    fi
    rm -f "$tmp.new"
    echo "bench: wrote the UI section of $out" >&2
    exit 0
fi

if [ "${BENCH_ONLY:-}" = live ]; then
    tests/bench/live.sh >"$tmp"
    /usr/bin/python3 - "$out" "$tmp" <<'PY'
import re, sys
doc, new = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n") + "\n"
if "<!-- live:begin -->" in doc:
    doc = re.sub(r"<!-- live:begin -->.*?<!-- live:end -->\n", lambda m: new, doc, flags=re.S)
else:
    at = doc.find("\n## Notes")
    doc = doc[:at + 1] + new + "\n" + doc[at + 1:] if at >= 0 else doc + "\n" + new
open(sys.argv[1], "w").write(doc)
PY
    echo "bench: wrote the live section of $out" >&2
    exit 0
fi

# engine ARGS...: bench_engine run R times (the machine is shared: single
# runs vary by 10-20%); per history and worker count, the run with the
# median executions/s. The database with history is made once and reused.
engine() {
    : >"$tmp.rows"
    for _ in $(seq 1 "$R"); do
        BENCH_CACHE_DB=$cache/history-$H.db "$B/bench_engine" --executions "$M" "$@" >"$tmp" 2>"$tmp.err" ||
            { cat "$tmp.err" >&2; exit 1; }
        grep '^|' "$tmp" >>"$tmp.rows"
        sed -n 's/^<!-- \(.*\) -->$/\1/p' "$tmp" >"$cache/machine"
    done
    /usr/bin/python3 - "$tmp.rows" <<'PY'
import re, sys
groups = {}
for line in open(sys.argv[1]):
    cells = line.split("|")
    groups.setdefault((int(cells[1]), int(cells[2])), []).append(line.rstrip("\n"))
for key in sorted(groups):
    rows = sorted(groups[key], key=lambda r: float(re.search(r"\*\*([\d.]+)\*\*", r).group(1)))
    print(rows[(len(rows) - 1) // 2])
PY
}
# The engine and list targets, judged from this run's rows.
targets() {
    printf '%s\n' "$empty_rows" "$history_rows" | /usr/bin/python3 -c '
import re, sys
rate, errors = {}, 0
for line in sys.stdin:
    c = [x.strip() for x in line.split("|")]
    if len(c) < 10: continue
    errors += int(c[9])
    if c[2] == "1":
        rate["empty" if c[1] == "0" else "history"] = int(re.sub(r"\D", "", c[4]))
e, h = rate.get("empty", 0), rate.get("history", 0)
ok = e >= 1000 and h >= 1000
print("- **Executions/s (target >= 1,000 with one worker): %s.** With one worker: %d/s on an"
      % ("met" if ok else "not met", e))
print("  empty database, %d/s with %s finished executions (the median of the runs in the"
      % (h, sys.argv[1]))
if h >= 0.9 * e:
    print("  first table): history does not slow it down (runs here vary by about 10%).")
else:
    print("  first table): %d%% slower with history." % round(100 * (e - h) / e))
print("  Errors reported by any run in the table: %d%s." % (errors, " (SQLITE_BUSY never reached a caller)" if errors == 0 else ""))
' "$H"
    printf '%s\n' "$list_rows" | /usr/bin/python3 -c '
import sys
worst = 0.0
for line in sys.stdin:
    c = [x.strip() for x in line.split("|")]
    try: worst = max(worst, float(c[3]))
    except (IndexError, ValueError): pass
print("- **List <= 30 ms per keystroke on %s executions: %s.** The slowest query above took"
      % (sys.argv[1], "met" if worst <= 30 else "not met"))
print("  %.1f ms at most." % worst)
' "$L"
}

R=${BENCH_REPEAT:-3}
cache=$(mktemp -d)
trap 'rm -f "$tmp" "$tmp.err" "$tmp.rows" "$tmp.ui" "$tmp.notify"; rm -rf "$cache"' EXIT
if [ "${BENCH_ONLY:-}" = engine ]; then
    grep -q '^<!-- ui:begin -->$' "$out" 2>/dev/null || { echo "bench: BENCH_ONLY=engine needs $out with its other sections" >&2; exit 1; }
    cp "$out" "$cache/kept.md"
fi
export HYOPPS_ROOT=$PWD

echo "bench: engine, empty database ($M executions x 1, 2, 4 workers, median of $R)" >&2
empty_rows=$(engine --history 0)
echo "bench: engine, $H finished executions already there" >&2
history_rows=$(engine --history "$H")
echo "bench: engine, every step left to the workers (runner path)" >&2
runner_rows=$(engine --history 0 --runner-path 1; engine --history "$H" --runner-path 1)
machine=$(cat "$cache/machine")
echo "bench: producer and workers each alone (runner path, empty database, 1 worker)" >&2
BENCH_SPLIT=1 "$B/bench_engine" --executions "$M" --history 0 --workers 1 --runner-path 1 >/dev/null 2>"$tmp.err"
split=$(grep -a -E '^(producer|workers alone)' "$tmp.err" | sed 's/^/    /')
echo "bench: the execution list on $L executions" >&2
"$B/bench_list" --executions "$L" --orgs 100 >"$tmp" 2>"$tmp.err"
list_rows=$(grep '^|' "$tmp")
live=$(tests/bench/live.sh)
notify=$(notify_section)

{
    echo "# Benchmarks"
    echo
    echo "Produced by \`make bench\` (tests/bench/run.sh) on $(date -u +%Y-%m-%d):"
    echo "$machine. Release build (-O2), WAL, synchronous=NORMAL, integrations simulated."
    echo
    echo "## Executions per second: new_partner_user, end to end"
    echo
    echo "One producer thread starts each execution with its organisation (\`ops_exec_start\`"
    echo "with --org, which fills in select_organization) and gives input_user_details"
    echo "(\`ops_exec_submit\`), as the TUI or the CLI would: two transactions, each with"
    echo "its session check, validation, side effects and audit row. The 7 simulated auto"
    echo "steps (with their local rows: Metabase user id, personal Studio company, 6 access"
    echo "grants, Studio access) wait on no network, so the input runs them in its own"
    echo "transaction before it returns (\`[engine] inline_local_steps\`, the default), with"
    echo "the rows and audit a runner writes. W worker threads, each with its own"
    echo "connection like a \`hyopps worker\` process, poll for work every 200 µs and do what"
    echo "runners do in the background (WAL checkpoints, the search index). The clock"
    echo "runs from the first start to the last completion. Latencies in ms: an ops call"
    echo "(median / p99; the input includes its 7 steps); a step transition (one auto step"
    echo "recorded and the next one queued: the time of the steps an input or a runner's"
    echo "transaction ran, divided by their number, median / p99); and input given ->"
    echo "execution completed (from the rows, 1 ms resolution). Each row is the run with"
    echo "the median executions/s of $R."
    echo
    echo "| history | workers | executions | executions/s | start ms | input ms | auto step ms | input -> completed ms | errors |"
    echo "|---|---|---|---|---|---|---|---|---|"
    echo "$empty_rows"
    echo "$history_rows"
    echo
    echo "### Every step left to the workers (the runner path)"
    echo
    echo "The same with \`[engine] inline_local_steps = false\`: the workers claim and run"
    echo "all 7 steps, as they do for steps that call a service (live mode)."
    echo
    echo "| history | workers | executions | executions/s | start ms | input ms | auto step ms | input -> completed ms | errors |"
    echo "|---|---|---|---|---|---|---|---|---|"
    echo "$runner_rows"
    echo
    echo "The two sides alone (the producer with no runner, then one runner draining the"
    echo "backlog) on the empty database:"
    echo
    echo "$split"
    echo
    echo "## The execution list on $L executions"
    echo
    echo "$L executions over 100 organisations (1% waiting for input, 2% failed, 1%"
    echo "cancelled), timed through \`ops_exec_list\`: one page of 100 rows with their"
    echo "summaries and the counts per status, as the TUI asks on every filter keystroke."
    echo "\"typing\" rows are successive keystrokes. A \`+\` after the matches: more than"
    echo "the list counts exactly (see notes)."
    echo
    echo "$list_rows"
    echo
    echo "$live"
    echo
    echo "$notify"
    echo
    targets | /usr/bin/python3 -c 'import sys; t = sys.stdin.read().rstrip("\n"); sys.stdout.write(open(sys.argv[1]).read().replace("@TARGETS@", t))' tests/bench/notes.md
    echo
    if [ "${BENCH_ONLY:-}" = engine ]; then
        sed -n '/^<!-- ui:begin -->$/,$p' "$cache/kept.md" # the other sections as they were
    else
        ui_section
        echo
        bulk_section
        echo
        reconcile_section
        echo
        bastion_section
    fi
} >"$out"
echo "bench: wrote $out" >&2
