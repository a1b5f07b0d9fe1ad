"""The paywall: one decision, each mode for each reader, the page cache, feeds and search."""

import html
import json
import re
from datetime import timedelta

import hypothesis
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from articles.models import Article
from articles.sanitizing import sanitize_html
from subscriptions import paywall
from subscriptions.models import PaywallSettings
from tests.factories import ArticleFactory, UserFactory
from tests.strategies import ALLOWED_MARKUP, bodies
from tests.subscriptions.factories import ReaderFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

TEASER = "Profitez d’un accès exclusif"
LOCKED_NOTE = "La suite de cet article est réservée aux abonnés."
OFF, ANNOUNCE, METERED, ON = (mode.value for mode in PaywallSettings.Mode)
SUBSCRIBERS, FREE = Article.Access.SUBSCRIBERS, Article.Access.FREE


def set_paywall(mode, **options):
    """What an editor does in the admin: save the settings row."""
    PaywallSettings.objects.update_or_create(pk=1, defaults={"mode": mode, **options})


def story(word, access=SUBSCRIBERS, **fields):
    """An article whose every paragraph says which one it is: ``Ouverture <word>``…"""
    body = (
        f"<p>Ouverture {word} : le conseil municipal s’est réuni mardi soir.</p>\n"
        f"<p>Suite {word} : les élus ont débattu du budget.</p>\n"
        "<h2>Un vote serré</h2>\n"
        f"<p>Secret {word} : le trésorier cachait les comptes dans une valise.</p>\n"
        "<p>Le maire a promis une enquête et la publication des comptes avant l’été, "
        "sous le contrôle d’un cabinet indépendant choisi par l’opposition.</p>\n"
        f"<p>Fin {word}.</p>"
    )
    return ArticleFactory(
        title=f"Le budget {word}", lead=f"Chapô {word} : le budget est voté.", body=body,
        access=access, **fields,
    )  # fmt: skip


def read(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def shows_full_text(content, word):
    return f"Secret {word}" in content and f"Fin {word}." in content


def body_of(content):
    return re.search(r'<div class="article__body">(.*?)</div>', content, re.S).group(1)


def news_article_data(content):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    (data,) = [d for d in map(json.loads, blocks) if d.get("@type") == "NewsArticle"]
    return data


def subscriber_client():
    client = Client()
    client.force_login(SubscriptionFactory().reader)
    return client


def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


@pytest.fixture(params=["subscriber", "staff"])
def entitled_client(request):
    """A signed-in reader who may read everything: a subscriber, or a member of staff."""
    return subscriber_client() if request.param == "subscriber" else staff_client()


# The decision


def test_default_paywall_mode_is_announce():
    assert paywall.settings().mode == ANNOUNCE


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE, METERED, ON])
def test_free_articles_are_always_readable_in_full_without_teaser(mode):
    set_paywall(mode)

    decision = paywall.decide(None, FREE, 1, paywall.Meter())

    assert decision == paywall.Decision(full_text=True, teaser=False)


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE, METERED, ON])
def test_subscribers_and_staff_read_everything_without_teaser_in_every_mode(mode):
    set_paywall(mode, free_articles=0)
    subscriber = SubscriptionFactory().reader
    staff = UserFactory(is_staff=True)

    for user in (subscriber, staff):
        decision = paywall.decide(user, SUBSCRIBERS, 1, paywall.Meter())
        assert decision == paywall.Decision(full_text=True, teaser=False)


def test_mode_off_lets_anonymous_readers_read_subscriber_articles_without_teaser():
    set_paywall(OFF)

    assert paywall.decide(None, SUBSCRIBERS) == paywall.Decision(full_text=True, teaser=False)


def test_mode_announce_lets_anonymous_readers_read_subscriber_articles_with_teaser():
    set_paywall(ANNOUNCE)

    assert paywall.decide(None, SUBSCRIBERS) == paywall.Decision(full_text=True, teaser=True)


def test_mode_metered_counts_free_reads_then_holds_back_the_text():
    set_paywall(METERED, free_articles=2)
    meter = paywall.Meter({1: 0, 2: 0})

    assert paywall.decide(None, SUBSCRIBERS, 3, paywall.Meter({1: 0})).full_text
    assert paywall.decide(None, SUBSCRIBERS, 3, paywall.Meter({1: 0})).metered
    assert not paywall.decide(None, SUBSCRIBERS, 3, meter).full_text
    assert paywall.decide(None, SUBSCRIBERS, 2, meter).full_text  # already read


