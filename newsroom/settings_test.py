"""Test settings: fast hashing, local-memory cache, in-memory e-mail."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from newsroom.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test client's host: absolute URLs in pages, feeds and e-mails read as in a browser.
NEWSROOM_SITE_URL = "http://testserver"
# Without read replicas, whatever the environment says: a test mirror would only borrow the test
# database's name, on the replica's server. tests/test_routers.py runs the site against a real
# replica, in processes of their own.
DATABASES = {"default": DATABASES["default"]}  # noqa: F405
DATABASE_REPLICAS = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No console output; Django's own lines hide tokens as in production.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": LOGGING["filters"],  # noqa: F405
    "loggers": {name: LOGGING["loggers"][name] for name in SECRETS_LOGGED_BY},  # noqa: F405
}
# Tests run without collectstatic: WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Background tasks run at once, inside the test.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The benchmark's code is tested; its ceiling page is routed only where a test asks for it.
if "benchmark" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "benchmark"]  # noqa: F405
NEWSROOM_BENCHMARK = False
# The content version is read once per test (tests/conftest.py): query counts do not depend on
# the clock. A change made in the process shows at once; tests of other processes set less.
PAGE_CACHE_RECHECK = 3600
# Purges are sent at once (in production, once every process has seen the new version).
CDN_PURGE_DELAY = 0
# Counted views are handed to the worker by the test that wants it, never by a timer firing
# during a later test (audience/counting.py).
AUDIENCE = {**AUDIENCE, "FLUSH_INTERVAL": None}  # noqa: F405
