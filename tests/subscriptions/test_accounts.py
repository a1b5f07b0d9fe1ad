"""Readers' accounts: sign in by a one-time link sent by e-mail, the account page, sign out."""

import html
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.subscriptions.factories import PlanFactory, ReaderFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("subscriptions:login")
ACCOUNT_URL = reverse("subscriptions:account")
LOGIN_LINK = re.compile(r"https?://[^\s\"<>]+/compte/connexion/[^/\s\"<>]+/")
PARIS = ZoneInfo("Europe/Paris")
INVALID_LINK_FR = "Ce lien de connexion ne fonctionne plus"


def ask_for_link(client, email):
    return client.post(LOGIN_URL, {"email": email})


def login_link_path(message):
    """The sign-in link's path, checked to be in both the text and the HTML part."""
    link = LOGIN_LINK.search(message.body).group()
    assert link in html.unescape(message.alternatives[0][0])
    return urlsplit(link).path


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def main_content(response):
    return re.search(r"<main[^>]*>(.*?)</main>", response.content.decode(), re.S).group(1)


@pytest.fixture
def reader(db):
    return ReaderFactory(email="lecteur@exemple.fr")


@pytest.fixture
def link_path(client, reader):
    ask_for_link(client, reader.email)
    (message,) = mail.outbox
    return login_link_path(message)


def test_sign_in_page_asks_for_an_email_address(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_sign_in_request_for_a_reader_sends_one_email_with_a_sign_in_link(client, reader):
    response = ask_for_link(client, "lecteur@exemple.fr")

    assert response.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lecteur@exemple.fr"]
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html"]
    assert login_link_path(message).startswith("/compte/connexion/")
    assert signed_in_user_id(client) is None


def test_sign_in_request_finds_the_reader_whatever_the_case_and_spaces(client, reader):
    ask_for_link(client, "  Lecteur@EXEMPLE.fr ")

    assert [message.to for message in mail.outbox] == [["lecteur@exemple.fr"]]


def test_sign_in_request_answers_the_same_for_unknown_and_staff_addresses_and_sends_nothing(
    client, reader
):
    UserFactory(email="redaction@exemple.fr", is_staff=True)
    UserFactory(email="ancien@exemple.fr", is_active=False)

    pages = {}
    for email in ("lecteur@exemple.fr", "inconnu@exemple.fr", "redaction@exemple.fr",
                  "ancien@exemple.fr"):  # fmt: skip
        response = ask_for_link(client, email)
        assert response.status_code == 200
        pages[email] = main_content(response).replace(email, "ADRESSE")

    assert len(set(pages.values())) == 1
    assert [message.to for message in mail.outbox] == [["lecteur@exemple.fr"]]


def test_sign_in_link_opened_shows_a_button_and_does_not_sign_in(client, link_path, reader):
    response = client.get(link_path)

    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'<form method="post">.*<button type="submit"', content, re.S)
    assert reader.email in content
    assert signed_in_user_id(client) is None
    assert client.get(link_path).status_code == 200  # a mail scanner's visit uses up nothing


def test_sign_in_button_needs_the_csrf_token_of_the_page(link_path, reader):
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post(link_path)
    page = browser.get(link_path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    pressed = browser.post(link_path, {"csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert pressed.status_code == 302
    assert signed_in_user_id(browser) == str(reader.pk)


def test_sign_in_button_signs_in_and_goes_to_the_account_page(client, link_path, reader):
    response = client.post(link_path)

    assert response.status_code == 302
    assert response["Location"] == ACCOUNT_URL
    assert signed_in_user_id(client) == str(reader.pk)
    assert client.get(ACCOUNT_URL).status_code == 200


def test_sign_in_link_works_only_once(client, link_path):
    client.post(link_path)
    other = Client()

    response = other.post(link_path)

    assert response.status_code == 404
    assert INVALID_LINK_FR in response.content.decode()
    assert signed_in_user_id(other) is None


def test_expired_sign_in_link_is_invalid(client, reader, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ask_for_link(client, reader.email)
    path = login_link_path(mail.outbox[0])
    time_machine.shift(timedelta(seconds=django_settings.LOGIN_LINK_MAX_AGE + 60))

    assert client.get(path).status_code == 404
    response = client.post(path)

    assert response.status_code == 404
    assert INVALID_LINK_FR in response.content.decode()
    assert signed_in_user_id(client) is None


def test_sign_in_link_still_works_just_before_it_expires(client, reader, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ask_for_link(client, reader.email)
    path = login_link_path(mail.outbox[0])
    time_machine.shift(timedelta(seconds=django_settings.LOGIN_LINK_MAX_AGE - 60))

    assert client.post(path).status_code == 302
    assert signed_in_user_id(client) == str(reader.pk)


@pytest.mark.parametrize("token", ["nimportequoi", "a:b:c", "é" * 10, "x" * 2000])
def test_tampered_sign_in_link_is_invalid(client, reader, token):
    response = client.post(reverse("subscriptions:login_link", kwargs={"token": token}))

    assert response.status_code == 404
    assert signed_in_user_id(client) is None


def test_sign_in_link_of_a_deactivated_reader_is_invalid(client, link_path, reader):
    reader.is_active = False
    reader.save()

    assert client.post(link_path).status_code == 404
    assert signed_in_user_id(client) is None


def test_sign_in_link_never_signs_in_a_member_of_staff(client, link_path, reader):
    reader.is_staff = True  # promoted after asking for the link: staff sign in through the admin
    reader.save()

    assert client.post(link_path).status_code == 404
    assert signed_in_user_id(client) is None


def test_account_page_requires_sign_in(client):
    response = client.get(ACCOUNT_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={ACCOUNT_URL}"


def test_account_page_shows_the_active_subscription(client):
    subscription = SubscriptionFactory(
        plan=PlanFactory(name="Intégrale", available=True),
        current_period_end=datetime(2031, 3, 15, 12, tzinfo=PARIS),
    )
    client.force_login(subscription.reader)

    response = client.get(ACCOUNT_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert subscription.reader.email in content
    assert "Intégrale" in content
    assert "15 mars 2031" in content


def test_account_page_of_a_reader_without_subscription_points_to_the_offers(client, reader):
    client.force_login(reader)

    content = client.get(ACCOUNT_URL).content.decode()

    assert f'href="{reverse("subscriptions:plans")}"' in content


def test_sign_out_signs_the_reader_out(client, reader):
    client.force_login(reader)

    response = client.post(reverse("subscriptions:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("articles:home")
    assert signed_in_user_id(client) is None
    assert client.get(ACCOUNT_URL).status_code == 302


def test_sign_in_requests_beyond_the_limit_get_the_french_429_page(client, reader, settings):
    settings.NEWSLETTER = {**django_settings.NEWSLETTER, "RATE_PER_IP": 2}
    ask_for_link(client, reader.email)
    ask_for_link(client, "inconnu@exemple.fr")

    response = ask_for_link(client, reader.email)

    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert len(mail.outbox) == 1
