"""E-mails to readers: newsletter confirmations, sign-in links and newsletter editions.

Every message has an HTML and a plain-text part. Messages to newsletter subscribers carry the
List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058) so that a mail client's own
unsubscribe button works in one click.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _


def absolute_url(path):
    """An address on the public site, for e-mails sent outside any request."""
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def build_message(*, to, subject, template, context, headers=None, connection=None):
    context = {"site_name": settings.NEWSROOM_SITE_NAME, "site_url": absolute_url("/"), **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def unsubscribe_headers(unsubscribe_url):
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_url(subscriber):
    from subscriptions.newsletter import unsubscribe_token

    return absolute_url(
        reverse("subscriptions:unsubscribe", kwargs={"token": unsubscribe_token(subscriber)})
    )


def send_confirmation(subscriber, request=None):
    from subscriptions.newsletter import confirmation_token

    confirm_url = absolute_url(
        reverse("subscriptions:confirm", kwargs={"token": confirmation_token(subscriber)})
    )
    build_message(
        to=subscriber.email,
        subject=_("Confirm your subscription to the %(site)s newsletter")
        % {"site": settings.NEWSROOM_SITE_NAME},
        template="subscriptions/email/confirm",
        context={"confirm_url": confirm_url, "subscriber": subscriber},
    ).send()


def send_login_link(user, login_url):
    build_message(
        to=user.email,
        subject=_("Your sign-in link for %(site)s") % {"site": settings.NEWSROOM_SITE_NAME},
        template="subscriptions/email/login",
        context={"login_url": login_url, "user": user},
    ).send()
