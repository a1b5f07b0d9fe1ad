from django.utils import timezone

from audience.models import Alert
from pagecache.parts import cached_lookup


def current_alert():
    """The alert shown now, or None: the current one kept until alerts change; gone at its
    end time (a clock of the page cache builds pages again then)."""
    alerts = cached_lookup("alert", lambda: list(Alert.objects.running()))
    now = timezone.now()
    return next((alert for alert in alerts if alert.is_running(now)), None)


def alert(request):
    return {"site_alert": current_alert}
