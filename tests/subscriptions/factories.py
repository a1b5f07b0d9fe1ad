"""factory_boy factories for the subscriptions app: subscribers, readers, plans, subscriptions."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from subscriptions.forms import CONSENT_TEXT
from subscriptions.models import Plan, Subscriber, Subscription
from tests.factories import UserFactory


class SubscriberFactory(DjangoModelFactory):
    """A newsletter address awaiting confirmation; ``confirmed`` and ``unsubscribed`` traits."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"lectrice{n}@exemple.fr")
    status = Subscriber.Status.PENDING
    consent_text = factory.LazyFunction(lambda: str(CONSENT_TEXT))
    consent_at = factory.LazyFunction(timezone.now)
    source_page = "/"

    class Params:
        confirmed = factory.Trait(
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=factory.LazyFunction(timezone.now),
        )
        unsubscribed = factory.Trait(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at=factory.LazyFunction(timezone.now),
        )


class ReaderFactory(UserFactory):
    """A reader's account: no staff rights and no password (readers sign in by e-mailed link)."""

    username = factory.Sequence(lambda n: f"lecteur{n}")
    password = factory.LazyFunction(lambda: make_password(None))  # unusable
    is_staff = False


class PlanFactory(DjangoModelFactory):
    """A monthly plan announced as coming soon ("Bientôt"); ``available`` trait."""

    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Formule {n}")
    slug = factory.LazyAttribute(lambda plan: slugify(plan.name))
    price = Decimal("9.99")
    period = Plan.Period.MONTH
    availability = Plan.Availability.SOON

    class Params:
        available = factory.Trait(availability=Plan.Availability.ACTIVE)


class SubscriptionFactory(DjangoModelFactory):
    """An active subscription paid for the next 30 days; ``expired`` and ``cancelled`` traits."""

    class Meta:
        model = Subscription

    reader = factory.SubFactory(ReaderFactory)
    plan = factory.SubFactory(PlanFactory, available=True)
    status = Subscription.Status.ACTIVE
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    class Params:
        expired = factory.Trait(
            current_period_end=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )
        cancelled = factory.Trait(status=Subscription.Status.CANCELLED)
