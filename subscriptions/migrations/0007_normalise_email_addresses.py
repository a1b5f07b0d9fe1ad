"""Store every newsletter and waiting-list address in its canonical spelling.

Rows that the old rule (lower case only) kept apart but that are one address once normalised
are merged: the subscriber row kept is the one with the reader's latest decision (confirmation
or unsubscribe), else the oldest; deliveries of the others move to it where they do not repeat
an edition. Of waiting-list entries, the oldest is kept.

The next migration adds the unique constraints on the normalised addresses, in a transaction of
its own: PostgreSQL alters no table while the checks of these deletions are pending.
"""

from datetime import datetime, timezone
from itertools import groupby

from django.db import migrations

from subscriptions.addresses import normalise_email

NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _last_decision(subscriber):
    return max(filter(None, [subscriber.confirmed_at, subscriber.unsubscribed_at]), default=NEVER)


def _by_address(rows):
    rows = sorted(rows, key=lambda row: (normalise_email(row.email), row.created_at, row.pk))
    return groupby(rows, key=lambda row: normalise_email(row.email))


def _store(row, address):
    if row.email != address and len(address) <= 254:
        row.email = address
        row.save(update_fields=["email"])


def normalise_subscribers(apps, schema_editor):
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    Delivery = apps.get_model("subscriptions", "Delivery")
    for address, group in _by_address(Subscriber.objects.all()):
        group = list(group)
        kept = max(group, key=_last_decision)  # the first, oldest, of equals
        for duplicate in group:
            if duplicate != kept:
                editions = Delivery.objects.filter(subscriber=kept).values("edition")
                Delivery.objects.filter(subscriber=duplicate).exclude(edition__in=editions).update(
                    subscriber=kept
                )
                duplicate.delete()
        _store(kept, address)


def normalise_waiting_list(apps, schema_editor):
    WaitingListEntry = apps.get_model("subscriptions", "WaitingListEntry")
    for address, group in _by_address(WaitingListEntry.objects.all()):
        kept, *duplicates = group
        WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in duplicates]).delete()
        _store(kept, address)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0006_edition_lease_and_delivery_message_id"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="subscriber", name="unique_subscriber_email"),
        migrations.RemoveConstraint(model_name="waitinglistentry", name="unique_waiting_list_email"),
        migrations.RunPython(normalise_subscribers, migrations.RunPython.noop),
        migrations.RunPython(normalise_waiting_list, migrations.RunPython.noop),
    ]
