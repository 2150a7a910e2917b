"""Fixtures every suite shares: the alice/bob/sam/charlie cast, a real SMTP server, a real Celery
worker on Redis, and Playwright on Debian's Chromium."""

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from django.conf import settings
from django.test import Client

# Playwright runs an event loop in the main thread; the ORM calls our browser tests make around
# it are synchronous on purpose.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Prism serving Twilio's specs, and the scripted Twilio edge (the `prism` and `twilio` fixtures).
pytest_plugins = ["tests.twilio_mock"]


def pytest_configure(config: pytest.Config) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The tests run against PostgreSQL and Redis, not SQLite. Run them with `make test`, "
            "or set DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://…"
        )


@pytest.fixture(autouse=True)
def _own_rate_limit_counts(settings) -> None:
    """Each test counts its own rate-limited requests (accounts/reset_limits.py): the counts
    live in Redis, outside the test's transaction, and would otherwise carry over to the next
    test, and the next run, from the same test client's address."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


# --- the cast -----------------------------------------------------------------------------
@dataclass
class Cast:
    """alice: admin of Acme; bob: member of Acme's office A; sam: sender of Acme;
    charlie: admin of another organization."""

    org: object
    office_a: object
    office_b: object
    alice: object
    bob: object
    sam: object
    other_org: object
    charlie: object
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client()
            if who != "anonymous":
                client.force_login(getattr(self, who))
            self.clients[who] = client
        return self.clients[who]


@pytest.fixture
def cast(db) -> Cast:
    from offices.models import Role
    from offices.tests.factories import MembershipFactory, OfficeFactory, OrganizationFactory

    org = OrganizationFactory.create(name="Acme College")
    office_a = OfficeFactory.create(organization=org, name="Admissions")
    office_b = OfficeFactory.create(organization=org, name="Financial Aid")
    alice = MembershipFactory.create(
        organization=org, role=Role.ADMIN, user__email="alice@acme.test"
    )
    bob = MembershipFactory.create(organization=org, role=Role.MEMBER, user__email="bob@acme.test")
    bob.offices.add(office_a)
    sam = MembershipFactory.create(organization=org, role=Role.SENDER, user__email="sam@acme.test")
    other = OrganizationFactory.create(name="Other Org")
    charlie = MembershipFactory.create(
        organization=other, role=Role.ADMIN, user__email="charlie@other.test"
    )
    return Cast(
        org=org,
        office_a=office_a,
        office_b=office_b,
        alice=alice.user,
        bob=bob.user,
        sam=sam.user,
        other_org=other,
        charlie=charlie.user,
    )


# --- real SMTP ----------------------------------------------------------------------------
@dataclass
class Mailbox:
    """What the server received. Set ``refuse_data`` or ``refuse_recipients`` to a reply such as
    ``"450 4.3.0 Try again later"`` or ``"550 5.1.1 No such user"`` to make it refuse mail."""

    messages: list[Message] = field(default_factory=list)
    refuse_data: str | None = None
    refuse_recipients: str | None = None

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in (m["To"] or "")]

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mailbox.refuse_recipients:
            return self.mailbox.refuse_recipients
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mailbox.refuse_data:
            return self.mailbox.refuse_data
        self.mailbox.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(settings) -> Iterator[Mailbox]:
    """A real SMTP server on loopback; Django's SMTP backend delivers to it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = smtp_mailers(port)
    try:
        yield mailbox
    finally:
        controller.stop()


# --- a real Celery worker -----------------------------------------------------------------
@pytest.fixture
def celery_worker(transactional_db) -> Iterator[object]:
    """A real worker (solo pool, in a thread) consuming the Redis broker of the settings."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()
    # Starting a worker sets up Celery's logging: it takes over the root logger and lowers it to
    # ERROR, which would silence every later test's warnings (caplog) in this process.
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20
        ) as worker:
            yield worker
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
    app.control.purge()


@pytest.fixture
def beat(celery_worker) -> Iterator[None]:
    """What celery beat does for the worker: enqueue ``poll_provisioning`` on a schedule (here
    every quarter second, so tests see the carriers' decisions quickly)."""
    import threading

    from provisioning.tasks import poll_provisioning

    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.25):
            poll_provisioning.delay()

    ticker = threading.Thread(target=tick, name="beat", daemon=True)
    ticker.start()
    yield
    stop.set()
    ticker.join()


# --- Playwright on Debian's Chromium --------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def page(page):
    """pytest-playwright's page; the test fails if the browser refused anything under the
    Content-Security-Policy on the way (it shows only as a console error)."""
    from tests.browser import csp_watch

    refused = csp_watch(page)
    yield page
    assert not refused, "Refused under the Content-Security-Policy:\n" + "\n".join(refused)
