"""Newsletter signup with double opt-in: the form, the e-mail, the link, what must never happen."""

import csv
import html
import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from subscriptions import links, newsletter
from subscriptions.forms import CONSENT_TEXT
from subscriptions.models import Subscriber, WaitingListEntry
from tests.factories import ArticleFactory, UserFactory
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("subscriptions:signup")
DONE_URL = "/newsletter/merci/"
ORIGIN = "http://testserver"
INVALID_EMAIL_FR = "Saisissez une adresse e-mail valide, par exemple marie@exemple.fr."
CONSENT_MISSING_FR = "Cochez la case pour confirmer votre accord."
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirmer/[^/\s\"<>]+/")


def signup(client, email="marie@exemple.fr", **fields):
    """POST the newsletter form as a browser on a page of this site does."""
    data = {"email": email, "consent": "on", "website": "", "source": "/politique/"} | fields
    return client.post(SIGNUP_URL, data, HTTP_ORIGIN=ORIGIN)


def confirmation_path(message):
    """The path of the confirmation link, checked to be in both the text and the HTML part."""
    link = CONFIRM_LINK.search(message.body).group()
    (html_part,) = [
        content for content, mimetype in message.alternatives if mimetype == "text/html"
    ]
    assert link in html.unescape(html_part)
    return urlsplit(link).path


def main_content(response):
    """The page's <main>: what differs between answers, without per-response nonces."""
    return re.search(r"<main[^>]*>(.*?)</main>", response.content.decode(), re.S).group(1)


def field_errors(response):
    return [
        html.unescape(re.sub(r"<[^>]+>", "", error)).strip()
        for error in re.findall(
            r'<p class="field-error"[^>]*>(.*?)</p>', response.content.decode(), re.S
        )
    ]


def newsletter_settings(settings, **overrides):
    settings.NEWSLETTER = {**django_settings.NEWSLETTER, **overrides}


# The form and a valid signup


def test_signup_page_shows_the_form_with_consent_checkbox_and_honeypot(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'action="{SIGNUP_URL}" method="post"' in content
    for name in ("email", "consent", "website", "source"):
        assert f'name="{name}"' in content
    assert "Inscrivez-vous à notre newsletter" in content


def test_valid_signup_redirects_to_the_thanks_page_and_stores_pending_subscriber_with_consent(
    client,
):
    shown = html.unescape(client.get(SIGNUP_URL).content.decode())
    before = timezone.now()

    response = signup(client, source="/politique/le-budget-vote-12.html")

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "marie@exemple.fr"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.confirmed_at is None
    assert subscriber.consent_text
    assert subscriber.consent_text in shown  # the very text the reader ticked
    assert before <= subscriber.consent_at <= timezone.now()
    assert subscriber.source_page == "/politique/le-budget-vote-12.html"


def test_thanks_page_tells_the_reader_in_french_to_check_the_inbox(client):
    response = signup(client)
    page = client.get(response["Location"])

    assert page.status_code == 200
    assert "Consultez votre boîte de réception" in page.content.decode()


def test_inline_form_of_the_article_page_signs_up_with_the_article_as_source_page(client):
    article = ArticleFactory()
    content = client.get(article.get_absolute_url()).content.decode()
    form = re.search(r'<form class="signup-form"(.*?)</form>', content, re.S).group(0)
    assert f'action="{SIGNUP_URL}"' in form
    names = set(re.findall(r'name="([^"]+)"', form))
    source = re.search(r'name="source" value="([^"]*)"', form).group(1)
    assert {"email", "consent", "website", "source"} <= names
    assert source == article.get_absolute_url()

    response = client.post(
        SIGNUP_URL,
        {"email": "paul@exemple.fr", "consent": "on", "website": "", "source": source},
        HTTP_ORIGIN=ORIGIN,
    )

    assert response["Location"] == DONE_URL
    assert Subscriber.objects.get().source_page == article.get_absolute_url()


def test_signup_keeps_only_a_path_of_this_site_as_source_page(client):
    signup(client, source="//ailleurs.example/piege")

    assert Subscriber.objects.get().source_page == ""


def test_signup_stores_the_chosen_sections(client):
    article = ArticleFactory()
    section = article.category

    signup(client, sections=[section.pk])

    assert list(Subscriber.objects.get().sections.all()) == [section]


# The confirmation e-mail and link


def test_signup_sends_one_confirmation_email_with_html_and_text_parts_and_the_link(client):
    signup(client)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@exemple.fr"]
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html"]
    assert confirmation_path(message).startswith("/newsletter/confirmer/")


def test_confirmation_link_opened_shows_a_button_and_confirms_nobody(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])

    response = client.get(path)

    assert response.status_code == 200
    content = response.content.decode()
    assert "marie@exemple.fr" in content
    assert "Confirmer mon inscription" in content
    assert re.search(
        r'<form method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', content
    )
    assert "no-cache" in response["Cache-Control"]
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.confirmed_at is None


