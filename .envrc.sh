export LONGCODE_ENV=test SIMULATED_CARRIER_LATENCY=0-0
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lc_hardening
export CELERY_BROKER_URL=redis://127.0.0.1:6379/12
