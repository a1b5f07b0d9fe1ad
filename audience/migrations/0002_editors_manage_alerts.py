"""Editors (Éditeurs) set and end the breaking-news alert; authors don't. Nobody edits counts."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS_GROUP, "audience", codenames=["add_alert", "change_alert", "view_alert"])


class Migration(migrations.Migration):
    dependencies = [("audience", "0001_initial")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