def test_confirmation_button_confirms_the_subscriber(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])

    response = client.post(path)

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert "marie@exemple.fr" in response.content.decode()


def test_confirmation_button_needs_the_csrf_token_of_the_page(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post(path)
    page = browser.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    pressed = browser.post(path, {"csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert pressed.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_confirmation_link_of_a_confirmed_address_says_so_without_a_button(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])
    client.post(path)

    response = client.get(path)

    assert response.status_code == 200
    assert "Inscription confirmée" in response.content.decode()
    assert "<form" not in main_content(response)


def test_confirming_twice_is_harmless(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])
    client.post(path)
    first_confirmed_at = Subscriber.objects.get().confirmed_at

    response = client.post(path)

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at == first_confirmed_at


def test_expired_confirmation_link_shows_the_expired_page_with_a_button_for_a_new_link(
    client, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    signup(client)
    path = confirmation_path(mail.outbox[0])
    max_age = django_settings.NEWSLETTER["CONFIRMATION_MAX_AGE"]
    time_machine.shift(timedelta(seconds=max_age + 60))

    response = client.get(path)

    assert response.status_code == 410
    content = response.content.decode()
    assert "Ce lien de confirmation a expiré" in content
    assert re.search(r'<form method="post">.*<button type="submit"', content, re.S)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_expired_confirmation_link_sends_a_new_link_on_post_which_confirms(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    signup(client)
    old_path = confirmation_path(mail.outbox[0])
    time_machine.shift(timedelta(seconds=django_settings.NEWSLETTER["CONFIRMATION_MAX_AGE"] + 60))

    response = client.post(old_path)

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["marie@exemple.fr"]
    new_path = confirmation_path(mail.outbox[1])
    assert client.post(new_path).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_expired_confirmation_link_of_an_unsubscribed_address_sends_nothing(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    signup(client)
    old_path = confirmation_path(mail.outbox[0])
    Subscriber.objects.update(status=Subscriber.Status.UNSUBSCRIBED)
    time_machine.shift(timedelta(seconds=django_settings.NEWSLETTER["CONFIRMATION_MAX_AGE"] + 60))

    response = client.post(old_path)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


@pytest.mark.parametrize(
    "token",
    [
        "nimportequoi",
        "a:b:c",
        "eyJpZCI6MSwiZW1haWwiOiJtYXJpZUBleGVtcGxlLmZyIn0:1vAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "é" * 20,
        "x" * 2000,
    ],
)
def test_tampered_confirmation_link_shows_the_invalid_link_page_404(client, token):
    response = client.get(reverse("subscriptions:confirm", kwargs={"token": token}))

    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in response.content.decode()


def test_confirmation_link_with_one_character_changed_is_refused(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])
    token = path.split("/")[-2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("subscriptions:confirm", kwargs={"token": tampered}))

    assert response.status_code == 404
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_unsubscribe_token_does_not_confirm(client):
    subscriber = SubscriberFactory()
    token = links.unsubscribe_token(subscriber)

    response = client.get(reverse("subscriptions:confirm", kwargs={"token": token}))

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_confirmation_link_of_a_deleted_subscriber_is_invalid(client):
    subscriber = SubscriberFactory()
    token = links.confirmation_token(subscriber)
    subscriber.delete()

    response = client.get(reverse("subscriptions:confirm", kwargs={"token": token}))

    assert response.status_code == 404


# No enumeration, at most one e-mail per period


def test_signup_answers_the_same_for_new_pending_confirmed_and_unsubscribed_addresses(client):
    long_ago = timezone.now() - timedelta(days=30)
    SubscriberFactory(email="attente@exemple.fr", last_email_at=timezone.now())
    SubscriberFactory(email="confirmee@exemple.fr", confirmed=True, last_email_at=long_ago)
    SubscriberFactory(email="partie@exemple.fr", unsubscribed=True, last_email_at=long_ago)

    answers = []
    for email in ("nouvelle@exemple.fr", "attente@exemple.fr", "confirmee@exemple.fr",
                  "partie@exemple.fr"):  # fmt: skip
        response = signup(client, email)
        page = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], main_content(page)))

    assert answers[0][:2] == (302, DONE_URL)
    assert all(answer == answers[0] for answer in answers)


def test_signup_of_a_confirmed_address_keeps_it_confirmed_and_sends_nothing(client):
    subscriber = SubscriberFactory(email="marie@exemple.fr", confirmed=True)

    signup(client)

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert mail.outbox == []


def test_known_address_gets_at_most_one_email_per_resend_period(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    signup(client)
    signup(client)
    assert len(mail.outbox) == 1

    period = django_settings.NEWSLETTER["RESEND_PERIOD"]
    time_machine.shift(timedelta(seconds=period - 60))
    signup(client)
    assert len(mail.outbox) == 1

    time_machine.shift(timedelta(seconds=120))
    signup(client)
    assert len(mail.outbox) == 2
    assert Subscriber.objects.count() == 1


def test_resubscribing_after_unsubscribing_makes_the_address_pending_and_sends_a_link(client):
    subscriber = SubscriberFactory(
        email="marie@exemple.fr",
        confirmed=True,
        last_email_at=timezone.now() - timedelta(days=60),
    )
    client.post(reverse("subscriptions:unsubscribe", args=[links.unsubscribe_token(subscriber)]))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    response = signup(client)

    assert response["Location"] == DONE_URL
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert len(mail.outbox) == 1
    client.post(confirmation_path(mail.outbox[0]))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.unsubscribed_at is None


# Addresses: normalised, validated


def test_address_is_trimmed_and_its_domain_lowercased_so_both_spellings_are_one_row(client):
    signup(client, "  Marie@EXEMPLE.fr ")
    signup(client, "marie@exemple.fr")

    subscriber = Subscriber.objects.get()
    assert subscriber.email.lower() == "marie@exemple.fr"
    assert subscriber.email.endswith("@exemple.fr")
    assert subscriber.email == subscriber.email.strip()
    assert len(mail.outbox) == 1


def test_internationalised_domain_is_stored_in_punycode(client):
    response = signup(client, "lea@café.fr")

    assert response["Location"] == DONE_URL
    assert Subscriber.objects.get().email == "lea@xn--caf-dma.fr"
    assert mail.outbox[0].to == ["lea@xn--caf-dma.fr"]


def test_accented_local_part_is_refused_with_a_clear_french_message(client):
    # Internationalised domains are accepted; accented mailbox names (SMTPUTF8) are not, since
    # many mail servers cannot deliver to them.
    response = signup(client, "léa@café.fr")

    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email",
    ["marie", "marie@", "a@b", "<script>@x.fr", "@exemple.fr", "a" * 290 + "@exemple.fr"],
    ids=["no-at", "no-domain", "no-tld", "script", "no-local-part", "300-chars"],
)
def test_bad_address_is_refused_with_a_french_message_and_no_row_nor_mail(client, email):
    response = signup(client, email)

    assert response.status_code == 200
    errors = field_errors(response)
    assert len(errors) == 1
    assert errors[0] == INVALID_EMAIL_FR or errors[0].startswith(
        "Assurez-vous que cette valeur comporte au plus 254 caractères"
    )
    assert "<script>" not in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_signup_without_consent_is_refused_with_a_french_message(client):
    response = client.post(SIGNUP_URL, {"email": "marie@exemple.fr"}, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert field_errors(response) == [CONSENT_MISSING_FR]
    assert 'value="marie@exemple.fr"' in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_consent_text_stored_is_the_french_text_shown_next_to_the_checkbox(client):
    content = html.unescape(client.get(SIGNUP_URL).content.decode())
    with translation.override("fr"):
        french = str(CONSENT_TEXT)

    signup(client)

    assert french.startswith("J’accepte")
    assert french in content
    assert Subscriber.objects.get().consent_text == french


def test_filled_honeypot_gets_the_same_answer_but_no_row_and_no_mail(client):
    response = signup(client, website="https://spam.example")

    assert response.status_code == 302
    assert response["Location"] == DONE_URL
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


# Cross-site requests and rate limits


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_REFERER": "https://evil.example/x"}, {}],
    ids=["cross-site-origin", "cross-site-referer", "no-origin"],
)
def test_signup_from_another_site_or_without_origin_is_forbidden(client, headers):
    response = client.post(SIGNUP_URL, {"email": "marie@exemple.fr", "consent": "on"}, **headers)

    assert response.status_code == 403
    assert "Ce formulaire n’a pas pu être envoyé" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_signup_with_same_site_referer_and_no_origin_is_accepted(client):
    response = client.post(
        SIGNUP_URL,
        {"email": "marie@exemple.fr", "consent": "on"},
        HTTP_REFERER="http://testserver/politique/",
    )

    assert response["Location"] == DONE_URL
    assert Subscriber.objects.count() == 1


CACHE_FRIENDLY_FORMS = {
    "signup": (SIGNUP_URL, {"email": "marie@exemple.fr", "consent": "on"}),
    "waiting-list": (reverse("subscriptions:plans"), {"email": "marie@exemple.fr"}),
}
HTTPS_SITE = {"secure": True}
HTTPS_BEHIND_PROXY = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver"}


@pytest.mark.parametrize("form", CACHE_FRIENDLY_FORMS.values(), ids=CACHE_FRIENDLY_FORMS.keys())
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver:80"},
        {"HTTP_ORIGIN": "https://testserver", **HTTPS_SITE},
        {"HTTP_ORIGIN": "https://testserver", **HTTPS_BEHIND_PROXY},
        {"HTTP_REFERER": "http://testserver/politique/"},
        {"HTTP_REFERER": "https://testserver/politique/", **HTTPS_BEHIND_PROXY},
    ],
    ids=["http", "http-default-port", "https", "https-proxy", "referer", "referer-https-proxy"],
)
def test_cache_friendly_forms_accept_a_post_from_the_sites_own_origin(client, form, headers):
    url, data = form

    assert client.post(url, data, **headers).status_code == 302


