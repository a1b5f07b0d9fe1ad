"""Corrections are no longer kept in articles' versions: drop the copies already kept.

Restoring a revision restores every object copied in it; a correction copied there would be
rewritten to its old text or brought back after an editor deleted it.
"""

from django.db import migrations


def forget_correction_versions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    correction = ContentType.objects.filter(app_label="articles", model="correction").first()
    if correction is not None:
        Version.objects.filter(content_type=correction).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_vector_inline"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(forget_correction_versions, migrations.RunPython.noop)]
