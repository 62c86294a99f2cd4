#!/usr/bin/env bash
# Run the whole test suite on SQLite, then again on PostgreSQL when a server answers on
# 127.0.0.1:5432. Redis-backed tests run when Redis answers on 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

answers() { # host port
  "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

run_pytest() {
  local status=0
  "$PY" -m pytest "$@" || status=$?
  # Exit code 5 means "no tests collected": that is a failure of the suite, say so plainly.
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: the suite is missing." >&2
    return 1
  fi
  return "$status"
}

# The suite in two parts: everything but the browser tests spread over the CPUs with
# pytest-xdist, then the browser tests (live servers, Chromium) one at a time. Arguments
# (paths, -k ...) run as given, in one process.
# With MEASURE_COVERAGE=1 (the SQLite run's default) the first part also measures coverage
# (pyproject.toml [tool.coverage.*]) and scripts/coverage_floors.py holds access and services
# modules to their floor. Only the SQLite run measures: once is enough, and it keeps the
# PostgreSQL and browser runs fast.
WORKERS="${TANDEM_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
[ "$WORKERS" -gt 4 ] && WORKERS=4
suite() {
  if [ "$#" -gt 0 ]; then
    run_pytest "$@"
    return
  fi
  local options=(-m "not browser")
  [ "$WORKERS" -gt 1 ] && options+=(-n "$WORKERS")
  if [ "${MEASURE_COVERAGE:-0}" = 1 ]; then
    mkdir -p var
    options+=(--cov --cov-report=json:var/coverage.json --cov-report=)
  fi
  run_pytest "${options[@]}"
  if [ "${MEASURE_COVERAGE:-0}" = 1 ]; then
    "$PY" scripts/coverage_floors.py var/coverage.json
  fi
  # A file, not memory, for the browser tests' SQLite database (settings/data.py says why);
  # PostgreSQL ignores it.
  TANDEM_TEST_SQLITE_FILE="${TANDEM_TEST_SQLITE_FILE:-$(pwd)/var/test-browser.sqlite3}" \
    run_pytest -m browser
}

if answers 127.0.0.1 6379; then
  export TANDEM_TEST_REDIS_URL="${TANDEM_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
  echo "Redis answers on 127.0.0.1:6379: channel-layer tests will use it."
fi

echo "== Test suite on SQLite =="
# MEASURE_COVERAGE=0 skips the measurement (and the floors) for a quicker local run.
(unset DATABASE_URL REDIS_URL; TANDEM_ENV=test MEASURE_COVERAGE="${MEASURE_COVERAGE:-1}" suite "$@")

if answers 127.0.0.1 5432; then
  echo "== Test suite on PostgreSQL =="
  TANDEM_ENV=test MEASURE_COVERAGE=0 \
    DATABASE_URL="${TANDEM_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tandem}" \
    suite "$@"
else
  echo "PostgreSQL does not answer on 127.0.0.1:5432: skipped the PostgreSQL run."
fi
