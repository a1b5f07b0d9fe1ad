"""Editors (Éditeurs) manage the old addresses and see what was imported; authors don't."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS_GROUP, "wordpress", ["oldaddress"])
    grant(apps, EDITORS_GROUP, "wordpress", codenames=["view_importeditem"])


class Migration(migrations.Migration):
    dependencies = [("wordpress", "0001_initial"), ("articles", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
