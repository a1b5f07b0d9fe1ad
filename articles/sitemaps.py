"""Sitemaps for search engines: articles, sections, authors, and a Google News sitemap.

Every URL is on the site's address (newsroom/site.py): Django's views would take the request's
Host, the sites framework not being installed.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Category, last_modified_expression
from articles.seo import iso_datetime
from newsroom.site import absolute_url, site_scheme_and_domain
from pagecache.surrogates import shows

# Google News only takes articles published in the last two days, 1,000 at most.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return site_scheme_and_domain()[0]

    def get_domain(self, site=None):
        return site_scheme_and_domain()[1]

    def get_urls(self, *args, **kwargs):
        shows("sitemaps")  # every change to a published article purges them all
        return super().get_urls(*args, **kwargs)


class ArticleSitemap(SiteSitemap):
    limit = 10_000  # well under Google's 50,000, so each page renders quickly

    def articles(self):
        return (
            Article.objects.published()
            .filter(noindex=False)
            .select_related("category")
            # Only what the URL and the dates need: no bodies for thousands of articles.
            .only(
                "slug",
                "title",
                "published_at",
                "text_updated_at",
                "corrected_at",
                "category__slug",
            )
        )

    def items(self):
        return self.articles().with_entries_updated_at()

    def lastmod(self, article):
        return article.last_modified_with_entries

    def get_latest_lastmod(self):
        # The default would load every article to find the latest date.
        found = self.articles().aggregate(
            text=Max(last_modified_expression()), entries=Max("live_entries__updated_at")
        )
        return max(filter(None, found.values()), default=None)


class NewsSitemap(ArticleSitemap):
    """Google News sitemap; rendered with ``sitemaps/news.xml``."""

    limit = NEWS_LIMIT

    def articles(self):
        return super().articles().filter(published_at__gte=timezone.now() - NEWS_WINDOW)

    def items(self):
        return super().items()[: self.limit]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            article = url["item"]
            url["news"] = {
                "publication_name": settings.NEWSROOM_SITE_NAME,
                "language": settings.LANGUAGE_CODE,
                "publication_date": iso_datetime(article.published_at),
                "title": article.title,
            }
        return urls


class CategorySitemap(SiteSitemap):
    def items(self):
        return Category.objects.order_by("menu_order", "name", "pk")


class AuthorSitemap(SiteSitemap):
    """Authors who signed at least one published article, dated by their latest one."""

    def items(self):
        latest = (
            Article.objects.published()
            .filter(bylines__author=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            Author.objects.annotate(last_published_at=Subquery(latest))
            .filter(last_published_at__isnull=False)
            .order_by("name", "pk")
        )

    def lastmod(self, author):
        return author.last_published_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": CategorySitemap,
    "authors": AuthorSitemap,
    "news": NewsSitemap,
}


@x_robots_tag
def index(request, sitemaps):
    """Django's sitemap index, with its links on the site's address."""
    shows("sitemaps")
    entries = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("sitemaps:section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [
            SitemapIndexItem(f"{location}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
