"""A second search vector: what every reader may read of an article (title, kicker, lead).

Readers to whom the paywall holds subscriber-only bodies back search free articles by their
``search_vector`` and subscriber-only ones by this one, so that no word of a held-back body
finds an article for them. Generated, kept in the row and indexed like the first (0004, 0008).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE articles_article ADD COLUMN lead_search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('public.french_unaccent'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('public.french_unaccent'::regconfig,
                             coalesce(kicker, '') || ' ' || coalesce(lead, '')), 'B')
) STORED;
ALTER TABLE articles_article ALTER COLUMN lead_search_vector SET STORAGE MAIN;
CREATE INDEX article_lead_search_vector_idx ON articles_article USING GIN (lead_search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS article_lead_search_vector_idx;
ALTER TABLE articles_article DROP COLUMN IF EXISTS lead_search_vector;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_authors_do_not_add_tags_in_the_admin")]

    operations = [migrations.RunPython(forward, backward)]
