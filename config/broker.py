"""The embedded default's Celery broker: kombu's file-system transport, with every file written
atomically.

kombu's own transport creates a message file under its final name and then writes into it; a
consumer lists the folder without a lock, so it can take the file while it is still empty or
half-written and fail with ``JSONDecodeError`` — which stops the worker. Here each file is
written under a name the consumer ignores and renamed into place when complete (a rename within
one folder is atomic), so a consumer sees a whole message or none. The exchange table in the
control folder is created the same way; kombu updates it under a lock once it exists.
"""

import os
import uuid
from contextlib import suppress
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


def _write_new_file(path: str, data: bytes, *, replace: bool) -> None:
    """Writes ``data`` under a temporary name beside ``path``, then moves it into place:
    replacing what is there, or, with ``replace=False``, only where there is nothing yet."""
    # The consumer takes only names ending in ``.<queue>.msg``; this one ends in ``.tmp``.
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        if replace:
            os.replace(temporary, path)
        else:
            with suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        with suppress(FileNotFoundError):
            os.remove(temporary)


class Channel(filesystem.Channel):
    # kombu-stubs name the second argument differently in the two base classes.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        # The same name as kombu's, so messages keep their order (the consumer sorts by name).
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            _write_new_file(path, str_to_bytes(dumps(payload)), replace=True)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc

    def _queue_bind(self, exchange: str, *args: Any) -> None:
        table = self._exchange_file(exchange)  # type: ignore[attr-defined]  # not in kombu-stubs
        self.control_folder.mkdir(parents=True, exist_ok=True)
        # kombu creates a missing table empty and then fills it; a reader in between would
        # read nothing. Start it as a complete empty table, and let kombu add to it.
        _write_new_file(str(table), b"[]", replace=False)
        super()._queue_bind(exchange, *args)


class Transport(filesystem.Transport):
    Channel = Channel

    # The folders are the whole address of this broker: without a default host, kombu has
    # nothing to warn about ("No hostname was supplied") each time it connects.
    @property
    def default_connection_params(self) -> dict[str, Any]:
        return {"port": self.default_port}
