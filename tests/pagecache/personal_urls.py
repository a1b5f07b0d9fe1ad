"""The site's URLs, and reader pages that read the visitor (tests of the page cache)."""

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns
from pagecache.pages import reader_page


@reader_page
def greeting(request):
    return HttpResponse(f"Bonjour {request.user}")


@reader_page
def last_visit(request):
    return HttpResponse(f"Dernière visite : {request.session.get('last_visit', 'jamais')}")


urlpatterns = [
    path("essai/bonjour/", greeting),
    path("essai/visite/", last_visit),
    *site_urlpatterns,
]
