from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudienceConfig(AppConfig):
    name = "audience"
    verbose_name = _("Audience")

    def ready(self):
        from articles.models import Article, Category
        from audience import models, purging
        from pagecache import registry

        # The alert is on every page; it goes away by itself at its end time.
        registry.furniture("alert", models.Alert)
        registry.changes_at(models.Alert.objects.next_end)
        registry.purged_with(models.Alert, purging.alert_keys, purging.alert_due)
        # « Les plus lus »: the ranking, with the stories' cards.
        registry.furniture("most-read", models.MostRead, Article, Category)
        registry.purged_with(models.MostRead, purging.most_read_keys)
