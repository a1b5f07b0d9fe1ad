from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    name = "wordpress"
    verbose_name = _("WordPress import")

    def ready(self):
        from pagecache import registry
        from wordpress.models import OldAddress

        # An old address added or changed turns what an address answers (a 404 the CDN may
        # keep) into a redirect: a new page version, and the site purged.
        registry.shown_to_readers(OldAddress)
