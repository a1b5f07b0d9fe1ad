"""The editor's safety net: autosaved copies, the restore banner, who else has an article open.

An autosave is the user's private copy: it never changes what readers see, only those who may
change the article may write one, and every bad request gets a French answer, never a 500.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles import autosave
from articles.models import Article, Autosave, EditingPresence
from tests.articles.test_admin import ADD_URL, change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def autosave_url(article=None):
    if article is None:
        return f"{ADD_URL}autosave/"
    return f"/admin/articles/article/{article.pk}/autosave/"


def discard_url(article=None):
    return f"{autosave_url(article)}discard/"


def presence_url(article):
    return f"/admin/articles/article/{article.pk}/presence/"


TEXT = {"title": "Titre en cours", "lead": "Chapô en cours", "body": "<p>Texte en cours</p>"}


@pytest.fixture
def own_draft(author_user):
    return ArticleFactory(draft=True, authors=[author_user.author_profile], title="Mon brouillon")


# Saving and restoring


def test_autosave_keeps_a_private_copy_and_never_changes_the_published_article(editor_client):
    article = ArticleFactory(title="Publié", body="<p>Ce que lisent les lecteurs.</p>")
    before = Article.objects.values().get(pk=article.pk)

    response = editor_client.post(autosave_url(article), TEXT)

    assert response.status_code == 200
    assert response.json()["message"].startswith("Enregistré automatiquement à ")
    assert Article.objects.values().get(pk=article.pk) == before
    copy = Autosave.objects.get(article=article)
    assert (copy.title, copy.lead, copy.body) == tuple(TEXT.values())
    assert (
        editor_client.get(article.get_absolute_url()).content.decode().count("Texte en cours") == 0
    )


def test_a_second_autosave_replaces_the_first(editor_client, editor):
    article = ArticleFactory()
    editor_client.post(autosave_url(article), TEXT)
    editor_client.post(autosave_url(article), {**TEXT, "body": "<p>Plus loin</p>"})

    assert Autosave.objects.get(user=editor, article=article).body == "<p>Plus loin</p>"


def test_each_user_has_their_own_copy(editor_client, editor):
    article = ArticleFactory()
    colleague = UserFactory(is_staff=True, groups=["Éditeurs"])
    other = Client()
    other.force_login(colleague)

    editor_client.post(autosave_url(article), TEXT)
    other.post(autosave_url(article), {**TEXT, "title": "Autre"})

    assert Autosave.objects.filter(article=article).count() == 2
    assert editor_client.get(autosave_url(article)).json()["title"] == TEXT["title"]


def test_restore_answers_the_copy_sanitised(editor_client, editor):
    article = ArticleFactory()
    Autosave.objects.create(
        user=editor,
        article=article,
        title="T",
        body='<p onclick="alert(1)">Bonjour<script>alert(2)</script></p>',
    )

    answer = editor_client.get(autosave_url(article)).json()

    assert answer["body"] == "<p>Bonjour</p>"


@pytest.mark.parametrize(
    "body", ["<p>Début<textarea>la suite", "<p>Début <!-- la suite", "<p>a</p><style>b"]
)
def test_a_body_the_sanitiser_refuses_comes_back_as_text(editor_client, editor, body):
    article = ArticleFactory(draft=True)
    editor_client.post(autosave_url(article), {**TEXT, "body": body})

    assert editor_client.get(change_url(article)).status_code == 200
    answer = editor_client.get(autosave_url(article)).json()
    assert answer["body"].startswith("<p>") and "<textarea" not in answer["body"]


def test_restore_without_a_copy_is_a_french_404(editor_client):
    response = editor_client.get(autosave_url(ArticleFactory()))

    assert response.status_code == 404
    assert (
        response.json()["error"]
        == "Il n’y a pas de texte enregistré automatiquement pour cet article."
    )


def test_discard_forgets_the_copy(editor_client, editor):
    article = ArticleFactory()
    editor_client.post(autosave_url(article), TEXT)

    assert editor_client.post(discard_url(article)).status_code == 200
    assert not Autosave.objects.exists()


def test_a_new_article_has_one_copy_per_user_until_it_is_saved(author_client, author_user):
    author_client.post(autosave_url(), TEXT)
    author_client.post(autosave_url(), {**TEXT, "title": "Mieux"})
    assert Autosave.objects.get(user=author_user, article=None).title == "Mieux"

    page = author_client.get(ADD_URL)
    assert "plus récent que cet article" in page.content.decode()

    category = CategoryFactory()
    data = form_data(page)
    data.update(
        title="Mieux", slug="mieux", lead="Chapô", category=str(category.pk), body="<p>x</p>"
    )
    data["bylines-0-author"] = str(author_user.author_profile.pk)
    response = author_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Autosave.objects.exists()


def test_saving_the_article_forgets_the_users_copy_only(editor_client, editor):
    article = ArticleFactory(draft=True)
    colleague = UserFactory(is_staff=True, groups=["Éditeurs"])
    Autosave.objects.create(user=colleague, article=article, title="Le sien")
    editor_client.post(autosave_url(article), TEXT)

    page = editor_client.get(change_url(article))
    response = editor_client.post(change_url(article), form_data(page))

    assert response.status_code == 302
    assert list(Autosave.objects.values_list("user", flat=True)) == [colleague.pk]


# The restore banner


def test_reopening_an_article_with_a_newer_copy_offers_to_restore_it(editor_client, editor):
    article = ArticleFactory(draft=True)
    editor_client.post(autosave_url(article), TEXT)

    content = editor_client.get(change_url(article)).content.decode()

    assert "Un texte enregistré automatiquement le" in content
    assert "Restaurer" in content and "Ignorer" in content


def test_a_copy_older_than_the_saved_article_is_not_offered(editor_client, editor):
    article = ArticleFactory(draft=True)
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        editor_client.post(autosave_url(article), TEXT)

    assert autosave.newer_autosave(editor, article) is None
    assert "Restaurer" not in editor_client.get(change_url(article)).content.decode()


def test_a_copy_identical_to_the_article_is_not_offered(editor_client, editor):
    article = ArticleFactory(draft=True)
    editor_client.post(
        autosave_url(article), {"title": article.title, "lead": article.lead, "body": article.body}
    )

    assert autosave.newer_autosave(editor, article) is None


# Who may autosave


def test_an_author_autosaves_their_own_draft(author_client, own_draft):
    assert author_client.post(autosave_url(own_draft), TEXT).status_code == 200


def test_an_author_cannot_autosave_into_a_colleagues_article(author_client):
    article = ArticleFactory(draft=True, authors=[AuthorFactory()])

    response = author_client.post(autosave_url(article), TEXT)

    assert response.status_code == 404
    assert "n’existe pas" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_an_author_cannot_autosave_into_a_published_article_they_may_only_see(
    author_client, own_draft
):
    own_draft.status = Article.Status.PUBLISHED
    own_draft.save()

    response = author_client.post(autosave_url(own_draft), TEXT)

    assert response.status_code == 403
    assert response.json()["error"] == "Vous ne pouvez plus modifier cet article."
    assert author_client.get(autosave_url(own_draft)).status_code == 403
    assert not Autosave.objects.exists()


def test_autosave_needs_a_staff_sign_in():
    article = ArticleFactory()

    response = Client().post(autosave_url(article), TEXT)

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Autosave.objects.exists()


def test_autosave_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(autosave_url(ArticleFactory()), TEXT).status_code == 403
    assert not Autosave.objects.exists()


# Bad input


@pytest.mark.parametrize("field", ["title", "lead", "body"])
def test_too_long_a_text_is_refused_whole(editor_client, field):
    article = ArticleFactory()
    limit = Autosave.MAX_LENGTHS[field]

    response = editor_client.post(autosave_url(article), {**TEXT, field: "x" * (limit + 1)})

    assert response.status_code == 413
    assert (
        response.json()["error"] == "Ce texte est trop long pour être enregistré automatiquement."
    )
    assert not Autosave.objects.exists()


def test_nul_characters_are_dropped(editor_client):
    article = ArticleFactory()

    assert editor_client.post(autosave_url(article), {**TEXT, "title": "a\x00b"}).status_code == 200
    assert Autosave.objects.get().title == "ab"


@pytest.mark.parametrize("object_id", ["999999", "abc", "1%2F2"])
def test_an_unknown_article_is_a_french_404(editor_client, object_id):
    response = editor_client.post(f"/admin/articles/article/{object_id}/autosave/", TEXT)

    assert response.status_code == 404


def test_other_methods_are_refused(editor_client):
    article = ArticleFactory()

    assert editor_client.put(autosave_url(article)).status_code == 405
    assert editor_client.get(discard_url(article)).status_code == 405


def test_autosaves_are_rate_limited_per_user(editor_client, editor, settings):
    article = ArticleFactory()
    for _ in range(autosave.CALLS_PER_MINUTE):
        assert editor_client.post(autosave_url(article), TEXT).status_code == 200

    response = editor_client.post(autosave_url(article), TEXT)

    assert response.status_code == 429
    assert "dans un instant" in response.json()["error"]
    other = Client()
    other.force_login(UserFactory(is_staff=True, groups=["Éditeurs"]))
    assert other.post(autosave_url(article), TEXT).status_code == 200


# Who else has the article open


def test_the_heartbeat_names_the_others_who_have_the_article_open(editor_client, editor):
    article = ArticleFactory(draft=True)
    claire = UserFactory(
        first_name="Claire", last_name="Vasseur", is_staff=True, groups=["Éditeurs"]
    )
    other = Client()
    other.force_login(claire)
    now = timezone.now()
    for minutes in (4, 3, 2, 1):  # a heartbeat every minute
        with time_machine.travel(now - timedelta(minutes=minutes)):
            assert other.post(presence_url(article)).json() == {"others": []}

    answer = editor_client.post(presence_url(article)).json()

    assert answer == {"others": ["Claire Vasseur modifie cet article depuis 4\xa0minutes"]}
    content = editor_client.get(change_url(article)).content.decode()
    assert "Claire Vasseur modifie cet article depuis 4\xa0minutes" in content


def test_a_colleague_who_just_opened_it_is_named_too(editor_client, editor):
    article = ArticleFactory(draft=True)
    EditingPresence.objects.create(
        user=UserFactory(first_name="Léa", last_name="Roux"), article=article
    )

    answer = editor_client.post(presence_url(article)).json()

    assert answer == {"others": ["Léa Roux vient d’ouvrir cet article"]}


def test_a_closed_or_silent_page_is_no_longer_named(editor_client, editor):
    article = ArticleFactory(draft=True)
    gone = UserFactory(first_name="Ana", last_name="Silva")
    left = UserFactory(is_staff=True, groups=["Éditeurs"])
    EditingPresence.objects.create(
        user=gone, article=article, seen_at=timezone.now() - timedelta(minutes=3)
    )
    leaving = Client()
    leaving.force_login(left)
    leaving.post(presence_url(article))
    leaving.post(presence_url(article), {"leave": "1"})

    assert editor_client.post(presence_url(article)).json() == {"others": []}
    assert not EditingPresence.objects.filter(user=left).exists()
    assert not EditingPresence.objects.filter(user=gone).exists()  # a row that said nothing


def test_presence_is_for_those_who_may_change_the_article(author_client):
    article = ArticleFactory(draft=True, authors=[AuthorFactory()])

    assert author_client.post(presence_url(article)).status_code == 404
    assert not EditingPresence.objects.exists()


def test_the_change_form_of_an_article_one_may_only_see_has_no_writing_aids(
    author_client, own_draft
):
    published = ArticleFactory()

    content = author_client.get(change_url(published)).content.decode()

    assert 'id="newsroom-writing"' not in content
    assert 'id="newsroom-writing"' in author_client.get(change_url(own_draft)).content.decode()
