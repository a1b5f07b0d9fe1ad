"""Phrases built from the site's name read as French: "du Quotidien", never "de Le Quotidien"."""

import pytest
from django.core import mail

from newsroom.site import site_name_after
from subscriptions import mailing
from subscriptions.models import EditionArticle, NewsletterEdition
from tests.factories import ArticleFactory, UserFactory
from tests.subscriptions.factories import SubscriberFactory

NAMES = {
    # name: (after "de", after "à")
    "Le Quotidien": ("du Quotidien", "au Quotidien"),
    "La Gazette": ("de La Gazette", "à La Gazette"),
    "L’Écho": ("de L’Écho", "à L’Écho"),
    "L'Écho": ("de L'Écho", "à L'Écho"),
    "Ouest-Matin": ("d’Ouest-Matin", "à Ouest-Matin"),
    "Les Échos": ("des Échos", "aux Échos"),
    "Écho du Jura": ("d’Écho du Jura", "à Écho du Jura"),
}
# What French never writes, whatever the site's name.
WRONG = ["de Le ", "à Le ", "de Les ", "à Les ", "de Ouest", "de Écho", "de Échos"]


@pytest.mark.parametrize(("name", "forms"), NAMES.items())
def test_the_site_name_after_de_and_a(name, forms):
    assert (site_name_after("de", name), site_name_after("à", name)) == forms


def test_a_name_the_rule_gets_wrong_is_given_outright(settings):
    settings.NEWSROOM_SITE_NAME = "Hebdo Sud"
    settings.NEWSROOM_SITE_NAME_AFTER = {"de": "d’Hebdo Sud", "à": ""}

    assert site_name_after("de") == "d’Hebdo Sud"
    assert site_name_after("à") == "à Hebdo Sud"


def _texts(message):
    return [message.subject, message.body, *(content for content, _type in message.alternatives)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Le Quotidien", "La Gazette", "L’Écho", "Ouest-Matin"])
def test_every_e_mail_names_the_site_in_good_french(settings, name):
    settings.NEWSROOM_SITE_NAME = name
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    of_site, to_site = NAMES[name]

    mailing.send_confirmation(SubscriberFactory())
    mailing.send_login_link(UserFactory(email="lecteur@example.fr"), "https://x.example/l")
    edition = NewsletterEdition.objects.create(subject="La lettre")
    EditionArticle.objects.create(edition=edition, article=ArticleFactory(), position=0)
    rendered = mailing.render_edition(edition)

    confirmation, login = mail.outbox
    assert confirmation.subject == f"Confirmez votre inscription à la newsletter {of_site}"
    assert f"recevoir la newsletter {of_site} à cette adresse" in confirmation.body
    assert f"Vous recevez cet e-mail de la part {of_site}." in confirmation.alternatives[0][0]
    assert login.subject == f"Votre lien de connexion {to_site}"
    assert f"Voici votre lien pour vous connecter {to_site}." in login.body
    texts = [*_texts(confirmation), *_texts(login), rendered.text, rendered.html]
    for text in texts:
        assert not any(wrong in text for wrong in WRONG), text
