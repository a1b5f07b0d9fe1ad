"""Structured data (schema.org JSON-LD) for search engines, built from the models."""

import html

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from newsroom.site import absolute_url

SHARE_IMAGE_WIDTH = 1280  # social networks ask for 1200 px or more
# The page's meta description is cut here (templates/articles/article_detail.html).
DESCRIPTION_CHARS = 160


def share_title(article):
    """The title search engines and social cards show: the SEO title, or the title."""
    return article.seo_title or article.title


def page_title(article):
    """The article page's ``<title>`` (templates/articles/article_detail.html)."""
    return f"{share_title(article)} – {settings.NEWSROOM_SITE_NAME}"


def description(article):
    """The page's meta and social description: the meta description, or the lead, cut."""
    return Truncator(article.meta_description or article.lead).chars(DESCRIPTION_CHARS)


def share_image(image):
    """The rendition used for social cards and structured data: the widest one made."""
    width = image.rendition_width_at_most(SHARE_IMAGE_WIDTH)
    return {
        "url": image.rendition_url(width),
        "width": width,
        "height": round(image.height * width / image.width),
    }


def iso_datetime(moment):
    """An ISO 8601 date-time to the second in the site's time zone (None stays None)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None


def publisher():
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute_url(reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static("img/logo.png")),
            "width": 600,
            "height": 60,
        },
    }


def breadcrumb_list(trail):
    """``trail``: (name, path) pairs from the home page down to the current page."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def news_article(article, *, paywalled_selector=None):
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.meta_description or article.lead,
        "datePublished": iso_datetime(article.published_at),
        "dateModified": iso_datetime(article.last_modified),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute_url(author.get_absolute_url()),
            }
            for author in article.byline_authors
        ],
        "publisher": publisher(),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tag_list],
        "wordCount": article.word_count,
        "inLanguage": "fr",
        # What search engines are told matches what anonymous readers get.
        "isAccessibleForFree": paywalled_selector is None,
    }
    if article.featured_image:
        image = share_image(article.featured_image)
        data["image"] = [absolute_url(image["url"])]
    if paywalled_selector:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": paywalled_selector,
        }
    return {key: value for key, value in data.items() if value is not None}


def live_blog_posting(article, entries, url, *, paywalled_selector=None):
    """A live story's structured data: the article's, as a ``LiveBlogPosting`` with its
    coverage times and the ``entries`` of its page at ``url`` (``liveBlogUpdate``, newest
    first), as search engines require of a live blog."""
    data = news_article(article, paywalled_selector=paywalled_selector)
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = iso_datetime(article.live_started_at or article.published_at)
    if not article.is_live and article.live_ended_at:
        data["coverageEndTime"] = iso_datetime(article.live_ended_at)
    updates = sorted(entries, key=lambda entry: (entry.published_at, entry.pk), reverse=True)
    if updates:
        latest = max(entry.updated_at for entry in updates)
        data["dateModified"] = iso_datetime(max(latest, article.last_modified))
    data["liveBlogUpdate"] = [live_blog_update(entry, url) for entry in updates]
    return data


def live_blog_update(entry, article_url):
    """One entry of a live story's ``liveBlogUpdate``; a picture alone has no ``articleBody``."""
    update = {
        "@type": "BlogPosting",
        "headline": Truncator(entry_headline(entry)).chars(110),
        "datePublished": iso_datetime(entry.published_at),
        "dateModified": iso_datetime(entry.updated_at),
        "url": f"{article_url}#{entry.anchor}",
        "articleBody": entry_text(entry),
        "author": {
            "@type": "Person",
            "name": entry.author.name,
            "url": absolute_url(entry.author.get_absolute_url()),
        },
    }
    return {key: value for key, value in update.items() if value}


def entry_text(entry):
    """A live entry's text, without its markup."""
    return " ".join(html.unescape(strip_tags(entry.body)).split())


def entry_headline(entry):
    """A live entry's title, else the beginning of its text."""
    return entry.title or Truncator(entry_text(entry)).words(12) or entry.article.title
