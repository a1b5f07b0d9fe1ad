from django.conf import settings

from articles.models import Category


def site(request):
    """The site's name and main sections, for the header of every page."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # Lazy: evaluated only by templates that draw the menu.
        "main_sections": Category.objects.filter(parent__isnull=True),
    }
