"""Full-text search of published articles.

On PostgreSQL: a stored ``search_vector`` column (title weighted above lead above body, French
stemming, accents folded; see migration 0004) behind a GIN index, ranked, with a highlighted
snippet of the text. On SQLite: an FTS5 index of the same stemmed, accent-folded
words (articles/fulltext.py), ranked by bm25 with the same weights, and the same highlights.

A reader from whom the paywall holds subscriber-only bodies back finds subscriber-only
articles by what they can read of them only: title, kicker and lead (``lead_search_vector``,
migration 0009), which also rank them.
"""

import html
import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles import fulltext, stemming
from articles.models import Article

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 200  # ten pages of results, the newest matches
SEARCH_CONFIG = "public.french_unaccent"
HEADLINE_WORDS = 35
FRAGMENT_DELIMITER = " … "
# Control characters (NUL above all) cannot reach the database.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# ts_headline's markers; control characters never occur in stored text.
_START, _STOP = "\x02", "\x03"


def clean_query(raw):
    """The reader's query, trimmed to something safe and reasonable to search for."""
    return " ".join(_CONTROL.sub(" ", raw or "").split())[:MAX_QUERY_LENGTH]


def search_articles(query, *, subscriber_bodies=True):
    """Published articles matching ``query``, best first; by the body of subscriber-only
    articles only when ``subscriber_bodies`` (the reader may read them)."""
    articles = Article.objects.published().for_cards()
    free = Q(access=Article.Access.FREE)
    if connection.vendor == "postgresql":
        readable = _vector()
        if not subscriber_bodies:
            readable = Case(
                When(free, then=_vector()),
                default=_vector("lead_search_vector"),
                output_field=SearchVectorField(),
            )
        # Ranking is among the newest MAX_RESULTS matches: a word found in most of the archive
        # still answers quickly (the planner then walks the date index, newest first).
        newest = list(newest_matches(query, subscriber_bodies=subscriber_bodies))
        return (
            articles.filter(pk__in=newest)
            .annotate(rank=SearchRank(readable, _search_query(query)))
            .order_by("-rank", "-published_at", "-id")
        )
    # SQLite: its FTS5 index of stemmed words (articles/fulltext.py), ranked by bm25.
    gated = None if subscriber_bodies else ~free
    best = fulltext.ranked_matches(
        query, Article.objects.published(), gated=gated, limit=MAX_RESULTS
    )
    ranks = [When(pk=pk, then=Value(float(len(best) - n))) for n, pk in enumerate(best)]
    return (
        articles.filter(pk__in=best)
        .annotate(rank=Case(*ranks, default=Value(0.0), output_field=FloatField()))
        .order_by("-rank", "-published_at", "-id")
    )


def newest_matches(query, *, subscriber_bodies=True):
    """The ids of the newest ``MAX_RESULTS`` published articles matching ``query`` (PostgreSQL),
    by their ``search_vector``, or by the lead's for subscriber-only articles when not
    ``subscriber_bodies``; each vector has its index."""
    search_query = _search_query(query)
    matches = Q(search=search_query)
    if not subscriber_bodies:
        matches = (Q(access=Article.Access.FREE) & matches) | Q(lead_search=search_query)
    return (
        Article.objects.published()
        .annotate(search=_vector(), lead_search=_vector("lead_search_vector"))
        .filter(matches)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:MAX_RESULTS]
    )


def add_headlines(articles, query):
    """Give the articles of one results page a ``headline`` from their body, in one query.

    Only those whose lead does not show the query's words: for the others the lead, marked,
    is the snippet, and PostgreSQL need not parse their whole body."""
    headlines = {}
    unquoted = [a.pk for a in articles if "<mark>" not in highlight(a.lead, query)]
    if connection.vendor == "postgresql" and unquoted:
        headlines = dict(
            Article.objects.filter(pk__in=unquoted)
            .annotate(
                headline=SearchHeadline(
                    F("body"),
                    _search_query(query),
                    config=SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=HEADLINE_WORDS,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=FRAGMENT_DELIMITER,
                )
            )
            .values_list("pk", "headline")
        )
    elif unquoted:
        bodies = Article.objects.filter(pk__in=unquoted).values_list("pk", "body")
        headlines = {pk: _headline(body, query) for pk, body in bodies}
    for article in articles:
        article.headline = headlines.get(article.pk, "")


def _headline(body, query, fragments=2):
    """Up to ``fragments`` passages of ``body`` around the query's words, marked as PostgreSQL's
    ``ts_headline`` marks them (SQLite). Reads the body no further than the last passage."""
    text = stemming.plain_text(body)
    span = HEADLINE_WORDS // fragments
    words, starts, end = [], [], -1
    for n, word in enumerate(_marked_words(text, query)):
        if len(starts) == fragments and n > end:
            break
        words.append(word)
        if word[2] and n > end and len(starts) < fragments:
            starts.append(max(n - 5, end + 1))
            end = starts[-1] + span - 1
    passages = []
    for first in starts:
        last = min(first + span, len(words)) - 1
        parts, position = [], words[first][0]
        for start, stop, marked in words[first : last + 1]:
            if marked:
                parts += [text[position:start], _START, text[start:stop], _STOP]
                position = stop
        parts.append(text[position : words[last][1]])
        passages.append("".join(parts))
    return FRAGMENT_DELIMITER.join(passages)


def _marked_words(text, query):
    """(start, end, marked) for every word of ``text``: marked when its stem is one of the
    query's (accents and case aside)."""
    wanted = set(stemming.query_stems(query))
    for start, end, stem in stemming.words(text):
        yield start, end, stem in wanted


def _vector(column="search_vector"):
    return RawSQL(f'"{Article._meta.db_table}"."{column}"', [], SearchVectorField())


def _search_query(query):
    return SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")


def snippet(article, query):
    """A short excerpt for the result list, the query's words in <mark>, everything escaped."""
    if getattr(article, "headline", ""):
        text = escape(html.unescape(strip_tags(article.headline)))
        if _START in text:
            return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))
    return highlight(article.lead, query)


def highlight(text, query):
    """``text`` escaped, with the words sharing a stem with the query's words marked."""
    parts, position = [], 0
    for start, end, marked in _marked_words(text, query):
        if marked:
            parts.append(escape(text[position:start]))
            parts.append(f"<mark>{escape(text[start:end])}</mark>")
            position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
