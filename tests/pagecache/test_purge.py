"""CDN purges (pagecache/purge.py): the keys reader pages carry, the keys a change queues, and
what Cloudflare, Fastly and nginx are sent, against a local HTTP server that checks it."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import purging
from articles.models import Article, Category
from pagecache import purge
from pagecache.models import PendingPurge
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    HouseAdFactory,
)

pytestmark = pytest.mark.django_db


class CDN:
    """A local HTTP server standing for a CDN's API: records each request, answers with the
    statuses it is given in turn (then 200), with Cloudflare's JSON."""

    def __init__(self, statuses=()):
        self.requests = []
        self.statuses = list(statuses)
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                cdn.requests.append((self.command, self.path, dict(self.headers), body))
                status = cdn.statuses.pop(0) if cdn.statuses else 200
                answer = json.dumps({"success": status == 200, "result": {}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PURGE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cloudflare(settings):
    with CDN() as cdn:
        settings.CDN_PURGE_BACKEND = "cloudflare"
        settings.CDN_PURGE_CLOUDFLARE_API = f"{cdn.url}/client/v4"
        settings.CDN_PURGE_CLOUDFLARE_ZONE = "zone-123"
        settings.CDN_PURGE_CLOUDFLARE_TOKEN = "cf-token"
        yield cdn


@pytest.fixture
def story():
    parent = CategoryFactory(name="Monde", slug="monde")
    section = CategoryFactory(name="Europe", slug="europe", parent=parent)
    author = AuthorFactory(name="Léa Roux", slug="lea-roux")
    return ArticleFactory(category=section, authors=[author], tags=["Otan"], title="L’Otan")


def _pending():
    return set(PendingPurge.objects.values_list("key", flat=True))


def _keys_of(story):
    tag = story.tags.get()
    author = story.bylines.get().author
    return {
        f"article-{story.pk}",
        f"section-{story.category_id}",
        f"section-{story.category.parent_id}",
        f"author-{author.pk}",
        f"tag-{tag.pk}",
        "home",
        "feeds",
        "sitemaps",
        story.get_absolute_url(),  # for the caches that purge by address
    }


# The keys on the pages ------------------------------------------------------------------


def _header_keys(response, name="Surrogate-Key", separator=" "):
    return set(response[name].split(separator))


@pytest.mark.parametrize("cached", [False, True], ids=["built", "from the cache"])
def test_pages_carry_the_keys_of_what_they_show(settings, story, cached):
    settings.CDN_PURGE_BACKEND = "fastly"
    other = ArticleFactory(category=story.category)
    client = Client()
    tag = story.tags.get()
    author = story.bylines.get().author
    expected = {
        reverse("articles:home"): {"home", "site", "latest", f"article-{story.pk}"},
        story.get_absolute_url(): {"site", "latest", f"article-{story.pk}", f"article-{other.pk}"},
        story.category.get_absolute_url(): {f"section-{story.category_id}", f"article-{story.pk}"},
        author.get_absolute_url(): {f"author-{author.pk}", f"article-{story.pk}"},
        reverse("articles:tag", args=[tag.slug]): {f"tag-{tag.pk}", f"article-{story.pk}"},
        reverse("feeds:latest"): {"feeds", f"article-{story.pk}"},
        reverse("feeds:category", args=["monde"]): {
            "feeds",
            f"section-{story.category.parent_id}",
            f"article-{story.pk}",
        },
        reverse("sitemaps:index"): {"sitemaps", "site"},
        reverse("sitemaps:section", args=["articles"]): {"sitemaps"},
    }
    for address, keys in expected.items():
        response = client.get(address)
        if cached:
            response = client.get(address)
            assert response.page_cache_status == "hit"
        assert response.status_code == 200, address
        assert keys <= _header_keys(response), address
        assert "site" in _header_keys(response)


def test_cloudflare_reads_comma_separated_cache_tags(settings, story):
    settings.CDN_PURGE_BACKEND = "cloudflare"
    response = Client().get(story.get_absolute_url())
    assert "Surrogate-Key" not in response
    assert f"article-{story.pk}" in _header_keys(response, "Cache-Tag", ",")


@pytest.mark.parametrize("backend", ["none", "nginx"])
def test_without_a_tag_purging_cdn_pages_carry_no_keys(settings, story, backend):
    settings.CDN_PURGE_BACKEND = backend
    response = Client().get(reverse("articles:home"))
    assert not {"Surrogate-Key", "Cache-Tag", "xkey"} & set(response.headers)


def test_signed_in_readers_pages_carry_no_keys(settings, story, editor_client):
    settings.CDN_PURGE_BACKEND = "fastly"
    response = editor_client.get(story.get_absolute_url())
    assert "Surrogate-Key" not in response


# What a change queues -------------------------------------------------------------------


@pytest.fixture
def queued(settings, django_capture_on_commit_callbacks):
    """Changes queue their keys (not sent: the worker's task is captured, not run)."""

    def capture():
        settings.CDN_PURGE_BACKEND = "fastly"
        PendingPurge.objects.all().delete()
        return django_capture_on_commit_callbacks(execute=False)

    return capture


def test_publishing_purges_the_story_its_lists_and_the_newest_stories(story, queued):
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT, published_at=None)
    story.refresh_from_db()
    with queued():
        story.status = Article.Status.PUBLISHED
        story.save()
    assert _pending() == _keys_of(story) | {"latest"}


def test_a_transaction_queues_one_task(story, queued):
    others = ArticleFactory.create_batch(3, category=story.category)
    with queued() as callbacks:
        for article in [story, *others]:
            article.title = "Réunion"
            article.save()
    assert len(callbacks) == 1


def test_editing_purges_the_story_and_its_lists(story, queued):
    with queued():
        story.title = "L’Otan change de chef"
        story.save()
    assert _pending() == _keys_of(story)


def test_unpublishing_purges_every_page_that_showed_it(story, queued):
    with queued():
        story.status = Article.Status.DRAFT
        story.save()
    assert _pending() == _keys_of(story)


def test_deleting_purges_every_page_that_showed_it(story, queued):
    keys = _keys_of(story)
    with queued():
        story.delete()
    assert keys <= _pending()
    assert "site" not in _pending()


def test_a_section_move_purges_the_old_and_the_new_sections(story, queued):
    old = _keys_of(story)
    elsewhere = CategoryFactory(name="Sport", slug="sport")
    with queued():
        story.category = elsewhere
        story.save()
    # Both addresses: the old one now redirects.
    assert _pending() == old | {f"section-{elsewhere.pk}", "latest", story.get_absolute_url()}


def test_a_draft_edited_purges_nothing(queued):
    draft = ArticleFactory(draft=True)
    with queued():
        draft.title = "Brouillon"
        draft.save()
    assert _pending() == set()


def test_a_scheduled_story_is_purged_again_at_its_publication_time(story, queued):
    at = timezone.now() + timedelta(hours=2)
    with queued():
        story.published_at = at
        story.save()
    assert set(PendingPurge.objects.filter(due_at=at).values_list("key", flat=True)) == _keys_of(
        story
    ) | {"latest"}


def test_a_byline_added_purges_the_authors_list(story, queued):
    author = AuthorFactory()
    with queued():
        story.bylines.create(author=author, position=1)
    assert _pending() == {f"article-{story.pk}", f"author-{author.pk}", "feeds"}


def test_a_tag_added_purges_the_tags_list_and_the_related_stories(story, queued):
    with queued():
        story.tags.add("Défense")
    tag = story.tags.get(name="Défense")
    assert _pending() == {f"article-{story.pk}", f"tag-{tag.pk}", "latest"}


def test_a_correction_purges_its_story_without_purging_every_page(story, queued):
    with queued():
        correction = CorrectionFactory(article=story)
        correction.delete()
    assert _pending() == {f"article-{story.pk}", "feeds", "sitemaps", "corrections"}


@pytest.mark.parametrize(
    "change",
    [
        lambda story: CategoryFactory(name="Culture", slug="culture"),  # the menu
        lambda story: HouseAdFactory(),
        lambda story: Article.objects.filter(pk=story.pk).update(title="En bloc"),
        lambda story: Category.objects.update(description="Toutes"),
    ],
    ids=["section", "house ad", "bulk update", "bulk furniture"],
)
def test_furniture_and_bulk_writes_purge_every_page(story, queued, change):
    with queued():
        change(story)
    assert "site" in _pending()


def test_an_article_saved_does_not_purge_every_page(story, queued):
    with queued():
        story.save()
    assert "site" not in _pending()


def test_nothing_is_queued_without_a_cdn(settings, story, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_BACKEND = "none"
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Sans CDN"
        story.save()
        CategoryFactory()
    assert not PendingPurge.objects.exists()


# What the CDNs are sent -----------------------------------------------------------------


def _queue(keys):
    now = timezone.now()
    PendingPurge.objects.bulk_create([PendingPurge(key=key, due_at=now, since=now) for key in keys])


def test_cloudflare_is_sent_the_tags_thirty_a_call(cloudflare):
    keys = [f"article-{n}" for n in range(35)]
    _queue([*keys, "home", "home"])

    assert purge.run_due() == 36

    assert len(cloudflare.requests) == 2
    sent = []
    for method, path, headers, body in cloudflare.requests:
        assert (method, path) == ("POST", "/client/v4/zones/zone-123/purge_cache")
        assert headers["Authorization"] == "Bearer cf-token"
        assert headers["Content-Type"] == "application/json"
        sent += json.loads(body)["tags"]
    assert len(json.loads(cloudflare.requests[0][3])["tags"]) == 30
    assert sorted(sent) == sorted([*keys, "home"])
    assert not PendingPurge.objects.exists()


def test_fastly_is_sent_the_surrogate_keys_in_one_call(fastly):
    _queue(["article-7", "home", "section-2"])

    purge.run_due()

    [(method, path, headers, _body)] = fastly.requests
    assert (method, path) == ("POST", "/service/svc-9/purge")
    assert headers["Fastly-Key"] == "fastly-token"
    assert headers["Surrogate-Key"].split(" ") == ["article-7", "home", "section-2"]
    assert not PendingPurge.objects.exists()


@pytest.mark.parametrize("backend", ["cloudflare", "fastly"])
def test_a_failed_purge_is_tried_again_later(request, backend):
    cdn = request.getfixturevalue(backend)
    cdn.statuses = [500]
    _queue(["article-7", "home"])

    assert purge.run_due() == 0  # the CDN failed: the keys wait
    assert _pending() == {"article-7", "home"}
    assert purge.run_due() == 0  # not due yet: tried after a second
    assert len(cdn.requests) == 1

    later = timezone.now() + timedelta(seconds=purge.RETRY_FIRST + 1)
    assert purge.run_due(now=later) == 2

    assert len(cdn.requests) == 2
    assert cdn.requests[0][1:] == cdn.requests[1][1:]  # the same purge, sent again
    assert not PendingPurge.objects.exists()


def test_retries_wait_longer_each_time_and_end_once_the_cdn_has_dropped_the_pages(
    settings, cloudflare
):
    settings.PAGE_CACHE_SHARED_MAX_AGE = 3600
    cloudflare.statuses = [500] * 20
    _queue(["home"])
    start = now = timezone.now()
    waits = []
    while PendingPurge.objects.exists():
        purge.run_due(now=now)
        if row := PendingPurge.objects.first():
            waits.append((row.due_at - now).total_seconds())
            now = row.due_at
    assert waits[:4] == [1, 2, 4, 8]
    assert max(waits) == purge.RETRY_MAX
    assert now - start > timedelta(seconds=3600)  # given up only once the CDN's copies expired


def test_a_change_reaches_the_cdn_through_the_task(
    story, fastly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "L’Otan se réunit"
        story.save()
    [(_method, _path, headers, _body)] = fastly.requests
    # Not the story's address: Fastly purges by key alone.
    assert set(headers["Surrogate-Key"].split(" ")) == _keys_of(story) - {story.get_absolute_url()}
    assert not PendingPurge.objects.exists()


# nginx: purged by address ---------------------------------------------------------------


def test_nginx_is_sent_the_addresses_of_the_pages_the_keys_name(settings, story):
    author = story.bylines.get().author
    tag = story.tags.get()
    with CDN() as nginx:
        settings.CDN_PURGE_BACKEND = "nginx"
        settings.CDN_PURGE_NGINX_URLS = [nginx.url]
        _queue(_keys_of(story) | {"latest", "site", "corrections"})
        purge.run_due()
    purged = {path for method, path, _headers, _body in nginx.requests if method == "PURGE"}
    assert purged == {
        "/",
        story.get_absolute_url(),
        story.category.get_absolute_url(),
        story.category.parent.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        reverse("feeds:tag", args=[tag.slug]),
        reverse("articles:corrections"),
        reverse("feeds:latest"),
        reverse("feeds:category", args=["europe"]),
        reverse("feeds:category", args=["monde"]),
        reverse("feeds:author", args=[author.slug]),
        reverse("sitemaps:index"),
        *(reverse("sitemaps:section", args=[name]) for name in purging.SITEMAPS),
    }


def test_several_caches_each_get_their_header_and_their_purge(settings, story):
    with CDN() as first, CDN() as second:
        settings.CDN_PURGE_BACKEND = "fastly,cloudflare"
        settings.CDN_PURGE_FASTLY_API = first.url
        settings.CDN_PURGE_CLOUDFLARE_API = second.url
        response = Client().get(story.get_absolute_url())
        assert f"article-{story.pk}" in _header_keys(response)
        assert f"article-{story.pk}" in _header_keys(response, "Cache-Tag", ",")
        _queue(["home"])
        purge.run_due()
    assert [request[2]["Surrogate-Key"] for request in first.requests] == ["home"]
    assert [json.loads(request[3])["tags"] for request in second.requests] == [["home"]]


def test_writes_in_bulk_queue_the_whole_site_once_and_no_key_per_row(settings):
    settings.CDN_PURGE_BACKEND = "fastly"
    section = CategoryFactory()
    PendingPurge.objects.all().delete()
    with transaction.atomic(), purge.in_bulk():
        for number in range(20):
            ArticleFactory(category=section, status=Article.Status.PUBLISHED, slug=f"s-{number}")
    assert list(PendingPurge.objects.values_list("key", flat=True)) == ["site"]
    PendingPurge.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic(), purge.in_bulk():
        ArticleFactory(category=section, status=Article.Status.PUBLISHED)
        raise RuntimeError("the import stopped")
    assert not PendingPurge.objects.exists()
    after = ArticleFactory(category=section, status=Article.Status.PUBLISHED)
    assert f"article-{after.pk}" in set(PendingPurge.objects.values_list("key", flat=True))


def test_a_purge_waits_for_the_delay_after_the_commit_not_after_the_save(
    settings, story, monkeypatch, django_capture_on_commit_callbacks
):
    """App servers see a new content version up to ``CDN_PURGE_DELAY`` after it commits: a
    purge sent earlier lets the CDN fetch the old page again and keep it for ``s-maxage``. A
    transaction that commits long after its first save (an editor's save with its inlines, a
    fixture) must not send its keys at once."""
    settings.CDN_PURGE_BACKEND = "fastly"
    settings.CDN_PURGE_DELAY = 0.5
    PendingPurge.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        story.title = "L’Otan se réunit"
        story.save()
    committed = timezone.now() + timedelta(seconds=2)  # the rest of the transaction took 2 s
    monkeypatch.setattr(timezone, "now", lambda: committed)
    for callback in callbacks:
        callback()
    monkeypatch.undo()

    rows = PendingPurge.objects.filter(key=f"article-{story.pk}")
    assert rows.exists()
    assert all(
        row.due_at >= committed + timedelta(seconds=settings.CDN_PURGE_DELAY) for row in rows
    )
