#!/usr/bin/env bash
# Runs every benchmark in benchmarks/ (bench_*.py) against a PostgreSQL database of its own
# (each script creates it if missing). DATABASE_URL picks it; default longcode_bench on 127.0.0.1.
# Not part of the test suite: benchmarks report ratios against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh base
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/longcode_bench}"
export LONGCODE_ENV="${LONGCODE_ENV:-test}"
for bench in benchmarks/bench_*.py; do
  echo "==> $bench"
  .venv/bin/python "$bench"
done
