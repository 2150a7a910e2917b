"""Production refuses to start with unsafe settings, and says why."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "EMAIL_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "LONGCODE_ENV": "production",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "longcode.example",
    "EMAIL_URL": "smtp://mail.example:587",
}


def test_production_settings_load_when_complete() -> None:
    assert _load_settings(**PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"DEBUG": "true"}, "DEBUG is on while LONGCODE_ENV=production"),
        ({"EMAIL_URL": ""}, "EMAIL_URL is not set"),
        ({"LONGCODE_ENV": "staging"}, "LONGCODE_ENV must be development, test or production"),
        ({"PROVISIONING_ATTEMPT_DEADLINE": "three days"}, "is not a duration"),
        ({"PROVISIONING_BATCH_SIZE": "0"}, "PROVISIONING_BATCH_SIZE='0' is not a positive whole"),
        ({"PROVISIONING_BATCH_SIZE": "-5"}, "PROVISIONING_BATCH_SIZE='-5' is not a positive"),
        ({"PROVISIONING_POLL_SECONDS": "10s"}, "PROVISIONING_POLL_SECONDS='10s' is not a positive"),
        ({"PROVISIONING_MAX_ATTEMPTS": "five"}, "PROVISIONING_MAX_ATTEMPTS='five' is not a posi"),
        ({"NUMBERS_PER_USE_CASE": "4.9"}, "NUMBERS_PER_USE_CASE='4.9' is not a positive whole"),
    ],
)
def test_unsafe_or_malformed_settings_refuse_to_start(override, message) -> None:
    result = _load_settings(**{**PRODUCTION, **override})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def _database_settings(**env: str) -> dict[str, object]:
    """The default database's settings as Django reads them under ``env``."""
    dropped = {"SECRET_KEY", "DEBUG", "EMAIL_URL", "DATABASE_URL", "CONN_MAX_AGE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


POSTGRES = {"DATABASE_URL": "postgres://postgres@db.example:5432/longcode"}


def test_production_keeps_database_connections_and_checks_them_before_reuse() -> None:
    database = _database_settings(**PRODUCTION, **POSTGRES)

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_the_connection_lifetime_comes_from_the_environment() -> None:
    assert _database_settings(**PRODUCTION, **POSTGRES, CONN_MAX_AGE="300")["CONN_MAX_AGE"] == 300
    # Outside production a connection per request, unless asked for.
    assert _database_settings(LONGCODE_ENV="test", **POSTGRES)["CONN_MAX_AGE"] == 0


def _cache_settings(broker: str) -> dict[str, str]:
    """The default cache as Django reads it with ``broker`` as CELERY_BROKER_URL."""
    # PYTEST_XDIST_WORKER would give this process's broker (config.test_workers), not ``broker``.
    dropped = {"CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.CACHES['default']))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_BROKER_URL": broker},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("broker", "backend"),
    [
        ("redis://redis.internal:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("filesystem://", "django.core.cache.backends.filebased.FileBasedCache"),
    ],
)
def test_the_cache_is_shared_by_every_process(broker, backend) -> None:
    """The password-reset counts must be the same for every web process: Redis where the
    broker is (its own keys under a prefix), a folder on the embedded default."""
    cache = _cache_settings(broker)

    assert cache["BACKEND"] == backend
    if backend.endswith("RedisCache"):
        assert (cache["LOCATION"], cache["KEY_PREFIX"]) == (broker, "longcode")


def test_each_parallel_test_process_takes_a_redis_database_of_its_own():
    from config.test_workers import broker_url_for_test_worker

    given = "redis://127.0.0.1:6379/1"
    assert broker_url_for_test_worker(given, "gw0") == given
    assert broker_url_for_test_worker(given, "gw1") == "redis://127.0.0.1:6379/2"
    assert broker_url_for_test_worker("redis://cache:6379", "gw3") == "redis://cache:6379/3"
    assert broker_url_for_test_worker("memory://", "gw1") == "memory://"
