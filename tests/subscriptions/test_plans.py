"""The plans page and its waiting list, and subscriptions granted by staff in the admin."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from subscriptions import paywall
from subscriptions.models import Subscription, WaitingListEntry
from tests.factories import ArticleFactory, UserFactory
from tests.subscriptions.factories import PlanFactory, ReaderFactory

pytestmark = pytest.mark.django_db

PLANS_URL = reverse("subscriptions:plans")
ORIGIN = "http://testserver"
INVALID_EMAIL_FR = "Saisissez une adresse e-mail valide, par exemple marie@exemple.fr."
GRANT_URL = reverse("admin:subscriptions_subscription_add")


def plan_cards(content):
    """{plan name: its card's HTML} for the plans listed on the page."""
    cards = re.findall(r'<article class="plan">(.*?)</article>', content, re.S)
    return {html.unescape(re.search(r"<h2>(.*?)</h2>", card).group(1)): card for card in cards}


def join_waiting_list(client, email, **headers):
    headers.setdefault("HTTP_ORIGIN", ORIGIN)
    return client.post(PLANS_URL, {"email": email}, **headers)


# The plans page


def test_plans_page_lists_the_plans_and_marks_those_coming_soon(client):
    PlanFactory(name="Numérique", position=1)
    PlanFactory(name="Intégrale", position=2, available=True)

    response = client.get(PLANS_URL)

    assert response.status_code == 200
    cards = plan_cards(response.content.decode())
    assert list(cards) == ["Numérique", "Intégrale"]
    assert '<p class="badge">Bientôt</p>' in cards["Numérique"]
    assert "Bientôt" not in cards["Intégrale"]
    assert "9,99 €" in cards["Numérique"]


def test_plans_page_announces_the_subscription_and_offers_the_waiting_list(client):
    content = client.get(PLANS_URL).content.decode()

    assert "Profitez d’un accès exclusif à l’ensemble de notre contenu" in content
    assert "Bientôt, nous aurons un abonnement en ligne" in content
    assert "Prévenez-moi" in content
    assert re.search(r'<form method="post"[^>]*>.*name="email"', content, re.S)


def test_teaser_links_to_the_plans_page(client):
    article = ArticleFactory(access="subscribers")

    content = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{PLANS_URL}"' in content


# The waiting list


def test_waiting_list_signup_records_the_address_and_thanks_the_reader(client):
    response = join_waiting_list(client, "marie@exemple.fr")

    assert response.status_code == 302
    assert response["Location"] == PLANS_URL
    assert list(WaitingListEntry.objects.values_list("email", flat=True)) == ["marie@exemple.fr"]
    page = client.get(PLANS_URL).content.decode()
    assert "Merci : nous vous préviendrons dès l’ouverture." in page


def test_waiting_list_signup_twice_keeps_one_entry(client):
    join_waiting_list(client, "marie@exemple.fr")
    response = join_waiting_list(client, "  MARIE@exemple.FR ")

    assert response.status_code == 302
    assert WaitingListEntry.objects.count() == 1


@pytest.mark.parametrize("email", ["marie", "marie@", "a@b", "<script>@x.fr"])
def test_waiting_list_refuses_a_bad_address_with_a_french_message(client, email):
    response = join_waiting_list(client, email)

    assert response.status_code == 200
    assert INVALID_EMAIL_FR in html.unescape(response.content.decode())
    assert "<script>" not in response.content.decode()
    assert not WaitingListEntry.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": ""}],
    ids=["cross-site-origin", "no-origin"],
)
def test_waiting_list_refuses_posts_from_another_site_or_without_origin(client, headers):
    response = join_waiting_list(client, "marie@exemple.fr", **headers)

    assert response.status_code == 403
    assert not WaitingListEntry.objects.exists()


def test_waiting_list_signups_beyond_the_limit_get_429(client, settings):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "RATE_PER_IP": 1}
    join_waiting_list(client, "un@exemple.fr")

    response = join_waiting_list(client, "deux@exemple.fr")

    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert WaitingListEntry.objects.count() == 1


# Subscriptions granted by staff


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def grant(admin_client, email, plan, **fields):
    data = {
        "reader_email": email,
        "plan": plan.pk,
        "status": Subscription.Status.ACTIVE,
        "current_period_end_0": "2030-01-31",
        "current_period_end_1": "12:00:00",
        "_save": "Enregistrer",
    } | fields
    return admin_client.post(GRANT_URL, data)


def test_grant_form_asks_staff_for_the_readers_email_address(admin_client):
    response = admin_client.get(GRANT_URL)

    assert response.status_code == 200
    assert 'name="reader_email"' in response.content.decode()


def test_staff_grant_a_subscription_by_email_making_the_readers_account(admin_client, admin_user):
    plan = PlanFactory(available=True)

    response = grant(admin_client, "nouvelle@exemple.fr", plan)

    assert response.status_code == 302
    reader = get_user_model().objects.get(email="nouvelle@exemple.fr")
    assert not reader.has_usable_password()
    assert not reader.is_staff
    subscription = Subscription.objects.get()
    assert subscription.reader == reader
    assert subscription.plan == plan
    assert subscription.granted_by == admin_user
    assert paywall.is_subscriber(reader)


def test_staff_grant_to_an_existing_reader_reuses_the_account(admin_client):
    reader = ReaderFactory(email="marie@exemple.fr")

    grant(admin_client, "Marie@EXEMPLE.fr", PlanFactory(available=True))

    assert get_user_model().objects.filter(email__iexact="marie@exemple.fr").count() == 1
    assert Subscription.objects.get().reader == reader
    assert paywall.is_subscriber(reader)


def test_staff_grant_never_goes_to_a_deactivated_account(admin_client):
    ReaderFactory(email="ancienne@exemple.fr", username="ancienne", is_active=False)

    grant(admin_client, "ancienne@exemple.fr", PlanFactory(available=True))

    reader = Subscription.objects.get().reader
    assert reader.is_active
    assert reader.username == "ancienne@exemple.fr"


def test_staff_grant_to_an_address_used_as_a_staff_username_is_a_french_form_error(
    admin_client,
):
    UserFactory(username="redaction@exemple.fr", email="redaction@exemple.fr", is_staff=True)

    response = grant(admin_client, "redaction@exemple.fr", PlanFactory(available=True))

    assert response.status_code == 200
    assert "Un autre compte, qui n’est pas celui d’un lecteur, utilise déjà cette adresse." in (
        html.unescape(response.content.decode())
    )
    assert not Subscription.objects.exists()


def test_staff_grant_with_a_bad_address_is_refused(admin_client):
    response = grant(admin_client, "marie@", PlanFactory(available=True))

    assert response.status_code == 200
    assert INVALID_EMAIL_FR in html.unescape(response.content.decode())
    assert not Subscription.objects.exists()
