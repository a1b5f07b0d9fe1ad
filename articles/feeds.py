"""RSS 2.0 feeds of published articles: the whole site, a section, an author, a tag.

An item carries the article's lead, never its body: subscriber-only text must not leave the
site through a feed. Every link is on the site's address (newsroom/site.py), so none of them
depends on the request's Host.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _

from articles import images
from articles.models import Article, Author, Category, readers_tag_or_404
from newsroom.site import absolute_url
from pagecache.surrogates import shows, shows_articles

logger = logging.getLogger(__name__)

ENCLOSURE_WIDTH = 640
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
# A rendition's name changes with its original, so its size can be remembered for long.
RENDITION_SIZE_CACHE_SECONDS = 24 * 60 * 60


def rendition_size(storage, name):
    """The file's size in bytes; cached, since on object storage each lookup is a request.

    0 when the storage cannot tell, as the RSS Best Practices Profile advises for an enclosure
    whose size is unknown: a missing rendition must not take the whole feed down.
    """
    key = f"feeds:rendition-size:{hashlib.sha256(name.encode()).hexdigest()}"
    size = cache.get(key)
    if size is None:
        try:
            size = storage.size(name)
        except Exception:
            logger.warning("No size for rendition %s", name, exc_info=True)
            return 0
        cache.set(key, size, RENDITION_SIZE_CACHE_SECONDS)
    return size


class ArticleFeed(Feed):
    """The latest published articles; subclasses narrow the list to a section or an author."""

    feed_type = Rss201rev2Feed
    language = settings.LANGUAGE_CODE
    ttl = 15  # minutes
    item_count = 30

    def articles(self, obj):
        return Article.objects.published()

    def list_key(self, obj):
        """The key of the list, besides ``feeds`` (pagecache/surrogates.py)."""
        return None

    def items(self, obj):
        articles = list(
            self.articles(obj)
            .for_cards()
            .with_bylines()
            .with_tags()
            .with_entries_updated_at()[: self.item_count]
        )
        shows("feeds", *filter(None, [self.list_key(obj)]))
        shows_articles(articles)
        return articles

    def item_link(self, article):
        return absolute_url(article.get_absolute_url())

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        # A live story's newest entry dates the feed's build (its item's pubDate stays the
        # story's publication: a reader's list would show it as new at every entry).
        return article.last_modified_with_entries

    def item_author_name(self, article):
        return ", ".join(author.name for author in article.byline_authors) or None

    def item_categories(self, article):
        return [article.category.name, *(tag.name for tag in article.tag_list)]

    def item_enclosures(self, article):
        image = article.featured_image
        if image is None:
            return []
        width = image.rendition_width_at_most(ENCLOSURE_WIDTH)
        extension = images.original_extension(image.file.name)
        name = images.rendition_name(image.file.name, width, extension)
        return [
            Enclosure(
                url=absolute_url(image.rendition_url(width)),
                length=str(rendition_size(image.file.storage, name)),
                mime_type=MIME_TYPES.get(extension, "application/octet-stream"),
            )
        ]


class LatestArticlesFeed(ArticleFeed):
    def title(self):
        return f"{settings.NEWSROOM_SITE_NAME} – {_('Latest news')}"

    def description(self):
        return _("The latest articles published by %(site)s.") % {
            "site": settings.NEWSROOM_SITE_NAME
        }

    def link(self):
        return absolute_url(reverse("articles:home"))

    def feed_url(self):
        return absolute_url(reverse("feeds:latest"))


class CategoryFeed(ArticleFeed):
    """A section's articles, its sub-sections' included."""

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def articles(self, category):
        return Article.objects.published().filter(
            Q(category=category) | Q(category__parent=category)
        )

    def list_key(self, category):
        return f"section-{category.pk}"

    def title(self, category):
        return f"{settings.NEWSROOM_SITE_NAME} – {category.name}"

    def description(self, category):
        return category.description or _("The latest articles in the “%(section)s” section.") % {
            "section": category.name
        }

    def link(self, category):
        return absolute_url(category.get_absolute_url())

    def feed_url(self, category):
        return absolute_url(reverse("feeds:category", kwargs={"slug": category.slug}))


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def articles(self, author):
        return Article.objects.published().filter(bylines__author=author)

    def list_key(self, author):
        return f"author-{author.pk}"

    def title(self, author):
        return f"{settings.NEWSROOM_SITE_NAME} – {author.name}"

    def description(self, author):
        return _("The latest articles by %(author)s.") % {"author": author.name}

    def link(self, author):
        return absolute_url(author.get_absolute_url())

    def feed_url(self, author):
        return absolute_url(reverse("feeds:author", kwargs={"slug": author.slug}))


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        return readers_tag_or_404(slug)

    def articles(self, tag):
        return Article.objects.published().filter(tags=tag)

    def list_key(self, tag):
        return f"tag-{tag.pk}"

    def title(self, tag):
        return f"{settings.NEWSROOM_SITE_NAME} – {tag.name}"

    def description(self, tag):
        return _("The latest articles about %(tag)s.") % {"tag": tag.name}

    def link(self, tag):
        return absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug}))

    def feed_url(self, tag):
        return absolute_url(reverse("feeds:tag", kwargs={"slug": tag.slug}))
