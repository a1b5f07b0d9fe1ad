"""The two editorial roles: authors (Rédacteurs) draft, editors (Éditeurs) publish."""

from django.db import migrations

from articles.roles import AUTHORS_GROUP, EDITORS_GROUP, grant

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


def create_groups(apps, schema_editor):
    for app_label in ("articles", "taggit"):
        codenames = [codename for app, codename in AUTHOR_PERMISSIONS if app == app_label]
        grant(apps, AUTHORS_GROUP, app_label, codenames=codenames)
        grant(apps, EDITORS_GROUP, app_label)


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
