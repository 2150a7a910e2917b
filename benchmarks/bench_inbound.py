"""Benchmark: a burst of inbound texts, each delivered twice, through the signed webhook
``/hooks/simulated/inbound/`` under gunicorn (2 workers) with a Celery worker process routing
them — beside an empty POST view served by the same gunicorn, measured in the same run.

``BENCH_MESSAGES`` (10,000) texts from as many contacts to one agent-backed reusable number with
an inbox; each is POSTed twice (the second delivery shuffled among the others) by
``BENCH_CLIENTS`` (16) keep-alive HTTP clients. Reports POSTs/s for both, the ratio (target: at
least 0.5), and checks the database: texts stored (must equal the texts sent), duplicates (rows
beyond one per carrier id: must be 0), lost (sent but not stored: must be 0), and how long the
worker took to route them all (each into a conversation in Needs Attention).

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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

from config.celery import app as celery_app  # noqa: E402
from inboxes.models import Conversation, InboundMessage, Inbox  # noqa: E402
from offices.models import Office, Organization  # noqa: E402
from phone_numbers.models import Kind, PhoneNumber, ResponseType, UseCase  # noqa: E402
from provisioning.carriers.simulated import webhook_headers  # noqa: E402

NUMBER = "+14155550188"


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


def main() -> None:
    build()
    port = free_port()
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.inbound_wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
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
    try:
        wait_up(port)
        ids = [f"BENCH-{n}" for n in range(MESSAGES)]
        texts = [
            json.dumps(
                {"id": i, "to": NUMBER, "from": f"+1212{n % 10_000_000:07d}", "body": "Hello?"}
            ).encode()
            for n, i in enumerate(ids)
        ]
        deliveries = texts + random.Random(0).sample(texts, len(texts))
        burst(port, "/bench/empty/", deliveries[:200])  # warm both workers up
        empty_rate, empty_failed = burst(port, "/bench/empty/", deliveries)
        hook_rate, hook_failed = burst(port, "/hooks/simulated/inbound/", deliveries)
        routed_started = time.monotonic()
        while InboundMessage.objects.filter(routed_at__isnull=True).exists():
            if time.monotonic() - routed_started > ROUTE_TIMEOUT:
                break
            time.sleep(0.5)
        routed_in = time.monotonic() - routed_started
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)

    stored = InboundMessage.objects.count()
    duplicates = sum(
        row["n"] - 1
        for row in InboundMessage.objects.values("carrier_message_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    kept = set(InboundMessage.objects.values_list("carrier_message_id", flat=True))
    lost = sum(1 for i in ids if i not in kept)
    routed = InboundMessage.objects.filter(routed_at__isnull=False).count()
    conversations = Conversation.objects.filter(status="needs_attention").count()
    print(
        f"texts sent: {MESSAGES}, each delivered twice ({len(deliveries)} POSTs), {CLIENTS} clients"
    )
    print(f"empty POST view:  {empty_rate:8.0f} POSTs/s ({empty_failed} not 200)")
    print(f"inbound webhook:  {hook_rate:8.0f} POSTs/s ({hook_failed} not 200)")
    print(f"ratio: {hook_rate / empty_rate:.2f} (target >= 0.50)")
    print(f"stored: {stored}, duplicates: {duplicates}, lost: {lost}")
    print(
        f"routed: {routed} in {routed_in:.1f}s after the burst; {conversations} in Needs Attention"
    )
    if stored != MESSAGES or duplicates or lost or hook_failed:
        raise SystemExit("FAILED: texts were duplicated, lost or refused")


if __name__ == "__main__":
    main()
