from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from articles import access
        from articles.caching import content_changed, forget_lookup
        from subscriptions import paywall
        from subscriptions.models import PaywallSettings

        access.register(paywall)

        # The paywall mode changes what anonymous readers are sent: cached pages must go.
        self.forget_settings = forget_lookup("paywall-settings")
        for signal in (post_save, post_delete):
            signal.connect(content_changed, sender=PaywallSettings, dispatch_uid=f"p{signal}")
            signal.connect(self.forget_settings, sender=PaywallSettings)
