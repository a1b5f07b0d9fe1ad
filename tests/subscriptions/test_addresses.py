"""E-mail addresses: one canonical spelling in every form that takes one, and no oracle."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies

from subscriptions.addresses import normalise_email
from subscriptions.models import Subscriber, Subscription, WaitingListEntry
from tests.factories import UserFactory
from tests.subscriptions.factories import PlanFactory, ReaderFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("subscriptions:signup")
PLANS_URL = reverse("subscriptions:plans")
LOGIN_URL = reverse("subscriptions:login")
ORIGIN = "http://testserver"
INVALID_EMAIL_FR = "Saisissez une adresse e-mail valide, par exemple marie@exemple.fr."
TOO_LONG_FR = "Assurez-vous que cette valeur comporte au plus 254 caractères"

# Spellings of kate@example.com that are the same address once normalised.
KATE = "kate@example.com"
SPELLINGS_OF_KATE = {
    "kelvin-sign": "\u212aate@example.com",
    "upper-case": "KATE@EXAMPLE.COM",
    "upper-case-domain": "kate@EXAMPLE.com",
    "fullwidth": "ｋａｔｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "trailing-dot": "kate@example.com.",
    "zero-width-joiner-in-domain": "kate@exam\u200dple.com",
    "spaces": "  kate@example.com\u3000",
}
# Addresses refused, known or not: not ASCII once normalised, or too long.
REFUSED = {
    "dotted-capital-i": "kİm@exemple.fr",
    "dotless-i": "kım@exemple.fr",
    "zero-width-joiner-in-mailbox": "k\u200dim@exemple.fr",
    "accented-mailbox": "kîm@exemple.fr",
    "combining-accent-in-mailbox": "ki\u0302m@exemple.fr",
    "right-to-left-override": "kim\u202e@exemple.fr",
    "255-characters": "k" * 244 + "@exemple.fr",
    "1000-characters": "k" * 1000 + "@exemple.fr",
}


def signup(client, email):
    return client.post(SIGNUP_URL, {"email": email, "consent": "on"}, HTTP_ORIGIN=ORIGIN)


def join_waiting_list(client, email):
    return client.post(PLANS_URL, {"email": email}, HTTP_ORIGIN=ORIGIN)


def ask_for_link(client, email):
    return client.post(LOGIN_URL, {"email": email})


def field_errors(response):
    errors = re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return [html.unescape(error).strip() for error in errors]


def main_content(response):
    return re.search(r"<main[^>]*>(.*?)</main>", response.content.decode(), re.S).group(1)


# One address, many spellings


@pytest.mark.parametrize("spelling", SPELLINGS_OF_KATE.values(), ids=SPELLINGS_OF_KATE.keys())
def test_another_spelling_of_a_subscribers_address_is_the_same_subscriber(client, spelling):
    signup(client, KATE)

    response = signup(client, spelling)

    assert response.status_code == 302
    assert list(Subscriber.objects.values_list("email", flat=True)) == [KATE]
    assert [message.to for message in mail.outbox] == [[KATE]]


@pytest.mark.parametrize("spelling", SPELLINGS_OF_KATE.values(), ids=SPELLINGS_OF_KATE.keys())
def test_another_spelling_of_an_address_on_the_waiting_list_is_the_same_entry(client, spelling):
    join_waiting_list(client, KATE)

    response = join_waiting_list(client, spelling)

    assert response.status_code == 302
    assert list(WaitingListEntry.objects.values_list("email", flat=True)) == [KATE]


@pytest.mark.parametrize("spelling", SPELLINGS_OF_KATE.values(), ids=SPELLINGS_OF_KATE.keys())
def test_a_reader_signs_in_with_any_spelling_of_their_address(client, spelling):
    ReaderFactory(email=KATE)

    response = ask_for_link(client, spelling)

    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [[KATE]]


def test_sharp_s_and_double_s_are_one_address(client):
    for spelling in ("strasse@exemple.de", "STRASSE@exemple.de", "straße@exemple.de"):
        assert signup(client, spelling).status_code == 302

    assert list(Subscriber.objects.values_list("email", flat=True)) == ["strasse@exemple.de"]


def test_an_internationalised_domain_in_any_spelling_is_one_address_in_punycode(client):
    for spelling in ("lea@café.fr", "lea@cafe\u0301.fr", "LEA@CAFÉ.FR"):
        assert signup(client, spelling).status_code == 302

    assert list(Subscriber.objects.values_list("email", flat=True)) == ["lea@xn--caf-dma.fr"]


def test_staff_grant_to_another_spelling_of_a_readers_address_reuses_the_account(client):
    reader = ReaderFactory(email=KATE)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:subscriptions_subscription_add"),
        {
            "reader_email": SPELLINGS_OF_KATE["kelvin-sign"],
            "plan": PlanFactory(available=True).pk,
            "status": Subscription.Status.ACTIVE,
            "current_period_end_0": "2030-01-31",
            "current_period_end_1": "12:00:00",
        },
    )

    assert response.status_code == 302
    assert Subscription.objects.get().reader == reader
    assert get_user_model().objects.filter(is_staff=False).count() == 1


def test_staff_changing_an_address_to_another_spelling_of_a_subscribers_get_a_form_error(
    client,
):
    SubscriberFactory(email=KATE)
    other = SubscriberFactory(email="paul@exemple.fr")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:subscriptions_subscriber_change", args=[other.pk]),
        {"email": SPELLINGS_OF_KATE["kelvin-sign"], "status": Subscriber.Status.PENDING},
    )

    assert response.status_code == 200
    assert "existe déjà" in html.unescape(response.content.decode())
    other.refresh_from_db()
    assert other.email == "paul@exemple.fr"


def test_staff_cannot_add_a_subscriber_without_the_proof_of_consent(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:subscriptions_subscriber_add"),
        {"email": KATE, "status": Subscriber.Status.CONFIRMED},
    )

    assert response.status_code == 403
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("spelling", SPELLINGS_OF_KATE.values(), ids=SPELLINGS_OF_KATE.keys())
def test_database_refuses_a_second_row_for_another_spelling(spelling):
    SubscriberFactory(email=KATE)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberFactory(email=spelling)


def test_a_subscriber_is_found_by_any_spelling_of_the_address():
    subscriber = SubscriberFactory(email=KATE)

    for spelling in SPELLINGS_OF_KATE.values():
        assert Subscriber.objects.get(email=spelling) == subscriber


@pytest.mark.parametrize(
    "post", [signup, join_waiting_list, ask_for_link], ids=["signup", "waiting-list", "sign-in"]
)
def test_the_limit_per_address_counts_every_spelling_of_it(settings, post):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "RATE_PER_ADDRESS": 2}
    spellings = [KATE, SPELLINGS_OF_KATE["fullwidth"], SPELLINGS_OF_KATE["kelvin-sign"]]

    statuses = [post(Client(REMOTE_ADDR=f"192.0.2.{n}"), email).status_code
                for n, email in enumerate(spellings)]  # fmt: skip

    assert statuses[2] == 429
    assert statuses[:2] in ([302, 302], [200, 200])


@given(strategies.text(max_size=80))
def test_normalising_twice_changes_nothing(address):
    assert normalise_email(normalise_email(address)) == normalise_email(address)


# The same answer for every address, known or not


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_address_gets_the_same_french_error_whether_it_is_known_or_not(client, address):
    known = "kim@exemple.fr"
    SubscriberFactory(email=known, confirmed=True)
    WaitingListEntry.objects.create(email=known)
    ReaderFactory(email=known)
    unknown = "z" + address[1:]  # as long as the known address, so its length error is the same

    for post in (signup, join_waiting_list, ask_for_link):
        answers = [post(client, email) for email in (address, unknown)]

        assert [answer.status_code for answer in answers] == [200, 200]
        errors = [field_errors(answer) for answer in answers]
        assert errors[0] == errors[1]
        assert len(errors[0]) == 1
        assert errors[0][0] == INVALID_EMAIL_FR or errors[0][0].startswith(TOO_LONG_FR)
    assert Subscriber.objects.count() == 1
    assert WaitingListEntry.objects.count() == 1
    assert mail.outbox == []


# Bad input from anyone: a French form error or a 429, never a 500


@pytest.fixture
def generous_limits(settings):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "RATE_PER_IP": 10**6, "RATE_PER_ADDRESS": 10**6}


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ADDRESSES = strategies.one_of(
    strategies.text(max_size=300),
    strategies.builds("{}@{}".format, strategies.text(max_size=70), strategies.text(max_size=70)),
    strategies.sampled_from([*SPELLINGS_OF_KATE.values(), *REFUSED.values()]),
)


@FUZZ
@given(
    email=ADDRESSES,
    consent=strategies.sampled_from(["on", "", "\x00"]),
    sections=strategies.lists(strategies.text(max_size=25), max_size=3),
    source=strategies.text(max_size=600),
)
def test_signup_never_fails_on_any_input(client, generous_limits, email, consent, sections, source):
    response = client.post(
        SIGNUP_URL,
        {"email": email, "consent": consent, "sections": sections, "source": source},
        HTTP_ORIGIN=ORIGIN,
    )

    assert response.status_code in (200, 302)


@FUZZ
@given(email=ADDRESSES)
def test_waiting_list_never_fails_on_any_input(client, generous_limits, email):
    assert join_waiting_list(client, email).status_code in (200, 302)


@FUZZ
@given(email=ADDRESSES)
def test_sign_in_request_never_fails_on_any_input(client, generous_limits, email):
    assert ask_for_link(client, email).status_code == 200


# Addresses stored before this rule


@pytest.mark.django_db(transaction=True)
def test_migration_normalises_stored_addresses_and_merges_those_that_become_one():
    before = [("subscriptions", "0006_edition_lease_and_delivery_message_id")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("subscriptions")
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldSubscriber = old.get_model("subscriptions", "Subscriber")
    OldEntry = old.get_model("subscriptions", "WaitingListEntry")
    Edition = old.get_model("subscriptions", "NewsletterEdition")
    Delivery = old.get_model("subscriptions", "Delivery")
    now = timezone.now()
    fields = {"consent_text": "J’accepte.", "consent_at": now}
    # Rows the old constraint (lower case) allowed, although they are one address.
    confirmed = OldSubscriber.objects.create(
        email="kate@example.com", status="confirmed", confirmed_at=now, **fields
    )
    pending = OldSubscriber.objects.create(email="ｋａｔｅ@example.com", **fields)
    unsubscribed = OldSubscriber.objects.create(
        email="Lea@Exemple.fr.", status="unsubscribed", unsubscribed_at=now, **fields
    )
    resubscribed_earlier = OldSubscriber.objects.create(
        email="lea@exemple.fr",
        status="confirmed",
        confirmed_at=now - timedelta(days=1),
        **fields,
    )
    alone = OldSubscriber.objects.create(email="Paul@EXEMPLE.fr", **fields)
    edition = Edition.objects.create(subject="Édition")
    Delivery.objects.create(edition=edition, subscriber=pending, status="sent")
    OldEntry.objects.create(email="kate@example.com")
    OldEntry.objects.create(email="KATE@example.com.")

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    stored = dict(Subscriber.objects.values_list("email", "pk"))
    assert stored == {
        "kate@example.com": confirmed.pk,  # the reader's last decision wins: confirmed
        "lea@exemple.fr": unsubscribed.pk,  # …or the unsubscribe, if it came later
        "paul@exemple.fr": alone.pk,
    }
    assert Subscriber.objects.get(pk=confirmed.pk).deliveries.get().edition_id == edition.pk
    assert not Subscriber.objects.filter(pk=resubscribed_earlier.pk).exists()
    assert list(WaitingListEntry.objects.values_list("email", flat=True)) == [KATE]