FOREIGN_ORIGINS = {
    "http-origin-on-https": {"HTTP_ORIGIN": "http://testserver", **HTTPS_SITE},
    "http-origin-behind-tls-proxy": {"HTTP_ORIGIN": "http://testserver", **HTTPS_BEHIND_PROXY},
    "https-origin-on-http": {"HTTP_ORIGIN": "https://testserver"},
    "other-port": {"HTTP_ORIGIN": "http://testserver:8080"},
    "other-https-port": {"HTTP_ORIGIN": "https://testserver:8443", **HTTPS_SITE},
    "bad-port": {"HTTP_ORIGIN": "http://testserver:notaport"},
    "suffix-domain": {"HTTP_ORIGIN": "https://testserver.evil.fr", **HTTPS_SITE},
    "userinfo-then-evil": {"HTTP_ORIGIN": "https://testserver@evil.fr", **HTTPS_SITE},
    "evil-userinfo": {"HTTP_ORIGIN": "https://evil.fr@testserver", **HTTPS_SITE},
    "null-origin": {"HTTP_ORIGIN": "null"},
    "null-origin-same-referer": {
        "HTTP_ORIGIN": "null",
        "HTTP_REFERER": "http://testserver/politique/",
    },
    "origin-without-scheme": {"HTTP_ORIGIN": "testserver"},
    "scheme-relative-referer": {"HTTP_REFERER": "//testserver/politique/"},
    "referer-without-scheme": {"HTTP_REFERER": "testserver/politique/"},
    "path-referer": {"HTTP_REFERER": "/politique/"},
    "http-referer-on-https": {"HTTP_REFERER": "http://testserver/", **HTTPS_BEHIND_PROXY},
    "ftp-referer": {"HTTP_REFERER": "ftp://testserver/politique/"},
    "no-header": {},
}


