#!/usr/bin/env bash
# Runs every test and ends with the summary line "N passed, N failed".
# Each test program prints TAP ("ok N - name" / "not ok N - name"); a program
# that exits non-zero without a failing line counts as one failure.
#   T=pattern   run only test programs whose name contains pattern
#   V=1         print every test's output
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
export HYOPPS_ROOT=$ROOT
export HYOPPS_BIN=$ROOT/$BUILD/hyopps
export HYOPPS_BUILD=$ROOT/$BUILD
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Tests never read the developer's settings or session.
unset HYOPPS_CONFIG HYOPPS_TOKEN HYOPPS_DB JWT_SECRET METABASE_URL METABASE_API_KEY AZURE_TENANT_ID \
      AZURE_CLIENT_ID AZURE_CLIENT_SECRET TEAMS_TEAM_ID SMTP_HOST SMTP_PORT SMTP_USER SMTP_PASSWORD \
      EMAIL_FROM SLACK_BOT_TOKEN NO_COLOR
LOGS=$ROOT/$BUILD/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

pass=0
fail=0
failures=()

run_one() { # name, command...
    local name=$1; shift
    case "$name" in *"${T:-}"*) ;; *) return ;; esac
    local log=$LOGS/${name//\//__}.log start end ok bad rc
    start=$(date +%s)
    timeout --kill-after=10 900 "$@" >"$log" 2>&1 </dev/null
    rc=$?
    end=$(date +%s)
    ok=$(grep -c '^ok ' "$log")
    bad=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
        echo "not ok - $name exited with status $rc (see $log)" >>"$log"
    fi
    pass=$((pass + ok))
    fail=$((fail + bad))
    if [ "$bad" -gt 0 ]; then
        printf 'FAIL %-34s %3d passed, %d failed (%ds)\n' "$name" "$ok" "$bad" $((end - start))
        while IFS= read -r line; do failures+=("$name: $line"); done < <(grep '^not ok ' "$log")
        [ -n "${V:-}" ] || grep -B2 -A12 '^not ok ' "$log" | head -60 | sed 's/^/    /'
    else
        printf 'ok   %-34s %3d passed (%ds)\n' "$name" "$ok" $((end - start))
    fi
    [ -n "${V:-}" ] && sed 's/^/    /' "$log"
}

for t in "$ROOT/$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "unit/$(basename "$t")" "$t"
done
for dir in cli integration e2e; do
    for t in "$ROOT"/tests/$dir/test_*.sh "$ROOT"/tests/$dir/test_*.py; do
        [ -f "$t" ] || continue
        case "$t" in
            *.py) run_one "$dir/$(basename "$t")" /usr/bin/python3 "$t" ;;
            *) run_one "$dir/$(basename "$t")" bash "$t" ;;
        esac
    done
done

echo
if [ ${#failures[@]} -gt 0 ]; then
    echo "Failed:"
    printf '  %s\n' "${failures[@]}"
    echo
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
