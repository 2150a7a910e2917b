"""The test suite run in parallel (pytest-xdist): what each pytest process keeps to itself.

pytest-django gives each process a database of its own (``test_<name>_gw0``, ``…_gw1``). The
in-process Celery worker of the tests consumes the broker of the settings, so each process needs
a broker of its own too, or one process's worker would take another's tasks and run them against
the wrong database: ``gw0`` keeps the Redis database it was given, ``gw1`` takes the next one, and
so on. The fault suite's processes run on a redis-server of their own and are left alone.
"""

from urllib.parse import urlsplit

# Set beside the shifted CELERY_BROKER_URL: a process the tests start inherits both and keeps
# the URL as it is.
SHIFTED_FOR = "LONGCODE_TEST_BROKER_SHIFTED_FOR"


def broker_url_for_test_worker(url: str, worker: str) -> str:
    """``url`` for the pytest-xdist process ``worker`` (``gw0``, ``gw1``…): a Redis URL's
    database shifted by the process's number; any other broker as it is."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        return url
    database = int(parts.path.lstrip("/") or 0) + int(worker.removeprefix("gw"))
    return parts._replace(path=f"/{database}").geturl()
