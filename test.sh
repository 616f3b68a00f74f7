#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine: builds with warnings as errors, starts the lab
# (PostgreSQL 15 + a two-node Patroni cluster on etcd; packages installed when missing), runs the unit and the
# integration tests, stops the lab, and prints "N passed, N failed" computed from the TRX results.
set -uo pipefail
cd "$(dirname "$0")"
results=TestResults
rm -rf "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

lab_up=0
cleanup() { [ "$lab_up" = 1 ] && tests/lab/lab.sh down >/dev/null 2>&1; true; }
trap cleanup EXIT

tests/lab/lab.sh down >/dev/null 2>&1 || true
if tests/lab/lab.sh up >/dev/null; then
  lab_up=1
  eval "$(tests/lab/lab.sh env)"
else
  echo "test.sh: the lab did not start; integration tests will say so" >&2
fi

if [ -f tests/js/package.json ] && command -v npm >/dev/null 2>&1; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || echo "test.sh: npm ci failed; the JavaScript cross-checks will fail" >&2
fi

if ! dotnet build Cerberus.ChatOps.sln -c Debug -warnaserror -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

# One project at a time, each one's wall time printed (the unit tests' budget is 60 s): the system tests' publish and
# builds would otherwise compete for the 2 cores with the lab's timing-sensitive fault and probe tests.
run_tests() { # project
  local started=$SECONDS
  dotnet test "tests/$1" -c Debug --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=3000000
  local rc=$?
  echo "test.sh: $1 took $((SECONDS - started)) s"
  return $rc
}
status=0
run_tests Cerberus.ChatOps.Tests || status=1
run_tests Cerberus.ChatOps.IntegrationTests || status=1
run_tests Cerberus.ChatOps.SystemTests || status=1

passed=0; failed=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(printf '%s' "$counters" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
  fl=$(printf '%s' "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
  passed=$((passed + ${p:-0})); failed=$((failed + ${fl:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
