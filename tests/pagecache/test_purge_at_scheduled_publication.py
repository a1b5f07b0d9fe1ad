"""A scheduled story goes out at its publication time with no save: every page it joins then
must be purged, the lists of its authors and tags too, though the admin saves the bylines and
tags after the story itself."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from pagecache import purge
from pagecache.models import PendingPurge
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, CorrectionFactory

pytestmark = pytest.mark.django_db


def _sent(cdn):
    return {key for request in cdn.requests for key in request[2]["Surrogate-Key"].split(" ")}


@pytest.fixture
def start():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _at_publication(start, cdn, at):
    purge.run_due()  # what is due now
    cdn.requests.clear()
    start.move_to(at + timedelta(seconds=5))
    purge.run_due()
    return _sent(cdn)


def test_the_authors_and_tags_pages_are_purged_when_a_scheduled_story_goes_out(fastly, start):
    at = timezone.now() + timedelta(hours=2)
    author = AuthorFactory()
    # As the admin does: the story, then its byline (an inline) and its tags.
    story = ArticleFactory(
        published_at=at, authors=[author], tags=["Otan"], category=CategoryFactory()
    )
    tag = story.tags.get()

    sent = _at_publication(start, fastly, at)

    assert {f"article-{story.pk}", f"author-{author.pk}", f"tag-{tag.pk}", "home"} <= sent
    assert not PendingPurge.objects.exists()


def test_a_byline_added_to_a_scheduled_story_later_is_purged_at_its_publication(fastly, start):
    at = timezone.now() + timedelta(hours=2)
    story = ArticleFactory(published_at=at, authors=[])
    purge.run_due()
    start.shift(timedelta(minutes=10))
    author = AuthorFactory()
    story.bylines.create(author=author, position=0)
    story.tags.add("Défense")
    CorrectionFactory(article=story)

    sent = _at_publication(start, fastly, at)

    assert {f"author-{author.pk}", f"tag-{story.tags.get().pk}", f"article-{story.pk}"} <= sent


def test_a_published_story_s_byline_is_not_purged_again_later(fastly, start):
    story = ArticleFactory()
    purge.run_due()
    story.bylines.create(author=AuthorFactory(), position=1)
    purge.run_due()
    assert not PendingPurge.objects.exists()
    assert Article.objects.get(pk=story.pk).status == Article.Status.PUBLISHED
