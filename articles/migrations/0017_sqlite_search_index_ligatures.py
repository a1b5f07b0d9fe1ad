"""The SQLite search index again: words are now folded with their ligatures written out (œ → oe)
and their decomposed accents dropped, and accented stop words ("été") kept as PostgreSQL keeps
them (articles/stemming.py). Nothing on PostgreSQL."""

from django.db import migrations


def forward(apps, schema_editor):
    from articles import fulltext

    fulltext.rebuild(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_sqlite_search_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
