"""Full-text search on SQLite: an FTS5 table of the articles' stemmed words, kept by triggers
(articles/fulltext.py). Nothing on PostgreSQL, which has its search vectors (0004, 0013)."""

from django.db import migrations


def forward(apps, schema_editor):
    from articles import fulltext

    fulltext.install(schema_editor.connection)


def backward(apps, schema_editor):
    from articles import fulltext

    fulltext.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_autosave")]

    operations = [migrations.RunPython(forward, backward)]
