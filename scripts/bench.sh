#!/usr/bin/env bash
# Runs every benchmark in benchmarks/ (bench_*.py) against a PostgreSQL database of its own
# (created if missing). DATABASE_URL picks it; default longcode_bench on 127.0.0.1. Generated
# data stays in that database and is reused by the next run (each benchmark keeps to its own
# organization). Each benchmark adds its rows to one table, benchmarks/REPORT.md
# (benchmarks/report.py): figure, baseline of the same run, ratio, spread, target.
# Knobs: BENCH_REPEATS (default 5), BENCH_SCALE (a factor on the generated sizes, default 1).
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh bench
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/longcode_bench}"
export LONGCODE_ENV="${LONGCODE_ENV:-test}"
for bench in benchmarks/bench_*.py; do
  echo "==> $bench"
  .venv/bin/python "$bench"
done
.venv/bin/python benchmarks/report.py
