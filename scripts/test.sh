#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium) and runs every gate and the
# whole suite against PostgreSQL and Redis. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh dev
scripts/npm_tools.sh

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium for the browser tests"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

export LONGCODE_ENV=test
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/longcode}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/1}"
export SIMULATED_CARRIER_LATENCY="${SIMULATED_CARRIER_LATENCY:-0-0}"
py=.venv/bin/python

echo "==> ruff"
$py -m ruff check .
$py -m ruff format --check .
echo "==> mypy"
$py -m mypy .
# makemigrations --check reads the migration history of DATABASE_URL: make sure it exists.
$py - <<'PYEOF'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    name = url.path.lstrip("/")
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PYEOF
echo "==> migrations are up to date"
$py manage.py makemigrations --check --dry-run
echo "==> production settings pass check --deploy"
LONGCODE_ENV=production DEBUG=false SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  ALLOWED_HOSTS=longcode.example EMAIL_URL=smtp://mail.longcode.example:587 $py manage.py check --deploy --fail-level WARNING
echo "==> the embedded default of make run (SQLite) walks every journey"
smoke_db="$(mktemp -d)/smoke.sqlite3"
DATABASE_URL="sqlite:///$smoke_db" CELERY_BROKER_URL=memory:// LONGCODE_ENV=development \
  $py scripts/smoke_embedded.py
echo "==> pytest"
# Both cores: two pytest processes, each with its own database and Redis database
# (config.test_workers); a file's tests stay together in one process. PYTEST_WORKERS=0 runs one.
exec $py -m pytest --create-db -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
