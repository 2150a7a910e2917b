"""Benchmark: a burst of inbound texts, each delivered twice, through the signed webhook
``/hooks/simulated/inbound/`` under gunicorn as deployed (config/gunicorn.py, through
benchmarks/serving.py: 2 workers of 8 threads) with a Celery worker process routing them — beside
an empty POST view served by the same gunicorn, measured in the same run.

``BENCH_MESSAGES`` (10,000) texts from as many contacts to one agent-backed reusable number with
an inbox; each is POSTed twice (the second delivery shuffled among the others) by
``BENCH_CLIENTS`` (16) keep-alive HTTP clients. The burst goes in ``BENCH_REPEATS`` (5) slices,
each right after the same POSTs to the empty view, so a change in the machine's load hits both
alike; the rows (benchmarks/REPORT.md, through benchmarks/report.py) give POSTs/s for both and
the ratio (target: at least 0.5), then the database's count: texts stored (must equal the texts
sent), duplicates (rows beyond one per carrier id: must be 0), lost (sent but not stored: must
be 0), left unrouted (0), and how long the worker took to route them all after the last POST.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/1 python benchmarks/bench_inbound.py
"""

import http.client
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="false")
os.environ.setdefault("LONGCODE_ENV", "test")
# Persistent database connections, as a production deployment runs (the default, 0, opens one
# per request, which the empty view never pays).
os.environ.setdefault("CONN_MAX_AGE", "60")
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
ROUTE_TIMEOUT = float(os.environ.get("BENCH_ROUTE_TIMEOUT", "900"))


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from report import REPEATS, Report, at_least, at_most, ratio_at_least  # noqa: E402
from serving import gunicorn_command  # noqa: E402

from config.celery import app as celery_app  # noqa: E402
from inboxes.models import Conversation, InboundMessage, Inbox  # noqa: E402
from offices.models import Office, Organization  # noqa: E402
from phone_numbers.models import Kind, PhoneNumber, ResponseType, UseCase  # noqa: E402
from provisioning.carriers.simulated import webhook_headers  # noqa: E402

NUMBER = "+14155550188"
TITLE = (
    "A burst of {messages:,} inbound texts from as many contacts to one agent-backed reusable "
    "number with an inbox, each delivered twice (the second delivery shuffled among the "
    "others), signed, by {clients} keep-alive HTTP clients through `/hooks/simulated/inbound/` "
    "under gunicorn as deployed (config/gunicorn.py: 2 workers of 8 threads) with a Celery "
    "worker (concurrency 2) routing them, beside an "
    "empty POST view in the same gunicorn (and, for scale, the same view under /hooks/, through "
    "carriers' lighter middleware); the burst in BENCH_REPEATS slices, each after as "
    "many empty POSTs; then the database checked: stored, duplicates, lost, unrouted"
)


def build() -> None:
    call_command("migrate", verbosity=0)
    InboundMessage.objects.all().delete()
    Conversation.objects.all().delete()
    PhoneNumber.objects.filter(e164=NUMBER).delete()
    org, _ = Organization.objects.get_or_create(slug="bench-inbound", defaults={"name": "Bench"})
    office, _ = Office.objects.get_or_create(organization=org, name="Admissions")
    inbox, _ = Inbox.objects.get_or_create(organization=org, office=office, name="Front desk")
    use_case, _ = UseCase.objects.get_or_create(organization=org, name="Bench")
    number = PhoneNumber.objects.create(
        organization=org,
        kind=Kind.REUSABLE,
        office=office,
        use_case=use_case,
        e164=NUMBER,
        provisioning_status="complete",
        response_type=ResponseType.AGENT,
    )
    number.inboxes.set([inbox])
    celery_app.control.purge()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def burst(port: int, path: str, bodies: list[bytes]) -> tuple[float, int]:
    """POSTs every body (signed just before it leaves) with CLIENTS keep-alive clients;
    returns the rate and how many answers were not 200."""
    work: queue.Queue[bytes] = queue.Queue()
    for body in bodies:
        work.put(body)
    failures = [0] * CLIENTS

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            headers = {**webhook_headers(body), "Content-Type": "application/json"}
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures[n] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(bodies) / (time.monotonic() - started), sum(failures)


