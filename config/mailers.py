"""EMAIL_URL (``smtp://user:pass@host:port``, ``smtp+tls://…``, ``consolemail://``…) read by
django-environ and turned into Django 6.1's ``MAILERS`` setting."""

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}

_CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Printed e-mails are for a person to read: decoded text, not raw MIME.
_READABLE_CONSOLE = "notifications.readable_mail.ReadableConsoleBackend"


def mailers_from_url(env: environ.Env, *, default: str | None) -> dict[str, dict[str, Any]]:
    if default is None and not env.str("EMAIL_URL", default=""):
        raise ImproperlyConfigured(
            "EMAIL_URL is not set. Production sends real e-mail: set e.g. "
            "EMAIL_URL=smtp+tls://user:password@smtp.example.com:587"
        )
    config = env.email_url("EMAIL_URL", default=default)
    backend = config.pop("EMAIL_BACKEND")
    if backend == _CONSOLE:
        backend = _READABLE_CONSOLE
    options = {_OPTIONS[k]: v for k, v in config.items() if k in _OPTIONS and v not in ("", None)}
    if backend.endswith("smtp.EmailBackend"):
        options.setdefault("timeout", 10)
    return {"default": {"BACKEND": backend, "OPTIONS": options}}
