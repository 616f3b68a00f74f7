#!/usr/bin/env bash
# Cerberus benchmarks (docs/benchmarks.md): starts its own lab (LAB_DIR, default /tmp/cerberus-lab-bench), builds
# Release, runs the benchmark against the real host process, stops the lab, and prints the table.
#   benchmarks/run.sh        every figure (about 4 minutes)
#   benchmarks/run.sh ack    only the acknowledgement figures, both stores
set -euo pipefail
cd "$(dirname "$0")/.."
export LAB_DIR=${LAB_DIR:-/tmp/cerberus-lab-bench}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
cleanup() { tests/lab/lab.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

tests/lab/lab.sh down >/dev/null 2>&1 || true
tests/lab/lab.sh up >/dev/null
eval "$(tests/lab/lab.sh env)"

dotnet build src/Cerberus.ChatOps -c Release -warnaserror -nologo -clp:ErrorsOnly >/dev/null
dotnet build benchmarks/Cerberus.ChatOps.Benchmarks -c Release -warnaserror -nologo -clp:ErrorsOnly >/dev/null
dotnet benchmarks/Cerberus.ChatOps.Benchmarks/bin/Release/net10.0/Cerberus.ChatOps.Benchmarks.dll "$@"
