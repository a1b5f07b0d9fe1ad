"""What migrations change (their writes are not watched) shows once they end: every scope gets
a new version, rows made where missing (furniture written only by migrations included)."""

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
