"""Editors (Éditeurs) manage corrections and house ads; authors don't."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS_GROUP, "articles", ["correction", "housead"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_search_vector")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
