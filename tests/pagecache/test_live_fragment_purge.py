"""A live story's fragment of entries (``/direct/<id>/entrees/``) in a cache purged by address
(nginx): it is purged whenever the story's pages are, and also once the story is no longer a
live story, or is deleted, when its id no longer tells that it had one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from pagecache import purge
from tests.factories import ArticleFactory, LiveEntryFactory
from tests.pagecache.test_purge import CDN

pytestmark = pytest.mark.django_db


@pytest.fixture
def nginx(settings, django_capture_on_commit_callbacks):
    """The addresses a change makes the worker send nginx."""
    with CDN() as cdn:
        settings.CDN_PURGE_BACKEND = "nginx"
        settings.CDN_PURGE_NGINX_URLS = [cdn.url]

        def purged(change):
            with django_capture_on_commit_callbacks(execute=False):  # the worker's task
                change()
            cdn.requests.clear()
            purge.run_due(timezone.now() + timedelta(hours=1))
            return {path for method, path, _headers, _body in cdn.requests if method == "PURGE"}

        yield purged


@pytest.fixture
def story():
    return ArticleFactory(live_status=Article.LiveStatus.LIVE)


def _fragment(story):
    return reverse("articles:live_entries", args=[story.pk])


def test_an_entry_deleted_purges_the_fragment(nginx, story):
    added = LiveEntryFactory(article=story)
    assert _fragment(story) in nginx(added.delete)


@pytest.mark.parametrize("status", [Article.LiveStatus.ENDED, Article.LiveStatus.NONE])
def test_a_story_that_stops_being_live_purges_the_fragment(nginx, story, status):
    def stop():
        story.live_status = status
        story.save()

    assert {story.get_absolute_url(), _fragment(story)} <= nginx(stop)


def test_a_live_story_deleted_purges_the_fragment(nginx, story):
    fragment = _fragment(story)
    assert fragment in nginx(story.delete)


def test_a_story_never_live_purges_no_fragment(nginx):
    plain = ArticleFactory()

    def edit():
        plain.title = "Autre titre"
        plain.save()

    assert _fragment(plain) not in nginx(edit)
