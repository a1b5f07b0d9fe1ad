"""Editors (Éditeurs) run the newsletter list, the plans, the subscriptions and the paywall
switch; authors see none of it."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS_GROUP, "subscriptions")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0004_editors_send_newsletters")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
