from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    name = "wordpress"
    verbose_name = _("WordPress import")

    def ready(self):
        from pagecache import registry
        from wordpress.models import OldAddress

        # An old address added or changed turns what an address answers (a 404) into a
        # redirect: a new page version. Nothing to purge at the edge, which keeps neither 404s
        # nor redirects (pagecache.pages.kept_by_no_shared_cache_unless_said).
        registry.shown_to_readers(OldAddress)
        registry.purged_with(OldAddress, lambda old, new: ())