def test_mode_on_holds_back_the_text_from_anonymous_readers_and_non_subscribers():
    set_paywall(ON)
    reader = ReaderFactory()
    lapsed = SubscriptionFactory(expired=True).reader
    cancelled = SubscriptionFactory(cancelled=True).reader

    for user in (None, AnonymousUser(), reader, lapsed, cancelled):
        assert paywall.decide(user, SUBSCRIBERS) == paywall.Decision(full_text=False, teaser=True)


def test_is_subscriber_only_with_an_active_subscription_running_now():
    assert paywall.is_subscriber(SubscriptionFactory().reader)
    assert not paywall.is_subscriber(SubscriptionFactory(expired=True).reader)
    assert not paywall.is_subscriber(SubscriptionFactory(cancelled=True).reader)
    assert not paywall.is_subscriber(ReaderFactory())
    assert not paywall.is_subscriber(AnonymousUser())


def test_full_text_follows_the_mode():
    article = story("alpha")
    set_paywall(ANNOUNCE)
    assert paywall.decide(None, article.access).full_text
    set_paywall(ON)
    assert not paywall.decide(None, article.access).full_text
    assert paywall.decide(SubscriptionFactory().reader, article.access).full_text


# The article page, mode by mode


def test_mode_off_shows_the_full_text_and_no_teaser_to_anonymous_readers(client):
    set_paywall(OFF)

    content = read(client, story("alpha"))

    assert shows_full_text(content, "alpha")
    assert TEASER not in content


def test_mode_announce_shows_full_text_and_teaser_on_subscriber_articles(client):
    set_paywall(ANNOUNCE)

    content = read(client, story("alpha"))

    assert shows_full_text(content, "alpha")
    assert TEASER in content
    assert LOCKED_NOTE not in content
    assert content.index("Fin alpha.") < content.index(TEASER)


def test_mode_announce_shows_no_teaser_on_free_articles(client):
    set_paywall(ANNOUNCE)

    content = read(client, story("alpha", access=FREE))

    assert shows_full_text(content, "alpha")
    assert TEASER not in content


def test_mode_metered_gives_two_subscriber_articles_then_the_teaser(client):
    set_paywall(METERED, free_articles=2)
    first, second, third = story("alpha"), story("bravo"), story("charlie")

    assert shows_full_text(read(client, first), "alpha")
    assert shows_full_text(read(client, second), "bravo")
    content = read(client, third)

    assert "Ouverture charlie" in content
    assert "Secret charlie" not in content
    assert "Fin charlie." not in content
    assert LOCKED_NOTE in content
    assert TEASER in content


def test_mode_metered_rereading_an_article_already_read_stays_full(client):
    set_paywall(METERED, free_articles=2)
    first, second, third = story("alpha"), story("bravo"), story("charlie")
    for article in (first, second, third):
        read(client, article)

    assert shows_full_text(read(client, first), "alpha")
    assert shows_full_text(read(client, second), "bravo")


def test_mode_metered_does_not_count_free_articles(client):
    set_paywall(METERED, free_articles=1)
    for word in ("un", "deux", "trois"):
        read(client, story(word, access=FREE))

    assert shows_full_text(read(client, story("alpha")), "alpha")


def test_mode_metered_counts_only_the_reads_of_the_last_30_days(client, time_machine):
    set_paywall(METERED, free_articles=2)
    time_machine.move_to("2026-03-01 12:00 +01:00", tick=False)
    read(client, story("alpha"))
    time_machine.shift(timedelta(days=20))
    read(client, story("bravo"))
    time_machine.shift(timedelta(days=15))  # alpha's read is now 35 days old

    assert shows_full_text(read(client, story("charlie")), "charlie")
    assert "Secret delta" not in read(client, story("delta"))


def test_mode_metered_treats_a_forged_meter_cookie_as_no_reads(client):
    set_paywall(METERED, free_articles=1)
    read(client, story("alpha"))
    client.cookies[paywall.METER_COOKIE] = "1:1"  # unsigned: an attempt to reset the meter

    content = read(client, story("bravo"))

    assert shows_full_text(content, "bravo")  # a bad cookie counts as no reads, never a crash


