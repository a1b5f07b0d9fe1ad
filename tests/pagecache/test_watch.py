"""Every statement that writes a table readers see starts a new version, however it is
written."""

import pytest
from django.db import connection
from taggit.models import Tag

from articles.models import Article
from pagecache import versions
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ARTICLES = Article._meta.db_table


def _version():
    versions.VERSIONS.forget()
    return versions.current().key


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


WRITES = {
    # The module says raw SQL through Django's connection is watched: unquoted names are SQL too.
    "raw SQL, table name unquoted": lambda: _raw(
        f"UPDATE {ARTICLES} SET title = %s", ["Tout change"]
    ),
    "raw SQL, WITH clause": lambda: _raw(
        f'WITH picked AS (SELECT id FROM "{ARTICLES}") '
        f'UPDATE "{ARTICLES}" SET title = %s WHERE id IN (SELECT id FROM picked)',
        ["Tout change"],
    ),
    "raw SQL, leading comment": lambda: _raw(
        f'/* fix typo */ UPDATE "{ARTICLES}" SET title = %s', ["Tout change"]
    ),
    # The ORM itself: on SQLite, Django writes INSERT OR IGNORE INTO "taggit_tag" …
    "bulk_create(ignore_conflicts=True)": lambda: Tag.objects.bulk_create(
        [Tag(name="Nouveau", slug="nouveau")], ignore_conflicts=True
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_a_table_readers_see_starts_a_new_version(write, committed):
    with committed():
        ArticleFactory(title="Un")
    before = _version()

    with committed():
        WRITES[write]()

    assert _version() != before
