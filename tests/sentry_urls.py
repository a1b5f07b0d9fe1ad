"""URLs of the Sentry test (tests/test_monitoring.py): the site's own, and a view that fails."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from newsroom.urls import urlpatterns as site_urlpatterns


class NewsletterExploded(Exception):
    pass


@csrf_exempt
def failing(request, token):
    reader = "marie.curie@exemple.fr"
    raise NewsletterExploded(f"could not send to {reader}")


urlpatterns = [path("panne/<str:token>/", failing), *site_urlpatterns]
