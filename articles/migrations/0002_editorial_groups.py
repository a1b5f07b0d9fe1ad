"""The two editorial roles: authors (Rédacteurs) draft, editors (Éditeurs) publish."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORS_GROUP = "Rédacteurs"
EDITORS_GROUP = "Éditeurs"

AUTHOR_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "add_articleauthor"),
    ("articles", "change_articleauthor"),
    ("articles", "delete_articleauthor"),
    ("articles", "view_articleauthor"),
    ("articles", "add_readmorelink"),
    ("articles", "change_readmorelink"),
    ("articles", "delete_readmorelink"),
    ("articles", "view_readmorelink"),
    ("articles", "view_author"),
    ("articles", "view_category"),
    ("articles", "add_image"),
    ("articles", "change_image"),
    ("articles", "view_image"),
    ("taggit", "add_tag"),
    ("taggit", "view_tag"),
]
EDITOR_APPS = ["articles", "taggit"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    authors, _ = Group.objects.get_or_create(name=AUTHORS_GROUP)
    for app_label, codename in AUTHOR_PERMISSIONS:
        authors.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )

    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=EDITOR_APPS)
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[AUTHORS_GROUP, EDITORS_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
