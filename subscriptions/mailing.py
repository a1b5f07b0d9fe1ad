"""E-mails to readers: newsletter confirmations, sign-in links and newsletter editions.

Every message has an HTML and a plain-text part. Messages to newsletter subscribers carry the
List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058) so that a mail client's own
unsubscribe button works in one click.
"""

import functools
import re
import secrets
from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from newsroom.site import absolute_url, site_names
from subscriptions import links
from subscriptions.editions import edition_items


def build_message(*, to, subject, template, context, headers=None, connection=None):
    context = {**site_names(), "site_url": absolute_url("/"), **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _in_site_language(send):
    """Send in the site's language: these e-mails go out from the worker, outside any request."""

    @functools.wraps(send)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return send(*args, **kwargs)

    return wrapper


def unsubscribe_headers(unsubscribe_url):
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_url(subscriber):
    return absolute_url(
        reverse("subscriptions:unsubscribe", kwargs={"token": links.unsubscribe_token(subscriber)})
    )


@_in_site_language
def send_confirmation(subscriber):
    confirm_url = absolute_url(
        reverse("subscriptions:confirm", kwargs={"token": links.confirmation_token(subscriber)})
    )
    stop_url = unsubscribe_url(subscriber)
    build_message(
        to=subscriber.email,
        # Translators: of_site is the site's name after "de": "du Quotidien", "d’Ouest-Matin".
        subject=_("Confirm your subscription to the newsletter %(of_site)s") % site_names(),
        template="subscriptions/email/confirm",
        context={"confirm_url": confirm_url, "subscriber": subscriber, "unsubscribe_url": stop_url},
        headers=unsubscribe_headers(stop_url),
    ).send()


@_in_site_language
def send_login_link(user, login_url):
    build_message(
        to=user.email,
        # Translators: to_site is the site's name after "à": "au Quotidien", "à La Gazette".
        subject=_("Your sign-in link %(to_site)s") % site_names(),
        template="subscriptions/email/login",
        context={"login_url": login_url, "user": user},
    ).send()


# Newsletter editions ------------------------------------------------------------------------

# Images in editions: the 640-pixel rendition (or the largest below it), in the original's format
# rather than WebP, which Outlook and older mail clients do not show.
EDITION_IMAGE_WIDTH = 640


@dataclass(frozen=True)
class EditionEntry:
    """One article as an edition shows it: what the paywall lets out, and a link."""

    kicker: str
    title: str
    lead: str
    url: str
    subscribers_only: bool
    image_url: str | None
    image_alt: str


@dataclass(frozen=True)
class RenderedEdition:
    """An edition rendered once, then made into one message per subscriber.

    Only the unsubscribe link differs between subscribers: it is written into the rendered text
    as a placeholder and replaced per message, so 10 000 messages cost one template rendering.
    """

    subject: str
    text: str
    html: str
    entries: list
    placeholder: str
    message_id_domain: str
    message_id_tag: str

    def personalise(self, unsubscribe_url):
        """The (text, HTML) bodies with ``unsubscribe_url`` in place."""
        return (
            self.text.replace(self.placeholder, unsubscribe_url),
            self.html.replace(self.placeholder, escape(unsubscribe_url)),
        )

    def message(self, *, to, unsubscribe_url, message_id=None):
        """The message to ``to``; ``message_id`` is the delivery's own (a test gets a new one)."""
        text, html = self.personalise(unsubscribe_url)
        headers = {
            **unsubscribe_headers(unsubscribe_url),
            "Message-ID": message_id
            or make_msgid(idstring=self.message_id_tag, domain=self.message_id_domain),
        }
        message = EmailMultiAlternatives(subject=self.subject, body=text, to=[to], headers=headers)
        message.attach_alternative(html, "text/html")
        return message


def edition_entry(article):
    # The paywall rule for newsletters: every article, free or not, goes out as its lead and a
    # link to the site, never its body. So an edition never gives away what the paywall keeps
    # for subscribers, whatever the paywall mode; subscriber-only articles are marked as such.
    image = article.featured_image
    return EditionEntry(
        kicker=article.kicker,
        title=article.title,
        lead=article.lead,
        url=absolute_url(article.get_absolute_url()),
        subscribers_only=article.access == article.Access.SUBSCRIBERS,
        image_url=_edition_image_url(image) if image is not None else None,
        image_alt=image.alt_text if image is not None else "",
    )


def _edition_image_url(image):
    if not image.file or not image.width:
        return None
    url = image.rendition_url(image.rendition_width_at_most(EDITION_IMAGE_WIDTH))
    # Local storage gives a path; an object store with its own domain gives a full address.
    return url if "://" in url else absolute_url(url)


def render_edition(edition, *, sample=False, items=None):
    """Render ``edition`` for its subscribers (or, with ``sample``, for a test or a preview).

    Only its published articles are included (``editions.edition_items``). The language is the
    site's, whatever the language of the editor who previews it.
    """
    items = edition_items(edition) if items is None else items
    entries = [edition_entry(item.article) for item in items]
    placeholder = f"unsubscribe-url-{secrets.token_hex(8)}"
    intro_paragraphs = [p.strip() for p in re.split(r"\n\s*\n", edition.intro) if p.strip()]
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **site_names(),
            "site_url": absolute_url("/"),
            "colours": settings.NEWSROOM_COLOURS,
            "edition": edition,
            "intro_paragraphs": intro_paragraphs,
            "preheader": intro_paragraphs[0][:150] if intro_paragraphs else "",
            "entries": entries,
            "unsubscribe_url": placeholder,
            "sample": sample,
        }
        subject = edition.subject
        if sample:
            subject = _("[TEST] %(subject)s") % {"subject": subject}
        text = render_to_string("subscriptions/email/edition.txt", context)
        html = render_to_string("subscriptions/email/edition.html", context)
    return RenderedEdition(
        subject=subject,
        text=text,
        html=html,
        entries=entries,
        placeholder=placeholder,
        message_id_domain=urlsplit(settings.NEWSROOM_SITE_URL).hostname or "localhost",
        message_id_tag=f"edition{edition.pk}",
    )


def sample_unsubscribe_url():
    """The unsubscribe link of tests and previews: it leads to the "invalid link" page."""
    return absolute_url(reverse("subscriptions:unsubscribe", kwargs={"token": "exemple-de-test"}))


def send_edition_test(edition, to):
    """Send the edition to one staff address, marked as a test; no delivery is recorded."""
    render_edition(edition, sample=True).message(
        to=to, unsubscribe_url=sample_unsubscribe_url()
    ).send()