def deliveries_of(ids: list[str]) -> list[bytes]:
    """Each text of ``ids`` twice, the second delivery shuffled among the others."""
    texts = [
        json.dumps({"id": i, "to": NUMBER, "from": f"+1212{n:07d}", "body": "Hello?"}).encode()
        for n, i in ((int(i.rsplit("-", 1)[1]), i) for i in ids)
    ]
    return texts + random.Random(0).sample(texts, len(texts))


def main() -> None:
    build()
    port = free_port()
    web = start(
        [*gunicorn_command(port, "benchmarks.baseline_wsgi:application"), "--log-level", "warning"]
    )
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "warning",
        ]
    )
    ids = [f"BENCH-{n}" for n in range(MESSAGES)]
    # The burst in REPEATS slices, each POSTed after the same number of empty POSTs.
    slices = [ids[k::REPEATS] for k in range(REPEATS)]
    hook_rates: list[float] = []
    empty_rates: list[float] = []
    # The same empty view where the webhook is served, through carriers' own lighter middleware
    # (config/wsgi.py): the webhook's cost beside the floor of its own stack, for scale.
    hooks_empty_rates: list[float] = []
    failed = 0
    try:
        wait_up(port)
        warm = deliveries_of([f"WARM-{n}" for n in range(100)])
        burst(port, "/bench/empty/", warm)
        burst(port, "/hooks/bench-empty/", warm)
        burst(port, "/hooks/simulated/inbound/", warm)
        for part in slices:
            deliveries = deliveries_of(part)
            rate, not_ok = burst(port, "/bench/empty/", deliveries)
            empty_rates.append(rate)
            failed += not_ok
            rate, not_ok = burst(port, "/hooks/bench-empty/", deliveries)
            hooks_empty_rates.append(rate)
            failed += not_ok
            rate, not_ok = burst(port, "/hooks/simulated/inbound/", deliveries)
            hook_rates.append(rate)
            failed += not_ok
        routed_started = time.monotonic()
        while InboundMessage.objects.filter(routed_at__isnull=True).exists():
            if time.monotonic() - routed_started > ROUTE_TIMEOUT:
                break
            time.sleep(0.5)
        routed_in = time.monotonic() - routed_started
    finally:
        for process in (web, worker):
            os.kill(process.pid, signal.SIGTERM)  # a warm shutdown of each
            process.wait(timeout=60)

    bench = InboundMessage.objects.filter(carrier_message_id__startswith="BENCH-")
    stored = bench.count()
    duplicates = sum(
        row["n"] - 1
        for row in bench.values("carrier_message_id").annotate(n=Count("pk")).filter(n__gt=1)
    )
    kept = set(bench.values_list("carrier_message_id", flat=True))
    lost = sum(1 for i in ids if i not in kept)
    unrouted = InboundMessage.objects.filter(routed_at__isnull=True).count()
    conversations = Conversation.objects.filter(status="needs_attention").count()

    report = Report("bench_inbound", TITLE.format(messages=MESSAGES, clients=CLIENTS))
    report.row(
        f"inbound webhook POSTs/s, {MESSAGES:,} texts each delivered twice",
        "POSTs/s",
        hook_rates,
        empty_rates,
        target=ratio_at_least(0.5),
        baseline_label="empty POST view",
    )
    report.row(
        "(for scale) the same, beside the empty POST view in the hooks' middleware",
        "POSTs/s",
        hook_rates,
        hooks_empty_rates,
        baseline_label="empty POST view, hooks' middleware",
    )
    report.row(f"texts stored (of {MESSAGES:,} sent)", "texts", [stored], target=at_least(MESSAGES))
    report.row("texts stored twice (duplicates)", "texts", [duplicates], target=at_most(0))
    report.row("texts lost (sent, not stored)", "texts", [lost], target=at_most(0))
    report.row("POSTs not answered 200", "POSTs", [failed], target=at_most(0))
    report.row("texts left unrouted", "texts", [unrouted], target=at_most(0))
    report.row("routing done, after the last POST", "s", [routed_in])
    report.row("conversations in Needs Attention", "conversations", [conversations])
    report.save()
    if stored != MESSAGES or duplicates or lost or failed or unrouted:
        raise SystemExit("FAILED: texts were duplicated, lost, refused or left unrouted")


if __name__ == "__main__":
    main()
