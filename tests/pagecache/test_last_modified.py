"""Reader pages' Last-Modified never lets a copy of an older version pass for the current one:
two versions can start within one second, and HTTP dates count whole seconds."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils.http import http_date

from pagecache import pages
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch, settings, time_machine):
    """The real clock for Last-Modified (tests/conftest.py moves it), set by the test."""
    settings.PAGE_CACHE_RECHECK = 0.5
    monkeypatch.setattr(pages, "_clock", lambda: datetime.now(UTC).timestamp())
    return lambda seconds: time_machine.move_to(NOON.timestamp() + seconds, tick=False)


def test_a_story_withdrawn_in_the_second_it_was_published_is_never_answered_304(
    clock, committed, version_key
):
    clock(0.1)
    with committed():
        story = ArticleFactory(title="Un titre retiré aussitôt")
    version_key()
    clock(0.3)
    first = Client().get("/")
    assert "Un titre retiré aussitôt" in first.content.decode()
    clock(0.6)
    with committed():
        story.status = "draft"
        story.save()
    version_key()
    clock(0.7)

    # A copy of the first page, asked again with the date of its second alone.
    response = Client().get("/", headers={"if-modified-since": http_date(NOON.timestamp())})

    assert response.status_code == 200
    assert "Un titre retiré aussitôt" not in response.content.decode()
    assert not first.has_header("Last-Modified")  # the version was too young to say it


def test_a_version_says_its_date_once_no_older_one_of_its_second_can_be_about(
    clock, committed, version_key
):
    clock(0.1)
    with committed():
        ArticleFactory()
    version_key()
    clock(0.5)
    assert not Client().get("/").has_header("Last-Modified")
    clock(1.7)  # a second, and the recheck interval

    response = Client().get("/")
    again = Client().get("/", headers={"if-modified-since": response["Last-Modified"]})

    assert response["Last-Modified"] == http_date(NOON.timestamp())
    assert again.status_code == 304