def test_mode_on_shows_anonymous_readers_the_lead_and_first_paragraphs_then_the_teaser(client):
    set_paywall(ON, preview_paragraphs=2)

    content = read(client, story("alpha"))

    assert "Chapô alpha" in content
    body = body_of(content)
    assert "Ouverture alpha" in body
    assert "Suite alpha" in body
    assert "Un vote serré" not in body
    assert LOCKED_NOTE in content
    assert content.index("Suite alpha") < content.index(LOCKED_NOTE)


def test_mode_on_never_sends_the_rest_of_the_body_not_even_hidden(client):
    set_paywall(ON, preview_paragraphs=2)

    content = read(client, story("alpha"))

    assert "Secret alpha" not in content
    assert "trésorier" not in content
    assert "Fin alpha." not in content


def test_mode_on_counts_a_line_a_quoted_paragraph_and_a_list_item_as_one_paragraph_each(client):
    set_paywall(ON, preview_paragraphs=3)
    article = ArticleFactory(
        access=SUBSCRIBERS,
        body=(
            "<p>Ouverture<br/>sur deux lignes &amp; une esperluette.</p>"
            "<blockquote><p>Une citation.</p><p>Sur deux paragraphes caché.</p></blockquote>"
            "<ul><li>Premier point caché</li></ul>"
            '<figure><img src="/media/photo.jpg" alt=""><figcaption>Légende</figcaption></figure>'
            f"<p>{LONG_SECRET}</p>"
        ),
    )

    body = body_of(read(client, article))

    assert "Ouverture<br>sur deux lignes &amp; une esperluette.</p>" in body
    assert "<blockquote><p>Une citation.</p></blockquote>" in body
    assert "caché" not in body
    assert "Légende" not in body


LONG_SECRET = (
    "Secret final : le rapport de la chambre régionale des comptes, que nous avons pu "
    "consulter, relève des irrégularités dans trois marchés publics passés depuis 2021, "
    "pour un montant total de plus de deux millions d’euros, et recommande une enquête."
)
SENTENCES = [
    "Premier passage lisible par tous.",
    "Deuxième passage, gardé pour les abonnés.",
    "Troisième passage, gardé lui aussi.",
    "Quatrième passage, encore gardé.",
    "Cinquième passage, la chute de l’histoire.",
    "Sixième passage, la fin.",
]
BODY_SHAPES = {
    "one-blockquote": "<blockquote>{}</blockquote>".format(
        "".join(f"<p>{s}</p>" for s in SENTENCES)
    ),
    "one-list": "<ul>{}</ul>".format("".join(f"<li>{s}</li>" for s in SENTENCES)),
    "one-paragraph-with-line-breaks": "<p>{}</p>".format("<br>".join(SENTENCES)),
    "bare-text": " ".join(SENTENCES),
    "one-paragraph": "<p>{}</p>".format(" ".join(SENTENCES)),
    "two-paragraphs": "<p>{}</p><p>{}</p>".format(" ".join(SENTENCES[:3]), " ".join(SENTENCES[3:])),
}


def letters(html_text):
    """The visible letters of an HTML fragment (no tags, no spaces), entities decoded."""
    return "".join(html.unescape(re.sub(r"<[^>]*>", " ", html_text)).split())


@pytest.mark.parametrize("body", BODY_SHAPES.values(), ids=BODY_SHAPES.keys())
def test_mode_on_sends_at_most_a_third_of_the_text_whatever_the_shape_of_the_body(client, body):
    set_paywall(ON, preview_paragraphs=2)
    article = ArticleFactory(access=SUBSCRIBERS, body=body)

    content = read(client, article)

    preview = body_of(content)
    assert 0 < len(letters(preview)) <= len(letters(article.body)) / 3
    assert letters(article.body).startswith(letters(preview))
    for hidden in SENTENCES[2:]:
        assert hidden not in content
    assert LOCKED_NOTE in content


