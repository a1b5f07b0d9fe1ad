"""Editors (Éditeurs) compose and send newsletter editions; authors don't."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS_GROUP, "subscriptions", ["newsletteredition", "editionarticle"])


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0003_delivery_claimed_at"),
        ("articles", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
