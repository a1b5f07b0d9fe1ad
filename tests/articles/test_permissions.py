"""Who may see and change what in the admin: authors (Rédacteurs) and editors (Éditeurs).

Every path that writes an article checks the user's right on the article as stored, before
anything is written; authors see their own stories and what readers already see.
"""

from datetime import timedelta

import pytest
import reversion
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Image, LiveEntry, ReadMoreLink
from tests.articles.test_admin import LIST_URL, change_url, form_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    HouseAdFactory,
    ImageFactory,
    LiveEntryFactory,
    ReadMoreLinkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def history_url(article, version=None):
    url = f"/admin/articles/article/{article.pk}/history/"
    return f"{url}{version.pk}/" if version else url


def recover_url():
    """The recovery page of the one deleted article."""
    return f"/admin/articles/article/recover/{Version.objects.get_deleted(Article).get().pk}/"


def save_version(article, comment="", **changes):
    """Change ``article`` and keep a version of it, as a save in the admin does."""
    for name, value in changes.items():
        setattr(article, name, value)
    with reversion.create_revision():
        article.save()
        reversion.set_comment(comment)
    return Version.objects.get_for_object(article).first()


@pytest.fixture
def colleague():
    """Another author of the "Rédacteurs" group, with their own byline."""
    user = UserFactory(is_staff=True, groups=["Rédacteurs"])
    AuthorFactory(name="Léa Collègue", user=user)
    return user


def story_of(user, **kwargs):
    article = ArticleFactory(authors=[user.author_profile], **kwargs)
    Article.objects.filter(pk=article.pk).update(created_by=user)
    article.refresh_from_db()
    return article


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


# 1. Changing an article: the right is checked on the article as stored


@pytest.fixture
def published_story(author_user, editor):
    """An author's story, submitted for review and then published by an editor who added a
    second byline and a correction; a version from each step is kept."""
    article = story_of(author_user, title="Titre proposé", status=Article.Status.REVIEW)
    article.published_at = None
    in_review = save_version(article, "Proposé")
    save_version(
        article, "Publié", title="Titre publié", status=Article.Status.PUBLISHED, published_at=None
    )
    ArticleAuthor.objects.create(article=article, author=editor.author_profile, position=1)
    CorrectionFactory(article=article, text="Le vote a eu lieu mardi.")
    article.refresh_from_db()
    return article, in_review