def test_mode_on_cuts_a_long_paragraph_at_a_word_boundary_and_closes_its_tags(client):
    set_paywall(ON, preview_paragraphs=1)
    article = ArticleFactory(
        access=SUBSCRIBERS,
        body=f"<p><strong>{LONG_SECRET}</strong></p><p>Suite.</p><p>Fin.</p>",
    )

    preview = body_of(read(client, article)).strip()

    assert preview.startswith("<p><strong>Secret final : le rapport")
    assert preview.endswith("</strong></p>")
    last_word = letters(preview.removesuffix("</strong></p>").split()[-1])
    assert last_word in LONG_SECRET.split()
    assert "enquête" not in preview


@pytest.mark.parametrize(
    "ending",
    [
        "<h2>Un intertitre</h2>",
        "<h3>Un intertitre</h3><p></p>",
        "<hr>",
        '<figure><img src="/media/photo.jpg" alt="Une photo"></figure>',
        "<p><br></p>",
        "<blockquote><h4>Un intertitre</h4></blockquote>",
    ],
)
def test_mode_on_preview_never_ends_with_a_heading_a_rule_an_image_or_an_empty_block(
    client, ending
):
    set_paywall(ON, preview_paragraphs=5)
    # The text budget (a third) runs out just after the ending: in the middle of a long word.
    article = ArticleFactory(
        access=SUBSCRIBERS, body=f"<p>Un.</p><p>Deux.</p>{ending}<p>{'x' * 500}</p>"
    )

    preview = body_of(read(client, article)).strip()

    assert preview == "<p>Un.</p><p>Deux.</p>"


def test_mode_on_headings_do_not_count_as_paragraphs(client):
    set_paywall(ON, preview_paragraphs=2)
    article = ArticleFactory(
        access=SUBSCRIBERS,
        body=f"<h2>Le contexte</h2><p>Un.</p><h3>Le vote</h3><p>Deux.</p><p>{LONG_SECRET}</p>",
    )

    preview = body_of(read(client, article)).strip()

    assert preview == "<h2>Le contexte</h2><p>Un.</p><h3>Le vote</h3><p>Deux.</p>"


def test_mode_metered_once_the_meter_is_spent_sends_at_most_a_third_of_the_text(client):
    set_paywall(METERED, free_articles=1, preview_paragraphs=2)
    read(client, story("alpha"))
    article = ArticleFactory(access=SUBSCRIBERS, body=BODY_SHAPES["one-blockquote"])

    content = read(client, article)

    assert len(letters(body_of(content))) <= len(letters(article.body)) / 3
    assert SENTENCES[-1] not in content


def test_mode_on_shows_as_many_paragraphs_as_the_settings_say(client):
    set_paywall(ON, preview_paragraphs=1)

    body = body_of(read(client, story("alpha")))

    assert "Ouverture alpha" in body
    assert "Suite alpha" not in body


def test_mode_on_with_no_preview_paragraph_sends_none_of_the_body(client):
    set_paywall(ON, preview_paragraphs=0)

    content = read(client, story("alpha"))

    assert "Ouverture alpha" not in content
    assert "Secret alpha" not in content
    assert LOCKED_NOTE in content


def test_mode_on_cuts_a_body_with_unicode_line_separators_by_whole_blocks(client):
    set_paywall(ON, preview_paragraphs=1)
    article = ArticleFactory(
        access=SUBSCRIBERS, body=f"<p>Un\u2028deux\u2029trois</p>\n<p>{LONG_SECRET}</p>"
    )

    body = body_of(read(client, article))

    assert "Un\u2028deux\u2029trois</p>" in body
    assert "Secret final" not in body


def test_mode_on_holds_back_the_text_from_a_signed_in_reader_without_subscription():
    set_paywall(ON)
    client = Client()
    client.force_login(SubscriptionFactory(expired=True).reader)

    content = read(client, story("alpha"))

    assert "Secret alpha" not in content
    assert LOCKED_NOTE in content


def test_mode_on_shows_free_articles_in_full_to_anonymous_readers(client):
    set_paywall(ON)

    content = read(client, story("alpha", access=FREE))

    assert shows_full_text(content, "alpha")
    assert TEASER not in content


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE, METERED, ON])
def test_subscribers_and_staff_get_the_full_text_without_teaser_in_every_mode(
    entitled_client, mode
):
    set_paywall(mode, free_articles=0)

    content = read(entitled_client, story("alpha"))

    assert shows_full_text(content, "alpha")
    assert TEASER not in content


