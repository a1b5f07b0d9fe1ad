"""Unsubscribing: the signed link of every e-mail, its one-click page, and RFC 8058 POSTs."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from subscriptions import links, mailing
from subscriptions.models import Subscriber
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirmer/[^/\s\"<>]+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/desinscription/[^/\s\"<>]+/")


def unsubscribe_path(subscriber):
    return reverse(
        "subscriptions:unsubscribe", kwargs={"token": links.unsubscribe_token(subscriber)}
    )


def test_unsubscribe_url_is_an_absolute_link_to_the_subscribers_page():
    subscriber = SubscriberFactory(confirmed=True)

    url = mailing.unsubscribe_url(subscriber)

    assert url.startswith(("http://", "https://"))
    assert urlsplit(url).path == unsubscribe_path(subscriber)


def test_unsubscribe_headers_follow_rfc_8058():
    headers = mailing.unsubscribe_headers("https://www.exemple.fr/newsletter/desinscription/t/")

    assert headers == {
        "List-Unsubscribe": "<https://www.exemple.fr/newsletter/desinscription/t/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_confirmation_email_carries_a_working_unsubscribe_link(client):
    client.post(
        reverse("subscriptions:signup"),
        {"email": "marie@exemple.fr", "consent": "on"},
        HTTP_ORIGIN="http://testserver",
    )
    (message,) = mail.outbox

    link = UNSUBSCRIBE_LINK.search(message.body)
    assert link is not None, "no unsubscribe link in the text part"
    assert link.group() in html.unescape(message.alternatives[0][0])
    page = client.get(urlsplit(link.group()).path)
    assert page.status_code == 200
    assert "marie@exemple.fr" in page.content.decode()


def test_unsubscribe_link_shows_a_one_click_button_and_unsubscribes_nobody_on_get(client):
    subscriber = SubscriberFactory(email="marie@exemple.fr", confirmed=True)

    response = client.get(unsubscribe_path(subscriber))

    assert response.status_code == 200
    content = response.content.decode()
    assert "marie@exemple.fr" in content
    assert re.search(r'<form method="post">\s*<button type="submit"', content)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_page_is_never_cached(client):
    subscriber = SubscriberFactory(confirmed=True)

    response = client.get(unsubscribe_path(subscriber))

    assert "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_pressing_the_button_unsubscribes(client):
    subscriber = SubscriberFactory(email="marie@exemple.fr", confirmed=True)

    response = client.post(unsubscribe_path(subscriber))

    assert response.status_code == 200
    assert "Vous êtes désinscrit" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_one_click_post_from_a_mail_client_unsubscribes_without_csrf_token_nor_origin():
    subscriber = SubscriberFactory(confirmed=True)
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(subscriber),
        data=ONE_CLICK_BODY,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribing_twice_is_harmless(client):
    subscriber = SubscriberFactory(confirmed=True)
    client.post(unsubscribe_path(subscriber))
    subscriber.refresh_from_db()
    first = subscriber.unsubscribed_at

    assert client.post(unsubscribe_path(subscriber)).status_code == 200
    page = client.get(unsubscribe_path(subscriber))

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at == first
    assert page.status_code == 200
    assert "<form" not in re.search(r"<main.*</main>", page.content.decode(), re.S).group()


def test_pending_subscriber_can_unsubscribe_too(client):
    subscriber = SubscriberFactory()

    client.post(unsubscribe_path(subscriber))

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribe_link_unsubscribes_only_its_own_subscriber(client):
    subscriber = SubscriberFactory(confirmed=True)
    neighbour = SubscriberFactory(confirmed=True)

    client.post(unsubscribe_path(subscriber))

    neighbour.refresh_from_db()
    assert neighbour.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "token",
    ["nimportequoi", "a:b", "é" * 10, "x" * 2000],
    ids=["garbage", "colon", "non-ascii", "very-long"],
)
def test_bad_unsubscribe_token_shows_the_invalid_link_page_404(client, method, token):
    subscriber = SubscriberFactory(confirmed=True)

    response = getattr(client, method)(
        reverse("subscriptions:unsubscribe", kwargs={"token": token})
    )

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_tampered_unsubscribe_token_unsubscribes_nobody(client):
    subscriber = SubscriberFactory(confirmed=True)
    token = links.unsubscribe_token(subscriber)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.post(reverse("subscriptions:unsubscribe", kwargs={"token": tampered}))

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_confirmation_token_does_not_unsubscribe(client):
    subscriber = SubscriberFactory(confirmed=True)
    token = links.confirmation_token(subscriber)

    response = client.post(reverse("subscriptions:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_an_old_confirmation_link_does_not_undo_an_unsubscribe(client):
    client.post(
        reverse("subscriptions:signup"),
        {"email": "marie@exemple.fr", "consent": "on"},
        HTTP_ORIGIN="http://testserver",
    )
    confirm_path = urlsplit(CONFIRM_LINK.search(mail.outbox[0].body).group()).path
    client.post(confirm_path)
    subscriber = Subscriber.objects.get()
    client.post(unsubscribe_path(subscriber))

    opened = client.get(confirm_path)  # the reader, or a mail scanner, opens the old e-mail
    pressed = client.post(confirm_path)

    assert opened.status_code == pressed.status_code == 200
    assert "<form" not in re.search(r"<main.*</main>", opened.content.decode(), re.S).group()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
