import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from pagecache import fastpath, pages, parts, versions
from tests.factories import AuthorFactory, UserFactory

EDITORS_GROUP = "Éditeurs"
AUTHORS_GROUP = "Rédacteurs"


@pytest.fixture(autouse=True, scope="session")
def session_media_root(tmp_path_factory):
    """Not ./media either after a test: a rolled-back image removes its files when the test's
    transaction ends, which can be after ``media_root`` is restored."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every uploaded file and rendition goes to a temporary directory, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """No page, menu or content version cached by one test is served to the next."""
    cache.clear()
    versions.VERSIONS.forget()
    parts.MEMORY.clear()
    fastpath.forget()
    yield
    cache.clear()
    versions.VERSIONS.forget()
    parts.MEMORY.clear()
    fastpath.forget()


@pytest.fixture(autouse=True)
def versions_old_enough_to_say_their_date(monkeypatch):
    """Reader pages say their Last-Modified once their version is older than a second plus
    the recheck interval (pagecache.pages._last_modified): tests read pages at once, as if
    that time had passed. ``tests/pagecache/test_last_modified.py`` takes the real clock."""
    monkeypatch.setattr(pages, "_clock", lambda: time.time() + 2 * 24 * 3600)


@pytest.fixture
def database_queue(settings):
    """Tasks queued in the database, as in production, instead of run inside the request."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def editor(db):
    """A staff member of the "Éditeurs" group: publishes, schedules, unpublishes."""
    user = UserFactory(
        username="editrice", first_name="Claire", is_staff=True, groups=[EDITORS_GROUP]
    )
    AuthorFactory(name="Claire Éditrice", slug="claire-editrice", user=user)
    return user


@pytest.fixture
def author_user(db):
    """A staff member of the "Rédacteurs" group who signs articles as an Author."""
    user = UserFactory(
        username="redacteur", first_name="Paul", is_staff=True, groups=[AUTHORS_GROUP]
    )
    AuthorFactory(name="Paul Rédacteur", slug="paul-redacteur", user=user)
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def author_client(author_user):
    client = Client()
    client.force_login(author_user)
    return client