@pytest.mark.parametrize("form", CACHE_FRIENDLY_FORMS.values(), ids=CACHE_FRIENDLY_FORMS.keys())
@pytest.mark.parametrize("headers", FOREIGN_ORIGINS.values(), ids=FOREIGN_ORIGINS.keys())
def test_cache_friendly_forms_refuse_a_post_from_any_other_origin(client, form, headers):
    url, data = form

    response = client.post(url, data, **headers)

    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    assert not WaitingListEntry.objects.exists()


def test_signups_beyond_the_limit_per_ip_get_the_french_429_page(client, settings):
    newsletter_settings(settings, RATE_PER_IP=2)
    assert signup(client, "un@exemple.fr").status_code == 302
    assert signup(client, "deux@exemple.fr").status_code == 302

    response = signup(client, "trois@exemple.fr")

    assert response.status_code == 429
    content = response.content.decode()
    assert "Trop de tentatives" in content
    assert "Patientez un peu, puis réessayez." in content
    assert Subscriber.objects.count() == 2
    assert len(mail.outbox) == 2


def test_invalid_submissions_count_towards_the_limit_per_ip(client, settings):
    newsletter_settings(settings, RATE_PER_IP=2)
    signup(client, "marie")
    signup(client, "marie@")

    assert signup(client, "marie@exemple.fr").status_code == 429
    assert not Subscriber.objects.exists()


