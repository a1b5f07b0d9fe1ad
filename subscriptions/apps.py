from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from articles import access
        from pagecache import fastpath, pages, registry
        from subscriptions import paywall
        from subscriptions.models import PaywallSettings

        access.register(paywall)
        # The paywall mode changes what anonymous readers are sent: cached pages must go.
        registry.furniture("paywall-settings", PaywallSettings)
        # Switched on, the paywall takes full texts from readers: no copy from before it is
        # served while the database is unreachable.
        pages.withdrawn_at(PaywallSettings, lambda settings: True)
        # The meter's cookie may change an article page: its visitors go the long way.
        fastpath.personal_cookie(paywall.METER_COOKIE)
