"""The WSGI application: kept pages answered in front of Django (pagecache/fastpath.py), with
their log line (newsroom/logs.py); everything else, the health check first, by Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django_application = get_wsgi_application()

# Imported once Django is set up, above.
from newsroom import health, logs  # noqa: E402
from pagecache.fastpath import KeptPages  # noqa: E402

application = KeptPages(django_application, log=logs.log_kept_page, passes=health.PATHS)
