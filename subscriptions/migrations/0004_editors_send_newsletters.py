"""Editors (Éditeurs) compose and send newsletter editions; authors don't."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Éditeurs"
MODELS = ["newsletteredition", "editionarticle"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="subscriptions", content_type__model__in=MODELS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0003_delivery_claimed_at"),
        ("articles", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