# Structured data for search engines


@pytest.mark.parametrize("mode", [METERED, ON])
def test_json_ld_marks_subscriber_articles_as_paywalled_in_metered_and_on_modes(client, mode):
    set_paywall(mode)

    content = read(client, story("alpha"))

    data = news_article_data(content)
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".article__body",
    }
    assert '<div class="article__body">' in content


@pytest.mark.parametrize("mode", [METERED, ON])
def test_json_ld_is_the_same_for_subscribers_as_for_search_engines(mode):
    set_paywall(mode)

    data = news_article_data(read(subscriber_client(), story("alpha")))

    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["cssSelector"] == ".article__body"


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE, METERED, ON])
def test_json_ld_marks_free_articles_as_free_without_paywalled_part(client, mode):
    set_paywall(mode)

    data = news_article_data(read(client, story("alpha", access=FREE)))

    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE])
def test_json_ld_calls_subscriber_articles_free_while_the_paywall_lets_everyone_read(client, mode):
    set_paywall(mode)

    data = news_article_data(read(client, story("alpha")))

    assert "hasPart" not in data
    assert data["isAccessibleForFree"] is True


# The page cache


def test_mode_on_page_cache_keeps_truncated_and_full_copies_apart(
    client, django_assert_num_queries
):
    set_paywall(ON)
    article = story("alpha")

    assert "Secret alpha" not in read(client, article)
    with django_assert_num_queries(0):  # the truncated copy now comes from the page cache
        assert "Secret alpha" not in read(Client(), article)

    assert shows_full_text(read(subscriber_client(), article), "alpha")
    assert shows_full_text(read(staff_client(), article), "alpha")

    again = read(Client(), article)
    assert "Secret alpha" not in again
    assert LOCKED_NOTE in again


def test_mode_on_full_copy_read_first_by_a_subscriber_never_reaches_anonymous_readers():
    set_paywall(ON)
    article = story("alpha")

    assert shows_full_text(read(subscriber_client(), article), "alpha")

    assert "Secret alpha" not in read(Client(), article)


def test_subscriber_pages_are_private_and_never_stored_for_others(entitled_client):
    set_paywall(ON)

    response = entitled_client.get(story("alpha").get_absolute_url())

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_switching_the_mode_changes_what_anonymous_readers_get_at_once(
    client, django_capture_on_commit_callbacks
):
    article = story("alpha")
    assert shows_full_text(read(client, article), "alpha")  # announce, now cached

    with django_capture_on_commit_callbacks(execute=True):
        settings = PaywallSettings.objects.get(pk=1)
        settings.mode = ON
        settings.save()
    assert "Secret alpha" not in read(Client(), article)

    with django_capture_on_commit_callbacks(execute=True):
        settings.mode = OFF
        settings.save()
    content = read(Client(), article)
    assert shows_full_text(content, "alpha")
    assert TEASER not in content


def test_making_an_article_subscriber_only_truncates_it_for_anonymous_readers_at_once(
    client, django_capture_on_commit_callbacks
):
    set_paywall(ON)
    article = story("alpha", access=FREE)
    assert shows_full_text(read(client, article), "alpha")

    with django_capture_on_commit_callbacks(execute=True):
        article.access = SUBSCRIBERS
        article.save()

    assert "Secret alpha" not in read(Client(), article)


def test_mode_metered_keeps_counting_when_pages_come_from_the_cache():
    set_paywall(METERED, free_articles=2)
    first, second, third = story("alpha"), story("bravo"), story("charlie")
    early_reader = Client()
    assert shows_full_text(read(early_reader, third), "charlie")  # cached in full

    reader = Client()
    assert shows_full_text(read(reader, first), "alpha")
    assert shows_full_text(read(reader, second), "bravo")
    content = read(reader, third)

    assert "Secret charlie" not in content
    assert LOCKED_NOTE in content
    assert shows_full_text(read(early_reader, first), "alpha")  # from the cache, counted
    assert "Secret bravo" not in read(early_reader, second)