def test_signups_of_one_address_beyond_its_limit_get_429_whatever_the_ip(settings):
    newsletter_settings(settings, RATE_PER_ADDRESS=2)
    statuses = [
        signup(Client(REMOTE_ADDR=f"192.0.2.{n}"), "marie@exemple.fr").status_code
        for n in range(1, 4)
    ]

    assert statuses == [302, 302, 429]


def test_behind_a_trusted_proxy_each_reader_has_a_limit_of_their_own(settings):
    newsletter_settings(settings, RATE_PER_IP=2)
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    marie = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    paul = Client(HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    statuses = [signup(marie, f"m{n}@exemple.fr").status_code for n in range(3)]

    assert statuses == [302, 302, 429]
    assert signup(paul, "paul@exemple.fr").status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_limit(settings):
    newsletter_settings(settings, RATE_PER_IP=2)
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        signup(
            Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7"),
            f"m{n}@exemple.fr",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    newsletter_settings(settings, RATE_PER_IP=2)
    statuses = [
        signup(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), f"m{n}@exemple.fr").status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


# Concurrent signups


def test_database_refuses_a_second_subscriber_with_the_same_address_in_another_case():
    SubscriberFactory(email="marie@exemple.fr")

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberFactory(email="MARIE@exemple.fr")


def test_requesting_the_same_subscription_twice_makes_one_row():
    for email in ("marie@exemple.fr", "Marie@exemple.fr"):
        newsletter.request_subscription(
            email=email, section_ids=[], consent_text="J’accepte.", source_page="/"
        )

    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1


# Admin


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_subscriber_list_in_the_admin_shows_counts_per_status(admin_client):
    SubscriberFactory.create_batch(3)
    SubscriberFactory.create_batch(2, confirmed=True)
    SubscriberFactory(unsubscribed=True)

    response = admin_client.get(reverse("admin:subscriptions_subscriber_changelist"))

    assert response.status_code == 200
    counts = re.search(r'<p class="newsroom-counts">(.*?)</p>', response.content.decode()).group(1)
    text = re.sub(r"<[^>]+>", "", counts)
    assert text == "3 en attente de confirmation · 2 confirmé · 1 désinscrit"


def test_subscriber_admin_exports_selected_subscribers_as_csv(admin_client):
    kept = SubscriberFactory(email="marie@exemple.fr", confirmed=True, source_page="/politique/")
    other = SubscriberFactory(email="paul@exemple.fr")
    SubscriberFactory(email="pas-choisi@exemple.fr")

    response = admin_client.post(
        reverse("admin:subscriptions_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [kept.pk, other.pk], "index": "0"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["email", "status"]
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {"marie@exemple.fr", "paul@exemple.fr"}
    assert by_email["marie@exemple.fr"][1] == "confirmed"
    assert by_email["marie@exemple.fr"][5] == "/politique/"
    assert by_email["paul@exemple.fr"][1] == "pending"


def test_csv_export_never_hands_a_spreadsheet_formula_to_the_editor(client, admin_client):
    # Without a source field, the page signed up from is taken from the Referer header, which
    # any HTTP client can set.
    client.post(
        SIGNUP_URL,
        {"email": "marie@exemple.fr", "consent": "on"},
        HTTP_ORIGIN=ORIGIN,
        HTTP_REFERER='=HYPERLINK("https://evil.example","clic")',
    )
    subscriber = Subscriber.objects.get()

    response = admin_client.post(
        reverse("admin:subscriptions_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [subscriber.pk], "index": "0"},
    )

    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
