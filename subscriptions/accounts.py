"""Readers sign in with a one-time link sent by e-mail: no password to remember."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

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
    """The reader account with this address, if any (staff sign in through the admin)."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, is_staff=False)
        .order_by("pk")
        .first()
    )
