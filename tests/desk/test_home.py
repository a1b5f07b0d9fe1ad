"""The desk home: the admin's home page, what waits for whom, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from desk.models import ReviewEvent
from tests.desk.conftest import story_of
from tests.factories import CorrectionFactory, UserFactory

HOME = reverse("admin:index")


def section_titles(response, key):
    return [article.title for article in getattr(response.context["desk"], key)]


def in_review_since(user, hours, **kwargs):
    article = story_of(user, status=Article.Status.REVIEW, published_at=None, **kwargs)
    event = ReviewEvent.objects.create(article=article, kind="submitted", actor=user)
    ReviewEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )
    return article


def test_editor_sees_every_story_waiting_for_review_oldest_first(
    editor_client, author_user, colleague
):
    recent = in_review_since(author_user, 1, title="Soumis il y a une heure")
    oldest = in_review_since(colleague, 26, title="Soumis hier")

    response = editor_client.get(HOME)

    assert response.status_code == 200
    assert section_titles(response, "in_review") == [oldest.title, recent.title]
    page = response.content.decode()
    assert "En relecture" in page
    assert "Léa Collègue" in page  # the author
    assert "en attente depuis 1" in page  # "1 jour, 2 heures"


def test_author_sees_their_own_stories_and_nothing_of_a_colleagues_draft(
    author_client, author_user, colleague
):
    mine = story_of(author_user, draft=True, title="Mon brouillon")
    story_of(colleague, draft=True, title="Le brouillon de Léa")
    in_review_since(colleague, 2, title="Le sujet sous embargo de Léa")
    story_of(colleague, scheduled=True, title="La sortie programmée de Léa")

    response = author_client.get(HOME)

    page = response.content.decode()
    assert section_titles(response, "drafts") == [mine.title]
    assert "Le brouillon de Léa" not in page
    assert "sous embargo" not in page
    assert "programmée de Léa" not in page


def test_scheduled_stories_come_in_the_order_they_go_out_with_today_marked(
    editor_client, author_user
):
    now = timezone.now()
    later = story_of(author_user, title="Dans trois jours", published_at=now + timedelta(days=3))
    soon = story_of(author_user, title="Dans une minute", published_at=now + timedelta(minutes=1))

    response = editor_client.get(HOME)

    assert section_titles(response, "scheduled") == [soon.title, later.title]
    scheduled = response.context["desk"].scheduled
    assert [a.goes_out_today for a in scheduled][1] is False


def test_published_and_corrected_stories_are_listed_newest_first(editor_client, author_user):
    older = story_of(author_user, title="Publié hier", published_at=timezone.now() - timedelta(1))
    newer = story_of(author_user, title="Publié à l’instant")
    CorrectionFactory(article=older)
    story_of(author_user, draft=True, title="Pas encore publié")

    response = editor_client.get(HOME)

    assert section_titles(response, "published") == [newer.title, older.title]
    assert section_titles(response, "corrected") == [older.title]


def test_the_desk_offers_a_new_article_and_keeps_the_admin_list(editor_client):
    page = editor_client.get(HOME).content.decode()

    assert reverse("admin:articles_article_add") in page
    assert "Nouvel article" in page
    assert reverse("admin:articles_article_changelist") + "?mine=1" in page
    assert 'id="content-main"' in page and "app-articles" in page  # Django's list of models


def test_a_staff_member_without_articles_gets_the_plain_admin_home(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(HOME)

    assert response.status_code == 200
    assert "desk" not in response.context
    assert "Nouvel article" not in response.content.decode()


def _fill(author_user, colleague, count):
    for n in range(count):
        draft = story_of(author_user, draft=True, title=f"Brouillon {n}")
        in_review_since(colleague, n + 1, title=f"En relecture {n}")
        story_of(colleague, scheduled=True, title=f"Programmé {n}")
        CorrectionFactory(article=story_of(author_user, title=f"Publié {n}"))
    ReviewEvent.objects.create(article=draft, kind="sent_back", actor=colleague, note="Sources ?")


@pytest.mark.parametrize("user_client", ["author_client", "editor_client"])
def test_the_desk_home_takes_a_fixed_number_of_queries(
    request, user_client, author_user, colleague, django_assert_num_queries
):
    client = request.getfixturevalue(user_client)
    _fill(author_user, colleague, 1)
    client.get(HOME)  # content types and permissions cached (the session is read each time)
    expected = 12
    with django_assert_num_queries(expected):
        response = client.get(HOME)
    assert response.status_code == 200

    _fill(author_user, colleague, 12)
    with django_assert_num_queries(expected):
        response = client.get(HOME)
    counts = response.context["desk"].counts
    if user_client == "author_client":
        assert "Sources ?" in response.content.decode()
        assert counts == {"drafts": 13, "in_review": 0, "scheduled": 0}  # the colleague's
    else:
        assert counts == {"drafts": 0, "in_review": 13, "scheduled": 13}
    assert len(response.context["desk"].drafts) == (8 if user_client == "author_client" else 0)


@pytest.mark.parametrize(
    "query", ["status__exact=%00", "access=a%00", "q=a%00b", "state%00=review"]
)
def test_a_nul_character_in_an_admin_address_is_a_bad_request(editor_client, query):
    response = editor_client.get(f"/admin/articles/article/?{query}")

    assert response.status_code == 400
