"""Readers sign in with a one-time link sent by e-mail: no password to remember."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from subscriptions import mailing
from subscriptions.addresses import normalise_email

LOGIN_SALT = "subscriptions.accounts.login"


def _state(user):
    # Changes when the reader signs in (last_login), so a link works only once.
    return salted_hmac(
        LOGIN_SALT, f"{user.pk}|{user.last_login}|{user.password}|{user.email}"
    ).hexdigest()[:32]


def login_token(user):
    return signing.dumps({"id": user.pk, "state": _state(user)}, salt=LOGIN_SALT)


def user_from_login_token(token):
    """The reader a sign-in link names, if it is genuine, unused and recent; else None."""
    try:
        data = signing.loads(token, salt=LOGIN_SALT, max_age=settings.LOGIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    # Staff sign in through the admin, with their password.
    readers = get_user_model().objects.filter(is_active=True, is_staff=False)
    user = readers.filter(pk=data.get("id")).first()
    if user is None or not constant_time_compare(data.get("state", ""), _state(user)):
        return None
    return user


def reader_for_email(email):
    """The reader account with this address, however spelt, if any (staff sign in through the
    admin)."""
    return (
        get_user_model()
        .objects.filter(email__iexact=normalise_email(email), is_active=True, is_staff=False)
        .order_by("pk")
        .first()
    )


def send_login_link(email):
    """E-mail a sign-in link to the reader with this address, if there is one.

    Run by the worker (subscriptions.tasks.send_login_link): the sign-in form answers the same,
    after the same work, for every address.
    """
    reader = reader_for_email(email)
    if reader is not None:
        path = reverse("subscriptions:login_link", kwargs={"token": login_token(reader)})
        mailing.send_login_link(reader, mailing.absolute_url(path))
