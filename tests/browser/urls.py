"""The site's URLs plus the media files, for the browser tests' live server.

``django.conf.urls.static.static()`` adds nothing when DEBUG is off, as it is in tests, and
MEDIA_ROOT changes with every test (a temporary directory): the view reads it per request.
"""

from django.conf import settings
from django.urls import path
from django.views.static import serve

from newsroom.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media),
    *site_urlpatterns,
]
