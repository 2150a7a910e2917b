"""The Jinja2 template engine (TEMPLATES' second backend), for the few parts of a page where
Django's template language costs more than the rest of the request: a template compiled to
Python renders a table of fifty rows in a fraction of a millisecond, Django's node by node in
several. Such a part lives in templates/jinja2/ and is rendered by its view into a Django page
(the Phone Numbers list: phone_numbers/views.py); pages and their layout stay Django templates.

What a Jinja2 template may call beyond the context: ``url(name, *args)`` (``reverse``). Django's
backend adds ``request``, ``csrf_input`` and ``csrf_token`` when rendered with a request."""

from typing import Any

from django.urls import reverse
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(**options, extensions=["jinja2.ext.do"])
    env.globals["url"] = lambda name, *args: reverse(name, args=args or None)
    return env
