"""The bare Django view of ``manage.py bench``: the reference every page is measured against.

A second gunicorn serves this settings module with the same worker settings as the site:
Django with no application, no middleware, no template and no database, answering one fixed
page of the measured page's size (``benchmark.views.ceiling``, ``?bytes=``). Everything a page
costs above it is Newsroom's own work: the middleware stack, the views, the queries and the
templates.
"""

import os

from django.urls import path

from benchmark.views import ceiling

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
TEMPLATES = []
USE_I18N = False
USE_TZ = True
ROOT_URLCONF = __name__  # the one URL below: no module of its own for a single line

urlpatterns = [path("bench/nu/", ceiling)]
