"""Sitemaps for search engines: articles, sections, authors, and a Google News sitemap.

The sites framework is not installed, so the views take each URL's protocol and domain from
the request.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from articles.models import Article, Author, Category, last_modified_expression
from articles.seo import iso_datetime

# Google News only takes articles published in the last two days, 1,000 at most.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


class ArticleSitemap(Sitemap):
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
        return self.articles()

    def lastmod(self, article):
        return article.last_modified

    def get_latest_lastmod(self):
        # The default would load every article to find the latest date.
        return self.articles().aggregate(latest=Max(last_modified_expression()))["latest"]


class NewsSitemap(ArticleSitemap):
    """Google News sitemap; rendered with ``sitemaps/news.xml``."""

    limit = NEWS_LIMIT

    def articles(self):
        return super().articles().filter(published_at__gte=timezone.now() - NEWS_WINDOW)

    def items(self):
        return self.articles()[: self.limit]

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


class CategorySitemap(Sitemap):
    def items(self):
        return Category.objects.order_by("menu_order", "name", "pk")


class AuthorSitemap(Sitemap):
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
