"""Live coverage (En direct): the entries of a live story, on its page, in the fragment its
script polls, in its structured data, in the CDN's purges and in the admin."""

import json
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from reversion.models import Version

from articles import purging, views
from articles.models import Article, LiveEntry
from pagecache.models import PendingPurge
from subscriptions.models import PaywallSettings
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    LiveEntryFactory,
    UserFactory,
)
from tests.nu import nu_errors
from tests.subscriptions.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
LIVE, ENDED = Article.LiveStatus.LIVE, Article.LiveStatus.ENDED


@pytest.fixture
def story():
    return ArticleFactory(
        title="Tempête Ciaran : la Bretagne en alerte rouge",
        live_status=LIVE,
        published_at=timezone.now() - timedelta(hours=3),
    )


def entry(story, minutes_ago, text, **fields):
    return LiveEntryFactory(
        article=story,
        published_at=timezone.now() - timedelta(minutes=minutes_ago),
        body=f"<p>{text}</p>",
        **fields,
    )


def fragment_url(article):
    return reverse("articles:live_entries", args=[article.pk])


ENTRY = re.compile(r'<article class="live-entry[^"]*" id="entree-(\d+)"')


def entry_ids(html):
    return [int(pk) for pk in ENTRY.findall(html)]


# The model -------------------------------------------------------------------------------


def test_an_entry_body_is_sanitised_like_the_article_body(story):
    found = entry(story, 1, 'Vent à <b onclick="x()">150 km/h</b><img src="https://pisteur.fr/x">')
    found.refresh_from_db()
    assert found.body.startswith("<p>Vent à <b>150 km/h</b>")
    assert "pisteur" not in found.body and "onclick" not in found.body
    with pytest.raises(ValidationError):
        LiveEntryFactory(article=story, body="<p>Début</p><style>la suite disparaîtrait")


def test_entries_are_newest_first():
    story = ArticleFactory(live_status=LIVE)
    older, newer = entry(story, 10, "Avant"), entry(story, 2, "Après")
    assert list(story.live_entries.all()) == [newer, older]


def test_an_entry_in_the_future_or_without_text_is_refused_in_french(story):
    future = LiveEntry(
        article=story,
        author=AuthorFactory(),
        published_at=timezone.now() + timedelta(hours=1),
        body="<p>Plus tard</p>",
    )
    with pytest.raises(ValidationError) as error:
        future.full_clean()
    assert "futur" in str(error.value)
    empty = LiveEntry(article=story, author=AuthorFactory(), body="<p> </p>")
    with pytest.raises(ValidationError) as error:
        empty.full_clean()
    assert "vide" in str(error.value)


@pytest.mark.parametrize(
    "body",
    [
        "<p><br></p>",
        "<p>&nbsp;\u200b\u2060\ufeff</p>",
        "<figure></figure>",
        '<figure data-image="999999"></figure>',  # no such picture in the library
        '<figure data-image="999999"><figcaption> </figcaption></figure>',
    ],
)
def test_an_entry_that_would_show_readers_nothing_is_refused(editor_client, story, body):
    response = _add(editor_client, story, body=body)
    assert response.status_code == 200
    assert "Cette entrée est vide." in response.content.decode()
    assert not story.live_entries.exists()


@pytest.mark.parametrize(
    "body",
    [
        "{picture}",
        '<figure data-image="999999"><figcaption>Photo retirée</figcaption></figure>',
        '<figure data-embed="youtube"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>",
    ],
)
def test_an_entry_of_a_picture_or_a_video_alone_is_kept(editor_client, story, body):
    picture = f'<figure data-image="{ImageFactory().pk}"></figure>'
    assert _add(editor_client, story, body=body.format(picture=picture)).status_code == 302
    assert story.live_entries.count() == 1


def test_coverage_starts_when_made_live_and_ends_when_ended():
    story = ArticleFactory()
    assert story.live_started_at is None
    story.live_status = LIVE
    story.save()
    assert story.live_started_at == story.published_at
    assert story.live_ended_at is None
    story.live_status = ENDED
    story.save()
    assert story.live_ended_at is not None
    story.live_status = LIVE  # live again: no end yet
    story.save()
    assert story.live_ended_at is None


# The reader's page -----------------------------------------------------------------------


