"""The full-text index of articles on SQLite: an FTS5 table of stemmed words.

FTS5 can fold accents but cannot stem French, so the table holds each article's words already
folded and stemmed by Python (articles/stemming.py), and queries are stemmed the same way.

The index is kept by triggers on ``articles_article``, which call ``newsroom_indexed_text``, a
Python function registered on every SQLite connection Django opens. Triggers follow every
write that reaches the table — a model's save, ``QuerySet.update()`` with expressions,
``bulk_create``, ``bulk_update``, deletes and cascades, raw SQL — in the writer's own
transaction, which signal handlers in Python could not all see. A program writing to the
database without the function (the ``sqlite3`` shell) is refused the write ("no such
function"), never left with an index out of step. Django's SQLite schema editor rebuilds a
table to alter it, dropping its triggers: after every ``migrate``, ``install`` puts back any
missing trigger and then rebuilds the index.

PostgreSQL has its own generated ``tsvector`` columns (migrations 0004 and 0013); nothing here
runs there.
"""

from django.db import connections
from django.db.backends.signals import connection_created

from articles import stemming

TABLE = "articles_article_search"
FUNCTION = "newsroom_indexed_text"
# Column weights of bm25(): the title above the kicker and lead above the body, as PostgreSQL's
# A, B and C weights rank them.
WEIGHTS = (10.0, 4.0, 1.0)

_ROW = f"""
    INSERT INTO {TABLE} (rowid, title, lead, body) VALUES (
        new.id,
        {FUNCTION}(new.title, 0),
        {FUNCTION}(coalesce(new.kicker, '') || ' ' || coalesce(new.lead, ''), 0),
        {FUNCTION}(new.body, 1)
    );"""
TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT ON articles_article BEGIN {_ROW} END",
    f"{TABLE}_update": (
        "AFTER UPDATE OF id, title, kicker, lead, body ON articles_article BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id; {_ROW} END"
    ),
    f"{TABLE}_delete": (
        f"AFTER DELETE ON articles_article BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END"
    ),
}
REBUILD = f"""
    INSERT INTO {TABLE} (rowid, title, lead, body)
    SELECT id, {FUNCTION}(title, 0),
           {FUNCTION}(coalesce(kicker, '') || ' ' || coalesce(lead, ''), 0),
           {FUNCTION}(body, 1)
    FROM articles_article"""


def register(connection):
    """Make the stemming function available to the triggers of ``connection`` (SQLite)."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function(FUNCTION, 2, _indexed_text, deterministic=True)


def _indexed_text(text, is_html):
    return stemming.indexed_text(text or "", bool(is_html))


def _on_connection_created(sender, connection, **kwargs):
    register(connection)


def connect_signals():
    connection_created.connect(_on_connection_created, dispatch_uid="articles.fulltext")


def install(connection):
    """Create the index and its triggers where missing (SQLite); rebuild the index when any
    trigger was missing, since writes may then have gone unindexed. Returns whether it did."""
    if connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    register(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "articles_article" not in present:
            return False
        missing = [name for name in (TABLE, *TRIGGERS) if name not in present]
        if not missing:
            return False
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "title, lead, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        for name, definition in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {definition}")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(REBUILD)
    return True


def uninstall(connection):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def match_expression(query, columns=None):
    """The FTS5 expression finding every stemmed word of ``query`` (None when no word is
    left): each stem a quoted string, so no character of the query is FTS5 syntax."""
    words = list(dict.fromkeys(stemming.stems(query)))
    if not words:
        return None
    expression = " AND ".join(f'"{word}"' for word in words)
    if columns:
        return "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


def ranked_matches(query, readable, *, gated=None, limit):
    """Ids of the best ``limit`` articles of the ``readable`` queryset (of ids) matching
    ``query``, best first (bm25), newest first among equals.

    Those of the ``gated`` queryset (of ids) are found and ranked by their title, kicker and
    lead only: the reader's bodies held back."""
    expression = match_expression(query)
    if expression is None:
        return []
    readable_sql, readable_params = readable.query.sql_with_params()
    select = (
        f"SELECT s.rowid AS id, bm25({TABLE}, {{weights}}) AS score FROM {TABLE} s "
        f"WHERE {TABLE} MATCH %s AND s.rowid IN ({readable_sql})"
    )
    parts = [select.format(weights=", ".join(map(str, WEIGHTS)))]
    args = [expression, *readable_params]
    if gated is not None:
        gated_sql, gated_params = gated.query.sql_with_params()
        parts[0] += f" AND s.rowid NOT IN ({gated_sql})"
        args += gated_params
        no_body = ", ".join(map(str, (*WEIGHTS[:2], 0.0)))
        parts.append(select.format(weights=no_body) + f" AND s.rowid IN ({gated_sql})")
        args += [match_expression(query, ["title", "lead"]), *readable_params, *gated_params]
    sql = (
        "SELECT m.id FROM (" + " UNION ALL ".join(parts) + ") m "
        "JOIN articles_article a ON a.id = m.id "
        "ORDER BY m.score, a.published_at DESC, a.id DESC LIMIT %s"
    )
    with connections[readable.db].cursor() as cursor:
        cursor.execute(sql, [*args, limit])
        return [row[0] for row in cursor.fetchall()]
