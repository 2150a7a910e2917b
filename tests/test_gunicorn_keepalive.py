"""gunicorn as deployed (config/gunicorn.py) keeps a connection open across the longest idle gap
the product's own pages make: their htmx polls. A server that closes an idle connection races
the browser reusing it (the request gets no answer at all); with gunicorn's default 2 s
keep-alive the 2 s polls landed on that race (benchmarks/bench_load.py: requests with status 0,
each on a connection idle about 2 s)."""

import http.client
import re
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
POLL = re.compile(r'hx-trigger="[^"]*\bevery (\d+)s')


def longest_poll_seconds() -> int:
    """The longest ``every Ns`` poll in the product's templates."""
    found = [
        int(seconds)
        for template in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in template.parts
        for seconds in POLL.findall(template.read_text())
    ]
    assert found, "the templates poll (the messenger's replies, a launching campaign's number)"
    return max(found)


@pytest.fixture
def server() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "tests.hello_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(port), timeout=30, what="gunicorn")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _closed_by_server(sock: socket.socket, *, within: float) -> bool:
    """The server closes the connection within ``within`` seconds (waiting no longer than it
    takes): it becomes readable, and reading gives end of file (or a reset). Nothing else arrives
    unasked on an idle HTTP/1.1 connection."""
    readable, _, _ = select.select([sock], [], [], within)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


def test_a_connection_idle_as_long_as_the_longest_poll_is_still_open(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    with closing(connection):
        connection.request("GET", "/")
        first = connection.getresponse()
        assert (first.status, first.read()) == (200, b"ok")
        assert first.getheader("Connection", "").lower() != "close"
        sock = connection.sock
        assert sock is not None
        # The idle gap itself is what is tested: a poll's, and a second more.
        assert not _closed_by_server(sock, within=longest_poll_seconds() + 1)
        connection.request("GET", "/")
        second = connection.getresponse()
        assert (second.status, second.read()) == (200, b"ok")
        assert connection.sock is sock
