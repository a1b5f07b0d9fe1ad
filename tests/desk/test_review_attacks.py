"""Review, notes and e-mails under hostile input: what the desk's paths refuse or survive."""

import pytest
from django.core import mail
from reversion.models import Version

from desk import review
from desk.models import EditorialNote, ReviewEvent
from tests.articles.test_admin import form_data, submit
from tests.desk.conftest import story_of
from tests.desk.test_review import _add_note, change_url
from tests.factories import UserFactory


def test_a_nul_character_in_the_send_back_note_is_dropped_not_a_500(editor_client, author_user):
    article = story_of(author_user, draft=True)
    article.status = article.Status.REVIEW
    article.save()

    response = submit(
        editor_client, change_url(article), _send_back="1", review_note="À\x00 revoir"
    )

    assert response.status_code == 302
    assert ReviewEvent.objects.get(article=article).note == "À revoir"


def test_a_title_with_a_line_break_still_reaches_the_editors_on_one_subject_line(
    author_user, editor
):
    article = story_of(author_user, draft=True, title="Crue\r\nBcc: victim@example.com")
    article.status = article.Status.REVIEW
    article.save()

    review.record(article, article.Status.DRAFT, author_user)

    assert [message.to for message in mail.outbox] == [[editor.email]]
    message = mail.outbox[0]
    assert message.subject == "À relire : Crue Bcc: victim@example.com"
    assert message.bcc == []


def test_an_editor_cannot_delete_a_colleagues_note(editor_client, editor, author_user):
    article = story_of(author_user, draft=True)
    other = UserFactory(is_staff=True, groups=["Éditeurs"])
    note = EditorialNote.objects.create(article=article, author=other, text="Vérifier le chiffre.")

    data = form_data(editor_client.get(change_url(article)))
    data["editorial_notes-0-DELETE"] = "on"
    response = editor_client.post(change_url(article), data)

    assert response.status_code in (200, 302, 403)
    assert EditorialNote.objects.filter(pk=note.pk).exists()


def test_an_editor_deletes_their_own_note(editor_client, editor, author_user):
    article = story_of(author_user, draft=True)
    EditorialNote.objects.create(article=article, author=editor, text="Ma note.")

    data = form_data(editor_client.get(change_url(article)))
    data["editorial_notes-0-DELETE"] = "on"
    response = editor_client.post(change_url(article), data)

    assert response.status_code == 302
    assert not EditorialNote.objects.exists()


def test_the_delete_box_is_offered_on_ones_own_notes_only(editor_client, editor, author_user):
    article = story_of(author_user, draft=True)
    other = UserFactory(is_staff=True, groups=["Éditeurs"])
    EditorialNote.objects.create(article=article, author=other, text="La sienne.")
    EditorialNote.objects.create(article=article, author=editor, text="La mienne.")

    form = editor_client.get(change_url(article)).context["inline_admin_formsets"][-1].formset

    assert [f.fields["DELETE"].disabled for f in form.forms] == [True, False]


def test_an_editor_no_longer_staff_is_not_told_of_a_submission(author_user, editor):
    UserFactory(is_staff=False, email="ancien@example.com", groups=["Éditeurs"])  # access removed
    article = story_of(author_user, draft=True, title="Embargo jusqu’à lundi")
    article.status = article.Status.REVIEW
    article.save()

    review.record(article, article.Status.DRAFT, author_user)

    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_an_author_no_longer_staff_is_not_told_of_a_send_back(author_user, editor):
    article = story_of(author_user, draft=True)
    author_user.is_staff = False
    author_user.save()

    review.record(article, article.Status.REVIEW, editor, note="À revoir")

    assert mail.outbox == []


def test_restoring_an_old_version_keeps_the_notes_written_since(editor_client, editor, author_user):
    article = story_of(author_user, draft=True)
    submit(editor_client, change_url(article), title="Première version")
    submit(editor_client, change_url(article), title="Seconde version")
    EditorialNote.objects.create(article=article, author=editor, text="Vérifier la date.")
    first = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"

    page = editor_client.get(revision_url)
    response = editor_client.post(revision_url, form_data(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Première version"
    assert list(article.editorial_notes.values_list("text", flat=True)) == ["Vérifier la date."]


def test_a_title_turned_around_by_a_direction_override_is_stored_plain(author_client, author_user):
    article = story_of(author_user, draft=True)

    response = submit(author_client, change_url(article), title="\u202eelbatirc\u2066 titre")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "elbatirc titre"


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u2060\u00ad", "\u202e\u200d"])
def test_a_title_that_shows_no_letter_is_refused_in_french(author_client, author_user, title):
    article = story_of(author_user, draft=True, title="Titre d’origine")

    response = submit(author_client, change_url(article), title=title)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [
        "Le titre ne montre aucune lettre."
    ]
    article.refresh_from_db()
    assert article.title == "Titre d’origine"


def test_a_note_of_invisible_characters_is_refused_in_french(editor_client, author_user):
    article = story_of(author_user, draft=True)

    response = _add_note(editor_client, article, "\u200b\u200b\u200b")

    assert response.status_code == 200
    assert "Cette note ne montre aucune lettre." in response.content.decode()
    assert not EditorialNote.objects.exists()
