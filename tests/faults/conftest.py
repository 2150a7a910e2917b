"""Real processes for the fault-injection suite: a Redis server of its own, Celery workers and
beats as subprocesses (killed with SIGKILL), a web server subprocess, and an SMTP relay that can
be slow or refuse mail.

``stack`` is the hook for every fault test: ``stack.worker()``, ``stack.beat()``, ``stack.web()``
start subprocesses against the test database and this suite's Redis; ``stack.kill(process)``
kills one with its children; ``stack.redis.stop()`` / ``.start()`` take the broker away and
back. The test process publishes to the same Redis, so a launch posted with the test Client is
picked up by the subprocess worker."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from django.db import connection

from config.celery import app
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Redis of our own (the machine's Redis on 6379 is shared: never stopped here) -------------
class RedisServer:
    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


# --- an SMTP relay that can be slow, or refuse ---------------------------------------------
@dataclass
class Relay:
    """What the relay took, as (Message-ID, recipient) pairs, recorded when the message arrives
    — before the relay answers, as a real relay has queued it by then."""

    port: int
    delay: float = 0.0
    refusal: str | None = None  # e.g. "451 4.3.0 Try again later"; None accepts
    received: list[tuple[str, str]] = field(default_factory=list)
    refused: int = 0

    def message_ids(self, recipient: str) -> list[str]:
        return [mid for mid, rcpt in self.received if rcpt == recipient]


class _RelayHandler:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_DATA(self, server, session, envelope):
        if self.relay.refusal:
            self.relay.refused += 1
            return self.relay.refusal
        message = message_from_bytes(envelope.original_content)
        for recipient in envelope.rcpt_tos:
            self.relay.received.append((str(message["Message-ID"]), recipient))
        await asyncio.sleep(self.relay.delay)
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[Relay]:
    from aiosmtpd.controller import Controller

    relay = Relay(port=_free_port())
    controller = Controller(_RelayHandler(relay), hostname="127.0.0.1", port=relay.port)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


# --- the processes ------------------------------------------------------------------------
@dataclass
class Stack:
    redis: RedisServer
    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = self.logs / f"{name}.log"
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes its children too
        )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def worker(
        self, name: str, *, ahead: float = 0, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """A Celery worker (solo pool), its clock ``ahead`` seconds ahead (tests/faults/ahead.py),
        once it is consuming."""
        process = self._spawn(
            name,
            [
                PYTHON,
                "-m",
                "tests.faults.ahead",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
            ],
            {"FAULTS_CLOCK_AHEAD": str(ahead), **(env or {})},
        )
        wait_for(
            lambda: " ready." in self.log(name) or process.poll() is not None,
            timeout=30,
            what=f"worker {name} to be ready",
        )
        assert process.poll() is None, self.log(name)
        return process

    def beat(
        self, name: str, *, ahead: float = 0, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """celery beat with a schedule file of its own."""
        return self._spawn(
            name,
            [
                PYTHON,
                "-m",
                "tests.faults.ahead",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(self.logs / f"{name}-schedule"),
            ],
            {"FAULTS_CLOCK_AHEAD": str(ahead), **(env or {})},
        )

    def web(self, name: str = "web") -> tuple[subprocess.Popen[bytes], str]:
        """gunicorn as deployed (config/gunicorn.py) with 2 workers serving the app; answers
        once it listens."""
        port = _free_port()
        process = self._spawn(
            name,
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "-c",
                str(ROOT / "config" / "gunicorn.py"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            {},
        )
        wait_for(lambda: "Booting worker" in self.log(name), timeout=30, what="gunicorn")
        return process, f"http://127.0.0.1:{port}"

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the process and its children: no shutdown, no acknowledgement."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
        f"{s['NAME']}"
    )


def _publish_to(url: str) -> None:
    """Points this (the test) process's Celery app at ``url`` for publishing."""
    app.conf["broker_write_url"] = url
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def stack(transactional_db, relay: Relay, tmp_path: Path) -> Iterator[Stack]:
    """Redis of its own on a free port, and a way to start workers, beats and a web server
    against it and the test database (committed rows: ``transactional_db``). Everything started
    is killed at teardown, before the database is flushed."""
    server = RedisServer(_free_port(), tmp_path / "redis.log")
    server.start()
    # PYTEST_XDIST_WORKER left out: these processes have a redis-server of their own
    # (config.test_workers).
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": server.url,
        "LONGCODE_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "tests.faults.process_settings",
        "EMAIL_URL": f"smtp://127.0.0.1:{relay.port}",
        "PROVISIONING_POLL_SECONDS": "1",
        "SIMULATED_CARRIER_LATENCY": "1-1",
        "SIMULATED_CARRIER_ERROR_RATE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    saved = app.conf.get("broker_write_url")
    _publish_to(server.url)
    stack = Stack(redis=server, env=env, logs=tmp_path)
    try:
        yield stack
    finally:
        stack.stop_all()
        server.stop()
        app.conf["broker_write_url"] = saved
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]
