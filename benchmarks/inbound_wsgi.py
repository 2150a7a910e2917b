"""gunicorn entry point of the inbound benchmark: the app, with benchmarks.inbound_urls."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.inbound_urls"
