from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.utils import timezone, translation
from reversion.models import Version

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/articles/article/"
ADD_URL = "/admin/articles/article/add/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


class _FormParser(HTMLParser):
    """What a browser would submit from the form with ``form_id``, before the user types."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
            return
        name = attrs.get("name")
        if not self.in_form:
            return
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"].append(value)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": []}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            values = select["selected"] or [select["first"] or ""]
            self.fields.extend((select["name"], value) for value in values)
        elif tag == "textarea" and self._textarea is not None:
            textarea, self._textarea = self._textarea, None
            text = "".join(textarea["text"])
            self.fields.append((textarea["name"], text.removeprefix("\n")))


def form_data(response, form_id="article_form"):
    """The form's fields as a dict for ``Client.post``; inline templates left out."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        if "__prefix__" in name:
            continue
        data.setdefault(name, []).append(value)
    assert data, f"no form #{form_id} in the page"
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def submit(client, url, **changes):
    """Open ``url``, change some fields as a user would, and save the form."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data.update(changes)
    return client.post(url, data)


def _new_article_fields(category, **extra):
    return {
        "title": "Le Sénat adopte la réforme des retraites",
        "slug": "le-senat-adopte-la-reforme-des-retraites",
        "lead": "Le texte a été voté dans la nuit.",
        "body": "<p>Les sénateurs ont voté le texte à 2 heures du matin.</p>",
        "category": str(category.pk),
        **extra,
    }


def _form_errors(response):
    return response.context["adminform"].form.errors


# French admin


def test_admin_is_in_french(editor_client):
    response = editor_client.get("/admin/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Déconnexion" in content


def test_admin_site_header_is_translated_to_french(editor_client):
    with translation.override("fr"):
        header = str(admin.site.site_header)
    with translation.override("en"):
        english = str(admin.site.site_header)

    response = editor_client.get(LIST_URL)

    assert header != english
    assert header in response.content.decode()
    assert english not in response.content.decode()


@pytest.mark.parametrize("user_client", ["editor_client", "author_client"])
def test_article_list_add_and_change_pages_load(request, user_client, author_user):
    client = request.getfixturevalue(user_client)
    article = ArticleFactory(draft=True, authors=[author_user.author_profile])

    for url in (LIST_URL, ADD_URL, change_url(article)):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "django_prose_editor" in response.content.decode()
    assert 'name="edited_version"' in response.content.decode()


def test_add_page_signs_the_new_article_with_the_authors_name(author_client, author_user):
    data = form_data(author_client.get(ADD_URL))

    assert data["bylines-0-author"] == str(author_user.author_profile.pk)


# Authors: draft and submit for review


def test_author_can_create_a_draft(author_client, author_user):
    category = CategoryFactory()

    response = submit(
        author_client, ADD_URL, **_new_article_fields(category, status="draft", tags="Retraites")
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert article.created_by == author_user
    assert article.byline_authors == [author_user.author_profile]
    assert [tag.name for tag in article.tags.all()] == ["Retraites"]


def test_author_can_submit_a_draft_for_review(author_client, author_user):
    article = ArticleFactory(draft=True, authors=[author_user.author_profile])

    response = submit(author_client, change_url(article), status="review")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_author_cannot_publish_by_crafted_post_on_the_add_form(author_client):
    category = CategoryFactory()

    response = submit(author_client, ADD_URL, **_new_article_fields(category, status="published"))

    assert response.status_code == 200
    assert "status" in _form_errors(response)
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()


def test_author_cannot_publish_by_crafted_post_on_the_change_form(author_client, author_user):
    article = ArticleFactory(status=Article.Status.REVIEW, authors=[author_user.author_profile])

    response = submit(author_client, change_url(article), status="published")

    assert response.status_code == 200
    assert "status" in _form_errors(response)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()


def test_author_cannot_publish_with_the_publish_now_action(author_client, author_user):
    article = ArticleFactory(draft=True, authors=[author_user.author_profile])

    author_client.post(
        LIST_URL,
        {"action": "publish_now", "_selected_action": [str(article.pk)], "index": "0"},
    )

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not Article.objects.published().exists()


def test_author_is_not_offered_the_publication_actions(author_client):
    response = author_client.get(LIST_URL)

    assert response.status_code == 200
    action_form = response.context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "publish_now" not in actions
    assert "unpublish" not in actions


def test_author_cannot_change_a_published_article(author_client, author_user):
    article = ArticleFactory(title="Titre publié", authors=[author_user.author_profile])
    data = form_data(_editor_view_of(article))
    data["title"] = "Titre modifié par le rédacteur"

    response = author_client.post(change_url(article), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Titre publié"


def test_author_cannot_change_someone_elses_draft(author_client):
    other_user = UserFactory(is_staff=True, groups=["Rédacteurs"])
    other_author = AuthorFactory(user=other_user)
    article = ArticleFactory(title="Brouillon d’un autre", draft=True, authors=[other_author])
    Article.objects.filter(pk=article.pk).update(created_by=other_user)
    data = form_data(_editor_view_of(article))
    data["title"] = "Réécrit par quelqu’un d’autre"

    response = author_client.post(change_url(article), data)

    assert response.status_code == 404
    article.refresh_from_db()
    assert article.title == "Brouillon d’un autre"


def test_author_cannot_set_the_publication_date_or_the_front_page(author_client):
    category = CategoryFactory()
    tomorrow = timezone.localtime() + timedelta(days=1)

    response = submit(
        author_client,
        ADD_URL,
        **_new_article_fields(
            category,
            status="review",
            published_at_0=tomorrow.strftime("%d/%m/%Y"),
            published_at_1="07:00:00",
            featured="on",
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.published_at is None
    assert article.featured is False


def _editor_view_of(article):
    """The change form of ``article`` as an editor sees it (every field editable)."""
    editor = UserFactory(is_staff=True, groups=["Éditeurs"])
    client = Client()
    client.force_login(editor)
    return client.get(change_url(article))


# Editors: publish, schedule, unpublish


def test_editor_can_publish_from_the_form_with_a_past_date(editor_client, editor):
    category = CategoryFactory()
    yesterday = timezone.localtime() - timedelta(days=1)

    response = submit(
        editor_client,
        ADD_URL,
        **_new_article_fields(
            category,
            status="published",
            published_at_0=yesterday.strftime("%d/%m/%Y"),
            published_at_1="18:04:00",
            **{"bylines-0-author": str(editor.author_profile.pk)},
        ),
    )

    assert response.status_code == 302, _form_errors(response)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.is_visible
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_editor_can_publish_now_from_the_form_by_leaving_the_date_empty(editor_client, editor):
    category = CategoryFactory()

    response = submit(
        editor_client,
        ADD_URL,
        **_new_article_fields(
            category,
            status="published",
            published_at_0="",
            published_at_1="",
            **{"bylines-0-author": str(editor.author_profile.pk)},
        ),
    )

    assert response.status_code == 302, _form_errors(response)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.is_visible
    assert timezone.now() - article.published_at < timedelta(minutes=1)


def test_editor_can_schedule_from_the_form_and_the_list_says_when(editor_client, editor):
    category = CategoryFactory()
    when = (timezone.localtime() + timedelta(days=2)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )

    response = submit(
        editor_client,
        ADD_URL,
        **_new_article_fields(
            category,
            status="published",
            published_at_0=when.strftime("%d/%m/%Y"),
            published_at_1="07:00:00",
            **{"bylines-0-author": str(editor.author_profile.pk)},
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.published_at == when
    assert article.is_scheduled
    assert not Article.objects.published().exists()
    listing = editor_client.get(LIST_URL).content.decode()
    assert f"Programmé pour le {when:%d/%m} à 07:00" in listing


def test_changelist_shows_a_scheduled_article_as_scheduled_in_french(editor_client):
    ArticleFactory(scheduled=True)

    response = editor_client.get(LIST_URL)

    assert "Programmé pour le" in response.content.decode()


def test_editor_can_publish_with_the_publish_now_action(editor_client):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)

    response = editor_client.post(
        LIST_URL,
        {
            "action": "publish_now",
            "_selected_action": [str(draft.pk), str(scheduled.pk)],
            "index": "0",
        },
    )

    assert response.status_code == 302
    for article in (draft, scheduled):
        article.refresh_from_db()
        assert article.is_visible
    assert Version.objects.get_for_object(draft).count() == 1


def test_editor_can_unpublish_with_the_unpublish_action(editor_client):
    article = ArticleFactory()

    response = editor_client.post(
        LIST_URL, {"action": "unpublish", "_selected_action": [str(article.pk)], "index": "0"}
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_editor_can_change_any_article(editor_client, author_user):
    article = ArticleFactory(authors=[author_user.author_profile])

    response = submit(editor_client, change_url(article), title="Titre revu par l’édition")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Titre revu par l’édition"


def test_editorial_groups_exist_with_the_publish_permission_for_editors_only():
    editors = Group.objects.get(name="Éditeurs")
    authors = Group.objects.get(name="Rédacteurs")

    assert editors.permissions.filter(codename="publish_article").exists()
    assert not authors.permissions.filter(codename="publish_article").exists()


# History


def test_each_admin_save_keeps_a_version_listed_in_the_history(editor_client):
    article = ArticleFactory(title="Titre d’origine")

    assert submit(editor_client, change_url(article), title="Première version").status_code == 302
    assert submit(editor_client, change_url(article), title="Seconde version").status_code == 302

    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2
    history = editor_client.get(f"/admin/articles/article/{article.pk}/history/")
    assert history.status_code == 200
    for version in versions:
        assert f"/admin/articles/article/{article.pk}/history/{version.pk}/" in (
            history.content.decode()
        )


def test_restoring_a_version_from_the_history_brings_back_the_old_title(editor_client):
    article = ArticleFactory(title="Titre d’origine", tags=["Otan"])
    submit(editor_client, change_url(article), title="Première version")
    submit(editor_client, change_url(article), title="Seconde version", tags="Russie")
    first = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"

    page = editor_client.get(revision_url)
    assert page.status_code == 200
    article.refresh_from_db()
    assert article.title == "Seconde version"  # looking at a version changes nothing

    response = editor_client.post(revision_url, form_data(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Première version"
    assert [tag.name for tag in article.tags.all()] == ["Otan"]
    assert Version.objects.get_for_object(article).count() == 3


# Concurrent edits


def test_stale_save_is_refused_and_keeps_the_second_editors_text(editor):
    other_editor = UserFactory(
        is_staff=True, groups=["Éditeurs"], first_name="Alice", last_name="Lambert"
    )
    article = ArticleFactory(title="Titre d’origine")
    client_a, client_b = Client(), Client()
    client_a.force_login(other_editor)
    client_b.force_login(editor)
    form_a = form_data(client_a.get(change_url(article)))
    form_b = form_data(client_b.get(change_url(article)))
    assert form_a["edited_version"]
    assert form_a["edited_version"] == form_b["edited_version"]

    saved_by_a = client_a.post(change_url(article), {**form_a, "title": "Titre de A"})
    assert saved_by_a.status_code == 302

    refused = client_b.post(change_url(article), {**form_b, "title": "Titre de B"})

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert form.has_error(NON_FIELD_ERRORS, code="edit_conflict")
    assert "Alice Lambert" in str(form.non_field_errors())
    article.refresh_from_db()
    assert article.title == "Titre de A"
    assert 'value="Titre de B"' in refused.content.decode()

    resubmitted = form_data(refused)
    assert resubmitted["edited_version"] != form_b["edited_version"]
    saved_by_b = client_b.post(change_url(article), resubmitted)

    assert saved_by_b.status_code == 302
    article.refresh_from_db()
    assert article.title == "Titre de B"


def test_save_without_a_concurrent_edit_is_accepted_twice_in_a_row(editor_client):
    article = ArticleFactory(title="Titre d’origine")

    assert submit(editor_client, change_url(article), title="Un").status_code == 302
    assert submit(editor_client, change_url(article), title="Deux").status_code == 302

    article.refresh_from_db()
    assert article.title == "Deux"
