from django.conf import settings

from articles.caching import cached_by_version
from articles.models import Category


def main_sections():
    """The sections of the site's menu, looked up once per content version."""
    return cached_by_version(
        "main-sections", lambda: list(Category.objects.filter(parent__isnull=True))
    )


def site(request):
    """The site's name and main sections, for the header of every page."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
        "site_colours": settings.NEWSROOM_COLOURS,
        "main_sections": main_sections,
    }
