"""Search (/recherche/?q=): what it finds, how it ranks and highlights, and hostile input.

PostgreSQL (its text search configuration) and SQLite (an FTS5 index of Python-stemmed words)
promise readers the same search: French stemming, accents and case folded, title above lead
above body, the same highlights. The suite runs on both in CI: the assertions are the same.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article
from subscriptions.models import PaywallSettings
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    UserFactory,
)
from tests.subscriptions.factories import ReaderFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
SEARCH = reverse("articles:search")
NEUTRAL_LEAD = "Les élus ont débattu toute la soirée."
NEUTRAL_BODY = "<p>La séance a été levée à minuit.</p>"


def _article(title="Le conseil municipal se réunit", lead=NEUTRAL_LEAD, body=NEUTRAL_BODY, **kw):
    return ArticleFactory(title=title, lead=lead, body=body, **kw)


def _search(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def _results(content):
    """The addresses of the result cards, in order."""
    return re.findall(r'<h\d class="card__title"><a href="([^"]+)"', content)


@pytest.mark.parametrize("field", ["title", "lead", "body"])
def test_search_finds_a_word_in_the_title_the_lead_or_the_body(client, field):
    text = {
        "title": "L’Otan se réunit à Vilnius",
        "lead": "Les alliés de l’Otan se réunissent à Vilnius.",
        "body": "<p>Les ministres de l’Otan se sont retrouvés à Vilnius.</p>",
    }
    match = _article(**{field: text[field]})
    _article(title="Le budget de la ville est adopté")

    content = _search(client, "otan")

    assert _results(content) == [match.get_absolute_url()]
    assert "1 résultat pour « otan »" in content


def test_search_result_highlights_the_words_found_in_the_lead(client):
    _article(title="Sommet à Vilnius", lead="Les alliés de l’Otan renforcent le flanc est.")

    content = _search(client, "otan")

    lead = re.search(r'<p class="card__lead">(.*?)</p>', content, re.S).group(1)
    assert "<mark>Otan</mark>" in lead


def test_search_result_for_a_body_only_match(client):
    match = _article(body="<p>Les ministres de l’Otan ont signé l’accord à Vilnius.</p>")

    content = _search(client, "otan")

    assert _results(content) == [match.get_absolute_url()]
    lead = re.search(r'<p class="card__lead">(.*?)</p>', content, re.S).group(1)
    # The snippet comes from the body, with the word marked.
    assert "<mark>Otan</mark>" in lead
    assert "Vilnius" in lead


def test_search_ranks_a_title_match_above_a_body_only_match(client):
    in_title = _article(
        title="L’Otan face à la Russie", published_at=timezone.now() - timedelta(days=3)
    )
    in_body = _article(
        body="<p>Un diplomate évoque l’Otan en passant.</p>",
        published_at=timezone.now() - timedelta(hours=1),
    )

    results = _results(_search(client, "otan"))

    assert results == [in_title.get_absolute_url(), in_body.get_absolute_url()]


def test_search_ignores_accents_and_case(client):
    match = _article(title="La Commission européenne propose un budget")
    _article(title="Le budget de la ville est adopté")

    for query in ("europeenne", "EUROPÉENNE", "Européenne", "européennes", "europeennes"):
        assert _results(_search(client, query)) == [match.get_absolute_url()], query


def test_search_finds_a_word_written_without_its_accents_and_marks_it(client):
    match = _article(title="La défense européenne", lead="Les européennes parlent de défense.")

    content = _search(client, "defense europeennes")

    assert _results(content) == [match.get_absolute_url()]
    lead = re.search(r'<p class="card__lead">(.*?)</p>', content, re.S).group(1)
    assert lead == "Les <mark>européennes</mark> parlent de <mark>défense</mark>."


def test_search_finds_other_forms_of_a_word(client):
    match = _article(title="L’élection législative est avancée")

    # French stemming: the plural finds the singular, and the singular the plural.
    assert _results(_search(client, "élections législatives")) == [match.get_absolute_url()]
    assert _results(_search(client, "elections")) == [match.get_absolute_url()]
    assert _results(_search(client, "présidentielle")) == []
    plural = _article(title="Les ministres réunis")
    assert _results(_search(client, "ministre")) == [plural.get_absolute_url()]


def test_search_ignores_french_stop_words_in_the_query(client):
    match = _article(title="Le budget de la ville est adopté")

    assert _results(_search(client, "les budgets des villes")) == [match.get_absolute_url()]


def test_search_does_not_match_the_middle_of_a_word(client):
    _article(title="La Commission européenne propose un budget")

    assert _results(_search(client, "ropéen")) == []


def test_search_needs_every_word(client):
    both = _article(title="L’Otan et la Russie se parlent")
    _article(title="L’Otan se réunit")
    _article(title="La Russie répond")

    assert _results(_search(client, "Otan Russie")) == [both.get_absolute_url()]


def test_search_never_finds_drafts_review_or_scheduled_articles(client):
    visible = _article(title="L’Otan publié")
    _article(title="L’Otan en brouillon", draft=True)
    _article(title="L’Otan programmé", scheduled=True)
    _article(title="L’Otan en relecture", status=Article.Status.REVIEW)

    assert _results(_search(client, "otan")) == [visible.get_absolute_url()]


def test_search_results_are_paginated_and_the_pages_keep_the_query(client):
    section = CategoryFactory()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"L’Otan, épisode {n}",
            slug=f"otan-episode-{n}",
            lead=NEUTRAL_LEAD,
            body=NEUTRAL_BODY,
            category=section,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(45)
    )

    pages = [_search(client, "otan", page=n) for n in (1, 2, 3)]

    assert "45 résultats pour « otan »" in pages[0]
    assert [len(_results(page)) for page in pages] == [20, 20, 5]
    assert len({url for page in pages for url in _results(page)}) == 45
    assert '<a href="?q=otan&amp;page=2">2</a>' in pages[0]
    assert '<a href="?q=otan&amp;page=3">3</a>' in pages[0]
    assert 'href="?q=otan&amp;page=2" rel="prev"' in pages[2]


def test_search_echoes_the_query_escaped_in_the_form_and_the_title(client):
    _article()

    content = _search(client, '"Otan" & <b>Russie</b>')

    assert 'value="&quot;Otan&quot; &amp; &lt;b&gt;Russie&lt;/b&gt;"' in content
    assert "<b>Russie</b>" not in content


HOSTILE_QUERIES = {
    "empty": "",
    "spaces": "   ",
    "tab-newline": "\t\n",
    "5000-characters": "x" * 5000,
    "double-quote": '"',
    "single-quote": "'",
    "unclosed-quote": '"Otan',
    "sql-or": "' OR 1=1 --",
    "sql-drop": "'; DROP TABLE articles_article; --",
    "operators": "&|!:*()<>",
    "repeated-operators": "!!! ::: *** ||| &&&",
    "tsquery-syntax": "otan:* & !russie",
    "dash": "-",
    "or": "or",
    "backslash": "\\",
    "percent": "%",
    "underscore": "_",
    "unicode": "日本語 😀 Ω ﬁ",
    "script": "<script>alert(1)</script>",
    "nul-inside": "Otan\x00Russie",
    # FTS5's own syntax
    "fts-phrase": '"otan russie"',
    "fts-near": "NEAR(otan russie, 2)",
    "fts-prefix": "ota*",
    "fts-initial": "^otan",
    "fts-column": "title:otan",
    "fts-columns": "{title body}: otan",
    "fts-boolean": "otan AND NOT russie OR",
    "fts-parentheses": "((otan) (",
    "fts-closing": "otan ) )",
    "fts-plus": "otan + + russie",
    "10000-characters": "otan " * 2000,
    "only-stop-words": "le la les de",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_search_query_gets_a_normal_page(client, query):
    _article(title="L’Otan se réunit à Vilnius")

    content = _search(client, query)

    assert '<h1 class="page-title">Rechercher</h1>' in content
    assert '<form class="search-form"' in content
    assert "<script>alert" not in content
    assert "\x00" not in content


@pytest.mark.parametrize("raw", ["%00", "%00%00otan", "otan%00", "%FF%FE", "%C0%AF", "%"])
def test_search_with_a_nul_byte_or_broken_encoding_in_the_address_gets_a_normal_page(client, raw):
    _article(title="L’Otan se réunit à Vilnius")

    response = client.get(f"{SEARCH}?q={raw}")

    assert response.status_code == 200
    assert '<h1 class="page-title">Rechercher</h1>' in response.content.decode()


@pytest.mark.parametrize("query", ["' OR 1=1 --", "1' OR '1'='1", "%", "_", "*"])
def test_sql_fragments_and_wildcards_do_not_match_every_article(client, query):
    for n in ("premier", "deuxième", "troisième"):
        _article(title=f"Le {n} article sans rapport")

    assert _results(_search(client, query)) == []


def test_very_long_query_is_cut_to_200_characters(client):
    content = _search(client, "otan " * 1000)

    value = re.search(r'<input id="search-q" type="search" name="q" value="([^"]*)"', content)
    assert value is not None
    assert 0 < len(value.group(1)) <= 200


# Query counts


def _cold_queries(query):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(SEARCH, {"q": query}).status_code == 200
    return len(queries)


def _otan_articles(count, image, section):
    for _ in range(count):
        _article(
            title="L’Otan se réunit",
            category=section,
            featured_image=image,
            authors=[AuthorFactory(), AuthorFactory()],
            tags=["Otan", "Défense"],
        )


def test_search_page_takes_at_most_10_queries_from_an_empty_cache(
    client, django_assert_max_num_queries
):
    _otan_articles(3, ImageFactory(), CategoryFactory())
    cache.clear()

    # Two of them count the search against the client's limit (in the database on default
    # settings, where the cache is each process's own), one reads the alert (furniture, read
    # once per version, so every time from an empty cache).
    with django_assert_max_num_queries(10):
        assert client.get(SEARCH, {"q": "otan"}).status_code == 200


def test_search_query_count_does_not_grow_with_the_number_of_results():
    image, section = ImageFactory(), CategoryFactory()
    _otan_articles(1, image, section)
    few = _cold_queries("otan")

    _otan_articles(12, image, CategoryFactory(parent=section))
    many = _cold_queries("otan")

    assert len(_results(Client().get(SEARCH, {"q": "otan"}).content.decode())) == 13
    assert many <= few


# The paywall: readers find what they may read, never words of a body held back from them


def _set_paywall(mode):
    PaywallSettings.objects.update_or_create(pk=1, defaults={"mode": mode})


def _gated_story(**fields):
    return _article(
        **{
            "title": "Le budget de la ville",
            "lead": "Le conseil municipal a voté le budget.",
            "body": "<p>Le trésorier cachait les comptes dans une valise.</p>",
            "access": Article.Access.SUBSCRIBERS,
            **fields,
        }
    )


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("mode", [PaywallSettings.Mode.METERED, PaywallSettings.Mode.ON])
def test_a_word_only_in_a_held_back_body_finds_nothing_for_readers_without_access(client, mode):
    _set_paywall(mode)
    _gated_story()
    without_access = [client, _signed_in(ReaderFactory())]

    for reader in without_access:
        content = _search(reader, "valise")
        assert _results(content) == []
        assert "0 résultat pour « valise »" in content


@pytest.mark.parametrize("mode", [PaywallSettings.Mode.METERED, PaywallSettings.Mode.ON])
def test_subscribers_and_staff_find_a_subscriber_article_by_a_word_of_its_body(mode):
    _set_paywall(mode)
    story = _gated_story()
    entitled = [_signed_in(SubscriptionFactory().reader), _signed_in(UserFactory(is_staff=True))]

    for reader in entitled:
        assert _results(_search(reader, "valise")) == [story.get_absolute_url()]


@pytest.mark.parametrize("field", ["title", "kicker", "lead"])
def test_readers_without_access_find_a_subscriber_article_by_what_they_can_read(client, field):
    _set_paywall(PaywallSettings.Mode.ON)
    story = _gated_story(kicker="Finances locales")
    word = {"title": "budget", "kicker": "finances", "lead": "conseil"}[field]

    assert _results(_search(client, word)) == [story.get_absolute_url()]


def test_readers_without_access_still_find_free_articles_by_their_body(client):
    _set_paywall(PaywallSettings.Mode.ON)
    free = _article(body="<p>Le trésorier range une valise.</p>")
    _gated_story()

    assert _results(_search(client, "valise")) == [free.get_absolute_url()]


@pytest.mark.parametrize("mode", [PaywallSettings.Mode.OFF, PaywallSettings.Mode.ANNOUNCE])
def test_everyone_finds_subscriber_articles_by_their_body_while_everyone_may_read_them(
    client, mode
):
    _set_paywall(mode)
    story = _gated_story()

    assert _results(_search(client, "valise")) == [story.get_absolute_url()]


def test_a_held_back_body_ranks_nothing_for_readers_without_access(client):
    _set_paywall(PaywallSettings.Mode.ON)
    older_free = _article(
        title="Le budget en questions",
        lead="Ce que le budget change.",
        published_at=timezone.now() - timedelta(days=2),
    )
    # The subscriber article says "budget" fifty times in its body: that must not lift it.
    gated = _gated_story(lead="Le conseil a voté.", body="<p>" + "Le budget. " * 50 + "</p>")

    results = _results(_search(client, "budget"))

    # Ranked by what this reader can read: title and lead above title alone.
    assert results == [older_free.get_absolute_url(), gated.get_absolute_url()]


def test_restricted_search_page_takes_at_most_10_queries_from_an_empty_cache(
    client, django_assert_max_num_queries
):
    _set_paywall(PaywallSettings.Mode.ON)
    _otan_articles(3, ImageFactory(), CategoryFactory())
    _gated_story()
    cache.clear()

    # Two of them count the search against the client's limit (in the database on default
    # settings, where the cache is each process's own), one reads the alert (furniture, read
    # once per version, so every time from an empty cache).
    with django_assert_max_num_queries(10):
        assert client.get(SEARCH, {"q": "otan"}).status_code == 200


def test_each_search_vector_has_its_index():
    _set_paywall(PaywallSettings.Mode.ON)
    _gated_story()

    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_article'")
            indexes = {row[0].split(" USING ")[1] for row in cursor.fetchall()}
        assert {"gin (search_vector)", "gin (lead_search_vector)"} <= indexes
    else:  # no vector: the substring fallback, which holds the same rule
        assert list(search.search_articles("valise", subscriber_bodies=False)) == []
        assert len(search.search_articles("valise", subscriber_bodies=True)) == 1


def test_a_client_searching_faster_than_a_reader_gets_the_429_page_until_the_window_ends(
    client, settings
):
    settings.SEARCH_RATE_PER_IP, settings.SEARCH_RATE_PERIOD = 3, 60
    _article(title="L’Otan se réunit à Vilnius")

    answers = [client.get(SEARCH, {"q": f"otan {n}"}) for n in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Retry-After"] == "60"
    assert "no-store" in refused["Cache-Control"]  # never kept by the CDN for other readers
    assert "Trop de tentatives" in refused.content.decode()
    # The search form without words costs nothing: it stays open.
    assert client.get(SEARCH).status_code == 200


def test_the_search_limit_counts_each_client_ip_apart(settings):
    settings.SEARCH_RATE_PER_IP, settings.TRUSTED_PROXY_COUNT = 1, 1
    first, second = (Client(HTTP_X_FORWARDED_FOR=ip) for ip in ("203.0.113.7", "203.0.113.8"))

    assert first.get(SEARCH, {"q": "otan"}).status_code == 200
    assert first.get(SEARCH, {"q": "otan"}).status_code == 429
    assert second.get(SEARCH, {"q": "otan"}).status_code == 200


def test_a_held_back_body_is_never_quoted_in_a_result(client):
    _set_paywall(PaywallSettings.Mode.ON)
    _gated_story(lead="Le budget est voté.", body="<p>Le budget cachait une valise.</p>")

    content = _search(client, "budget")

    assert len(_results(content)) == 1
    assert "valise" not in content
    assert "Le <mark>budget</mark> est voté." in content


# The index follows every way of writing an article (SQLite: triggers; PostgreSQL: generated
# columns)


def test_search_follows_an_edit_a_bulk_update_and_a_delete(client):
    story = _article(title="Le budget de la ville")
    other = _article(title="La piscine rouvre")

    story.title = "La défense du littoral"
    story.save()
    assert _results(_search(client, "budget")) == []
    assert _results(_search(client, "défenses")) == [story.get_absolute_url()]

    Article.objects.filter(pk=other.pk).update(lead=Concat(F("lead"), Value(" Les nageurs.")))
    assert _results(_search(client, "nageur")) == [other.get_absolute_url()]

    other.body = "<p>Le maître-nageur surveille le bassin.</p>"
    Article.objects.bulk_update([other], ["body"])
    assert _results(_search(client, "bassins")) == [other.get_absolute_url()]

    Article.objects.filter(pk=story.pk).delete()
    assert _results(_search(client, "défense")) == []


def test_search_finds_articles_created_in_bulk(client):
    section = CategoryFactory()
    Article.objects.bulk_create(
        [
            Article(
                title="Les vendanges commencent",
                slug="vendanges",
                lead=NEUTRAL_LEAD,
                body=NEUTRAL_BODY,
                category=section,
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(minutes=1),
            )
        ]
    )

    assert len(_results(_search(client, "vendange"))) == 1


def test_the_sqlite_index_is_rebuilt_after_a_migration_dropped_its_triggers(client):
    from articles import fulltext

    story = _article(title="Le budget de la ville")
    if POSTGRES:  # generated columns: nothing to install, nothing a migration can drop
        assert fulltext.install(connection) is False
        return
    with connection.cursor() as cursor:  # as Django's SQLite schema editor does to alter a table
        for name in fulltext.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    Article.objects.filter(pk=story.pk).update(title="La défense du littoral")

    assert fulltext.install(connection) is True
    assert fulltext.install(connection) is False  # nothing missing any more
    assert _results(_search(client, "défense")) == [story.get_absolute_url()]
    assert _results(_search(client, "budget")) == []


@pytest.mark.parametrize(
    "written, typed",
    [
        ("Une œuvre majeure du cinéma", "oeuvre"),
        ("Une oeuvre majeure du cinéma", "œuvre"),
        ("Le curriculum et l’ex-æquo du concours", "ex-aequo"),
        ("Le ﬁnancement de la culture", "financement"),  # a ligature pasted from a PDF
    ],
)
def test_search_finds_a_word_whatever_ligature_it_is_written_with(client, written, typed):
    match = _article(title=written, lead=written)
    _article(title="Le budget de la ville est adopté")

    content = _search(client, typed)

    assert _results(content) == [match.get_absolute_url()]
    assert "<mark>" in re.search(r'<p class="card__lead">(.*?)</p>', content, re.S).group(1)


def test_search_finds_words_whose_accents_were_pasted_decomposed(client):
    # Text pasted from some systems carries "é" as "e" and a combining accent (NFD).
    match = _article(title="Les députés votent le texte", lead="Un été à l’Assemblée.")
    match.title = "Les de\u0301pute\u0301s votent le texte"
    match.save()

    content = _search(client, "député")

    assert _results(content) == [match.get_absolute_url()]
    assert _results(_search(client, "deputes")) == [match.get_absolute_url()]


def test_a_word_after_a_minus_is_left_out_as_on_postgresql(client):
    # The reader's query is read as PostgreSQL's websearch_to_tsquery reads it, on both
    # databases: "-otan" means without the word, never "with it".
    with_otan = _article(title="La défense européenne et l’Otan")
    without = _article(title="La défense européenne se construit")

    assert _results(_search(client, "défense -otan")) == [without.get_absolute_url()]
    assert _results(_search(client, "défense otan")) == [with_otan.get_absolute_url()]


def test_or_between_words_finds_either_as_on_postgresql(client):
    otan = _article(title="L’Otan se réunit", published_at=timezone.now() - timedelta(hours=2))
    russie = _article(title="La Russie répond", published_at=timezone.now() - timedelta(hours=1))
    _article(title="Le budget de la ville est adopté")

    assert _results(_search(client, "otan or russie")) == [
        russie.get_absolute_url(),
        otan.get_absolute_url(),
    ]


def test_search_follows_an_upsert_and_a_replace(client):
    story = _article(title="Le budget de la ville")
    copy = Article.objects.get(pk=story.pk)
    copy.title = "La défense du littoral"
    # bulk_create(update_conflicts=True): INSERT … ON CONFLICT DO UPDATE
    Article.objects.bulk_create(
        [copy], update_conflicts=True, unique_fields=["id"], update_fields=["title"]
    )
    assert _results(_search(client, "défense")) == [story.get_absolute_url()]
    assert _results(_search(client, "budget")) == []
    if POSTGRES:
        return
    # A row replaced whole (INSERT OR REPLACE, as a raw SQL script may do): SQLite deletes the
    # old row without its delete trigger, unless recursive triggers are on.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO articles_article SELECT * FROM articles_article WHERE id = %s",
            [story.pk],
        )
    assert _results(_search(client, "défense")) == [story.get_absolute_url()]


def test_accented_words_of_the_stop_list_are_searchable_as_on_postgresql(client):
    # PostgreSQL folds accents before its stop list, which then no longer recognises "été":
    # the summer is a word to search for on both databases.
    summer = _article(title="Un été caniculaire dans le Sud", body="<p>Il fait chaud.</p>")
    _article(title="Le budget de la ville est adopté", body="<p>Il pleut.</p>")

    assert _results(_search(client, "été")) == [summer.get_absolute_url()]
    assert _results(_search(client, "ete caniculaire")) == [summer.get_absolute_url()]


def test_the_search_limit_counts_an_ipv6_network_once_not_each_of_its_addresses(settings):
    """One IPv6 subscriber holds a /64 (2**64 addresses): counted per address, the limit
    would stop no one."""
    settings.SEARCH_RATE_PER_IP, settings.TRUSTED_PROXY_COUNT = 1, 1
    first, second = (
        Client(HTTP_X_FORWARDED_FOR=ip) for ip in ("2001:db8:1:2::7", "2001:db8:1:2:ffff::8")
    )
    other_network = Client(HTTP_X_FORWARDED_FOR="2001:db8:1:3::7")

    assert first.get(SEARCH, {"q": "otan"}).status_code == 200
    assert second.get(SEARCH, {"q": "otan"}).status_code == 429
    assert other_network.get(SEARCH, {"q": "otan"}).status_code == 200


def test_the_search_limit_counts_ipv4_addresses_written_as_ipv6_apart(settings):
    settings.SEARCH_RATE_PER_IP, settings.TRUSTED_PROXY_COUNT = 1, 1
    first, second = (
        Client(HTTP_X_FORWARDED_FOR=ip) for ip in ("::ffff:203.0.113.7", "203.0.113.8")
    )

    assert first.get(SEARCH, {"q": "otan"}).status_code == 200
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.7").get(SEARCH, {"q": "otan"}).status_code == 429
    assert second.get(SEARCH, {"q": "otan"}).status_code == 200
