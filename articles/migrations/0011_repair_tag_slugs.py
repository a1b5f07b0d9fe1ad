import re

from django.db import migrations
from django.utils.text import slugify

# What the <slug:> path converter of /tags/<slug>/ accepts.
USABLE_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def repair_tag_slugs(apps, schema_editor):
    """Give a new slug to every tag whose slug the tag page's address cannot take (an empty
    one, made by taggit for 日本 or 🔥, or one with non-ASCII letters): the name's, or tag-N."""
    Tag = apps.get_model("taggit", "Tag")
    taken = set(Tag.objects.values_list("slug", flat=True))
    for tag in Tag.objects.order_by("pk"):
        if USABLE_SLUG.fullmatch(tag.slug):
            continue
        base = slugify(tag.name)[:94].strip("-") or "tag"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        Tag.objects.filter(pk=tag.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_image_files_named_by_format"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(repair_tag_slugs, migrations.RunPython.noop)]
