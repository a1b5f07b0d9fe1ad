"""The registry of what readers see is complete, and every way of writing it is seen."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Category, HouseAd
from demo.management.commands.snapshot_pages import reader_addresses
from pagecache import registry, versions
from pagecache.models import ContentVersion
from subscriptions.models import PaywallSettings, RateLimitWindow
from tests.factories import ArticleFactory, CategoryFactory, CorrectionFactory, HouseAdFactory

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"([^"]+)"', re.IGNORECASE)
# Read by reader pages without being content: the version itself, and the search's rate limit
# (counted in the database when the cache is each process's own).
NOT_CONTENT = {ContentVersion._meta.db_table, RateLimitWindow._meta.db_table}


def _tables_read(address):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(address)
    assert response.status_code in (200, 404), address
    return {table for query in queries for table in TABLE.findall(query["sql"])}


def test_every_table_a_reader_page_reads_belongs_to_a_registered_model():
    call_command("load_demo", force=True, verbosity=0)
    CorrectionFactory(article=Article.objects.published().first())  # the demo has none
    read = set().union(*(_tables_read(address) for address in reader_addresses()))
    registered = set(registry.registry.tables())

    unregistered = read - registered - NOT_CONTENT
    owners = {m._meta.db_table: m.__name__ for m in apps.get_models(include_auto_created=True)}
    assert not unregistered, (
        "Reader pages read these tables, whose changes would not start a new page version: "
        f"{sorted(owners.get(t, t) for t in unregistered)}. Register their models "
        "(pagecache.registry) in their app's ready()."
    )
    # The test sees what pages read: the demo content reaches every kind of content.
    assert {Article._meta.db_table, HouseAd._meta.db_table} <= read


BULK_WRITES = {
    "update": lambda: Article.objects.filter(title="Un").update(title="Un, corrigé"),
    "bulk_update": lambda: Article.objects.bulk_update(
        [Article(pk=a.pk, title="Deux, corrigé") for a in Article.objects.filter(title="Deux")],
        ["title"],
    ),
    "bulk_create": lambda: Category.objects.bulk_create(
        [Category(name="Sciences", slug="sciences")]
    ),
    "delete": lambda: Article.objects.filter(title="Deux").delete(),
    "raw SQL": lambda: connection.cursor().execute(
        f'UPDATE "{Article._meta.db_table}" SET title = %s', ["Tout change"]
    ),
}


@pytest.mark.parametrize("write", BULK_WRITES)
def test_bulk_writes_through_the_orm_start_a_new_version_when_they_commit(
    write, committed, version_key
):
    with committed():
        ArticleFactory(title="Un")
        ArticleFactory(title="Deux")
    before = version_key()

    with committed():
        BULK_WRITES[write]()

    assert version_key() != before


def test_a_write_to_a_table_readers_never_see_keeps_the_version(committed, version_key):
    with committed():
        ArticleFactory()
    before = version_key()

    with committed():
        ContentVersion.objects.filter(scope="none").update(number=3)
        apps.get_model("newsroom", "Session").objects.all().delete()

    assert version_key() == before


def test_a_change_rolled_back_keeps_the_version(committed, version_key):
    before = version_key()

    with pytest.raises(RuntimeError), committed():
        from django.db import transaction

        with transaction.atomic():
            ArticleFactory()
            raise RuntimeError

    assert version_key() == before


def test_a_bulk_action_starts_one_new_version_when_it_commits(committed):
    with committed():
        articles = [ArticleFactory() for _ in range(5)]
    number = ContentVersion.objects.get(scope="pages").number

    with committed() as callbacks:
        for article in articles:
            article.title += " (mis à jour)"
            article.save()

    assert len(callbacks) == 1
    assert ContentVersion.objects.get(scope="pages").number == number + 1


def test_furniture_outlives_an_article_edit_and_not_a_change_of_its_own(committed):
    with committed():
        CategoryFactory()
        HouseAdFactory()
        article = ArticleFactory()
    menu, ads, paywall = (
        versions.current(scope).key for scope in ("main-sections", "house-ads", "paywall-settings")
    )

    with committed():
        article.title = "Nouveau titre"
        article.save()
    versions.VERSIONS.forget()
    assert versions.current("main-sections").key == menu

    with committed():
        CategoryFactory()
        PaywallSettings.load().save()
    versions.VERSIONS.forget()
    assert versions.current("main-sections").key != menu
    assert versions.current("house-ads").key == ads
    assert versions.current("paywall-settings").key != paywall
