"""A reader subscribes from the foot of an article and confirms from the e-mail's link."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from subscriptions.models import Subscriber


def test_signup_from_an_article_then_the_emailed_link_confirms(page, newsroom, problems):
    page.goto(newsroom.lead_story.get_absolute_url())
    call = page.get_by_role("region", name="Inscrivez-vous à notre newsletter")
    call.get_by_label("Votre adresse e-mail").fill("  Lectrice@Exemple.FR ")
    call.get_by_label(re.compile("J’accepte de recevoir la newsletter")).check()
    call.get_by_role("button", name="S’inscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre boîte de réception")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "lectrice@exemple.fr"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source_page == newsroom.lead_story.get_absolute_url()

    # The link from the captured e-mail, opened in the same browser.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/newsletter/confirmer/\S+/", message.body).group(0)
    page.goto(urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre inscription")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING  # opening the link is not enough
    page.get_by_role("button", name="Confirmer mon inscription").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription confirmée")
    expect(page.get_by_text("lectrice@exemple.fr")).to_be_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert problems.console_errors == []
