"""Whole-number settings read from the environment: a malformed or non-positive value stops
start-up with a message naming the variable (a ValueError deep in django-environ would not)."""

import environ
from django.core.exceptions import ImproperlyConfigured


def positive_int(env: environ.Env, name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a positive whole number; write e.g. {name}={default}."
        )
    return value