def test_responses_that_set_the_meter_cookie_are_private(client):
    set_paywall(METERED, free_articles=2)
    article = story("alpha")

    for _ in range(2):  # built, then served from the page cache
        response = client.get(article.get_absolute_url())
        assert paywall.METER_COOKIE in response.cookies
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_the_teaser_of_a_spent_meter_is_private_since_it_depends_on_the_readers_cookie(client):
    """A CDN that ignores ``Vary: Cookie`` (Cloudflare keeps one copy per address) would serve
    the teaser a reader got for their spent meter to every reader with free articles left."""
    set_paywall(METERED, free_articles=1)
    first, second = story("alpha"), story("bravo")
    read(client, first)

    response = client.get(second.get_absolute_url())

    assert LOCKED_NOTE in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# Other channels: feeds and search


@pytest.mark.parametrize("mode", [OFF, ANNOUNCE, METERED, ON])
def test_feeds_carry_the_lead_of_subscriber_articles_never_their_body(client, mode):
    set_paywall(mode)
    article = story("alpha")
    feeds = [
        reverse("feeds:latest"),
        reverse("feeds:category", kwargs={"slug": article.category.slug}),
        reverse("feeds:author", kwargs={"slug": article.bylines.get().author.slug}),
    ]

    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Chapô alpha" in content
        assert "Ouverture alpha" not in content
        assert "Secret alpha" not in content


def test_search_results_never_quote_the_held_back_body_of_a_subscriber_article(client):
    set_paywall(ON)
    story("alpha")

    found = client.get(reverse("articles:search"), {"q": "budget"}).content.decode()
    by_its_body = client.get(reverse("articles:search"), {"q": "valise"}).content.decode()

    assert "Le budget alpha" in found
    assert "trésorier" not in found
    assert "cachait" not in found
    assert "Le budget alpha" not in by_its_body


def test_the_preview_rule_is_explained_to_editors_in_french():
    with translation.override("fr"):
        help_text = str(PaywallSettings._meta.get_field("preview_paragraphs").help_text)

    assert "jamais plus du tiers du texte" in help_text
    assert "les intertitres ne comptent pas" in help_text


# Fuzzing the cut: any body, any preview length (bounded, the same examples every run)


def _words(html_text):
    return html.unescape(re.sub(r"<[^>]*>", " ", html_text)).split()


@hypothesis.settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(fragments=bodies(ALLOWED_MARKUP), paragraphs=st.integers(0, 6))
def test_a_non_subscriber_never_gets_more_than_the_preview_of_any_body(fragments, paragraphs):
    set_paywall(ON, preview_paragraphs=paragraphs)
    try:
        article = ArticleFactory(access=SUBSCRIBERS, body="".join(fragments))
    except ValidationError:
        return  # refused: no article

    content = read(Client(), article)

    preview, body = body_of(content), article.body
    assert len(letters(preview)) <= len(letters(body)) / 3
    shown, all_words = _words(preview), _words(body)
    assert shown == all_words[: len(shown)]  # the beginning, cut between two words
    if paragraphs == 0:
        assert shown == []
    page_text = html.unescape(content)
    for hidden in set(all_words[len(shown) :]) - set(shown):
        if len(hidden) >= 8:  # long enough not to be on the page by chance
            assert hidden not in page_text


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(fragments=bodies(ALLOWED_MARKUP, max_size=120), paragraphs=st.integers(0, 8))
def test_the_preview_of_any_sanitised_body_is_its_beginning_within_budget(fragments, paragraphs):
    try:
        body = sanitize_html("".join(fragments))
    except ValidationError:
        return

    preview = paywall.preview(body, paragraphs)

    assert len(letters(preview)) <= len(letters(body)) / 3
    shown = _words(preview)
    assert shown == _words(body)[: len(shown)]
    assert sanitize_html(preview) == preview  # well-formed: every tag it opens, it closes


@pytest.mark.parametrize("tag", ["blockquote", "ul", "b"])
def test_mode_on_cuts_a_deeply_nested_body_without_failing(client, tag):
    set_paywall(ON, preview_paragraphs=2)
    article = ArticleFactory(access=SUBSCRIBERS, body=f"<{tag}>" * 3000 + LONG_SECRET)

    content = read(client, article)

    assert "Secret final : le rapport" in content
    assert "recommande une enquête" not in content
