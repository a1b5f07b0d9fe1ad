"""What readers saw and may see no longer (a story unpublished, deleted, put behind the
paywall; the paywall switched on) is never served from a copy kept before, while the database
is unreachable: whichever way it was withdrawn, whatever page shows it."""

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from articles.models import Article
from pagecache import keys, pages, versions
from subscriptions.models import PaywallSettings
from tests.factories import ArticleFactory
from tests.services import RedisServer

pytestmark = pytest.mark.django_db

TITLE = "Un récit retiré"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """Pages in a Redis of the test's own: where fallback copies may be served from."""
    server = RedisServer().start()
    settings.CACHES = {
        "default": {"BACKEND": "newsroom.cache.ResilientRedisCache", "LOCATION": server.url}
    }
    try:
        yield
    finally:
        cache.clear()
        server.remove()


def _unpublish():
    article = Article.objects.get(title=TITLE)
    article.status = Article.Status.DRAFT
    article.save()


def _behind_the_paywall():
    article = Article.objects.get(title=TITLE)
    article.access = Article.Access.SUBSCRIBERS
    article.save()


def _retitle():
    article = Article.objects.get(title=TITLE)
    article.title = "Un récit corrigé"
    article.save()


WITHDRAWALS = {
    "unpublished": _unpublish,
    "deleted": lambda: Article.objects.get(title=TITLE).delete(),
    "put behind the paywall": _behind_the_paywall,
    "unpublished in bulk": lambda: Article.objects.filter(title=TITLE).update(
        status=Article.Status.DRAFT
    ),
    "unpublished by bulk_update": lambda: Article.objects.bulk_update(
        [
            Article(pk=a.pk, status=Article.Status.DRAFT)
            for a in Article.objects.filter(title=TITLE)
        ],
        ["status"],
    ),
    "the paywall switched on": lambda: PaywallSettings.load().save(),
}


def _kept_copies(django_capture_on_commit_callbacks):
    """The article and home pages as kept for readers, once the story was published."""
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title=TITLE)
    addresses = [article.get_absolute_url(), "/"]
    for address in addresses:
        assert TITLE in Client().get(address).content.decode()
    return addresses


@pytest.mark.parametrize("withdrawal", WITHDRAWALS)
def test_no_copy_kept_before_a_withdrawal_is_served_while_the_database_is_down(
    withdrawal, django_capture_on_commit_callbacks
):
    addresses = _kept_copies(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        WITHDRAWALS[withdrawal]()

    for address in addresses:
        assert not pages.may_fall_back(cache.get(keys.page(address))), address


def test_after_an_ordinary_edit_the_copies_kept_before_may_still_serve(
    django_capture_on_commit_callbacks,
):
    addresses = _kept_copies(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        _retitle()

    for address in addresses:
        assert pages.may_fall_back(cache.get(keys.page(address))), address


def test_a_page_built_after_the_withdrawal_may_serve_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Un autre récit")
    _kept_copies(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        _unpublish()
    versions.VERSIONS.forget()

    assert Client().get("/").status_code == 200  # built again, without the story

    assert pages.may_fall_back(cache.get(keys.page("/")))


def test_with_pages_in_each_processs_memory_no_fallback_copy_is_served(settings):
    # There, a withdrawal made by another process cannot be known.
    entry = {"version": "1.a", "number": 99, "variants": {}, "meta": None}
    assert pages.may_fall_back(entry)

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert not pages.may_fall_back(entry)


@pytest.mark.parametrize("page", ["article", "home"])
def test_while_the_version_cannot_be_confirmed_no_page_is_built_from_parts_kept_for_it(
    page, django_capture_on_commit_callbacks, monkeypatch
):
    """A worker that never learnt of a withdrawal before the database went down still holds,
    under the version it last read, the story and the lists it was in (``remember``): the
    page must not be built again from them, with no query to fail."""
    address = _kept_copies(django_capture_on_commit_callbacks)[0 if page == "article" else 1]
    cache.delete(keys.page(address))  # the page itself evicted; its parts still kept
    alias = "default"
    versions.VERSIONS.known[alias].read_at = 0  # due for a re-read, which fails:
    monkeypatch.setattr(
        versions.VERSIONS, "_read", lambda *args: (_ for _ in ()).throw(OperationalError())
    )

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("the database is unreachable")

    with connection.execute_wrapper(unreachable):
        response = Client(raise_request_exception=False).get(address)

    assert response.status_code == 503
    assert TITLE not in response.content.decode()