def test_author_cannot_unpublish_a_story_by_restoring_a_version_from_review(
    author_client, editor_client, published_story
):
    article, in_review = published_story
    published_at = article.published_at
    data = form_data(editor_client.get(history_url(article, in_review)))
    data.update(status="review", title="Titre réécrit par le rédacteur")

    response = author_client.post(history_url(article, in_review), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.title == "Titre publié"
    assert article.published_at == published_at
    assert article.bylines.count() == 2
    assert article.corrections.count() == 1
    page = Client().get(article.get_absolute_url())
    assert page.status_code == 200
    assert "Titre publié" in page.content.decode()
    assert "Le vote a eu lieu mardi." in page.content.decode()


def test_author_cannot_open_a_version_of_a_published_story(author_client, published_story):
    article, in_review = published_story

    assert author_client.get(history_url(article, in_review)).status_code == 403
    assert author_client.get(history_url(article)).status_code == 403


def test_author_can_restore_an_older_version_of_their_own_draft(author_client, author_user):
    article = story_of(author_user, draft=True, title="Premier jet")
    first = save_version(article, "Premier jet")
    save_version(article, "Second jet", title="Second jet")

    page = author_client.get(history_url(article, first))
    assert page.status_code == 200
    response = author_client.post(history_url(article, first), form_data(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Premier jet"
    assert article.status == Article.Status.DRAFT


def test_restore_by_an_author_keeps_the_stored_publication_date_and_front_page(
    author_client, author_user
):
    article = story_of(author_user, status=Article.Status.REVIEW)
    article.published_at = None
    planned = timezone.now() + timedelta(days=3)
    old = save_version(article, "Mis en une", featured=True, published_at=planned)
    save_version(article, "Retiré", featured=False, published_at=None)

    page = author_client.get(history_url(article, old))
    response = author_client.post(history_url(article, old), form_data(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.featured is False
    assert article.published_at is None


def test_restoring_an_older_version_leaves_the_corrections_as_they_are(editor_client):
    article = ArticleFactory(title="Titre d’origine")
    withdrawn = CorrectionFactory(article=article, text="Correction retirée.")
    reworded = CorrectionFactory(article=article, text="Première formulation.")
    first = save_version(article, "Publié")
    withdrawn.delete()
    reworded.text = "Le vote a eu lieu mardi."
    reworded.save()
    added = CorrectionFactory(article=article, text="Le maire s’appelle Jean Dupont.")
    save_version(article, "Corrigé", title="Titre corrigé")

    page = editor_client.get(history_url(article, first))
    response = editor_client.post(history_url(article, first), form_data(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Titre d’origine"
    assert [c.text for c in article.corrections.all()] == [reworded.text, added.text]
    assert article.corrected_at == added.published_at
    content = Client().get(article.get_absolute_url()).content.decode()
    assert "Le vote a eu lieu mardi." in content
    assert "Jean Dupont" in content
    assert "Correction retirée." not in content
    assert "Première formulation." not in content


def test_recovering_a_deleted_article_brings_back_its_corrections(editor_client):
    article = ArticleFactory(title="Article supprimé")
    CorrectionFactory(article=article, text="Le vote a eu lieu mardi.")
    save_version(article, "Corrigé")
    pk = article.pk
    article.delete()

    page = editor_client.get(recover_url())
    response = editor_client.post(recover_url(), form_data(page))

    assert response.status_code == 302
    recovered = Article.objects.get(pk=pk)
    assert [c.text for c in recovered.corrections.all()] == ["Le vote a eu lieu mardi."]
    assert "Le vote a eu lieu mardi." in (
        Client().get(recovered.get_absolute_url()).content.decode()
    )


def test_only_editors_recover_a_deleted_article(author_client, editor_client, author_user):
    article = story_of(author_user, title="Article supprimé")
    save_version(article, "Publié")
    pk = article.pk
    article.delete()

    assert author_client.get("/admin/articles/article/recover/").status_code == 403
    assert author_client.get(recover_url()).status_code == 403
    assert "Article supprimé" not in author_client.get(LIST_URL).content.decode()
    page = editor_client.get(recover_url())
    assert page.status_code == 200
    assert editor_client.post(recover_url(), form_data(page)).status_code == 302
    assert Article.objects.get(pk=pk).title == "Article supprimé"


def test_author_cannot_recover_a_deleted_published_story_by_crafted_post(
    author_client, editor_client, author_user
):
    article = story_of(author_user, title="Article supprimé")
    save_version(article, "Publié")
    article.delete()
    data = form_data(editor_client.get(recover_url()))
    data["status"] = "review"

    assert author_client.post(recover_url(), data).status_code == 403
    assert not Article.objects.exists()


@pytest.mark.parametrize("whose", ["colleague", "author_user"])
def test_delete_selected_refuses_an_author_a_published_story(
    request, author_client, author_user, colleague, whose
):
    grant(author_user, "delete_article")
    published = story_of(request.getfixturevalue(whose))
    unseen = story_of(colleague, draft=True)
    mine = story_of(author_user, draft=True)
    selected = {
        "action": "delete_selected",
        "_selected_action": [str(published.pk), str(unseen.pk), str(mine.pk)],
    }

    confirmation = author_client.post(LIST_URL, selected)
    response = author_client.post(LIST_URL, {**selected, "post": "yes"})

    assert confirmation.status_code == 200
    assert unseen.title not in confirmation.content.decode()
    assert response.status_code == 403
    assert Article.objects.filter(pk__in=[published.pk, unseen.pk, mine.pk]).count() == 3


def test_author_may_delete_their_own_draft_when_given_the_right(author_client, author_user):
    grant(author_user, "delete_article")
    mine = story_of(author_user, draft=True)

    response = author_client.post(
        LIST_URL,
        {"action": "delete_selected", "_selected_action": [str(mine.pk)], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Article.objects.filter(pk=mine.pk).exists()


def test_author_cannot_unschedule_a_scheduled_story(author_client, editor_client, author_user):
    article = story_of(author_user, scheduled=True)
    data = form_data(editor_client.get(change_url(article)))
    data["status"] = "draft"

    response = author_client.post(change_url(article), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.is_scheduled


def test_author_cannot_set_the_date_or_front_page_by_crafted_post_on_the_change_form(
    author_client, author_user
):
    article = story_of(author_user, draft=True)
    data = form_data(author_client.get(change_url(article)))
    data.update(featured="on", published_at_0="01/01/2020", published_at_1="07:00:00")

    response = author_client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.featured is False
    assert article.published_at is None


def test_author_cannot_remove_every_byline_of_a_story(author_client, author_user):
    article = story_of(author_user, draft=True, title="Signé")
    data = form_data(author_client.get(change_url(article)))
    data.update({"bylines-0-DELETE": "on", "title": "Orphelin"})

    response = author_client.post(change_url(article), data)

    assert response.status_code == 200
    assert "Un article doit être signé par au moins un auteur." in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Signé"
    assert article.byline_authors == [author_user.author_profile]


def test_author_save_is_refused_once_an_editor_has_published_the_story(
    author_client, editor_client, author_user
):
    article = story_of(author_user, status=Article.Status.REVIEW, title="En relecture")
    data = form_data(author_client.get(change_url(article)))
    editor_client.post(LIST_URL, {"action": "publish_now", "_selected_action": [str(article.pk)]})
    data.update(title="Réécrit", status="draft")

    response = author_client.post(change_url(article), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.is_visible
    assert article.title == "En relecture"


def test_author_cannot_link_to_a_colleagues_draft_by_crafted_post(
    author_client, author_user, colleague
):
    mine = story_of(author_user, draft=True)
    secret = story_of(colleague, draft=True, title="Le scoop du siècle")
    data = form_data(author_client.get(change_url(mine)))
    data.update(
        {
            "read_more_links-TOTAL_FORMS": "1",
            "read_more_links-0-target_article": str(secret.pk),
            "read_more_links-0-position": "0",
        }
    )

    response = author_client.post(change_url(mine), data)

    assert response.status_code == 200
    assert "Le scoop du siècle" not in response.content.decode()
    assert not ReadMoreLink.objects.exists()


# 14. Seeing articles: authors see their own stories and what readers see


@pytest.fixture
def newsroom(author_user, colleague):
    return {
        "mine": story_of(author_user, draft=True, title="Mon brouillon"),
        "mine_scheduled": story_of(author_user, scheduled=True, title="Mon article programmé"),
        "colleague_draft": story_of(colleague, draft=True, title="Brouillon de Léa"),
        "colleague_review": story_of(
            colleague, status=Article.Status.REVIEW, title="Relecture de Léa"
        ),
        "colleague_scheduled": story_of(colleague, scheduled=True, title="Embargo de Léa"),
        "colleague_published": story_of(colleague, title="Article publié de Léa"),
    }


HIDDEN = ["colleague_draft", "colleague_review", "colleague_scheduled"]
SHOWN = ["mine", "mine_scheduled", "colleague_published"]


def test_author_lists_their_own_stories_and_published_ones(author_client, newsroom):
    content = author_client.get(LIST_URL).content.decode()

    for name in SHOWN:
        assert newsroom[name].title in content
    for name in HIDDEN:
        assert newsroom[name].title not in content


def test_editor_lists_every_story(editor_client, newsroom):
    content = editor_client.get(LIST_URL).content.decode()

    for article in newsroom.values():
        assert article.title in content


def test_author_signed_by_a_colleague_sees_the_shared_story(author_client, author_user, colleague):
    shared = story_of(colleague, draft=True, title="Écrit à deux")
    ArticleAuthor.objects.create(article=shared, author=author_user.author_profile, position=1)

    assert "Écrit à deux" in author_client.get(LIST_URL).content.decode()
    assert author_client.get(change_url(shared)).status_code == 200


@pytest.mark.parametrize("name", HIDDEN)
def test_author_cannot_open_a_colleagues_unpublished_story(author_client, newsroom, name):
    article = newsroom[name]
    version = save_version(article, "Brouillon")

    for url in (
        change_url(article),
        history_url(article),
        history_url(article, version),
        f"/admin/articles/article/{article.pk}/delete/",
        article.get_preview_url(),
    ):
        response = author_client.get(url)
        assert response.status_code == 404, url
        assert article.title not in response.content.decode()


@pytest.mark.parametrize("name", HIDDEN)
def test_view_on_site_does_not_name_a_colleagues_unpublished_story(author_client, newsroom, name):
    article = newsroom[name]
    content_type = ContentType.objects.get_for_model(Article)

    response = author_client.get(f"/admin/r/{content_type.pk}/{article.pk}/")

    assert response.status_code == 404
    assert article.slug not in response.get("Location", "")


@pytest.mark.parametrize("name", HIDDEN)
def test_view_on_site_of_a_live_entry_does_not_name_a_colleagues_unpublished_story(
    author_client, newsroom, name
):
    article = newsroom[name]
    entry = LiveEntryFactory(article=article)
    content_type = ContentType.objects.get_for_model(LiveEntry)

    response = author_client.get(f"/admin/r/{content_type.pk}/{entry.pk}/")

    assert response.status_code == 404
    assert article.slug not in response.get("Location", "")


@pytest.mark.parametrize(
    ("name", "place"),
    [("mine", "get_preview_url"), ("colleague_published", "get_absolute_url")],
)
def test_view_on_site_of_a_live_entry_leads_to_it_on_its_story(
    author_client, newsroom, name, place
):
    article = newsroom[name]
    entry = LiveEntryFactory(article=article)
    content_type = ContentType.objects.get_for_model(LiveEntry)

    response = author_client.get(f"/admin/r/{content_type.pk}/{entry.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"{getattr(article, place)()}#entree-{entry.pk}"


def test_view_on_site_leads_an_author_to_their_own_draft_preview(author_client, newsroom):
    content_type = ContentType.objects.get_for_model(Article)

    response = author_client.get(f"/admin/r/{content_type.pk}/{newsroom['mine'].pk}/")

    assert response.status_code == 302
    assert response["Location"] == newsroom["mine"].get_preview_url()


def test_author_sees_a_colleagues_published_story_read_only(author_client, newsroom):
    article = newsroom["colleague_published"]

    page = author_client.get(change_url(article))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("name", SHOWN)
def test_author_previews_their_own_stories_and_published_ones(author_client, newsroom, name):
    response = author_client.get(newsroom[name].get_preview_url())

    assert response.status_code == 200
    assert newsroom[name].title in response.content.decode()


@pytest.mark.parametrize("name", HIDDEN)
def test_editor_previews_every_story(editor_client, newsroom, name):
    assert editor_client.get(newsroom[name].get_preview_url()).status_code == 200


def test_read_more_picker_does_not_list_a_colleagues_draft_titles(author_client, newsroom):
    response = author_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "readmorelink",
            "field_name": "target_article",
            "term": "Léa",
        },
    )

    assert response.status_code == 200
    titles = {result["text"] for result in response.json()["results"]}
    assert titles == {"Article publié de Léa"}


@pytest.mark.parametrize("user_client", ["author_client", "editor_client"])
def test_changelist_queries_do_not_grow_with_the_number_of_articles(
    request, user_client, author_user, colleague
):
    client = request.getfixturevalue(user_client)
    for _ in range(3):
        story_of(author_user, draft=True)
        story_of(colleague)
    client.get(LIST_URL)  # content types and permissions cached (the session is read each time)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL).status_code == 200
    for _ in range(5):
        story_of(author_user, draft=True)
        story_of(colleague)
    with CaptureQueriesContext(connection) as more:
        client.get(LIST_URL)

    assert len(more) == len(few) == 11


# 2. Images: authors change only what readers see nowhere


def image_change_url(image):
    return f"/admin/articles/image/{image.pk}/change/"


def new_picture():
    image = ImageFactory.build()
    image.file.open()
    return SimpleUploadedFile("remplacement.jpg", image.file.read(), "image/jpeg")


def image_post(image, **changes):
    return {
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        **changes,
    }


def _featured_in_published(image, author_user):
    ArticleFactory(featured_image=image)


def _featured_in_scheduled(image, author_user):
    story_of(author_user, scheduled=True, featured_image=image)


def _in_a_published_body(image, author_user):
    ArticleFactory(body=f'<figure><img src="{image.fallback_url}" alt=""></figure>')


def _in_a_live_entry_by_reference(image, author_user):
    story = ArticleFactory(live_status=Article.LiveStatus.LIVE)
    LiveEntryFactory(article=story, body=f'<figure data-image="{image.pk}"></figure>')


def _in_a_live_entry_by_address(image, author_user):
    story = ArticleFactory(live_status=Article.LiveStatus.ENDED)
    body = f'<figure><img src="{image.fallback_url}" alt=""></figure>'
    LiveEntryFactory(article=story, body=body)


def _author_photo(image, author_user):
    AuthorFactory(photo=image)


def _house_ad(image, author_user):
    HouseAdFactory(image=image)


IMAGE_USES = [
    _featured_in_published, _featured_in_scheduled, _in_a_published_body, _author_photo, _house_ad,
    _in_a_live_entry_by_reference, _in_a_live_entry_by_address,
]  # fmt: skip


@pytest.mark.parametrize("use", IMAGE_USES)
def test_author_cannot_replace_an_image_readers_see(author_client, author_user, use):
    image = ImageFactory(caption="Légende d’origine")
    use(image, author_user)
    stored_file = image.file.name

    page = author_client.get(image_change_url(image))
    response = author_client.post(
        image_change_url(image), image_post(image, caption="Légende piratée", file=new_picture())
    )

    assert page.status_code == 200
    assert "Les lecteurs voient cette image" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.caption == "Légende d’origine"
    assert image.file.name == stored_file


def test_public_page_keeps_its_picture_when_an_author_tries_to_replace_it(author_client):
    image = ImageFactory(caption="Légende d’origine")
    article = ArticleFactory(featured_image=image)

    author_client.post(
        image_change_url(image), image_post(image, caption="Légende piratée", file=new_picture())
    )

    content = Client().get(article.get_absolute_url()).content.decode()
    assert "Légende d’origine" in content
    assert "Légende piratée" not in content
    assert "remplacement" not in content


def test_author_can_replace_the_picture_of_their_own_draft(author_client, author_user):
    image = ImageFactory(caption="Première légende")
    story_of(author_user, draft=True, featured_image=image)
    ArticleFactory(draft=True, body=f'<img src="{image.fallback_url}" alt="">')
    live_draft = story_of(author_user, draft=True, live_status=Article.LiveStatus.LIVE)
    LiveEntryFactory(article=live_draft, body=f'<figure data-image="{image.pk}"></figure>')

    response = author_client.post(
        image_change_url(image), image_post(image, caption="Nouvelle légende", file=new_picture())
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "Nouvelle légende"
    assert "remplacement" in image.file.name


@pytest.mark.parametrize("use", IMAGE_USES)
def test_editor_can_replace_an_image_readers_see(editor_client, author_user, use):
    image = ImageFactory(caption="Légende d’origine")
    use(image, author_user)

    response = editor_client.post(
        image_change_url(image), image_post(image, caption="Légende revue", file=new_picture())
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "Légende revue"


def test_author_cannot_delete_an_image_readers_see_even_with_the_right(author_client, author_user):
    grant(author_user, "delete_image")
    shown = ImageFactory()
    ArticleFactory(featured_image=shown)
    unused = ImageFactory()

    delete_page = author_client.post(f"/admin/articles/image/{shown.pk}/delete/", {"post": "yes"})
    action = author_client.post(
        "/admin/articles/image/",
        {
            "action": "delete_selected",
            "_selected_action": [str(shown.pk), str(unused.pk)],
            "post": "yes",
        },
    )

    assert delete_page.status_code == 403
    assert action.status_code == 403
    assert Image.objects.filter(pk__in=[shown.pk, unused.pk]).count() == 2


def test_authors_rights_are_the_least_their_work_needs():
    rights = set(
        Group.objects.get(name="Rédacteurs").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert rights == {
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "view_article"),
        ("articles", "add_articleauthor"),
        ("articles", "change_articleauthor"),
        ("articles", "delete_articleauthor"),
        ("articles", "view_articleauthor"),
        ("articles", "add_readmorelink"),
        ("articles", "change_readmorelink"),
        ("articles", "delete_readmorelink"),
        ("articles", "view_readmorelink"),
        ("articles", "view_author"),
        ("articles", "view_category"),
        ("articles", "add_image"),
        ("articles", "change_image"),
        ("articles", "view_image"),
        # The entries of the live stories they may change (their own, until published).
        ("articles", "add_liveentry"),
        ("articles", "change_liveentry"),
        ("articles", "delete_liveentry"),
        ("articles", "view_liveentry"),
        ("taggit", "view_tag"),
        ("desk", "view_editorialnote"),  # editors' notes on the stories they open
    }


def test_tag_suggestions_omit_the_tags_of_a_colleagues_unpublished_story(
    author_client, editor_client, colleague
):
    story_of(colleague, draft=True, tags=["Démission du maire"])
    story_of(colleague, scheduled=True, tags=["Déménagement du maire"])
    story_of(colleague, tags=["Budget du maire"])
    suggestions = {"app_label": "articles", "model_name": "article", "field_name": "tags"}

    def names(client):
        response = client.get("/admin/autocomplete/", {**suggestions, "term": "maire"})
        assert response.status_code == 200
        return {result["text"] for result in response.json()["results"]}

    assert names(author_client) == {"Budget du maire"}
    assert len(names(editor_client)) == 3


@pytest.mark.parametrize("user_client", ["author_client", "editor_client"])
def test_tags_are_not_merged_through_taggits_unchecked_view(request, user_client):
    client = request.getfixturevalue(user_client)
    session = client.session
    session["selected_tag_ids"] = "1"
    session.save()

    client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "Fusion"})

    assert not Tag.objects.filter(name="Fusion").exists()
    assert "render_tag_form" not in client.get("/admin/taggit/tag/").content.decode()


def test_authors_do_not_add_tags_in_the_tag_admin(author_client):
    assert author_client.get("/admin/taggit/tag/").status_code == 200
    assert author_client.get("/admin/taggit/tag/add/").status_code == 403


def test_author_cannot_restore_a_colleagues_story_through_a_version_of_another_kind(
    author_client, author_user, colleague, editor
):
    # reversion finds a version by its object's id alone: a byline of their story with my
    # story's id answers to my story's address.
    shared_id = 10_000
    theirs = story_of(colleague, status=Article.Status.REVIEW, title="Titre en relecture")
    ArticleAuthor.objects.create(
        pk=shared_id, article=theirs, author=editor.author_profile, position=1
    )
    save_version(theirs, "En relecture")
    byline_version = Version.objects.get_for_object_reference(ArticleAuthor, shared_id).get()
    save_version(theirs, "Publié", title="Titre publié", status=Article.Status.PUBLISHED)
    mine = story_of(author_user, draft=True, id=shared_id)
    url = f"/admin/articles/article/{mine.pk}/history/{byline_version.pk}/"

    page = author_client.get(url)
    response = author_client.post(url, form_data(author_client.get(change_url(mine))))

    assert page.status_code == response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Titre publié"
    assert theirs.is_visible


def test_recover_needs_a_version_of_a_deleted_article(editor_client, author_user):
    article = story_of(author_user, title="Article en ligne")
    byline_version = (
        save_version(article, "Publié")
        .revision.version_set.exclude(content_type=ContentType.objects.get_for_model(Article))
        .first()
    )

    response = editor_client.get(f"/admin/articles/article/recover/{byline_version.pk}/")

    assert response.status_code == 404


def test_each_article_published_from_the_list_keeps_its_own_revision(editor_client):
    first, second = ArticleFactory(draft=True), ArticleFactory(draft=True)

    editor_client.post(
        LIST_URL,
        {"action": "publish_now", "_selected_action": [str(first.pk), str(second.pk)]},
    )

    revision = Version.objects.get_for_object(first).get().revision
    articles = revision.version_set.filter(content_type=ContentType.objects.get_for_model(Article))
    assert [int(v.object_id) for v in articles] == [first.pk]


def test_restoring_a_version_saved_with_other_articles_changes_none_of_them(editor_client):
    article = ArticleFactory(title="Titre d’origine")
    other = ArticleFactory(title="Autre titre d’origine")
    with reversion.create_revision():
        article.save()
        other.save()
    version = Version.objects.get_for_object(article).get()
    save_version(article, "Revu", title="Titre revu")
    save_version(other, "Revu", title="Autre titre revu")

    page = editor_client.get(history_url(article, version), follow=True)
    data = form_data(editor_client.get(change_url(article)))
    response = editor_client.post(history_url(article, version), data, follow=True)

    assert "enregistrée avec d’autres articles" in page.content.decode()
    assert response.redirect_chain[-1][0] == history_url(article)
    article.refresh_from_db()
    other.refresh_from_db()
    assert (article.title, other.title) == ("Titre revu", "Autre titre revu")


def test_author_cannot_republish_their_story_by_restoring_its_published_version(
    author_client, editor_client, author_user
):
    article = story_of(author_user, title="Publié puis retiré")
    published = save_version(article, "Publié")
    save_version(article, "Retiré", status=Article.Status.DRAFT)
    data = form_data(editor_client.get(history_url(article, published)))
    data["status"] = "review"

    response = author_client.post(history_url(article, published), data)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_an_image_with_an_accented_name_in_a_published_body_is_shown_to_readers(author_client):
    # Stored before uploads were given ASCII names: its address in the body is URL-encoded.
    image = ImageFactory(caption="Légende d’origine")
    Image.objects.filter(pk=image.pk).update(file="images/2026/11/été à Noël.jpg")
    image.refresh_from_db()
    ArticleFactory(body=f'<p><img src="{image.fallback_url}" alt=""></p>')

    response = author_client.post(image_change_url(image), image_post(image, caption="Piratée"))

    assert "%C3%A9t%C3%A9" in image.fallback_url
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.caption == "Légende d’origine"


def test_a_link_to_a_colleagues_draft_stays_unseen_and_untouched_in_an_authors_form(
    author_client, author_user, colleague
):
    mine = story_of(author_user, draft=True, title="Mon brouillon")
    secret = story_of(colleague, draft=True, title="Le scoop du siècle")
    link = ReadMoreLinkFactory(article=mine, target_article=secret)

    page = author_client.get(change_url(mine))
    response = author_client.post(change_url(mine), {**form_data(page), "title": "Mon article"})

    assert "Le scoop du siècle" not in page.content.decode()
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Mon article"
    assert list(mine.read_more_links.all()) == [link]


def test_save_as_new_on_a_history_page_restores_nothing(author_client, editor_client, author_user):
    article = story_of(author_user, title="Publié puis retiré")
    published = save_version(article, "Publié")
    save_version(article, "Retiré", status=Article.Status.DRAFT, title="Retiré")
    data = form_data(editor_client.get(history_url(article, published)))
    data.update(status="review", slug="copie", _saveasnew="Enregistrer en tant que nouveau")

    response = author_client.post(history_url(article, published), data)

    assert response.status_code == 400
    article.refresh_from_db()
    assert (article.status, article.title) == (Article.Status.DRAFT, "Retiré")
    assert not Article.objects.published().exists()
    assert Article.objects.count() == 1


# A version that names a row deleted since (its section, an author of its byline, the article a
# link leads to) cannot be saved again: it is refused with a message. Its picture and its
# creator's account, which their deletion empties on the article, are emptied by the restore.

REFERS_TO_DELETED = "renvoie à un élément supprimé depuis"


def _delete_byline_author(article):
    gone = AuthorFactory(name="Pigiste parti")
    ArticleAuthor.objects.create(article=article, author=gone, position=5)
    return lambda: (ArticleAuthor.objects.filter(author=gone).delete(), gone.delete())


def _delete_section(article):
    section = article.category
    return lambda: (
        Article.objects.filter(pk=article.pk).update(category=CategoryFactory()),
        section.delete(),
    )


def _delete_link_target(article):
    link = ReadMoreLinkFactory(article=article, target_article=ArticleFactory())
    return lambda: link.target_article.delete()


@pytest.mark.parametrize(
    "deleted",
    [_delete_byline_author, _delete_section, _delete_link_target],
)
def test_restoring_a_version_that_names_a_row_deleted_since_is_refused(
    editor_client, editor, deleted
):
    client = editor_client
    article = ArticleFactory(title="Titre d’origine", authors=[editor.author_profile])
    delete = deleted(article)
    version = save_version(article, "Avant")
    delete()
    save_version(Article.objects.get(pk=article.pk), "Après", title="Titre revu")
    data = form_data(client.get(change_url(article)))

    page = client.get(history_url(article, version), follow=True)
    response = client.post(history_url(article, version), data, follow=True)

    assert page.status_code == response.status_code == 200
    assert REFERS_TO_DELETED in page.content.decode()
    assert response.redirect_chain[-1][0] == history_url(article)
    article.refresh_from_db()
    assert article.title == "Titre revu"
    assert list(article.bylines.values_list("author", flat=True)) == [editor.author_profile.pk]


def test_recovering_an_article_whose_section_was_deleted_since_is_refused(editor_client, editor):
    client = editor_client
    article = ArticleFactory(title="Supprimé", authors=[editor.author_profile])
    save_version(article, "Avant")
    section = article.category
    article.delete()
    section.delete()

    page = client.get(recover_url(), follow=True)
    response = client.post(recover_url(), {"title": "Supprimé"}, follow=True)

    assert page.status_code == response.status_code == 200
    assert REFERS_TO_DELETED in page.content.decode()
    assert not Article.objects.exists()


def test_a_version_whose_data_cannot_be_read_is_refused_with_a_message(editor_client, editor):
    kept = ArticleFactory(title="Titre d’origine", authors=[editor.author_profile])
    deleted = ArticleFactory(authors=[editor.author_profile])
    versions = [save_version(kept, "Avant"), save_version(deleted, "Avant")]
    Version.objects.filter(pk__in=[v.pk for v in versions]).update(serialized_data="[{illisible")
    deleted.delete()

    restore = editor_client.get(history_url(kept, versions[0]), follow=True)
    recover = editor_client.get(recover_url(), follow=True)

    for response in (restore, recover):
        assert response.status_code == 200
        assert "Cette version ne peut plus être lue" in response.content.decode()
    assert list(Article.objects.all()) == [kept]


def test_a_version_whose_address_another_article_took_since_is_refused_in_french(
    editor_client, editor
):
    kept = ArticleFactory(slug="le-budget", authors=[editor.author_profile])
    deleted = ArticleFactory(slug="la-reforme", authors=[editor.author_profile])
    versions = [save_version(kept, "Avant"), save_version(deleted, "Avant")]
    save_version(kept, "Après", slug="le-budget-revu")
    deleted.delete()
    ArticleFactory(slug="le-budget")
    ArticleFactory(slug="la-reforme")

    restore = editor_client.get(history_url(kept, versions[0]), follow=True)
    recover = editor_client.get(recover_url(), follow=True)

    for response in (restore, recover):
        assert response.status_code == 200
        assert "Un autre article a désormais l’adresse de cette version" in (
            response.content.decode()
        )
    assert restore.redirect_chain[-1][0] == history_url(kept)
    kept.refresh_from_db()
    assert kept.slug == "le-budget-revu"
    assert Article.objects.count() == 3


def test_restoring_a_version_whose_picture_and_creator_were_deleted_since_empties_them(
    editor_client, editor
):
    creator = UserFactory(is_staff=True, groups=["Rédacteurs"])
    article = ArticleFactory(
        title="Titre d’origine", featured_image=ImageFactory(), authors=[editor.author_profile]
    )
    Article.objects.filter(pk=article.pk).update(created_by=creator)
    version = save_version(Article.objects.get(pk=article.pk), "Avant")
    Image.objects.all().delete()
    creator.delete()
    save_version(Article.objects.get(pk=article.pk), "Après", title="Titre revu")

    page = editor_client.get(history_url(article, version))
    response = editor_client.post(history_url(article, version), form_data(page))

    assert page.status_code == 200
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Titre d’origine"
    assert (article.featured_image, article.created_by) == (None, None)
