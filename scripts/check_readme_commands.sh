#!/usr/bin/env bash
# Run each README command that works headless, so that the README never promises a command
# that fails: `make shell` with a one-line script, `make lint`, a small `make bench`.
# Prints one line per command, then `N passed, N failed` last; exits non-zero on a failure.
# Usage: scripts/check_readme_commands.sh   (called by .ci/run after `make test`)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOG_DIR="$ROOT/.local/readme-commands"
BENCH_DB="${README_BENCH_DB:-credit_bench_small}"
mkdir -p "$LOG_DIR"
passed=0
failed=0

check() {
    # check NAME EXPECTED_OUTPUT_REGEX COMMAND...: the command exits 0 and prints the pattern.
    local name=$1 expect=$2 log start rc
    shift 2
    log="$LOG_DIR/$(echo "$name" | tr -c 'a-z0-9' '_').log"
    start=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -Eq "$expect" "$log"; then
        passed=$((passed + 1))
        echo "[readme] ok     $name ($(($(date +%s) - start)) s)"
    else
        failed=$((failed + 1))
        echo "[readme] FAILED $name (exit $rc, log: ${log#"$ROOT"/}); last lines:"
        tail -n 15 "$log" | sed 's/^/    /'
    fi
}

shell_one_line() {
    # the demo database, with the addon's demo customers
    echo 'print("readme-shell:", env.cr.dbname, bool(env.ref("customer_credit.demo_customer_lumen", raise_if_not_found=False)))' | make shell
}

bench_small() {
    # a benchmark that raises is reported in the figures, not by the exit code
    # (every benchmark but those of a fixed million rows, which ignore --lines: ~2 min more)
    local out rc only
    only=$(make -s bench BENCH_ARGS="--list" 2>/dev/null | grep -v '_million$' | paste -sd, -)
    out=$(make bench BENCH_ARGS="--db $BENCH_DB --customers 200 --lines 10000 --runs 3 --regenerate --only $only" 2>&1)
    rc=$?
    echo "$out"
    [ "$rc" = 0 ] && ! grep -q '"error": ' <<<"$out"
}

check "make shell" "^readme-shell: [^ ]+ True$" shell_one_line
check "make lint" "" make lint
check "make bench (small ledger)" '"benchmarks"' bench_small
eval "$(scripts/dev.sh env 2>/dev/null)" && dropdb --if-exists "$BENCH_DB" >/dev/null 2>&1

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
