from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = _("Page cache")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from pagecache import watch

        # Every write to a table readers see, whatever ORM path made it, starts a new version.
        connection_created.connect(watch.install, dispatch_uid="pagecache-watch")
        pre_migrate.connect(watch.pause, dispatch_uid="pagecache-pause")
        post_migrate.connect(watch.after_migrate, dispatch_uid="pagecache-after-migrate")
