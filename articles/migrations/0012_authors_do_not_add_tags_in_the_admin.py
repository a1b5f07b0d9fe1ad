"""Authors (Rédacteurs) no longer create tags in the tag admin.

Tagging an article creates its new tags without this right; authors keep ``view_tag``, which
the article form's tag suggestions need.
"""

from django.db import migrations

from articles.roles import AUTHORS_GROUP, grant, revoke


def revoke_add_tag(apps, schema_editor):
    revoke(apps, AUTHORS_GROUP, "taggit", ["add_tag"])


def restore_add_tag(apps, schema_editor):
    grant(apps, AUTHORS_GROUP, "taggit", codenames=["add_tag"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_repair_tag_slugs")]

    operations = [migrations.RunPython(revoke_add_tag, restore_add_tag)]
