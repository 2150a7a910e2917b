#!/usr/bin/env bash
# Sets up and runs Longcode: web, Celery worker and beat together (scripts/devstack.py restarts
# one that stops), with demo data.
# With no DATABASE_URL it runs on SQLite and a file-system broker under var/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh base
mkdir -p var/celery/queue var/celery/processed
export PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
# The demo carrier decides within seconds, so the status tags visibly change while you watch.
export SIMULATED_CARRIER_LATENCY="${SIMULATED_CARRIER_LATENCY:-5-30}"
.venv/bin/python manage.py migrate --noinput
# The logins are printed again once the web answers, below the services' start-up output.
.venv/bin/python manage.py seed_demo | tee var/demo-logins.txt
echo "==> starting web, worker and beat on http://127.0.0.1:$PORT/  (Ctrl-C stops them all)"
exec .venv/bin/python scripts/devstack.py --procfile Procfile.dev \
  --ready-url "http://127.0.0.1:$PORT/healthz" --banner var/demo-logins.txt
