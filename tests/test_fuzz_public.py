"""Property-based fuzzing of what anyone can reach: every public URL pattern with made-up
segments and query strings, and the search box. Whatever is asked, the answer is a page, a
redirect or a 4xx — never a 500 — and no draft is ever shown."""

import string

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, LiveEntryFactory

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANSWERS = {200, 301, 302, 304, 400, 404, 405, 429}
DRAFT_MARKER = "Brouillonsecretissime"

# Path segments: what a slug converter accepts, what it refuses, and hostile text.
segment = st.one_of(
    st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=30),
    st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s),
    st.sampled_from(["..", "%2e%2e", "%00", "%ff", "%c0%af", "\u212a", "日本", "🔥", "a" * 300]),
)
number = st.one_of(st.integers(min_value=-5, max_value=10**30).map(str), segment)
query_value = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "0", "1", "-1", "1e9", "nan", "last", "%", "%00", " ", "\x00"]),
)
query = st.dictionaries(st.sampled_from(["page", "q", "p", "utm_source", "x"]), query_value)


@pytest.fixture
def newsroom(db, settings):
    # Every example is one more search from the same address: the fuzzing is of the search, not
    # of its rate limit (tests/articles/test_search.py).
    settings.SEARCH_RATE_PER_IP = 10_000
    section = CategoryFactory(name="Politique", slug="politique")
    author = AuthorFactory(name="Ana Duval", slug="ana-duval")
    story = ArticleFactory(title="Un budget voté", category=section, authors=[author])
    draft = ArticleFactory(
        title=f"{DRAFT_MARKER} du budget", status="draft", category=section, authors=[author],
        live_status="live",
    )  # fmt: skip
    LiveEntryFactory(article=draft, author=author, body=f"<p>{DRAFT_MARKER} en direct</p>")
    live = ArticleFactory(title="Le budget en direct", category=section, live_status="live")
    LiveEntryFactory(article=live, author=author, body="<p>Le vote commence.</p>")
    story.tags.add("Budget")
    return story


def _paths(draw_segment, draw_number):
    return [
        f"/{draw_segment}/",
        f"/{draw_segment}/{draw_segment}-{draw_number}/",
        f"/auteurs/{draw_segment}/",
        f"/tags/{draw_segment}/",
        f"/apercu/{draw_number}/",
        f"/direct/{draw_number}/entrees/",
        f"/direct/entree/{draw_number}/",
        f"/rss/{draw_segment}/",
        f"/rss/auteurs/{draw_segment}/",
        f"/sitemap-{draw_segment}.xml",
        f"/newsletter/confirmer/{draw_segment}/",
        f"/newsletter/desinscription/{draw_segment}/",
        f"/compte/connexion/{draw_segment}/",
        f"/politique/{draw_segment}-{draw_number}/",
    ]


def _get(client, path, params):
    response = client.get(path, params)
    assert response.status_code in ANSWERS, (path, params, response.status_code)
    if response.status_code == 200:
        assert DRAFT_MARKER.encode() not in response.content, (path, params)
    return response


@FUZZ
@given(seg=segment, num=number, params=query)
def test_no_public_address_answers_a_server_error(newsroom, seg, num, params):
    client = Client(raise_request_exception=False)
    for path in _paths(seg, num):
        _get(client, path, params)


@FUZZ
@given(params=query)
def test_the_fixed_public_pages_accept_any_query_string(newsroom, params):
    client = Client(raise_request_exception=False)
    for path in ("/", "/recherche/", "/politique/", "/rss/", "/sitemap.xml", "/newsletter/"):
        _get(client, path, params)


@FUZZ
@given(params=query)
def test_a_live_storys_pages_accept_any_query_string(newsroom, params):
    client = Client(raise_request_exception=False)
    live = Article.objects.get(title="Le budget en direct")
    _get(client, live.get_absolute_url(), params)


@FUZZ
@given(q=st.text(max_size=300), page=query_value)
def test_search_answers_any_query_and_never_finds_a_draft(newsroom, q, page):
    client = Client(raise_request_exception=False)
    # Around the reader's words, a word every story has: the draft would match if it leaked.
    _get(client, "/recherche/", {"q": f"{q} budget", "page": page})
    _get(client, "/recherche/", {"q": q, "page": page})
