"""The embedded default's broker (config/broker.py) never hands the worker a half-written
message, however fast messages are written while it reads."""

import subprocess
import sys
from pathlib import Path

from kombu import Connection

ROOT = Path(__file__).resolve().parent.parent
TRANSPORT = "config.broker:Transport"
MESSAGES = 80
# Large enough that writing one takes a while: with kombu's own transport ("filesystem") the
# consumer then finds a message file still empty or half-written — this test failed with
# JSONDecodeError in 5 runs out of 5 on it.
BODY = "x" * 200_000

PRODUCER = """
import sys
from kombu import Connection
transport, folder, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder}
with Connection("filesystem://", transport=transport, transport_options=options) as conn:
    queue = conn.SimpleQueue("race")
    for n in range(count):
        queue.put({"n": n, "body": "x" * size})
"""


def _connection(folder: Path) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection(
        "filesystem://",
        transport=TRANSPORT,
        transport_options={**options, "control_folder": str(folder)},
    )


def test_a_consumer_reading_while_a_producer_writes_gets_every_message_whole(tmp_path) -> None:
    producer = subprocess.Popen(
        [sys.executable, "-c", PRODUCER, TRANSPORT, str(tmp_path), str(MESSAGES), str(len(BODY))],
        cwd=ROOT,
    )
    received: list[int] = []
    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("race")
        # Read as fast as possible while the producer writes, then whatever is left.
        while len(received) < MESSAGES:
            finished = producer.poll() is not None
            try:
                message = queue.get_nowait()
            except queue.Empty:
                if finished:
                    break
                continue
            assert message.payload["body"] == BODY
            received.append(message.payload["n"])
            message.ack()

    assert producer.wait() == 0
    assert received == list(range(MESSAGES))
    # Nothing was left behind: no temporary files, no messages.
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".exchange")] == []


def test_the_embedded_default_uses_this_transport() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from config.celery import app; "
            "print(type(app.connection_for_write().transport).__module__)",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LONGCODE_ENV": "development",
            "CELERY_BROKER_URL": "filesystem://",
            "HOME": str(Path.home()),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "config.broker"
