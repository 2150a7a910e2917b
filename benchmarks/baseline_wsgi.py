"""gunicorn entry point of the HTTP benchmarks: the app as config/wsgi.py serves it (carriers'
webhooks apart), with benchmarks.baseline_urls (the app's URLs and the empty views they measure
against)."""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from config.wsgi import application

settings.ROOT_URLCONF = "benchmarks.baseline_urls"

__all__ = ["application"]
