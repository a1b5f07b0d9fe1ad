from datetime import datetime, time, timedelta

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Editorial content")

    def ready(self):
        from taggit.models import Tag

        from articles import fulltext, models, purging
        from pagecache import pages, registry

        # SQLite's full-text index: its stemming function on every connection, its triggers
        # put back after a migration that rebuilt the articles' table.
        fulltext.connect_signals()
        for connection in connections.all(initialized_only=True):
            fulltext.register(connection)
        post_migrate.connect(_install_search_index, sender=self)

        # Everything a reader can see: a change to any of it starts a new page version.
        registry.shown_to_readers(
            models.Article, models.ArticleAuthor, models.Author, models.Correction,
            models.ReadMoreLink, models.TaggedArticle, Tag, models.LiveEntry,
        )  # fmt: skip
        registry.furniture("main-sections", models.Category)
        registry.furniture("house-ads", models.HouseAd, models.Image)
        registry.changes_at(models.Article.objects.next_publication_time)
        registry.changes_at(next_midnight)
        Access = models.Article.Access
        pages.withdrawn_at(
            models.Article, lambda article: not article.is_visible or article.access != Access.FREE
        )
        # What a change purges from the CDN; any other table's change purges every page.
        registry.purged_with(models.Article, purging.article_keys, purging.article_due)
        registry.purged_with(models.ArticleAuthor, purging.byline_keys, purging.part_due)
        registry.purged_with(models.TaggedArticle, purging.tagging_keys, purging.part_due)
        registry.purged_with(models.ReadMoreLink, purging.article_part_keys, purging.part_due)
        registry.purged_with(models.Correction, purging.correction_keys, purging.part_due)
        registry.purged_with(models.LiveEntry, purging.live_entry_keys, purging.part_due)
        registry.purged_with(Tag, purging.tag_keys)
        registry.purge_addresses(purging.addresses)


def next_midnight():
    """The home page says "14 h 05" of today's stories and "3 mars" of older ones (and the
    footer says the year): pages change at midnight, in the site's time."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _install_search_index(using, **kwargs):
    from articles import fulltext

    fulltext.install(connections[using])
