"""``loaddata`` saves rows raw (signals with ``raw=True``): a fixture that changes published
stories must purge their pages like any other save."""

import json

import pytest
from django.core import serializers
from django.core.management import call_command

from articles.models import Article
from pagecache.models import PendingPurge
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def _pending():
    return set(PendingPurge.objects.values_list("key", flat=True))


def _fixture(tmp_path, rows):
    path = tmp_path / "fixture.json"
    data = json.loads(serializers.serialize("json", rows))
    return path, data


def _load(path, data):
    path.write_text(json.dumps(data))
    call_command("loaddata", str(path), verbosity=0)


@pytest.fixture
def story(settings):
    settings.CDN_PURGE_BACKEND = "fastly"
    section = CategoryFactory(name="Monde", slug="monde")
    return ArticleFactory(category=section, authors=[AuthorFactory()], title="Avant")


def test_a_fixture_that_changes_a_published_story_purges_its_pages(tmp_path, story):
    path, data = _fixture(tmp_path, [story])
    data[0]["fields"]["title"] = "Après"
    PendingPurge.objects.all().delete()

    _load(path, data)

    assert Article.objects.get(pk=story.pk).title == "Après"
    author = story.bylines.get().author
    assert {
        f"article-{story.pk}",
        f"section-{story.category_id}",
        f"author-{author.pk}",
        "home",
        "feeds",
    } <= _pending()


def test_a_fixture_that_unpublishes_a_story_purges_the_pages_that_showed_it(tmp_path, story):
    path, data = _fixture(tmp_path, [story])
    data[0]["fields"]["status"] = Article.Status.DRAFT
    PendingPurge.objects.all().delete()

    _load(path, data)

    assert {f"article-{story.pk}", f"section-{story.category_id}", "home"} <= _pending()


def test_a_fixture_that_adds_a_story_with_its_byline_purges_the_authors_page(tmp_path, story):
    author = AuthorFactory()
    new = ArticleFactory(category=story.category, authors=[author], title="Nouveau")
    rows = [new, *new.bylines.all()]
    path, data = _fixture(tmp_path, rows)
    Article.objects.filter(pk=new.pk).delete()
    PendingPurge.objects.all().delete()

    _load(path, data)  # the story first, then its byline, as dumpdata writes them

    assert {f"article-{new.pk}", f"author-{author.pk}", "home"} <= _pending()
