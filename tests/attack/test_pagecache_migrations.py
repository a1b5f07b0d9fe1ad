"""Attack on pagecache/watch.py's after_migrate: a migration's writes are not watched, and the
new version it starts afterwards only renews the scopes that already have a row. Furniture
scopes get their row at their first watched write: on a site whose sections, house ads or
paywall settings were only ever written by migrations (the paywall settings row is made by
subscriptions/migrations/0002), or before this code was deployed, they are at version "0"
and stay there through any data migration."""

import pytest

from articles.context_processors import main_sections
from articles.models import Category
from pagecache import watch
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def migrating():
    """Run what the test does as a migration would: unwatched, then post_migrate."""

    def run(change):
        watch.pause()
        try:
            change()
        finally:
            watch.after_migrate(using="default")

    return run


def test_a_data_migration_renaming_a_section_shows_in_the_menu(migrating):
    migrating(lambda: CategoryFactory(name="Monde", slug="monde"))
    assert [section.name for section in main_sections()] == ["Monde"]

    migrating(lambda: Category.objects.filter(slug="monde").update(name="Planète"))

    assert [section.name for section in main_sections()] == ["Planète"]
