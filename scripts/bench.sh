#!/usr/bin/env bash
# Runs every benchmark script in benchmarks/ against DATABASE_URL (default: a longcode_bench
# database on the local PostgreSQL, created if missing). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/longcode_bench}"
export LONGCODE_ENV="${LONGCODE_ENV:-test}"
for script in benchmarks/bench_*.py; do
  echo "==> $script"
  .venv/bin/python "$script"
done
