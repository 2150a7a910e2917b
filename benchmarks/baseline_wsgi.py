"""gunicorn entry point of the HTTP benchmarks: the app, with benchmarks.baseline_urls (the app's
URLs and the empty views they measure against)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.baseline_urls"
