"""The smallest WSGI app, for tests of gunicorn's own settings (config/gunicorn.py) apart from
the app's: it answers every request with 200 and no database."""

from collections.abc import Callable, Iterable
from typing import Any


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
