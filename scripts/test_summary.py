"""Summarise an Odoo test log: print `N passed, N failed` and exit non-zero on any problem.

A failure is a failed or erroring test, a skipped test (a test not run), or any ERROR line
in Odoo's log, even outside a test.

Usage: test_summary.py LOG RC [LOG RC ...]: one log and exit code per run (the main suite and
the OCA coexistence run); the counts are summed, each log must hold its result line.
"""

import re
import sys

RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIPPED = re.compile(r" (?:INFO|WARNING) \S+ [\w.]+: skipped ")
ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def summarise(lines, returncode):
    run = failed = 0
    found = False
    skipped = []
    errors = []
    for line in lines:
        match = RESULT.search(line)
        if match:
            found = True
            failed += int(match.group(1)) + int(match.group(2))
            run += int(match.group(3))
        if SKIPPED.search(line) or "SkipTest" in line:
            skipped.append(line.rstrip())
        if ERROR.search(line):
            errors.append(line.rstrip())
    return found, run, failed, skipped, errors


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit("usage: test_summary.py LOG RC [LOG RC ...]")
    found, run, failed, skipped, errors, returncode = True, 0, 0, [], [], 0
    for path, code in zip(args[::2], args[1::2], strict=True):
        with open(path, encoding="utf-8", errors="replace") as handle:
            log_found, log_run, log_failed, log_skipped, log_errors = summarise(handle, int(code))
        if not log_found:
            print(f"No test result line in {path}: the module did not install or no test ran.")
        found = found and log_found and log_run > 0
        run += log_run
        failed += log_failed
        skipped += log_skipped
        errors += log_errors
        returncode = returncode or int(code)
    failed_total = failed + len(skipped)
    passed = max(run - failed - len(skipped), 0)
    for line in skipped:
        print(f"SKIPPED (counted as failed): {line}")
    for line in errors[:50]:
        print(f"ERROR in log: {line}")
    ok = found and run > 0 and failed_total == 0 and not errors and returncode == 0
    if not ok and failed_total == 0:
        # The suite could not report on itself (install crash, ERROR outside a test).
        failed_total = max(len(errors), 1)
    print(f"{passed} passed, {failed_total} failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