def test_live_page_shows_key_points_first_then_entries_newest_first(client, story):
    first = entry(story, 50, "Premières rafales à Brest.")
    key = entry(story, 40, "120 000 foyers privés d’électricité.", pinned=True, title="Bilan")
    latest = entry(story, 5, "Les trains sont arrêtés.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'class="live-badge live-badge--on"' in html and "En direct" in html
    assert "Les points clés" in html
    assert entry_ids(html) == [key.pk, latest.pk, first.pk]
    assert f'href="#entree-{latest.pk}"' in html  # each entry's anchor
    assert f'href="/direct/entree/{latest.pk}/"' in html  # its permalink
    assert latest.author.name in html
    time = timezone.localtime(latest.published_at)
    assert f"{time.hour} h {time.minute:02d}" in html
    assert 'src="/static/js/live.js"' in html
    assert f'data-live-url="{fragment_url(story)}"' in html


def test_entries_say_their_day_once_the_coverage_spans_more_than_one(client, story):
    def at(moment, text):
        return LiveEntryFactory(article=story, published_at=moment, body=f"<p>{text}</p>")

    yesterday = timezone.localtime() - timedelta(days=1)
    evening = at(yesterday.replace(hour=22, minute=5), "Fin de journée.")
    late = at(yesterday.replace(hour=23, minute=40), "Dans la soirée.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert ">22 h 05</time>" in html and ">23 h 40</time>" in html  # one day: the time says it
    assert not re.search(r'data-entry="[0-9.]+-d"', html)

    morning = at(late.published_at + timedelta(hours=8), "Au matin.")
    next_day = timezone.localtime(morning.published_at)
    day = f"{next_day.day} {formats.date_format(next_day, 'F')}"
    before = f"{yesterday.day} {formats.date_format(yesterday, 'F')}"
    for page in (story.get_absolute_url(), fragment_url(story)):
        html = client.get(page).content.decode()
        assert f">{day}, 7 h 40</time>" in html
        assert f">{before}, 22 h 05</time>" in html
        # A new version of the entries shown before: the page's script replaces them.
        assert re.search(rf'id="entree-{evening.pk}" data-entry="[0-9.]+-d"', html)


def test_ended_story_says_termine_with_its_end_time_and_stops_looking(client, story):
    entry(story, 30, "Le vent faiblit.")
    story.live_status = ENDED
    story.live_ended_at = timezone.localtime().replace(hour=18, minute=30)
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Terminé" in html
    assert "Le direct s’est terminé le" in html and "à 18 h 30" in html
    assert "live.js" not in html
    assert "Le vent faiblit." in html


def test_live_page_query_count_does_not_grow_with_entries_and_pictures(client, story):
    def picture_entry():
        image = ImageFactory()
        entry(story, 3, f'Photo</p><figure data-image="{image.pk}"></figure><p>fin')

    def queries_of_a_fresh_page():
        story.save()  # a new version: the page is built again
        client.get(story.get_absolute_url())  # the parts of this version (menus, related)
        story.save()
        with CaptureQueriesContext(connection) as queries:
            html = client.get(story.get_absolute_url()).content.decode()
        return len(queries), html

    picture_entry()
    few, _ = queries_of_a_fresh_page()
    for _ in range(4):
        picture_entry()
        entry(story, 1, "Encore.")
    many, html = queries_of_a_fresh_page()
    assert html.count('<article class="live-entry') == 9
    assert many == few


def test_a_live_page_without_a_video_yet_loads_the_players_script_for_those_to_come(client, story):
    entry(story, 5, "Pas encore de vidéo.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'src="/static/js/embeds.js"' in html  # live.js brings entries with videos later
    story.live_status = ENDED
    story.save()
    assert "embeds.js" not in client.get(story.get_absolute_url()).content.decode()


def test_a_non_live_story_has_no_live_part(client):
    story = ArticleFactory()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "live-badge" not in html and "live.js" not in html


# The fragment ----------------------------------------------------------------------------


def test_fragment_shows_the_entries_from_the_cache_and_follows_a_new_entry(
    settings, story, django_assert_max_num_queries
):
    settings.CDN_PURGE_BACKEND = "fastly"
    client = Client()
    first = entry(story, 10, "Alerte rouge levée dans le Finistère.")
    with django_assert_max_num_queries(4):  # version, article, entries (no picture)
        response = client.get(fragment_url(story))
    assert response.status_code == 200
    assert entry_ids(response.content.decode()) == [first.pk]
    assert f"article-{story.pk}" in response["Surrogate-Key"].split()
    assert "s-maxage" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    with django_assert_max_num_queries(1):  # from the page cache
        again = client.get(fragment_url(story))
    assert again.content == response.content
    assert again.page_cache_status == "hit"
    assert again["X-Robots-Tag"] == "noindex"  # the cache keeps no header: not lost there

    second = entry(story, 0, "Le pont de Térénez rouvert.")
    fresh = client.get(fragment_url(story)).content.decode()
    assert entry_ids(fresh) == [second.pk, first.pk]


def test_fragment_ignores_query_parameters(story):
    entry(story, 1, "Rien de neuf.")
    for query in ("?depuis=abc", "?page=-1", "?x=%00"):
        response = Client().get(fragment_url(story) + query)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleFactory(draft=True, live_status=LIVE),
        lambda: ArticleFactory(scheduled=True, live_status=LIVE),
        lambda: ArticleFactory(),  # not a live story
    ],
    ids=["draft", "scheduled", "not live"],
)
def test_fragment_of_a_story_readers_cannot_follow_is_a_404(make):
    article = make()
    response = Client().get(fragment_url(article))
    assert response.status_code == 404
    assert "private" in response["Cache-Control"]


def test_fragment_of_an_unknown_story_is_a_404():
    assert Client().get("/direct/999999999/entrees/").status_code == 404
    assert Client().get("/direct/99999999999999999999999/entrees/").status_code == 404
    assert Client().get("/direct/abc/entrees/").status_code == 404


def test_fragment_at_another_spelling_of_the_storys_number_is_a_404_never_kept(story):
    """Each spelling would be a page of its own in the cache (any number of zeros: made-up
    addresses filling it), and a purge by address (nginx) reaches only the one the script
    asks for: a withdrawn story's entries would stay at the others."""
    entry(story, 1, "Rafales à 150 km/h.")
    assert Client().get(fragment_url(story)).status_code == 200

    response = Client().get(f"/direct/000{story.pk}/entrees/")

    assert response.status_code == 404
    assert "private" in response["Cache-Control"]


def test_fragment_never_leaks_a_paywalled_story_entries(story):
    PaywallSettings.objects.update_or_create(pk=1, defaults={"mode": "on"})
    story.access = Article.Access.SUBSCRIBERS
    story.save()
    entry(story, 1, "Réservé aux abonnés : le rapport secret.")
    anonymous = Client()
    assert anonymous.get(fragment_url(story)).status_code == 404
    page = anonymous.get(story.get_absolute_url()).content.decode()
    assert "le rapport secret" not in page
    assert "liveBlogUpdate" not in page or '"liveBlogUpdate":[]' in page
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    response = staff.get(fragment_url(story))
    assert response.status_code == 200 and "le rapport secret" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_fragment_is_no_free_pass_through_the_meter(story):
    """Under the meter, the fragment follows only a story whose page the browser has opened
    (and counted): a visitor without the cookie, or a scraper, never reads a subscribers'
    live story's entries through it."""
    PaywallSettings.objects.update_or_create(pk=1, defaults={"mode": "metered"})
    story.access = Article.Access.SUBSCRIBERS
    story.save()
    entry(story, 1, "Réservé aux abonnés : le rapport secret.")
    other = ArticleFactory(access=Article.Access.SUBSCRIBERS, live_status=LIVE)
    entry(other, 1, "Réservé : un autre direct.")
    reader = Client()
    for each in (story, other):
        response = reader.get(fragment_url(each))
        assert response.status_code == 404
        assert "Réservé" not in response.content.decode()

    page = reader.get(story.get_absolute_url())  # counted by the meter
    assert "le rapport secret" in page.content.decode()
    response = reader.get(fragment_url(story))
    assert response.status_code == 200 and "le rapport secret" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert reader.get(fragment_url(other)).status_code == 404


# Purges ----------------------------------------------------------------------------------


def test_an_entry_added_or_deleted_purges_its_story_pages(
    settings, story, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_BACKEND = "fastly"
    author = AuthorFactory()  # a new author purges every page (their page, any byline)
    PendingPurge.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        added = entry(story, 1, "Nouvelle rafale.", author=author)
        added.pinned = True
        added.save()
        added.delete()
    keys = {f"article-{story.pk}", "sitemaps"}  # the sitemaps date a live story by its entries
    assert set(PendingPurge.objects.values_list("key", flat=True)) == keys


def test_sitemaps_date_a_live_story_by_its_latest_entry(client):
    story = ArticleFactory(live_status=LIVE, published_at=timezone.now() - timedelta(days=3))
    ArticleFactory(published_at=timezone.now() - timedelta(days=5))
    LiveEntryFactory(article=story)
    today = timezone.localdate().isoformat()
    articles = client.get("/sitemap-articles.xml").content.decode()
    assert f"<loc>http://testserver{story.get_absolute_url()}</loc><lastmod>{today}</lastmod>" in (
        re.sub(r"\s+", "", articles)
    )
    index = client.get("/sitemap.xml").content.decode()
    assert f"<lastmod>{today}" in index


def test_the_feed_is_rebuilt_as_of_a_live_story_s_latest_entry(client):
    story = ArticleFactory(live_status=LIVE, published_at=timezone.now() - timedelta(days=3))
    ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    latest = LiveEntryFactory(article=story)
    feed = feedparser.parse(client.get(reverse("feeds:latest")).content)
    built = parsedate_to_datetime(feed.feed.updated)
    assert built == latest.updated_at.replace(microsecond=0)
    (item,) = [item for item in feed.entries if item.link.endswith(story.get_absolute_url())]
    # An item's date is its publication: a reader's list would show the story as new again.
    assert parsedate_to_datetime(item.published) == story.published_at.replace(microsecond=0)


def test_an_entry_of_a_draft_purges_nothing(settings, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_BACKEND = "fastly"
    draft = ArticleFactory(draft=True, live_status=LIVE)
    author = AuthorFactory()
    PendingPurge.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        entry(draft, 1, "En préparation.", author=author)
    assert not PendingPurge.objects.exists()


def test_caches_purged_by_address_are_sent_the_fragment_of_a_live_story(story):
    assert fragment_url(story) in purging.addresses({f"article-{story.pk}"})
    plain = ArticleFactory()
    assert purging.addresses({f"article-{plain.pk}"}) == {plain.get_absolute_url()}


# Structured data -------------------------------------------------------------------------


def _json_ld(html, kind):
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(block)
        if data["@type"] == kind:
            return data
    raise AssertionError(f"no {kind}")


def test_live_story_carries_live_blog_posting_with_its_updates(client, story):
    key = entry(story, 20, "Trois départements en vigilance rouge.", pinned=True, title="Bilan")
    latest = entry(story, 2, "Un arbre tombé sur la voie ferrée à Morlaix.")
    data = _json_ld(client.get(story.get_absolute_url()).content.decode(), "LiveBlogPosting")
    for required in (
        "headline", "datePublished", "dateModified", "author", "publisher", "mainEntityOfPage",
        "coverageStartTime", "liveBlogUpdate",
    ):  # fmt: skip
        assert data[required], required
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["url"].split("#")[1] for u in updates] == [f"entree-{latest.pk}", f"entree-{key.pk}"]
    assert updates[1]["headline"] == "Bilan"
    assert updates[0]["headline"].startswith("Un arbre tombé")
    assert updates[0]["articleBody"] == "Un arbre tombé sur la voie ferrée à Morlaix."
    assert updates[0]["author"]["name"] == latest.author.name
    assert all(u["@type"] == "BlogPosting" and u["datePublished"] for u in updates)
    assert updates[0]["url"].endswith(f"{story.get_absolute_url()}#entree-{latest.pk}")
    assert data["dateModified"] >= updates[0]["datePublished"]

    story.live_status = ENDED
    story.save()
    data = _json_ld(client.get(story.get_absolute_url()).content.decode(), "LiveBlogPosting")
    assert data["coverageEndTime"]


def test_a_picture_alone_is_an_update_without_an_empty_text(client, story):
    picture = entry(story, 1, f'</p><figure data-image="{ImageFactory().pk}"></figure><p>')
    data = _json_ld(client.get(story.get_absolute_url()).content.decode(), "LiveBlogPosting")
    (update,) = data["liveBlogUpdate"]
    assert update["url"].endswith(f"#entree-{picture.pk}")
    assert update["headline"] == story.title
    assert "articleBody" not in update


def test_live_page_is_valid_html(client, story):
    empty = client.get(story.get_absolute_url()).content.decode()  # no entry yet
    only_key_point = ArticleFactory(live_status=LIVE)
    entry(only_key_point, 3, "Seul point clé.", pinned=True)
    key_points = client.get(only_key_point.get_absolute_url()).content.decode()
    fragment = client.get(fragment_url(only_key_point)).content.decode()
    fragment = f'<!DOCTYPE html><html lang="fr"><title>Fragment</title>{fragment}</html>'
    image = ImageFactory()
    entry(story, 30, "Début de la tempête.", pinned=True, title="L’essentiel")
    entry(story, 20, f'Photo</p><figure data-image="{image.pk}"></figure><p>Brest')
    video = (
        '<figure data-embed="youtube"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>"
    )
    LiveEntryFactory(article=story, body=video)
    live = client.get(story.get_absolute_url()).content.decode()
    story.live_status = ENDED
    story.save()
    ended = client.get(story.get_absolute_url()).content.decode()
    for _ in range(40):  # many entries, pictures and videos among them
        entry(story, 10, f'Suite</p><figure data-image="{image.pk}"></figure><p>fin', title="Point")
    LiveEntryFactory(article=story, body=video)
    many = client.get(story.get_absolute_url()).content.decode()
    pages = {"live": live, "ended": ended, "empty": empty, "key points": key_points}
    assert nu_errors({**pages, "many": many, "fragment": fragment}) == []


# The admin -------------------------------------------------------------------------------


def _add(client, story, **data):
    return _add_to(client, reverse("admin:articles_liveentry_add"), story, **data)


def _add_to(client, address, story, **data):
    form = {
        "article": story.pk,
        "published_at_0": timezone.localtime().strftime("%d/%m/%Y"),
        "published_at_1": timezone.localtime().strftime("%H:%M:%S"),
        "author": story.bylines.get().author_id,
        "title": "",
        "body": "<p>Les pompiers sont intervenus 300 fois.</p>",
        **data,
    }
    return client.post(address, form)


def test_editor_adds_an_entry_from_the_admin_and_it_is_logged(editor_client, editor, story):
    form = editor_client.get(reverse("admin:articles_liveentry_add") + f"?article={story.pk}")
    assert form.status_code == 200
    assert "prose-editor" in form.content.decode()
    assert "<h1>Nouvelle entrée du direct</h1>" in form.content.decode()  # not « Ajout de entrée »
    response = _add(editor_client, story, pinned="on")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?article={story.pk}")
    added = story.live_entries.get()
    assert added.pinned and "300 fois" in added.body
    assert LogEntry.objects.filter(user=editor, action_flag=ADDITION, object_id=added.pk).exists()
    listing = editor_client.get(response["Location"])
    assert "Les pompiers sont intervenus" in listing.content.decode()


def test_an_entry_keeps_its_earlier_texts_and_every_change_is_logged(editor_client, editor, story):
    _add(editor_client, story)
    added = story.live_entries.get()
    change = reverse("admin:articles_liveentry_change", args=[added.pk])
    corrected = "<p>Les pompiers sont intervenus 350 fois.</p>"
    assert _add_to(editor_client, change, story, body=corrected).status_code == 302
    versions = Version.objects.get_for_object(added)
    assert [v.field_dict["body"] for v in versions] == [
        corrected,
        "<p>Les pompiers sont intervenus 300 fois.</p>",
    ]
    assert versions[0].revision.user == editor
    logged = LogEntry.objects.get(action_flag=CHANGE, object_id=added.pk)
    assert logged.user == editor and "Texte" in logged.get_change_message()

    delete = reverse("admin:articles_liveentry_delete", args=[added.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=added.pk).exists()
    (kept,) = Version.objects.get_deleted(LiveEntry)  # its last text, for the technical team
    assert kept.field_dict["body"] == corrected


def test_view_on_site_of_an_entry_leads_to_the_page_that_holds_it(editor_client, story):
    shown = entry(story, 5, "Sur la première page.")
    ctype = ContentType.objects.get_for_model(LiveEntry)
    response = editor_client.get(reverse("admin-view-on-site", args=[ctype.pk, shown.pk]))
    assert response["Location"] == shown.get_absolute_url()


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u2060\u00ad", "\u202e\u200b"])
def test_an_entry_title_that_shows_no_letter_is_refused_in_french(editor_client, story, title):
    response = _add(editor_client, story, title=title)
    assert response.status_code == 200
    assert "Le titre ne montre aucune lettre." in response.content.decode()
    assert not story.live_entries.exists()


def test_an_entry_title_loses_its_direction_overrides(editor_client, story):
    assert _add(editor_client, story, title="Bilan \u202eprovisoire").status_code == 302
    assert story.live_entries.get().title == "Bilan provisoire"


def test_article_form_links_to_its_entries_unfolded_on_a_live_story(editor_client, story):
    html = editor_client.get(reverse("admin:articles_article_change", args=[story.pk])).content
    assert f"/admin/articles/liveentry/add/?article={story.pk}".encode() in html
    assert b"collapse" not in html.split(b"id_live_status")[0].rsplit(b"<fieldset", 1)[1]
    plain = ArticleFactory()
    html = editor_client.get(reverse("admin:articles_article_change", args=[plain.pk])).content
    assert b"collapse" in html.split(b"id_live_status")[0].rsplit(b"<fieldset", 1)[1]


def test_author_cannot_add_or_change_entries_of_a_published_story(
    author_client, author_user, story
):
    existing = entry(story, 5, "Publiée par l’édition.")
    response = _add(author_client, story)
    assert response.status_code == 200  # the story is not among the choices
    assert story.live_entries.count() == 1
    change = reverse("admin:articles_liveentry_change", args=[existing.pk])
    assert author_client.post(change, {"body": "<p>Réécrite</p>"}).status_code == 403
    existing.refresh_from_db()
    assert "Publiée par" in existing.body


def test_author_writes_entries_on_their_own_draft(author_client, author_user):
    draft = ArticleFactory(draft=True, live_status=LIVE, authors=[author_user.author_profile])
    assert _add(author_client, draft).status_code == 302
    assert draft.live_entries.count() == 1


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", ""])
def test_entries_list_filtered_by_a_made_up_story_is_no_error(editor_client, value):
    response = editor_client.get(reverse("admin:articles_liveentry_changelist"), {"article": value})
    assert response.status_code in (200, 302)
    add = editor_client.get(reverse("admin:articles_liveentry_add"), {"article": value})
    assert add.status_code == 200


def test_cards_and_the_top_story_of_a_live_story_say_en_direct(client, story):
    section = story.category.get_absolute_url()
    card_badge = '<span class="badge badge--live">En direct</span>'
    assert card_badge in client.get(section).content.decode()
    assert '<p class="live-badge live-badge--on">En direct</p>' in client.get("/").content.decode()
    story.live_status = ENDED
    story.save()
    assert "badge--live" not in client.get(section).content.decode()
    assert "live-badge" not in client.get("/").content.decode()


def test_author_cannot_pin_a_published_story_entry_from_the_list(author_client, story):
    existing = entry(story, 5, "Publiée par l’édition.")
    response = author_client.post(
        reverse("admin:articles_liveentry_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": existing.pk,
            "form-0-pinned": "on",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 403
    existing.refresh_from_db()
    assert not existing.pinned


def test_author_cannot_move_their_entry_to_a_story_they_may_not_touch(
    author_client, author_user, story
):
    draft = ArticleFactory(draft=True, live_status=LIVE, authors=[author_user.author_profile])
    mine = entry(draft, 5, "Sur mon brouillon.")
    not_live = ArticleFactory(draft=True, authors=[author_user.author_profile])
    change = reverse("admin:articles_liveentry_change", args=[mine.pk])
    for target in (story, not_live):  # published; not a live story
        form = {
            "article": target.pk,
            "published_at_0": timezone.localtime().strftime("%d/%m/%Y"),
            "published_at_1": timezone.localtime().strftime("%H:%M:%S"),
            "author": author_user.author_profile.pk,
            "title": "",
            "body": "<p>Déplacée</p>",
        }
        response = author_client.post(change, form)
        assert response.status_code == 200  # the story is not among the choices
        mine.refresh_from_db()
        assert mine.article == draft and "Sur mon brouillon" in mine.body


def test_author_pinning_their_entry_and_a_published_one_saves_neither(
    author_client, author_user, story
):
    draft = ArticleFactory(draft=True, live_status=LIVE, authors=[author_user.author_profile])
    mine = entry(draft, 5, "Sur mon brouillon.")
    theirs = entry(story, 5, "Publiée par l’édition.")
    response = author_client.post(
        reverse("admin:articles_liveentry_changelist"),
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": mine.pk,
            "form-0-pinned": "on",
            "form-1-id": theirs.pk,
            "form-1-pinned": "on",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 403
    assert not LiveEntry.objects.filter(pinned=True).exists()


def test_author_cannot_delete_a_published_story_entry_by_the_list_action(author_client, story):
    theirs = entry(story, 5, "Publiée par l’édition.")
    response = author_client.post(
        reverse("admin:articles_liveentry_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert LiveEntry.objects.filter(pk=theirs.pk).exists()


# A long story: numbered pages --------------------------------------------------------------


@pytest.fixture
def long_story(story, monkeypatch):
    """A story of a key point and eight entries, three a page (30 for readers): pages of
    three, three and two."""
    monkeypatch.setattr(views, "LIVE_PAGE_SIZE", 3)
    key = entry(story, 100, "L’essentiel de la nuit.", pinned=True, title="Bilan")
    others = [entry(story, minutes, f"Entrée {minutes}.") for minutes in range(80, 0, -10)]
    return story, key, others[::-1]  # newest first, as readers see them


def test_a_long_story_shows_its_key_points_and_newest_entries_then_numbered_pages(
    client, long_story
):
    story, key, newest_first = long_story
    address = story.get_absolute_url()
    first = client.get(address).content.decode()
    assert entry_ids(first) == [key.pk, *(e.pk for e in newest_first[:3])]
    assert f'href="{address}?page=2#direct"' in first and "Entrées précédentes" in first
    assert 'rel="prev"' not in first

    second = client.get(f"{address}?page=2").content.decode()
    assert entry_ids(second) == [e.pk for e in newest_first[3:6]]  # no key points there
    assert f'href="{address}?page=3#direct"' in second
    assert f'href="{address}#direct"' in second and "Entrées plus récentes" in second
    assert "live.js" not in second  # only the first page looks for new entries
    assert f'<link rel="canonical" href="http://testserver{address}?page=2">' in second
    updates = _json_ld(second, "LiveBlogPosting")["liveBlogUpdate"]
    assert [u["url"].rsplit("#entree-")[1] for u in updates] == [
        str(e.pk) for e in newest_first[3:6]
    ]
    assert updates[0]["url"].endswith(f"{address}?page=2#entree-{newest_first[3].pk}")

    third = client.get(f"{address}?page=3").content.decode()
    assert entry_ids(third) == [e.pk for e in newest_first[6:]]
    assert "Entrées précédentes" not in third and f'href="{address}?page=2#direct"' in third
    assert nu_errors({"second": second, "third": third}) == []

    for query in ("?page=4", "?page=0", "?page=abc", "?page=02"):
        assert client.get(address + query).status_code == 404, query
    assert client.get(f"{address}?page=1").status_code == 200
    plain = ArticleFactory()  # reads no page number: its one page
    assert client.get(f"{plain.get_absolute_url()}?page=2").status_code == 200


def test_only_the_first_page_of_a_long_story_counts_a_read(client, long_story):
    story, _key, _newest_first = long_story
    address = story.get_absolute_url()
    assert "read-beacon.js" in client.get(address).content.decode()
    # A reader going through the older entries reads the same story: one view, not one a page.
    assert "read-beacon.js" not in client.get(f"{address}?page=2").content.decode()


def test_the_fragment_of_a_long_story_holds_its_first_page(client, long_story):
    story, key, newest_first = long_story
    html = client.get(fragment_url(story)).content.decode()
    assert entry_ids(html) == [key.pk, *(e.pk for e in newest_first[:3])]
    assert "data-live-partial" in html  # the script keeps the older entries a reader shows
    data = _json_ld(client.get(story.get_absolute_url()).content.decode(), "LiveBlogPosting")
    assert len(data["liveBlogUpdate"]) == 4  # the first page's entries, key point included


def test_each_page_of_a_long_story_is_kept_and_purged_by_a_new_entry(settings, long_story):
    settings.CDN_PURGE_BACKEND = "fastly"
    story, _key, newest_first = long_story
    reader = Client()
    address = f"{story.get_absolute_url()}?page=2"
    built = reader.get(address)
    assert f"article-{story.pk}" in built["Surrogate-Key"].split()
    kept = reader.get(address)
    assert kept.page_cache_status == "hit" and kept.content == built.content
    added = entry(story, 0, "Toute dernière entrée.")
    moved = entry_ids(reader.get(address).content.decode())
    assert moved == [e.pk for e in newest_first[2:5]]  # one entry further on
    assert added.pk in entry_ids(reader.get(story.get_absolute_url()).content.decode())


def test_a_later_page_costs_no_more_queries_with_more_entries(client, long_story):
    story, _key, _newest_first = long_story

    def queries_of_page_two():
        story.save()  # a new version: the page is built again
        client.get(f"{story.get_absolute_url()}?page=2")
        story.save()
        with CaptureQueriesContext(connection) as queries:
            html = client.get(f"{story.get_absolute_url()}?page=2").content.decode()
        assert len(entry_ids(html)) == 3
        return len(queries)

    few = queries_of_page_two()
    for minutes in range(200, 260):
        entry(story, minutes, "Plus ancienne.")
    assert queries_of_page_two() == few


def test_an_entry_link_leads_to_the_page_that_holds_it(
    client, long_story, django_assert_max_num_queries
):
    story, key, newest_first = long_story
    address = story.get_absolute_url()
    old = newest_first[-1]
    assert (
        f'href="{reverse("articles:live_entry", args=[old.pk])}"'
        in client.get(f"{address}?page=3").content.decode()
    )  # its permalink
    with django_assert_max_num_queries(2):  # the entry with its story, the newer ones counted
        response = client.get(reverse("articles:live_entry", args=[old.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{address}?page=3#entree-{old.pk}"
    assert "private" in response["Cache-Control"]  # it moves as entries are added
    newest = client.get(reverse("articles:live_entry", args=[newest_first[0].pk]))
    assert newest["Location"] == f"{address}#entree-{newest_first[0].pk}"
    pinned = client.get(reverse("articles:live_entry", args=[key.pk]))
    assert pinned["Location"] == f"{address}#entree-{key.pk}"
    assert old.get_absolute_url() == reverse("articles:live_entry", args=[old.pk])

    for _ in range(3):
        entry(story, 0, "Encore une.")
    moved = client.get(reverse("articles:live_entry", args=[old.pk]))
    assert moved["Location"] == f"{address}?page=4#entree-{old.pk}"

    hidden = entry(ArticleFactory(draft=True, live_status=LIVE), 1, "En préparation.")
    assert client.get(reverse("articles:live_entry", args=[hidden.pk])).status_code == 404
    assert client.get("/direct/entree/999999999/").status_code == 404


def test_a_page_number_past_what_the_database_counts_is_a_404(client, long_story):
    story, _key, _newest_first = long_story
    address = story.get_absolute_url()
    for query in ("?page=99999999999999999999999", "?page=1000000000"):
        response = client.get(address + query)
        assert response.status_code == 404, query
        assert "private" in response["Cache-Control"]


def test_an_older_page_of_a_subscribers_story_leads_a_non_subscriber_to_its_paywall(long_story):
    """A subscriber shares an older entry: a reader who may not read the story is sent to its
    first page, which offers a subscription (not a 404 as if the page did not exist), and is
    never sent its entries."""
    story, _key, newest_first = long_story
    PaywallSettings.objects.update_or_create(pk=1, defaults={"mode": "on"})
    story.access = Article.Access.SUBSCRIBERS
    story.save()
    address = story.get_absolute_url()
    old = reverse("articles:live_entry", args=[newest_first[-1].pk])
    subscriber = Client()
    subscriber.force_login(SubscriptionFactory().reader)
    for _ in range(2):  # kept for subscribers: never for the others
        assert "Entrée 80." in subscriber.get(f"{address}?page=3").content.decode()
    signed_in = Client()
    signed_in.force_login(UserFactory())
    for reader in (Client(), signed_in):
        assert reader.get(old)["Location"] == f"{address}?page=3#entree-{newest_first[-1].pk}"
        response = reader.get(f"{address}?page=3")
        assert response.status_code == 302 and response["Location"] == address
        assert "private" in response["Cache-Control"]
        assert "Entrée" not in response.content.decode()
        page = reader.get(response["Location"]).content.decode()
        assert "Entrée" not in page and "abonn" in page
    assert Client().get(f"{address}?page=abc").status_code == 404


def test_an_older_page_at_the_storys_old_address_leads_to_the_same_page(client, long_story):
    """A live story retitled while it goes on (a new slug): links to its older pages, shared
    or crawled, still lead to those pages, not to the first."""
    story, _key, _newest_first = long_story
    old = story.get_absolute_url()
    story.slug = "tempete-ciaran-le-bilan"
    story.save()
    address = story.get_absolute_url()
    response = client.get(f"{old}?page=3")
    assert response.status_code == 301
    assert response["Location"] == f"{address}?page=3"
    assert client.get(f"{old}?page=1")["Location"] == address
    assert client.get(f"{old}?page=abc").status_code == 404


def test_the_preview_of_a_long_draft_story_leads_to_its_older_entries(editor_client, long_story):
    """Its public pages do not exist yet: the preview's own pages show the older entries."""
    story, _key, newest_first = long_story
    story.status = Article.Status.DRAFT
    story.save()
    preview = reverse("articles:preview", args=[story.pk])
    first = editor_client.get(preview).content.decode()
    assert f'href="{preview}?page=2#direct"' in first
    second = editor_client.get(f"{preview}?page=2").content.decode()
    assert entry_ids(second) == [e.pk for e in newest_first[3:6]]
    assert f'href="{preview}#direct"' in second and f'href="{preview}?page=3#direct"' in second
    assert editor_client.get(f"{preview}?page=9").status_code == 404
    assert editor_client.get(f"{preview}?page=abc").status_code == 404
