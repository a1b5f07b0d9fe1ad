from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Editorial content")
    lookup_receivers = []

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from taggit.models import Tag

        from articles import caching, models

        # Anything a reader can see changing starts a new version of the page cache.
        for model in (
            models.Article, models.ArticleAuthor, models.Author, models.Category,
            models.Correction, models.HouseAd, models.Image, models.ReadMoreLink,
            models.TaggedArticle, Tag,
        ):  # fmt: skip
            post_save.connect(caching.content_changed, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(
                caching.content_changed, sender=model, dispatch_uid=f"cache-d{model}"
            )
        m2m_changed.connect(caching.content_changed, sender=models.Article.tags.through)
        for signal in (post_save, post_delete):
            signal.connect(caching.article_withdrawn, sender=models.Article)
        for name, senders in (
            ("main-sections", [models.Category]),
            ("house-ads", [models.HouseAd, models.Image]),
        ):
            receiver = caching.forget_lookup(name)
            self.lookup_receivers.append(receiver)  # signals keep weak references
            for model in senders:
                post_save.connect(receiver, sender=model)
                post_delete.connect(receiver, sender=model)
