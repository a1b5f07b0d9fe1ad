"""Editors write and delete internal notes; authors read those on the stories they open."""

from django.db import migrations

from articles.roles import AUTHORS_GROUP, EDITORS_GROUP, grant


def grant_note_permissions(apps, schema_editor):
    grant(
        apps,
        EDITORS_GROUP,
        "desk",
        codenames=["add_editorialnote", "view_editorialnote", "delete_editorialnote"],
    )
    grant(apps, AUTHORS_GROUP, "desk", codenames=["view_editorialnote"])


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial"), ("articles", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant_note_permissions, migrations.RunPython.noop)]
