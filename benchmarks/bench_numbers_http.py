# ruff: noqa: E501 — the command line reads best unwrapped.
"""The Phone Numbers page through real HTTP: requests per second under the production server
(gunicorn as deployed, config/gunicorn.py through benchmarks/serving.py: 2 workers, production
settings, persistent database connections) at 500,000 numbers in one organization, beside an
empty signed-in view (benchmarks/baseline_urls.py: the session, user and tenant middleware and
nothing else) served by the same gunicorn in the same run.

``BENCH_CLIENTS`` (8) keep-alive HTTP clients, signed in as an admin, ask for the page
``BENCH_REQUESTS`` (400) times, then for the empty view as many times, in turn, ``BENCH_REPEATS``
(5) rounds for each kind of page: the first page, a search that matches nothing, a search and an
agent filter that match many; then, for scale, the layout with nothing in it (base.html) and the
first page's floor (benchmarks/baseline_urls.py ``numbers_floor``: what any way of building the
page must still do), each beside the empty view. Target: the first page at least 0.5 of the
empty view's requests per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench .venv/bin/python benchmarks/bench_numbers_http.py
"""

import http.client
import os
import queue
import signal
import socket
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlencode

from numbers_data import bench_admin, organization_with_numbers, setup_django
from report import REPEATS, Report, ratio_at_least, scaled
from serving import ROOT, gunicorn_command, production_env

ROWS = scaled(500_000)
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
EMPTY = "/bench/empty-signed-in/"
SCALE = [
    ("the layout with nothing in it", "/bench/empty-page/"),
    (
        "the first page's floor: its own statements sent, the layout, its HTML rendered once",
        "/bench/numbers-floor/",
    ),
]
# The first page is the yardstick (what people open); the others show what a search or
# filter adds (at 500,000 numbers its query alone may cost more than the whole empty view).
PAGES = [
    ("first page, newest first", {}),
    ("first page, search q=zz (none match)", {"q": "zz"}),
    ('first page, search q="outreach line 99" (1 in 125 match)', {"q": "outreach line 99"}),
    ("first page, filter agent=dana (1 in 5 match)", {"agent": "dana"}),
]


def main() -> None:
    setup_django()
    from offices.models import Organization

    org_id = organization_with_numbers("bench-list", ROWS, base=2_000_000_000)
    user, _ = bench_admin(Organization.objects.get(pk=org_id), "bench-list@bench.test")
    port = _free_port()
    with tempfile.TemporaryDirectory() as static_root:
        env = production_env(
            static_root=static_root,
            host="127.0.0.1",
            DATABASE_URL=os.environ["DATABASE_URL"],
            CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"),
            EMAIL_URL="smtp://mail.longcode.example:587",  # never used: no page here sends mail
        )
        cookie = _signed_in(user, secret_key=env["SECRET_KEY"])
        web = subprocess.Popen(
            [
                *gunicorn_command(port, "benchmarks.baseline_wsgi:application"),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            _wait_up(port, cookie)
            cookie = _with_csrf_cookie(port, cookie)
            report = Report(
                "bench_numbers_http",
                f"the Phone Numbers page through real HTTP under gunicorn as deployed (2 workers, "
                f"production settings) at {ROWS:,} numbers in one organization, {CLIENTS} "
                f"keep-alive clients signed in as an admin, {REQUESTS} requests a round, beside "
                "an empty signed-in view in the same gunicorn, alternately",
            )
            # The pages, then for scale the layout every page shares, with nothing in it, and
            # the floor under the first page (its statements, the layout and its HTML, nothing
            # built or rendered of its own), each beside the empty view.
            measured = [
                (
                    label,
                    "/numbers/" + (f"?{urlencode(params)}" if params else ""),
                    ratio_at_least(0.5) if not params else None,
                )
                for label, params in PAGES
            ] + [(f"(for scale) {label}", path, None) for label, path in SCALE]
            for label, path, target in measured:
                _rate(port, cookie, path, REQUESTS // 4), _rate(port, cookie, EMPTY, REQUESTS // 4)
                pages, empties = [], []
                for _ in range(REPEATS):
                    empties.append(_rate(port, cookie, EMPTY, REQUESTS))
                    pages.append(_rate(port, cookie, path, REQUESTS))
                report.row(
                    f"{label}, requests/s",
                    "req/s",
                    pages,
                    empties,
                    target=target,
                    baseline_label="empty signed-in view",
                )
                print(f"{label}: {sorted(pages)} vs {sorted(empties)}", flush=True)
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=60)
    print(report.save())


def _signed_in(user: object, *, secret_key: str) -> str:
    """The session cookie of ``user`` signed in, as the sign-in page leaves it, for the server
    whose secret is ``secret_key``."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    settings.SECRET_KEY = secret_key  # the session's hash is the server's to check
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _rate(port: int, cookie: str, path: str, count: int) -> float:
    """Requests per second for ``count`` GETs of ``path`` by CLIENTS keep-alive clients; every
    answer must be a 200 that is not the sign-in page."""
    work: queue.Queue[int] = queue.Queue()
    for n in range(count):
        work.put(n)
    problems: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while True:
                try:
                    work.get_nowait()
                except queue.Empty:
                    return
                conn.request("GET", path, headers=_headers(cookie))
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    problems.append(f"{path} answered {response.status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = count / (time.perf_counter() - started)
    if problems:
        raise SystemExit(f"{len(problems)} requests failed, e.g. {problems[0]}")
    return rate


def _headers(cookie: str) -> dict[str, str]:
    """A browser's request through the TLS proxy in front of the app (X-Forwarded-Proto)."""
    return {"Cookie": cookie, "X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, cookie: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", EMPTY, headers=_headers(cookie))
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        if response.status != 200:
            raise SystemExit(f"the empty signed-in view answered {response.status}")
        return
    raise SystemExit("gunicorn did not start")


def _with_csrf_cookie(port: int, cookie: str) -> str:
    """``cookie`` plus the CSRF cookie the first page sets, which a browser sends back (without
    it every page would set a new one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/numbers/", headers=_headers(cookie))
    response = conn.getresponse()
    response.read()
    conn.close()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            return f"{cookie}; {value.split(';', 1)[0]}"
    raise SystemExit("the Phone Numbers page set no CSRF cookie")


if __name__ == "__main__":
    main()
