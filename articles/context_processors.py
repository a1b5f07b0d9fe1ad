import hashlib

from django.conf import settings

from articles.models import Category
from pagecache.parts import cached_lookup, remember


def main_sections():
    """The sections of the site's menu, kept in the cache until a section changes."""
    return cached_lookup(
        "main-sections", lambda: list(Category.objects.filter(parent__isnull=True))
    )


def sections_by_slug():
    """Every section by its slug, with its parent and its sub-sections (``subsections``), kept
    in the cache with the menu until a section changes: a section's page then asks the
    database for its stories alone."""

    def build():
        sections = list(Category.objects.all())
        by_pk = {section.pk: section for section in sections}
        for section in sections:
            section.subsections = []
        for section in sections:  # in menu order, as ``children`` lists them
            if section.parent_id is not None:
                section.parent = by_pk[section.parent_id]
                section.parent.subsections.append(section)
        return {section.slug: section for section in sections}

    return remember("lookup:sections", build, scope="main-sections")


def theme_version():
    """Changes with the site's colours, so that browsers may keep theme.css for good."""
    colours = sorted(settings.NEWSROOM_COLOURS.items())
    return hashlib.sha256(repr(colours).encode()).hexdigest()[:8]


def site(request):
    """The site's name, address and main sections, for the header of every page."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # Where canonical links point, whatever the Host the request came with.
        "site_url": settings.NEWSROOM_SITE_URL.rstrip("/"),
        "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
        "site_colours": settings.NEWSROOM_COLOURS,
        "theme_version": theme_version(),
        "main_sections": main_sections,
    }
