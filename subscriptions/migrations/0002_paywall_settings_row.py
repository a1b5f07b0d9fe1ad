"""The paywall's settings row, in its default mode: "announce", as the site is today."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("subscriptions", "PaywallSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
