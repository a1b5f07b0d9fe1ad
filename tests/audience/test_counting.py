"""Views counted on the server by the article page's beacon: who counts, what is refused, and
how the counts reach the database without a write per view."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audience import counting
from audience.models import ArticleViews
from tests.factories import ArticleFactory
from tests.services import redis_server

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_USER_AGENT": BROWSER}


@pytest.fixture
def story():
    return ArticleFactory()


def _beacon(article_id, client=None, **headers):
    client = client or Client()
    return client.post(reverse("audience:read", args=[article_id]), **{**SAME_ORIGIN, **headers})


def _counted():
    return sum(counting.PROCESS.counts.values())


def _writes(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_a_readers_view_is_counted_and_answered_204_never_cached(story):
    response = _beacon(story.pk)
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert not response.cookies
    assert _counted() == 1


def test_get_is_refused(story):
    response = Client().get(reverse("audience:read", args=[story.pk]), **SAME_ORIGIN)
    assert response.status_code == 405
    assert _counted() == 0


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_bots_are_not_counted(story, agent):
    assert _beacon(story.pk, HTTP_USER_AGENT=agent).status_code == 204
    assert _counted() == 0


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
    ],
)
def test_prefetches_and_prerenders_are_not_counted(story, header):
    assert _beacon(story.pk, **header).status_code == 204
    assert _counted() == 0


def test_staff_are_not_counted(story, editor_client, author_client):
    assert _beacon(story.pk, client=editor_client).status_code == 204
    assert _beacon(story.pk, client=author_client).status_code == 204
    assert _counted() == 0


def test_an_unknown_or_unpublished_story_is_refused(story):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    for pk in (story.pk + 1000, draft.pk, scheduled.pk):
        assert _beacon(pk).status_code == 404
    assert Client().post(f"/audience/lu/{story.pk}x/", **SAME_ORIGIN).status_code == 404
    assert _counted() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_ORIGIN": "https://ailleurs.example"},
        {},
    ],
)
def test_requests_from_other_sites_are_refused(story, headers):
    response = Client().post(
        reverse("audience:read", args=[story.pk]), HTTP_USER_AGENT=BROWSER, **headers
    )
    assert response.status_code == 403
    assert _counted() == 0


def test_a_browser_without_fetch_metadata_counts_by_its_origin(story):
    response = Client().post(
        reverse("audience:read", args=[story.pk]),
        HTTP_USER_AGENT=BROWSER,
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 204
    assert _counted() == 1


def test_views_are_rate_limited_per_address(story, settings):
    settings.AUDIENCE = {**settings.AUDIENCE, "RATE_PER_IP": 3}
    statuses = [_beacon(story.pk).status_code for _ in range(4)]
    other = _beacon(story.pk, REMOTE_ADDR="192.0.2.9").status_code
    assert statuses == [204, 204, 204, 429]
    assert other == 204
    assert _counted() == 4


def test_many_views_cost_no_database_write_until_the_flush(story):
    other = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            assert _beacon(story.pk).status_code == 204
        assert _beacon(other.pk).status_code == 204
    assert _writes(queries) == []
    # The content version read, then each story's publication checked once for it.
    assert len(queries) <= 3
    assert not ArticleViews.objects.exists()

    with CaptureQueriesContext(connection) as queries:
        assert counting.PROCESS.send() == 51  # the timer's job: one task for the worker
    rows = {(row.article_id, row.views) for row in ArticleViews.objects.all()}
    assert rows == {(story.pk, 50), (other.pk, 1)}
    upserts = [q["sql"] for q in queries if 'INSERT INTO "audience_articleviews"' in q["sql"]]
    assert len(upserts) == 1 and upserts[0].startswith("2 times:")  # a row per story and hour
    assert _counted() == 0


def test_a_flush_adds_to_the_hours_rows(story):
    with time_machine.travel(datetime(2026, 3, 10, 9, 59, tzinfo=UTC), tick=False) as clock:
        story.published_at = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
        story.save()
        for _ in range(3):
            _beacon(story.pk)
        counting.PROCESS.send()
        _beacon(story.pk)
        clock.move_to(datetime(2026, 3, 10, 10, 1, tzinfo=UTC))
        _beacon(story.pk)
        _beacon(story.pk)
        counting.PROCESS.send()
    rows = ArticleViews.objects.order_by("hour").values_list("hour", "views")
    assert list(rows) == [
        (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), 4),
        (datetime(2026, 3, 10, 10, 0, tzinfo=UTC), 2),
    ]


def test_the_timer_hands_the_counts_to_the_worker(story, settings, database_queue):
    from django_tasks_db.models import DBTaskResult

    settings.AUDIENCE = {**settings.AUDIENCE, "FLUSH_INTERVAL": 3600}
    _beacon(story.pk)
    _beacon(story.pk)
    timer = counting.PROCESS.timer
    assert timer is not None and timer.interval == 3600
    assert not DBTaskResult.objects.exists()
    counting.PROCESS.send()
    task = DBTaskResult.objects.get()
    assert task.task_path == "audience.counting.record_views"
    assert task.args_kwargs["args"][0][0][2] == 2


@pytest.fixture
def shared_cache(settings):
    """Counts in a Redis of the test's own, as with CACHE_URL=redis://…"""
    with redis_server() as server:
        settings.CACHES = {
            "default": {"BACKEND": "newsroom.cache.ResilientRedisCache", "LOCATION": server.url}
        }
        try:
            yield server
        finally:
            cache.clear()


def test_with_redis_views_are_counted_in_redis_and_flushed_by_the_worker(
    story, shared_cache, database_queue, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.AUDIENCE = {**settings.AUDIENCE, "FLUSH_INTERVAL": 60}
    other = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            _beacon(story.pk)
        _beacon(other.pk)
    # The first view queued the worker's flush, in a minute: one task per interval.
    assert [sql.split(" (")[0] for sql in _writes(queries)] == [
        'INSERT INTO "django_tasks_database_dbtaskresult"'
    ]
    task = DBTaskResult.objects.get()
    assert task.task_path == "audience.counting.flush_views"
    assert timezone.now() + timedelta(seconds=50) < task.run_after
    assert _counted() == 0  # nothing in the process's memory
    assert not ArticleViews.objects.exists()

    counting.flush()
    assert {(r.article_id, r.views) for r in ArticleViews.objects.all()} == {
        (story.pk, 20),
        (other.pk, 1),
    }
    counting.flush()  # nothing left: counted once
    assert sum(ArticleViews.objects.values_list("views", flat=True)) == 21


def test_with_redis_away_views_wait_in_the_process(story, shared_cache):
    shared_cache.kill()
    assert _beacon(story.pk).status_code == 204
    assert _counted() == 1


def test_views_of_a_story_deleted_before_the_flush_are_dropped(story):
    _beacon(story.pk)
    story.delete()
    counting.PROCESS.send()
    assert not ArticleViews.objects.exists()


def test_hour_buckets_are_whole_hours():
    moment = datetime(2026, 3, 10, 9, 41, 7, 5, tzinfo=UTC)
    assert counting.hour_of(moment) == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert counting.hour_of(moment) + timedelta(hours=1) > moment


def test_with_redis_one_flush_at_a_time(story, shared_cache, database_queue):
    _beacon(story.pk)
    cache.add("audience:drain-lock", 1)  # another worker is flushing
    counting.flush()
    assert not ArticleViews.objects.exists()
    cache.delete("audience:drain-lock")
    counting.flush()
    assert ArticleViews.objects.get().views == 1
