"""Newsletter by section: an edition is for every reader or for one section's readers, and goes
to the confirmed subscribers who chose that section or everything; the sender is the site."""

from email.headerregistry import Address

import pytest
from django.conf import settings
from django_tasks import TaskResultStatus

from newsroom.site import sender_address
from subscriptions import editions
from subscriptions.models import EditionArticle, NewsletterEdition
from subscriptions.tasks import send_edition
from tests.factories import ArticleFactory, CategoryFactory
from tests.subscriptions.factories import SubscriberFactory
from tests.subscriptions.test_sending import smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections():
    return {name: CategoryFactory(name=name) for name in ("Monde", "Sport", "Culture")}


@pytest.fixture
def readers(sections):
    """Who chose what, and in which state."""

    def subscriber(email, chosen, **state):
        reader = SubscriberFactory(email=email, **state)
        reader.sections.set([sections[name] for name in chosen])
        return reader

    return {
        "monde": subscriber("monde@example.fr", ["Monde"], confirmed=True),
        "sport": subscriber("sport@example.fr", ["Sport"], confirmed=True),
        "tout": subscriber("tout@example.fr", [], confirmed=True),
        "les-deux": subscriber("les-deux@example.fr", ["Monde", "Sport"], confirmed=True),
        "en-attente": subscriber("en-attente@example.fr", ["Monde"]),
        "parti": subscriber("parti@example.fr", [], unsubscribed=True),
    }


def _edition(section=None):
    edition = NewsletterEdition.objects.create(
        subject="La lettre", audience_section=section, status=NewsletterEdition.Status.SENDING
    )
    EditionArticle.objects.create(edition=edition, article=ArticleFactory(), position=0)
    return edition


def _send(edition, server):
    assert send_edition.enqueue(edition.pk).status == TaskResultStatus.SUCCESSFUL
    return sorted(message["To"] for message in server.messages)


def test_a_sections_edition_goes_to_those_who_chose_it_or_everything(
    smtp_server,  # noqa: F811
    sections,
    readers,
):
    received = _send(_edition(sections["Monde"]), smtp_server)

    assert received == ["les-deux@example.fr", "monde@example.fr", "tout@example.fr"]


def test_an_edition_for_every_reader_goes_to_every_confirmed_subscriber(
    smtp_server,  # noqa: F811
    readers,
):
    received = _send(_edition(), smtp_server)

    assert received == [
        "les-deux@example.fr", "monde@example.fr", "sport@example.fr", "tout@example.fr"
    ]  # fmt: skip


def test_a_section_nobody_chose_goes_only_to_those_who_receive_everything(sections, readers):
    recipients = editions.recipients(_edition(sections["Culture"]))

    assert list(recipients.values_list("email", flat=True)) == ["tout@example.fr"]


def test_the_sender_is_the_site_by_default(smtp_server, readers):  # noqa: F811
    _send(_edition(), smtp_server)

    sender = smtp_server.messages[0]["From"].addresses[0]
    assert sender.display_name == settings.NEWSROOM_SITE_NAME
    assert sender.domain == "localhost"  # the test site's address has no domain name


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("Le Quotidien", "https://www.lequotidien.fr", ("Le Quotidien", "lequotidien.fr")),
        ("L’Écho", "https://lecho.example/", ("L’Écho", "lecho.example")),
        (
            'Le "Petit" Journal',
            "https://journal.example:8443",
            ('Le "Petit" Journal', "journal.example"),
        ),
        ("Ouest-Matin", "http://127.0.0.1:8000", ("Ouest-Matin", "localhost")),
    ],
)
def test_the_default_sender_is_the_sites_name_at_its_domain(name, url, expected):
    from email.headerregistry import HeaderRegistry

    header = HeaderRegistry()("From", sender_address(name, url))
    address = header.addresses[0]
    assert (address.display_name, address.domain) == expected
    assert address.username == "redaction"
    assert isinstance(address, Address)


@pytest.mark.parametrize(
    "name", ["Le\nQuotidien", "Le Quotidien\r\nBcc: victime@example.com", "Le\x00Quotidien"]
)
def test_a_site_name_with_a_line_break_or_control_character_still_sends_mail(name):
    from email import message_from_bytes

    from django.core.mail import EmailMessage

    sender = sender_address(name, "https://www.lequotidien.fr")
    raw = EmailMessage("Objet", "Texte", sender, ["lecteur@example.com"]).message().as_bytes()

    message = message_from_bytes(raw)
    assert message["Bcc"] is None
    assert "\x00" not in str(message["From"])
    assert str(message["From"]).endswith("<redaction@lequotidien.fr>")


def test_filling_a_sections_edition_takes_that_sections_stories(sections):
    monde = ArticleFactory(category=sections["Monde"])
    ArticleFactory(category=sections["Sport"])
    edition = NewsletterEdition.objects.create(subject="Monde", audience_section=sections["Monde"])

    assert editions.fill_from_latest(edition) == [monde]
