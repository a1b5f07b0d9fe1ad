"""The signed links the newsletter mails carry: confirm a subscription, unsubscribe."""

from django.conf import settings
from django.core import signing

from subscriptions.models import Subscriber

CONFIRM_SALT = "subscriptions.newsletter.confirm"
UNSUBSCRIBE_SALT = "subscriptions.newsletter.unsubscribe"


def confirmation_token(subscriber):
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=CONFIRM_SALT)


def subscriber_from_confirmation(token, *, check_age=True):
    """The subscriber a confirmation link names; raises signing.BadSignature (or Expired)."""
    data = signing.loads(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.NEWSLETTER["CONFIRMATION_MAX_AGE"] if check_age else None,
    )
    return Subscriber.objects.filter(pk=data["id"], email=data["email"]).first()


def unsubscribe_token(subscriber):
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def subscriber_from_unsubscribe(token):
    """The subscriber an unsubscribe link names, or None. These links never expire."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=data["id"], email=data["email"]).first()
