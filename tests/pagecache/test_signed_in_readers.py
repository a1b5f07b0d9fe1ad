"""Signed-in readers get cached pages: the page of their paywall decision, shared with every
reader of the same decision, never anything personal, never staff's."""

import pytest
from django.test import Client

from subscriptions.models import PaywallSettings
from tests.factories import UserFactory
from tests.subscriptions.factories import SubscriptionFactory
from tests.subscriptions.test_paywall import LOCKED_NOTE, set_paywall, shows_full_text, story

pytestmark = pytest.mark.django_db

ON = PaywallSettings.Mode.ON


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def subscriber():
    return signed_in(SubscriptionFactory().reader)


def reader():
    return signed_in(UserFactory())


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("subscriber_first", [True, False])
def test_a_subscriber_and_a_reader_never_share_a_page_cached_or_not(subscriber_first):
    set_paywall(ON)
    url = story("alpha").get_absolute_url()
    clients = {"subscriber": subscriber(), "reader": reader()}
    order = ["subscriber", "reader"] if subscriber_first else ["reader", "subscriber"]

    for turn in ("built", "cached"):
        for who in order:
            response = get(clients[who], url)
            content = response.content.decode()
            assert response.page_cache_status == ("miss" if turn == "built" else "hit")
            if who == "subscriber":
                assert shows_full_text(content, "alpha")
                assert LOCKED_NOTE not in content
            else:
                assert "Secret alpha" not in content
                assert LOCKED_NOTE in content


def test_a_subscribers_cached_page_never_reaches_an_anonymous_reader():
    set_paywall(ON)
    url = story("alpha").get_absolute_url()
    reading = subscriber()
    get(reading, url)
    assert get(reading, url).page_cache_status == "hit"

    response = get(Client(), url)

    assert "Secret alpha" not in response.content.decode()
    assert LOCKED_NOTE in response.content.decode()
    assert response.page_cache_status == "miss"  # the teaser: a variant of its own


def test_a_signed_in_reader_gets_the_anonymous_readers_kept_page(client):
    url = story("alpha").get_absolute_url()  # the paywall announced: the full text for all
    first = get(client, url)

    response = get(reader(), url)

    assert response.page_cache_status == "hit"
    assert response.content == first.content


@pytest.mark.parametrize("page", ["home", "article"])
def test_a_signed_in_readers_page_is_private_and_varies_on_the_cookie(page):
    url = "/" if page == "home" else story("alpha").get_absolute_url()
    reading = reader()

    for _ in range(2):  # built, then from the cache
        response = get(reading, url)
        assert {"private", "no-cache"} <= directives(response)
        assert "public" not in directives(response)
        assert "s-maxage" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        assert not response.cookies


def test_a_signed_in_reader_is_answered_304_for_the_etag_of_the_kept_page():
    url = story("alpha").get_absolute_url()
    reading = reader()
    etag = get(reading, url)["ETag"]

    assert reading.get(url, headers={"if-none-match": etag}).status_code == 304


def test_a_signed_in_cached_home_page_costs_the_session_and_the_user(
    django_assert_num_queries,
):
    reading = reader()
    get(reading, "/")

    with django_assert_num_queries(1):  # the session with its user
        assert get(reading, "/").page_cache_status == "hit"


def test_a_subscribers_cached_paywalled_article_costs_the_session_the_user_and_the_subscription(
    django_assert_num_queries,
):
    set_paywall(ON)
    url = story("alpha").get_absolute_url()
    reading = subscriber()
    get(reading, url)

    with django_assert_num_queries(2):  # the session with its user, their subscription
        response = get(reading, url)

    assert response.page_cache_status == "hit"
    assert shows_full_text(response.content.decode(), "alpha")


@pytest.mark.parametrize("page", ["home", "article"])
def test_staff_always_get_a_page_built_afresh(page):
    url = "/" if page == "home" else story("alpha").get_absolute_url()
    get(Client(), url)  # kept for readers
    editor = signed_in(UserFactory(is_staff=True))

    for _ in range(2):
        response = get(editor, url)
        assert response.page_cache_status == "bypass"
        assert {"private", "no-cache"} <= directives(response)


def test_a_page_built_for_staff_is_never_kept_for_readers():
    url = story("alpha").get_absolute_url()
    get(signed_in(UserFactory(is_staff=True)), url)

    assert get(reader(), url).page_cache_status == "miss"


@pytest.mark.urls("tests.pagecache.personal_urls")
def test_a_page_whose_view_reads_the_user_is_never_kept():
    alice = signed_in(UserFactory(username="alice"))
    bruno = signed_in(UserFactory(username="bruno"))

    assert get(alice, "/essai/bonjour/").content == b"Bonjour alice"
    response = get(bruno, "/essai/bonjour/")

    assert response.content == b"Bonjour bruno"
    assert response.page_cache_status == "miss"
    assert get(alice, "/essai/bonjour/").content == b"Bonjour alice"


@pytest.mark.urls("tests.pagecache.personal_urls")
def test_a_page_whose_view_reads_the_session_is_never_kept():
    alice = signed_in(UserFactory())
    session = alice.session
    session["last_visit"] = "hier"
    session.save()

    assert "hier" in get(alice, "/essai/visite/").content.decode()
    response = get(reader(), "/essai/visite/")

    assert "jamais" in response.content.decode()
    assert response.page_cache_status == "miss"


def test_the_session_of_a_reader_served_from_the_cache_is_kept_alive(settings):
    """The page cache's own read of the session still counts for SessionMiddleware."""
    settings.SESSION_SAVE_EVERY_REQUEST = True
    reading = reader()
    get(reading, "/")

    response = get(reading, "/")

    assert response.page_cache_status == "hit"
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the session saved and renewed
