from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from articles import access
        from pagecache import registry
        from subscriptions import paywall
        from subscriptions.models import PaywallSettings

        access.register(paywall)
        # The paywall mode changes what anonymous readers are sent: cached pages must go.
        registry.furniture("paywall-settings", PaywallSettings)
