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
from django.db.models import BooleanField, Case, Q, When
from django.db.models.expressions import RawSQL

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
    rebuild(connection)
    return True


def rebuild(connection):
    """Index every article again (SQLite): after a change to how words are stemmed."""
    if connection.vendor != "sqlite":
        return
    register(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
        if cursor.fetchone() is None:
            return
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(REBUILD)


def uninstall(connection):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def match_expression(query, columns=None):
    """The FTS5 expression for ``query`` read as PostgreSQL's websearch syntax reads it
    (``stemming.query_groups``: every word, ``or`` between alternatives, ``-`` to exclude),
    or None when no word is left: each stem a quoted string, so no character of the query
    is FTS5 syntax."""
    alternatives = []
    for wanted, excluded in stemming.query_groups(query):
        expression = " AND ".join(map(_quoted, wanted))
        expression += "".join(f" NOT {_quoted(word)}" for word in excluded)
        alternatives.append(f"({expression})")
    if not alternatives:
        return None
    expression = " OR ".join(alternatives)
    if columns:
        return "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


def _quoted(word):
    return '"' + word.replace('"', '""') + '"'


def ranked_matches(query, readable, *, gated=None, limit):
    """Ids of the ``limit`` newest articles of the ``readable`` queryset matching ``query``,
    ranked among themselves (bm25), best first, newest first among equals: as on PostgreSQL
    (``search.newest_matches``), a word found in most of the archive costs the ranking of
    ``limit`` articles, not of the archive.

    The articles ``gated`` (a ``Q``) selects are found and ranked by their title, kicker and
    lead only: the reader's bodies held back.

    Each full-text match runs once, materialised, and ids are only ever tested against it
    (``+rowid``): offered an id to look up, FTS5 would run the whole match again for each."""
    assert readable.model._meta.db_table == "articles_article"
    expression = match_expression(query)
    if expression is None:
        return []
    weights = ", ".join(map(str, WEIGHTS))
    # (CTE name, FTS5 expression, bm25 weights, which articles it finds)
    searches = [("everything", expression, weights, Q(pk__gte=0) if gated is None else ~gated)]
    if gated is not None:
        lead_weights = ", ".join(map(str, (*WEIGHTS[:2], 0.0)))
        lead = match_expression(query, ["title", "lead"])
        searches.append(("readable_part", lead, lead_weights, gated))
    ctes, args, found = [], [], Q(pk__in=[])
    for name, match, _weights, among in searches:
        ctes.append(
            f"{name} AS MATERIALIZED (SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s)"
        )
        args.append(match)
        # "+": the newest articles are walked down the date index and each tested against the
        # match, stopping at ``limit`` (at most a scan of that narrow index); without it SQLite
        # would fetch and sort every article matching a word found everywhere.
        hit = RawSQL(f'+"articles_article"."id" IN (SELECT id FROM {name})', [], BooleanField())
        found |= Q(hit) & among
    search = Case(*(When(among, then=n) for n, (*_, among) in enumerate(searches)), default=0)
    newest = (
        readable.filter(found)
        .annotate(search=search)
        .order_by("-published_at")
        .values("pk", "search")[:limit]
    )
    newest_sql, newest_params = newest.query.sql_with_params()
    ctes.append(f"newest AS MATERIALIZED ({newest_sql})")
    args += newest_params
    ranks = []
    for n, (_name, match, column_weights, _among) in enumerate(searches):
        ranks.append(
            f"SELECT rowid AS id, bm25({TABLE}, {column_weights}) AS score FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND +rowid IN (SELECT pk FROM newest WHERE search = {n})"
        )
        args.append(match)
    ctes.append(f"ranked AS MATERIALIZED ({' UNION ALL '.join(ranks)})")
    sql = (
        f"WITH {', '.join(ctes)} SELECT r.id FROM ranked r "
        "JOIN articles_article a ON a.id = r.id "
        "ORDER BY r.score, a.published_at DESC, a.id DESC"
    )
    with connections[readable.db].cursor() as cursor:
        cursor.execute(sql, args)
        return [row[0] for row in cursor.fetchall()]
