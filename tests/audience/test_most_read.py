"""« Les plus lus »: the stories most read in the last 24 hours, on the home and article pages
and in the admin, refreshed by the worker, never per view."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from audience import ranking
from audience.models import ArticleViews, MostRead, hour_of
from pagecache.models import PendingPurge
from tests.factories import ArticleFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in production
        section = CategoryFactory(slug="monde")
        return [ArticleFactory(category=section, title=f"Récit numéro {n}") for n in range(7)]


def _views(article, views, hours_ago=0):
    ArticleViews.objects.create(
        article=article, hour=hour_of(timezone.now() - timedelta(hours=hours_ago)), views=views
    )


def _read(stories, *counts):
    for story, views in zip(stories, counts, strict=False):
        if views:
            _views(story, views)


def test_the_five_most_read_of_the_last_24_hours_most_read_first(stories):
    _read(stories, 5, 70, 30, 0, 12, 90, 8)
    _views(stories[3], 1000, hours_ago=25)  # read yesterday: out of the window
    _views(stories[0], 40, hours_ago=23)  # within it: 45 in all
    assert ranking.top_ids() == [stories[i].pk for i in (5, 1, 0, 2, 4)]


def test_only_stories_readers_may_see_are_ranked(stories):
    _read(stories, 10, 20, 30)
    Article.objects.filter(pk=stories[2].pk).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=stories[1].pk).update(
        published_at=timezone.now() + timedelta(hours=1)
    )
    assert ranking.top_ids() == [stories[0].pk]


def test_the_ranking_is_written_only_when_it_changes(stories):
    _read(stories, 3, 2, 1)
    assert ranking.refresh() is True
    assert list(MostRead.objects.values_list("article_id", flat=True)) == [
        s.pk for s in stories[:3]
    ]
    _views(stories[0], 5, hours_ago=1)  # more views, same order
    with CaptureQueriesContext(connection) as queries:
        assert ranking.refresh() is False
    assert not [q for q in queries if "audience_mostread" in q["sql"] and "SELECT" not in q["sql"]]
    _views(stories[2], 50, hours_ago=1)
    assert ranking.refresh() is True
    assert MostRead.objects.get(rank=1).article_id == stories[2].pk


def _titles_in_block(content):
    block = content.split('<section class="most-read"', 1)[1].split("</section>", 1)[0]
    return [line.split(">", 1)[1].split("<", 1)[0] for line in block.split("<li>")[1:]]


def test_the_list_shows_on_the_home_and_article_pages_and_drops_an_unpublished_story(
    stories, django_capture_on_commit_callbacks
):
    _read(stories, 1, 2, 3, 4, 5, 6)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh()
    expected = [f"Récit numéro {n}" for n in (5, 4, 3, 2, 1)]
    home = Client().get("/").content.decode()
    assert "Les plus lus" in home
    assert _titles_in_block(home) == expected
    article_page = Client().get(stories[0].get_absolute_url()).content.decode()
    assert _titles_in_block(article_page) == expected

    with django_capture_on_commit_callbacks(execute=True):
        stories[4].status = Article.Status.DRAFT
        stories[4].save()
    assert _titles_in_block(Client().get("/").content.decode()) == expected[:1] + expected[2:]


def test_a_new_order_of_the_same_stories_shows_at_once_on_pages_built_again(
    stories, django_capture_on_commit_callbacks
):
    _read(stories, 1, 2, 3, 4, 5)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))  # pages built again, their parts kept
    url = stories[6].get_absolute_url()
    assert _titles_in_block(staff.get(url).content.decode())[0] == "Récit numéro 4"

    _views(stories[0], 50, hours_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh()

    expected = [f"Récit numéro {n}" for n in (0, 4, 3, 2, 1)]
    assert _titles_in_block(staff.get(url).content.decode()) == expected
    assert _titles_in_block(staff.get("/").content.decode()) == expected


def test_no_list_before_any_view(stories):
    assert 'class="most-read"' not in Client().get("/").content.decode()


def _home_queries_for_a_new_page_version(django_capture_on_commit_callbacks, tag):
    """Queries of the home page built again for a new page version that leaves the furniture
    as it was (a tag created)."""
    for name in (f"{tag} 1", f"{tag} 2"):
        with django_capture_on_commit_callbacks(execute=True):
            Tag.objects.create(name=name)
        # The first build makes the furniture of its versions; the second finds it.
        with CaptureQueriesContext(connection) as queries:
            content = Client().get("/").content.decode()
    return len(queries), content


def test_the_block_adds_no_query_to_the_home_page(
    stories, monkeypatch, django_capture_on_commit_callbacks
):
    _read(stories, 1, 2, 3, 4, 5, 6)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh()
    with monkeypatch.context() as patch:  # the home page as it was without the block
        patch.setattr(ranking, "most_read", lambda: [])
        without, content = _home_queries_for_a_new_page_version(
            django_capture_on_commit_callbacks, "Otan"
        )
    assert 'class="most-read"' not in content
    with_block, content = _home_queries_for_a_new_page_version(
        django_capture_on_commit_callbacks, "Ukraine"
    )
    assert len(_titles_in_block(content)) == 5
    assert with_block == without


def test_article_pages_carry_the_beacon_but_previews_do_not(stories, editor_client):
    story = stories[0]
    beacon = reverse("audience:read", args=[story.pk])
    page = Client().get(story.get_absolute_url()).content.decode()
    assert f'data-beacon="{beacon}"' in page
    assert "js/read-beacon.js" in page
    preview = editor_client.get(reverse("articles:preview", args=[story.pk])).content.decode()
    assert "read-beacon.js" not in preview


def test_a_new_ranking_purges_the_pages_that_show_it(
    stories, settings, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_BACKEND = "fastly"
    page = Client().get("/")
    assert "most-read" in page["Surrogate-Key"].split()
    _read(stories, 3, 2, 1)
    with django_capture_on_commit_callbacks(execute=False):
        ranking.refresh()
    assert set(PendingPurge.objects.values_list("key", flat=True)) == {"most-read"}


def test_the_admin_shows_each_storys_views_over_24_hours_and_7_days(stories, editor_client):
    _views(stories[0], 7)
    _views(stories[0], 5, hours_ago=30)
    _views(stories[0], 100, hours_ago=24 * 8)
    response = editor_client.get(reverse("admin:articles_article_changelist"))
    content = response.content.decode()
    assert "Lectures (24 h)" in content
    assert "Lectures (7 jours)" in content
    assert '<td class="field-views_24h">7</td><td class="field-views_7d">12</td>' in content
    change = editor_client.get(reverse("admin:articles_article_change", args=[stories[0].pk]))
    assert "Lectures (7 jours)" in change.content.decode()


def test_the_worker_changes_the_ranking_at_most_every_few_minutes(stories, settings):
    from audience import counting

    settings.AUDIENCE = {**settings.AUDIENCE, "MOST_READ_REFRESH": 300}
    counting.record_views.call([[stories[0].pk, hour_of(timezone.now()).isoformat(), 2]])
    assert list(MostRead.objects.values_list("article_id", flat=True)) == [stories[0].pk]
    counting.record_views.call([[stories[1].pk, hour_of(timezone.now()).isoformat(), 9]])
    assert list(MostRead.objects.values_list("article_id", flat=True)) == [stories[0].pk]
    assert ArticleViews.objects.get(article=stories[1]).views == 9  # counted all the same
    cache.delete("audience:most-read-refreshed")  # five minutes later
    counting.record_views.call([])
    assert list(MostRead.objects.values_list("article_id", flat=True)) == [
        stories[1].pk,
        stories[0].pk,
    ]
