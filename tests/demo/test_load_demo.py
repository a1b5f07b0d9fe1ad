from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Category,
    Image,
    LiveEntry,
    ReadMoreLink,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Article, ArticleAuthor, Author, Category, Image, LiveEntry, ReadMoreLink, Tag, get_user_model(),
]  # fmt: skip


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _load_demo(*args):
    call_command("load_demo", *args, stdout=StringIO())


def test_load_demo_builds_a_newsroom_and_loading_it_again_duplicates_nothing(settings):
    settings.DEBUG = True

    _load_demo()

    assert Article.objects.published().count() >= 12
    assert Article.objects.scheduled().count() == 1
    assert Category.objects.filter(parent__isnull=True).count() >= 2
    assert Author.objects.count() >= 2
    assert all(article.bylines.exists() for article in Article.objects.all())
    User = get_user_model()
    editor = User.objects.get(groups__name="Éditeurs")
    author = User.objects.get(groups__name="Rédacteurs")
    assert editor.is_staff and author.is_staff
    assert editor.has_perm("articles.publish_article")
    assert not author.has_perm("articles.publish_article")
    assert hasattr(author, "author_profile")
    live = Article.objects.get(live_status=Article.LiveStatus.LIVE)
    assert live.live_entries.count() == 5 and live.live_entries.filter(pinned=True).count() == 1
    first = _counts()

    _load_demo()

    assert _counts() == first


def test_load_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        _load_demo()

    assert not Article.objects.exists()
    assert not get_user_model().objects.exists()


def test_load_demo_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    _load_demo("--force")

    assert Article.objects.published().count() >= 12
