"""The one place that decides what a reader may read of an article.

The article page (and its preview) asks ``decide()`` and shows what it says. Feeds and
newsletters carry leads only; search quotes the body of no article that ``is_paywalled()``.
"""

import time
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core import signing

from articles.caching import cached_lookup, has_session
from articles.models import Article
from subscriptions.models import PaywallSettings, Subscription

Mode = PaywallSettings.Mode
METER_COOKIE = "newsroom_meter"
METER_SALT = "subscriptions.paywall.meter"
METER_WINDOW = 30 * 24 * 3600  # seconds


@dataclass(frozen=True)
class Decision:
    full_text: bool  # the whole body may be sent
    teaser: bool  # the subscription teaser is shown
    metered: bool = False  # this read counts against the browser's free articles

    @property
    def variant(self):
        """What distinguishes cached copies of the same page."""
        return f"{'full' if self.full_text else 'lead'}-{'teaser' if self.teaser else 'plain'}"


def settings():
    """The paywall settings, kept in the cache until they are saved again."""
    return cached_lookup("paywall-settings", PaywallSettings.load)


def is_subscriber(user):
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_subscriber"):
        user._is_subscriber = Subscription.objects.active().filter(reader=user).exists()
    return user._is_subscriber


def reader_of(request):
    """The request's user, without touching the session of a visitor who has none."""
    return request.user if has_session(request) else None


class Meter:
    """Subscriber-only articles a browser read for free in the last 30 days (signed cookie)."""

    def __init__(self, reads=None):
        self.reads = reads or {}

    @classmethod
    def from_request(cls, request):
        try:
            raw = request.get_signed_cookie(METER_COOKIE, salt=METER_SALT, max_age=METER_WINDOW)
            reads = {int(pk): int(at) for pk, at in (item.split(":") for item in raw.split(","))}
        except (KeyError, ValueError, signing.BadSignature):
            # No cookie, or one forged, damaged or signed with an old key: no reads.
            reads = {}
        cutoff = time.time() - METER_WINDOW
        return cls({pk: at for pk, at in reads.items() if at > cutoff})

    def allows(self, article_pk, limit):
        return article_pk in self.reads or len(self.reads) < limit

    def record(self, article_pk, response):
        self.reads.setdefault(article_pk, int(time.time()))
        value = ",".join(f"{pk}:{at}" for pk, at in self.reads.items())
        response.set_signed_cookie(
            METER_COOKIE,
            value,
            salt=METER_SALT,
            max_age=METER_WINDOW,
            secure=django_settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def decide(user, access, article_pk=None, meter=None):
    """What ``user`` (None for an anonymous visitor) may read of an article with ``access``."""
    if access == Article.Access.FREE:
        return Decision(full_text=True, teaser=False)
    paywall = settings()
    if paywall.mode == Mode.OFF:
        return Decision(full_text=True, teaser=False)
    if user is not None and (user.is_staff or is_subscriber(user)):
        return Decision(full_text=True, teaser=False)
    if paywall.mode == Mode.ANNOUNCE:
        return Decision(full_text=True, teaser=True)
    metered = paywall.mode == Mode.METERED and meter is not None and article_pk is not None
    if metered and meter.allows(article_pk, paywall.free_articles):
        return Decision(full_text=True, teaser=True, metered=True)
    return Decision(full_text=False, teaser=True)


def is_paywalled(access):
    """Whether search engines should be told the article's body is not free to read."""
    return access == Article.Access.SUBSCRIBERS and settings().mode in (Mode.METERED, Mode.ON)
