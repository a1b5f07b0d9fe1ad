"""Editors (Éditeurs) see the admin's sign-in lockouts and lift them (django-axes)."""

from django.db import migrations

from articles.roles import EDITORS_GROUP, grant


def grant_editors(apps, schema_editor):
    grant(
        apps,
        EDITORS_GROUP,
        "axes",
        codenames=["view_accessattempt", "delete_accessattempt"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_vector_inline"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
