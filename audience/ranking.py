"""« Les plus lus »: the stories most read in the last 24 hours.

The ranking is kept in ``MostRead``, a piece of site furniture (``registry.furniture``): the
worker replaces it after writing the counts, and only when the order of the top stories has
changed, and at most once per ``AUDIENCE["MOST_READ_REFRESH"]`` seconds: pages are built again
for it at most every few minutes, never per view. Pages showing the list carry the CDN key
``most-read``, purged when it changes.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from articles.models import Article, published_q
from audience.models import ArticleViews, MostRead, window_start
from pagecache.parts import cached_lookup
from pagecache.surrogates import shows, shows_articles

SIZE = 5
WINDOW_HOURS = 24


def top_ids(now=None, size=SIZE):
    """The ids of the ``size`` stories readers may see that were most read in the last 24
    hours, most read first (the older story first on a tie)."""
    now = now or timezone.now()
    rows = (
        ArticleViews.objects.filter(hour__gte=window_start(now, WINDOW_HOURS))
        .filter(published_q("article__"))
        .values("article_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "article_id")[:size]
    )
    return [row["article_id"] for row in rows]


def refresh(now=None):
    """Replace the ranking if it changed; True if it did."""
    ids = top_ids(now)
    if ids == list(MostRead.objects.values_list("article_id", flat=True)):
        return False
    with transaction.atomic():
        MostRead.objects.all().delete()
        for rank, article_id in enumerate(ids, start=1):
            MostRead(rank=rank, article_id=article_id).save()
    return True


def refresh_if_due(now=None):
    """``refresh()``, at most once per ``AUDIENCE["MOST_READ_REFRESH"]`` seconds (5 minutes):
    a new ranking rebuilds every page that shows it."""
    if not cache.add(
        "audience:most-read-refreshed", 1, timeout=settings.AUDIENCE["MOST_READ_REFRESH"]
    ):
        return False
    return refresh(now)


def most_read():
    """The stories of « Les plus lus », as cards, kept until the ranking or a story changes."""
    articles = cached_lookup(
        "most-read",
        lambda: list(
            Article.objects.published()
            .for_cards()
            .filter(most_read__isnull=False)
            .order_by("most_read__rank")
        ),
    )
    shows("most-read")
    shows_articles(articles)
    return articles


def views_since(article_ids, hours, now=None):
    """{article id: views in the last ``hours`` hours} (flushed counts)."""
    start = window_start(now or timezone.now(), hours)
    rows = (
        ArticleViews.objects.filter(article_id__in=article_ids, hour__gte=start)
        .values("article_id")
        .annotate(total=Sum("views"))
    )
    return {row["article_id"]: row["total"] for row in rows}


WEEK = int(timedelta(days=7).total_seconds() // 3600)
